"""The stance one sentence states in its speaker's own voice, read from its
stance-bearing clause: a marker ("disagree", "agree", "skeptical", "don't buy",
"you're right", "that's wrong"), the words before it in its clause (its subject, which
must be the speaker, now: "I", "we", "I think I", or nothing at all at the start of a
sentence: "Agreed."), and the words after it (whom it is about, see target.py).

So "Some readers disagree with you", "Nobody could disagree", "Few would disagree",
"Who would disagree with that.", "It is hard to disagree" and "I used to disagree"
state no stance of the speaker's: their subject is someone else, nobody, or a frame
(modal, past, impersonal) that does not assert one. Whatever the rules do not know is
no stance: a missed stance shows grey, a wrong one misleads."""

from __future__ import annotations

from typing import NamedTuple

from askalign.positions.map import Relation
from askalign.positions.target import ADDRESSEE, Target, target
from askalign.positions.words import BOUNDARY_MARKS, Word, is_boundary, words

D, A = Relation.DISAGREES, Relation.AGREES
# marker word: (its relation as said, its relation when negated); None: no stance.
_VERBS: dict[str, tuple[Relation | None, Relation | None]] = {
    "disagree": (D, None),
    "agree": (A, D),  # "I don't agree"
    "concur": (A, D),
    "buy": (None, D),  # "I don't buy it"; "I buy it" is too loose to count
    "accept": (None, D),
}
_ADJECTIVES: dict[str, tuple[Relation | None, Relation | None]] = {
    "skeptical": (D, None),
    "sceptical": (D, None),
    "unconvinced": (D, None),
    "unpersuaded": (D, None),
    "convinced": (None, D),  # "I'm not convinced"
    "persuaded": (None, D),
}
_VERDICTS: dict[str, tuple[Relation | None, Relation | None]] = {
    "wrong": (D, None),  # "that's wrong", "you're wrong"; "you're not wrong" says nothing
    "mistaken": (D, None),
    "incorrect": (D, None),
    "false": (D, None),
    "right": (A, D),
    "correct": (A, D),
    "true": (A, D),
    "accurate": (A, D),  # "this is not an accurate paraphrase"
    "fair": (A, None),  # "that's fair"; "that's not fair" is a complaint, not a stance
}
_FINDS: dict[str, tuple[Relation | None, Relation | None]] = {
    "convincing": (A, D),  # "I find your case convincing"
    "compelling": (A, D),
    "persuasive": (A, D),
    "unconvincing": (D, None),
    "unpersuasive": (D, None),
}
_INTERJECTIONS: dict[str, Relation] = {"agreed": A, "disagreed": D, "+1": A}
_WHOLE = frozenset({"exactly", "precisely", "right", "indeed"})  # a sentence by itself
# "That's not my position", "that's not what I said": the reply says it was misread.
_POSITIONS = frozenset({"position", "view", "claim", "argument", "point", "contention"})
_SAID = frozenset({"said", "say", "meant", "mean", "wrote", "write", "argued", "claimed"})
_GRANTS = frozenset({"that", "about", "on", "here", "there", "again"})
_GOOD = frozenset({"good", "fair", "great", "excellent", "valid", "strong"})
# Words that may open a sentence or clause before its subject or a bare marker.
_OPENERS = frozenset(
    {"yes", "yeah", "yep", "ok", "okay", "well", "hmm", "sure", "also", "honestly",
     "personally", "overall", "anyway", "anyways", "still", "actually", "fwiw", "now", "then",
     "ultimately", "frankly", "however", "indeed", "strongly", "strong", "mostly", "largely",
     "partly", "partially", "somewhat", "fully", "completely", "totally", "broadly", "very",
     "much", "generally", "basically", "really", "mildly", "slightly"}
)  # fmt: skip
# What may stand between the speaker and the marker: adverbs, "do", "would", "have to".
_BETWEEN = _OPENERS | frozenset(
    {"do", "does", "would", "must", "to", "want", "tend", "all", "both", "somehow", "just",
     "certainly", "definitely", "entirely", "absolutely", "wholeheartedly", "kind", "kinda",
     "sort", "of", "quite", "pretty", "deeply", "rather", "extremely", "respectfully", "too",
     "fundamentally", "mainly", "not", "am", "are", "remain", "can", "could", "going",
     "probably", "likely", "think", "guess", "suspect", "believe", "feel", "like", "that",
     "sure", "certain", "if", "whether", "say", "i", "we", "so", "clearly", "simply",
     "plainly", "flatly", "flat", "exactly", "a", "an", "have"}
)  # fmt: skip
# A frame that does not assert a present stance: past, perfect, or mere possibility.
_NOT_NOW = frozenset(
    {"used", "was", "were", "had", "been", "did", "once", "initially", "originally",
     "previously", "might", "may", "will", "shall", "should", "ever", "never", "no", "longer"}
)  # fmt: skip
_CONDITIONS = frozenset(
    {"if", "unless", "assuming", "suppose", "supposing", "insofar", "whether", "extent"}
)
_TURNS = frozenset({"but", "however", "although", "though", "yet", "except"})
_AFTER = _CONDITIONS | frozenset({"provided", "when", "once"})


