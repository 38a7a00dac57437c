"""A reply's stance, only where its own opening words state it: "I disagree", "I don't
buy", "I agree". Anything else, including "I agree …, but …", is a response with no
stance: a map that invents a disagreement misleads worse than one that shows none.

Markers are read in the reply's first sentences, after any text it pasted from the
comment it answers or quotes from anyone (that is the other person's words, not its own)."""

from __future__ import annotations

import re
from typing import NamedTuple

from askalign.documents import Document, Passage
from askalign.positions.map import Relation
from askalign.text.sentences import sentence_spans
from askalign.text.spans import Span

OPENING_SENTENCES = 3
_SOFTENER = (
    r"(?:(?:strongly|mostly|somewhat|partly|partially|largely|respectfully|slightly|kind of"
    r"|kinda|fully|completely|totally|basically|broadly|definitely|mainly|really|also|do)\s+)?"
)
_DISAGREES = re.compile(
    r"\b(?:I|we)\s+" + _SOFTENER + r"disagree\b"
    r"|\b(?:strong(?:ly)?\s+)?disagree(?:d)?\b(?=\s+(?:with|that|here|about|on)\b)"
    r"|\bI\s+(?:don't|do not|can't|cannot)\s+(?:really\s+|quite\s+|fully\s+)?(?:agree|buy|accept)\b"
    r"|\bI(?:'m| am)\s+(?:not|un)\s*convinced\b"
    r"|\bI(?:'m| am)\s+(?:not\s+sure|unsure)\s+(?:I|that\s+I)\s+agree\b"
    r"|\bI(?:'m| am)\s+(?:(?:very|quite|pretty|rather|deeply)\s+)?skeptical\s+(?:of|about|that)\b"
    r"|\bI\s+(?:would|'d|want to|will)\s+push\s+back\b"
    r"|\b(?:that|this)(?:'s| is)\s+(?:just\s+|simply\s+)?(?:wrong|false|mistaken|incorrect)\b"
    r"|\bI\s+think\s+(?:you(?:'re| are)|that(?:'s| is)|this\s+is)\s+(?:wrong|mistaken|incorrect)\b",
    re.IGNORECASE,
)
_AGREES = re.compile(
    r"\b(?:I|we)\s+" + _SOFTENER + r"agree\b"
    r"|^\W*(?:agreed|strongly agree|strong agree|\+1)\b"
    r"|\byou(?:'re| are)\s+(?:totally\s+|completely\s+|quite\s+)?right\b"
    r"|\b(?:that(?:'s| is)|this\s+is)\s+(?:a\s+)?(?:good|fair|great)\s+point\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bno)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_TURN = r"(?:but|however|although|though|that said|except|yet)\b"
_OPENS_WITH_TURN = re.compile(r"\W*" + _TURN, re.IGNORECASE)
_TURN_AFTER = re.compile(r"\b" + _TURN, re.IGNORECASE)
# What follows a concession: a turn, an objection of one's own, a stated disagreement.
_CONCEDES = re.compile(
    r"\b(?:but|however|although|though|that said|except|yet)\b"
    r"|\bmy\s+(?:main\s+|real\s+|only\s+)?(?:issue|problem|worry|concern|objection|complaint)\b"
    r"|\b(?:I|we)\s+" + _SOFTENER + r"disagree\b",
    re.IGNORECASE,
)
_CONDITION = re.compile(r"\b(?:if|unless|assuming|suppose|insofar as|to the extent)\b", re.I)
_QUESTION = re.compile(r"\?\s*$")


class Stance(NamedTuple):
    relation: Relation
    marker: str | None  # the words that state it
    sentence: Span | None  # the sentence they stand in


NO_STANCE = Stance(Relation.RESPONDS, None, None)


def opening(document: Document, passage: Passage) -> list[Span]:
    """The reply's own first sentences: those inside text it pasted or quotes are skipped."""
    own = [
        span
        for span in sentence_spans(document.source_text, passage.start, passage.end)
        if passage.own_words(span.start, span.end)
    ]
    return own[:OPENING_SENTENCES]


def stance(document: Document, passage: Passage) -> Stance:
    """The first sentence that states a stance, unless the next one turns on it
    ("I mostly agree. However, …"), or, for agreement, anything after it in the opening
    does: "I agree that X. … My issue is …" concedes a point on the way to a rebuttal."""
    sentences = opening(document, passage)
    for at, sentence in enumerate(sentences):
        found = sentence_stance(sentence.cut(document.source_text))
        if found is None:
            continue
        rest = [later.cut(document.source_text) for later in sentences[at + 1 :]]
        if rest and _OPENS_WITH_TURN.match(rest[0]):
            return NO_STANCE
        if found[0] is Relation.AGREES and any(_CONCEDES.search(text) for text in rest):
            return NO_STANCE
        return Stance(found[0], found[1], sentence)
    return NO_STANCE


def sentence_stance(text: str) -> tuple[Relation, str] | None:
    """Disagreement is read first: "I don't agree" holds "agree". A marker under a
    negation ("I don't disagree"), under a condition ("if so, I agree"), in a question
    ("do you agree?") or followed by a turn ("I agree …, but") states no stance."""
    source, text = text, text.replace("\u2019", "'")  # the same length: spans stay the source's
    if _QUESTION.search(text):
        return None
    for pattern, relation in ((_DISAGREES, Relation.DISAGREES), (_AGREES, Relation.AGREES)):
        match = pattern.search(text)
        if match is None:
            continue
        before, after = text[: match.start()], text[match.end() :]
        if _NEGATED.search(before) or _CONDITION.search(before) or _TURN_AFTER.search(after):
            return None
        return relation, source[match.start() : match.end()].strip()
    return None
