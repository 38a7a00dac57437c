"""Whether the words before a marker are its speaker stating a stance now: "I", "we",
"I think I", "I'm not sure I", with adverbs, "do", "would", "have to" between; or no
subject at all at a sentence's start ("Agreed.", "Strongly disagree."). Anything else
is someone else's stance ("Some readers disagree"), nobody's ("Nobody could
disagree", "It is hard to disagree"), or not a present one ("I used to disagree",
"I might agree")."""

from __future__ import annotations

from typing import NamedTuple

from askalign.positions.map import Relation
from askalign.positions.target import Target
from askalign.positions.words import BOUNDARY_MARKS, Word, clause_before


class Said(NamedTuple):
    relation: Relation | None  # None: the speaker's marker, stating no stance ("I don't disagree")
    target: Target
    start: int  # its words in the sentence, from the speaker to the marker
    end: int


# Words that may open a sentence or clause before its subject or a bare marker.
OPENERS = frozenset(
    {"yes", "yeah", "yep", "ok", "okay", "well", "hmm", "sure", "also", "honestly",
     "personally", "overall", "anyway", "anyways", "still", "actually", "fwiw", "now", "then",
     "ultimately", "frankly", "however", "indeed", "strongly", "strong", "mostly", "largely",
     "partly", "partially", "somewhat", "fully", "completely", "totally", "broadly", "very",
     "much", "generally", "basically", "really", "mildly", "slightly", "thanks"}
)  # fmt: skip
# What may stand between the speaker and the marker: adverbs, "do", "would", "have to".
BETWEEN = OPENERS | frozenset(
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
_HEDGES = frozenset({"think", "guess", "suspect", "believe", "feel", "sure", "certain", "say"})


def speaker_negated(chunk: list[str], copula: bool = False) -> bool | None:
    """Whether the speaker's stance is negated; None where the words before the marker
    are not the speaker stating one now: [openers] [I think | I'm not sure (if)] I|we
    [adverbs, do, would, have to] (am, before an adjective: `copula`)."""
    while chunk and chunk[0] in OPENERS:
        chunk = chunk[1:]
    if not chunk or chunk[0] not in ("i", "we"):
        return None
    if set(chunk) & _NOT_NOW or any(w not in BETWEEN for w in chunk):
        return None
    if any(w == "have" and nxt != "to" for w, nxt in zip(chunk, [*chunk[1:], ""], strict=True)):
        return None  # perfect ("I have agreed"), not "I'd have to disagree"
    if ("can" in chunk or "could" in chunk) and "not" not in chunk:
        return None  # "I could agree": a possibility
    subjects = [i for i, w in enumerate(chunk) if w in ("i", "we")]
    if subjects[-1] != 0 and not (chunk[0] == "i" and _HEDGES & set(chunk[: subjects[-1]])):
        return None  # only a hedge stands before the real subject: "I think we agree"
    if copula and not {"am", "are", "remain"} & set(chunk[subjects[-1] :]):
        return None
    return chunk.count("not") % 2 == 1


def frame_negated(frame: list[str]) -> bool | None:
    """The same for the words before a clause's own subject ("I don't think" in "I don't
    think that's right"): nothing, or a hedge of the speaker's."""
    return speaker_negated([*frame, "i"]) if frame else False


def bare_start(found: list[Word], at: int) -> bool:
    """Only openers and marks before the marker in its sentence: "Yes, agreed."."""
    return all(w.norm in OPENERS or w.norm in BOUNDARY_MARKS for w in found[:at])


def alone(found: list[Word], at: int) -> bool:
    """The only word of its sentence but openers: "Yes, exactly."."""
    others = [w for i, w in enumerate(found) if i != at and w.norm not in BOUNDARY_MARKS]
    return all(w.norm in OPENERS for w in others) and found[-1].norm != "?"


def first_own(found: list[Word], at: int) -> int:
    """Where the speaker's words for a marker start: after any openers of its clause."""
    chunk = clause_before(found, at)
    while chunk and chunk[0].norm in OPENERS:
        chunk = chunk[1:]
    return (chunk[0] if chunk else found[at]).start