class Said(NamedTuple):
    relation: Relation | None  # None: the speaker's marker, stating no stance ("I don't disagree")
    target: Target
    start: int  # its words in the sentence, from the speaker to the marker
    end: int


def sentence_said(text: str) -> Said | None:
    """The first stance-bearing clause in the speaker's voice, with its relation; None
    where the sentence has none, asks ("do you agree?"), or frames it: a condition
    before it ("if so, I agree") or after it ("I agree if …"), a turn after it ("I
    agree …, but")."""
    found = words(text)
    for at in range(len(found)):
        said = _said_at(found, at, text)
        if said is None:
            continue
        before = {w.norm for w in found if w.end <= said.start}
        after = [w.norm for w in found if w.start >= said.end and w.norm not in BOUNDARY_MARKS]
        ends = next((w.norm for w in found if w.start >= said.end and w.norm in BOUNDARY_MARKS), "")
        if before & _CONDITIONS or _TURNS & set(after) or after[:1] in ([c] for c in _AFTER):
            return None
        if ends == "?" or (not ends and text.rstrip().endswith("?")):
            return None
        return said if said.relation is not None else None
    return None


def _said_at(found: list[Word], at: int, text: str) -> Said | None:
    """The stance whose marker is found[at], if its frame is the speaker's."""
    word = found[at].norm
    if word in _WHOLE and _alone(found, at):  # "Exactly." "Right!"
        return Said(A, ADDRESSEE, found[at].start, found[at].end)
    if word in _VERBS or word in _INTERJECTIONS:
        return _verb(found, at, text)
    if word == "push" and at + 1 < len(found) and found[at + 1].norm == "back":
        return _speaker_marker(found, at, at + 2, (D, None), text)
    if word in _ADJECTIVES:
        return _speaker_marker(found, at, at + 1, _ADJECTIVES[word], text, copula=True)
    if word in _VERDICTS:
        return _verdict(found, at)
    if word == "point" and at and found[at - 1].norm in _GOOD:
        return _point(found, at)
    if word == "find":
        return _find(found, at, text)
    if (word in _POSITIONS and at and found[at - 1].norm == "my") or _what_i_said(found, at):
        return _not_mine(found, at)
    return None


def _verb(found: list[Word], at: int, text: str) -> Said | None:
    word = found[at].norm
    if _bare_start(found, at):  # "Agreed.", "Strongly disagree with this."
        relation = _INTERJECTIONS.get(word) or _VERBS[word][0]
        if relation is None:
            return None
        start = _first_non_opener(found, at)
        return Said(relation, target(_clause_after(found, at + 1), text), start, found[at].end)
    if word in _INTERJECTIONS:
        return None  # "I agreed", "we disagreed": past
    relations = _VERBS[word]
    read = _speaker_marker(found, at, at + 1, relations, text)
    chunk = [w.norm for w in _clause_before(found, at)]
    after = _clause_after(found, at + 1)
    if read and "could" in chunk and "not" in chunk and after[:1] and after[0].norm == "more":
        return read._replace(relation=relations[0])  # "I couldn't agree more"
    return read


def _speaker_marker(
    found: list[Word],
    at: int,
    after_at: int,
    relations: tuple[Relation | None, Relation | None],
    text: str,
    copula: bool = False,
) -> Said | None:
    """A marker whose subject must be the speaker: its relation, or its negated one."""
    chunk = _clause_before(found, at)
    negated = _speaker_negated([w.norm for w in chunk], copula)
    if negated is None:
        return None
    start = _first_non_opener(found, at)
    relation = relations[1] if negated else relations[0]
    return Said(
        relation, target(_clause_after(found, after_at), text), start, found[after_at - 1].end
    )


def _speaker_negated(chunk: list[str], copula: bool) -> bool | None:
    """Whether the speaker's stance is negated, None where the words before the marker
    are not the speaker stating one now: [openers] [I think | I'm not sure (if)] I|we
    [adverbs, do, would, have to] (am, for an adjective)."""
    while chunk and chunk[0] in _OPENERS:
        chunk = chunk[1:]
    if not chunk or chunk[0] not in ("i", "we"):
        return None
    if set(chunk) & _NOT_NOW or any(w not in _BETWEEN for w in chunk):
        return None
    if any(w == "have" and nxt != "to" for w, nxt in zip(chunk, [*chunk[1:], ""], strict=True)):
        return None  # perfect ("I have agreed"), not "I'd have to disagree"
    if ("can" in chunk or "could" in chunk) and "not" not in chunk:
        return None  # "I could agree": a possibility
    subjects = [i for i, w in enumerate(chunk) if w in ("i", "we")]
    if subjects[-1] != 0 and not _hedge(chunk[: subjects[-1]]):
        return None
    own = chunk[subjects[-1] :]
    if copula and not {"am", "are", "remain"} & set(own):
        return None
    return chunk.count("not") % 2 == 1


