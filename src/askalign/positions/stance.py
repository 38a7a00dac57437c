"""A reply's stance toward the person it answers, only where its own opening words state
it: "I disagree", "I don't buy it", "I agree", "you're right". Anything else, including
"I agree …, but …", is a response with no stance: a map that invents a disagreement
misleads worse than one that shows none.

The reply's own words are its text with what it quotes blanked (unquoted.py): its
first sentences are read for a stance-bearing clause in the speaker's own voice
(clause.py), and a stance about someone else ("I agree with Yudkowsky that you are
wrong", target.py) is none toward the person replied to."""

from __future__ import annotations

import re
from typing import NamedTuple

from askalign.documents import Document, Passage
from askalign.positions.clause import Said, sentence_said
from askalign.positions.map import Relation
from askalign.positions.target import TargetKind
from askalign.positions.unquoted import own_text
from askalign.positions.words import words
from askalign.text.sentences import sentence_spans
from askalign.text.spans import Span

OPENING_SENTENCES = 3
_TURN = r"(?:but|however|although|though|that said|except|yet)\b"
_OPENS_WITH_TURN = re.compile(r"\W*" + _TURN, re.IGNORECASE)
# What follows a concession: a sentence that turns, a turn to the speaker's own view
# ("…, but I think"; not "…, but I agree if it was"), or an objection of one's own.
_CONCEDES = re.compile(
    r"^\W*" + _TURN + r"|\b" + _TURN + r",?\s+I\b(?!\s+(?:also\s+|do\s+|fully\s+|still\s+)?agree)"
    r"|\bmy\s+(?:main\s+|real\s+|only\s+)?(?:issue|problem|worry|concern|objection|complaint)\b",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[A-Z][\w-]{2,}")


class Stance(NamedTuple):
    relation: Relation  # toward the person replied to
    marker: str | None  # the words that state it
    sentence: Span | None  # the sentence they stand in
    target: str | None = None  # whom a stance stated about someone else is about


NO_STANCE = Stance(Relation.RESPONDS, None, None)


def stance(document: Document, passage: Passage, to: str | None, author: str | None) -> Stance:
    """The reply's stance toward `to`, the person it answers (`author` is the post's):
    its first sentence that states one, unless the next one turns on it ("I mostly
    agree. However, …"), or, for agreement, anything after it in the opening does: "I
    agree that X. … My issue is …" concedes a point on the way to a rebuttal."""
    source = document.source_text
    own = own_text(source, passage)
    texts = [
        (span, own[span.start - passage.start : span.end - passage.start])
        for span in sentence_spans(source, passage.start, passage.end)
    ]
    opening = [(span, text) for span, text in texts if _has_words(text)][:OPENING_SENTENCES]
    for at, (span, text) in enumerate(opening):
        said = sentence_said(text)
        if said is None:
            continue
        rest = [later for _, later in opening[at + 1 :]]
        if rest and _OPENS_WITH_TURN.match(rest[0]):
            return NO_STANCE
        if said.relation is Relation.AGREES and any(_concedes(later) for later in rest):
            return NO_STANCE
        relation, about = _toward(said, to, author)
        if relation is not None and text.rstrip().endswith(":"):
            relation, about = _introduced(texts, span, passage, to, relation)
        if relation is None:
            return Stance(Relation.RESPONDS, None, span, about)
        marker = source[span.start + said.start : span.start + said.end].strip()
        return Stance(relation, marker, span, None)
    return NO_STANCE


def _introduced(
    texts: list[tuple[Span, str]], span: Span, passage: Passage, to: str | None, said: Relation
) -> tuple[Relation | None, str]:
    """A stance on what a sentence ending in ":" introduces ("I disagree with this
    opening bit:"): where that is a quotation, the stance is about whoever wrote it,
    which is the person replied to only when the parser found it pasted from them."""
    following = [(later, text) for later, text in texts if later.start >= span.end]
    if not following or _has_words(following[0][1]):
        return said, ""  # the speaker's own words follow: "I disagree with this: …"
    quoted = following[0][0]
    source = next(
        (p.source_speaker for p in passage.pasted if p.start <= quoted.start < p.end), None
    )
    return (said, "") if source is not None and source == to else (None, source or "a quotation")


def _has_words(text: str) -> bool:
    """A sentence of the reply's own: not blanked away, nor a bare number or mark (a
    saved page's agreement score before a comment's text)."""
    return any(w.norm[:1].isalpha() or w.norm == "+1" for w in words(text))


def _concedes(text: str) -> bool:
    later = sentence_said(text)
    return bool(_CONCEDES.search(text)) or (
        later is not None and later.relation is Relation.DISAGREES
    )


def _toward(said: Said, to: str | None, author: str | None) -> tuple[Relation | None, str]:
    """The stance's relation to the person replied to, or None and whom it is about."""
    kind = said.target.kind
    if kind is TargetKind.NOTHING:  # "we agree on nothing"; "I disagree with none of it"
        return (Relation.DISAGREES if said.relation is Relation.AGREES else None), "nothing"
    if kind is TargetKind.ADDRESSEE:
        return said.relation, ""
    if kind is TargetKind.AUTHOR:
        return (said.relation if to == author else None), author or "the post's author"
    if _same_person(said.target.words, to):
        return said.relation, ""
    return None, said.target.words


def _same_person(words: str, person: str | None) -> bool:
    """Whether the words name the person: a name of theirs, "Steven" or "Byrnes's"."""
    if person is None:
        return False
    named = {w.removesuffix("'s").removesuffix("’s").lower() for w in _NAME_WORD.findall(words)}
    return bool(named & {w.lower() for w in _NAME_WORD.findall(person)})
