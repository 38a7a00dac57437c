"""Stances stated as a verdict on what was replied to, not as "I (dis)agree": "that's
wrong", "you're right", "that's a fair point", "that makes sense", "I don't think
that's …", "that's not my position". Their subject is what was replied to ("that",
"this", "you", "your reply"), never "it" ("it is wrong to …" is about anything), and
the speaker may frame them only with a hedge of their own ("I think", "I don't
think")."""

from __future__ import annotations

from askalign.positions.map import Relation
from askalign.positions.speaker import BETWEEN, Said, bare_start, frame_negated, speaker_negated
from askalign.positions.target import ADDRESSEE
from askalign.positions.words import Word, clause_after, clause_before

D, A = Relation.DISAGREES, Relation.AGREES
# verdict word: (its relation as said, its relation when negated); None: no stance.
VERDICTS: dict[str, tuple[Relation | None, Relation | None]] = {
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
GOOD = frozenset({"good", "fair", "great", "excellent", "valid", "strong"})
# "That's not my position", "that's not what I said": the reply says it was misread.
POSITIONS = frozenset({"position", "view", "claim", "argument", "point", "contention"})
_SAID = frozenset({"said", "say", "meant", "mean", "wrote", "write", "argued", "claimed"})
_GRANTS = frozenset({"that", "about", "on", "here", "there", "again"})
_THIS = ("that", "this")


def verdict(found: list[Word], at: int) -> Said | None:
    """ "That's (just) wrong", "this is true", "you're right", possibly after "I think".
    "Right" and "true" end their clause, or go on to what they grant ("you're right that
    …") or describe ("an accurate summary"): "that's true of humans too" is no assent."""
    relations = VERDICTS[found[at].norm]
    chunk = [w.norm for w in clause_before(found, at)]
    be = next((i for i, w in enumerate(chunk) if w in ("is", "are")), None)
    if be is None or be == 0 or chunk[be - 1] not in (*_THIS, "you"):
        return None
    rest = clause_after(found, at + 1)
    describes = chunk[-1] in ("a", "an")
    if relations[0] is A and rest and rest[0].norm not in _GRANTS and not describes:
        return None
    negated = frame_negated(chunk[: be - 1])
    if negated is None or any(w not in BETWEEN for w in chunk[be + 1 :]):
        return None
    negated = negated != ("not" in chunk[be + 1 :])
    start = clause_before(found, at)[0].start
    return Said(relations[1] if negated else relations[0], ADDRESSEE, start, found[at].end)


def good_point(found: list[Word], at: int) -> Said | None:
    """ "Good point." at a sentence's start, or "that's a fair point"."""
    if bare_start(found, at - 1):
        return Said(A, ADDRESSEE, found[at - 1].start, found[at].end)
    chunk = clause_before(found, at - 1)
    if [w.norm for w in chunk] in (["that", "is", "a"], ["this", "is", "a"]):
        return Said(A, ADDRESSEE, chunk[0].start, found[at].end)
    return None


def makes_sense(found: list[Word], at: int) -> Said | None:
    """ "That makes sense", "I think your reply makes sense", "that doesn't make sense":
    the subject is what was replied to ("that", "this", or "your …")."""
    chunk = clause_before(found, at - 1)  # before "makes"
    norms = [w.norm for w in chunk]
    negated = norms[-2:] == ["does", "not"]
    if negated:
        norms = norms[:-2]
    subject = next((i for i, w in enumerate(norms) if w in (*_THIS, "your")), None)
    if subject is None or (norms[subject] != "your" and subject != len(norms) - 1):
        return None
    if any(chunk[i].capital for i in range(subject + 1, len(norms))):
        return None  # "your point about Paul" is about someone else too
    frame = frame_negated(norms[:subject])
    if frame is None:
        return None
    relation = D if frame != negated else A
    return Said(relation, ADDRESSEE, chunk[0].start, found[at].end)


def doubt(found: list[Word], at: int) -> Said | None:
    """ "I don't think that's corrigible", "I don't think this is how networks work":
    the speaker denies what was replied to."""
    chunk = [w.norm for w in clause_before(found, at)]
    rest = [w.norm for w in clause_after(found, at + 1)]
    if chunk[-2:] != ["do", "not"] or speaker_negated(chunk) is not True:
        return None
    if len(rest) < 3 or rest[0] not in _THIS or rest[1] != "is":
        return None
    end = clause_after(found, at + 1)[-1].end  # the whole denial: "… is how it works"
    return Said(D, ADDRESSEE, clause_before(found, at)[0].start, end)


def not_mine(found: list[Word], at: int) -> Said | None:
    """ "That's not (quite) my position", "this is not what I said": what was replied to
    misread the speaker."""
    first = at - 1 if found[at].norm != "what" else at
    chunk = [w.norm for w in clause_before(found, first)]
    if len(chunk) < 3 or chunk[0] not in _THIS or chunk[1:3] != ["is", "not"]:
        return None
    if any(w not in {"quite", "exactly", "really", "at", "all"} for w in chunk[3:]):
        return None
    end = found[at + 2].end if found[at].norm == "what" else found[at].end
    return Said(D, ADDRESSEE, found[first - len(chunk)].start, end)


def what_i_said(found: list[Word], at: int) -> bool:
    following = [w.norm for w in found[at + 1 : at + 3]]
    return (
        found[at].norm == "what"
        and following[:1] == ["i"]
        and following[1:] in ([w] for w in _SAID)
    )