def _hedge(words: list[str]) -> bool:
    """ "I think", "I guess", "I'm not sure (if)", "I don't think" before the real subject."""
    return words[0] == "i" and bool({"think", "guess", "suspect", "believe", "feel", "sure",
                                      "certain", "say"} & set(words))  # fmt: skip


def _verdict(found: list[Word], at: int) -> Said | None:
    """ "That's (just) wrong", "this is true", "you're right", possibly after "I think":
    about what was replied to. "Right" and "true" end their clause or go on to what
    they grant ("you're right that …"): "that's true of humans too" is no assent."""
    relations = _VERDICTS[found[at].norm]
    chunk = [w.norm for w in _clause_before(found, at)]
    be = next((i for i, w in enumerate(chunk) if w in ("is", "are")), None)
    if be is None or be == 0 or chunk[be - 1] not in ("that", "this", "you"):
        return None
    rest = _clause_after(found, at + 1)
    describes = chunk[-1] in ("a", "an")  # "an accurate paraphrase of my view"
    if relations[0] is A and rest and rest[0].norm not in _GRANTS and not describes:
        return None
    frame = chunk[: be - 1]
    negated = _speaker_negated([*frame, "i"], copula=False) if frame else False
    if negated is None or any(w not in _BETWEEN for w in chunk[be + 1 :]):
        return None
    negated = negated != ("not" in chunk[be + 1 :])
    start = _clause_before(found, at)[0].start if frame else found[at - len(chunk) + be - 1].start
    return Said(relations[1] if negated else relations[0], ADDRESSEE, start, found[at].end)


def _point(found: list[Word], at: int) -> Said | None:
    """ "Good point." at a sentence's start, or "that's a fair point": assent to what was
    replied to."""
    chunk = [w.norm for w in _clause_before(found, at - 1)]
    if _bare_start(found, at - 1) or chunk in (["that", "is", "a"], ["this", "is", "a"]):
        start = (
            found[at - 1 - len(chunk)].start
            if not _bare_start(found, at - 1)
            else found[at - 1].start
        )
        return Said(A, ADDRESSEE, start, found[at].end)
    return None


def _not_mine(found: list[Word], at: int) -> Said | None:
    """ "That's not (quite) my position", "this is not what I said": about what was
    replied to, which misread the speaker."""
    first = at - 1 if found[at].norm != "what" else at
    chunk = [w.norm for w in _clause_before(found, first)]
    if len(chunk) < 3 or chunk[0] not in ("that", "this") or chunk[1:3] != ["is", "not"]:
        return None
    if any(w not in {"quite", "exactly", "really", "at", "all"} for w in chunk[3:]):
        return None
    end = found[at + 2].end if found[at].norm == "what" else found[at].end
    return Said(D, ADDRESSEE, found[first - len(chunk)].start, end)


def _what_i_said(found: list[Word], at: int) -> bool:
    following = [w.norm for w in found[at + 1 : at + 3]]
    return (
        found[at].norm == "what"
        and len(following) == 2
        and following[0] == "i"
        and (following[1] in _SAID)
    )


def _alone(found: list[Word], at: int) -> bool:
    """The only word of its sentence but openers: "Yes, exactly."."""
    others = [w for i, w in enumerate(found) if i != at and w.norm not in BOUNDARY_MARKS]
    return all(w.norm in _OPENERS for w in others) and found[-1].norm != "?"


def _find(found: list[Word], at: int, text: str) -> Said | None:
    """ "I find your case convincing", "I don't find it persuasive"."""
    after = _clause_after(found, at + 1)
    where = next((i for i, w in enumerate(after) if w.norm in _FINDS), None)
    if where is None or where == 0:
        return None
    read = _speaker_marker(found, at, at + 1, _FINDS[after[where].norm], text)
    if read is None:
        return None
    return read._replace(target=target(after[:where], text), end=after[where].end)


def _clause_before(found: list[Word], at: int) -> list[Word]:
    start = at
    while start > 0 and not is_boundary(found[start - 1]):
        start -= 1
    return found[start:at]


def _clause_after(found: list[Word], at: int) -> list[Word]:
    end = at
    while end < len(found) and not is_boundary(found[end]):
        end += 1
    return found[at:end]


def _bare_start(found: list[Word], at: int) -> bool:
    """Only openers and marks before the marker in its sentence: "Yes, agreed."."""
    before = found[:at]
    return all(w.norm in _OPENERS or w.norm in BOUNDARY_MARKS for w in before)


def _first_non_opener(found: list[Word], at: int) -> int:
    chunk = _clause_before(found, at)
    while chunk and chunk[0].norm in _OPENERS:
        chunk = chunk[1:]
    return (chunk[0] if chunk else found[at]).start
