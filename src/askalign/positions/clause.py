"""The stance one sentence states in its speaker's own voice, read from its
stance-bearing clause: a marker ("disagree", "agree", "skeptical", "don't buy",
"I find it convincing", or a verdict: "you're right", "that's wrong"), the words
before it in its clause (its subject: the speaker, now, see speaker.py), and the words
after it (whom it is about, see target.py).

So "Some readers disagree with you", "Nobody could disagree", "Few would disagree",
"Who would disagree with that.", "It is hard to disagree" and "I used to disagree"
state no stance of the speaker's. Whatever the rules do not know is no stance: a
missed stance shows grey, a wrong one misleads."""

from __future__ import annotations

from askalign.positions.map import Relation
from askalign.positions.speaker import (
    Said,
    alone,
    bare_start,
    first_own,
    speaker_negated,
)
from askalign.positions.target import ADDRESSEE, target
from askalign.positions.verdicts import (
    GOOD,
    POSITIONS,
    VERDICTS,
    doubt,
    good_point,
    makes_sense,
    not_mine,
    verdict,
    what_i_said,
)
from askalign.positions.words import BOUNDARY_MARKS, Word, clause_after, clause_before, words

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
_FINDS: dict[str, tuple[Relation | None, Relation | None]] = {
    "convincing": (A, D),  # "I find your case convincing"
    "compelling": (A, D),
    "persuasive": (A, D),
    "unconvincing": (D, None),
    "unpersuasive": (D, None),
}
_INTERJECTIONS: dict[str, Relation] = {"agreed": A, "disagreed": D, "+1": A}
_WHOLE = frozenset({"exactly", "precisely", "right", "indeed"})  # a sentence by itself
_CONDITIONS = frozenset(
    {"if", "unless", "assuming", "suppose", "supposing", "insofar", "whether", "extent"}
)
_TURNS = frozenset({"but", "however", "although", "though", "yet", "except"})
_AFTER = _CONDITIONS | frozenset({"provided", "when", "once"})


def sentence_said(text: str) -> Said | None:
    """The first stance-bearing clause in the speaker's voice, with its relation; None
    where the sentence has none, asks ("do you agree?"), or frames it: a condition
    before it ("if so, I agree") or after it ("I agree if …"), a turn before it (it
    turns from something granted: "I'll grant X, but I'm not sure I agree with Y") or
    after it ("I agree …, but")."""
    found = words(text)
    for at in range(len(found)):
        said = _said_at(found, at, text)
        if said is None:
            continue
        before = {w.norm for w in found if w.end <= said.end}
        after = [w.norm for w in found if w.start >= said.end and w.norm not in BOUNDARY_MARKS]
        ends = next((w.norm for w in found if w.start >= said.end and w.norm in BOUNDARY_MARKS), "")
        if before & (_CONDITIONS | _TURNS) or _TURNS & set(after):
            return None
        if after[:1] in ([c] for c in _AFTER) or ends == "?":
            return None
        if not ends and text.rstrip().endswith("?"):
            return None
        return said if said.relation is not None else None
    return None


def _said_at(found: list[Word], at: int, text: str) -> Said | None:
    """The stance whose marker is found[at], if its frame is the speaker's."""
    word = found[at].norm
    following = found[at + 1].norm if at + 1 < len(found) else ""
    if word in _WHOLE and alone(found, at):  # "Exactly." "Right!"
        return Said(A, ADDRESSEE, found[at].start, found[at].end)
    if word in _VERBS or word in _INTERJECTIONS:
        return _verb(found, at, text)
    if word == "push" and following == "back":
        return _speaker_marker(found, at, at + 2, (D, None), text)
    if word in _ADJECTIVES:
        return _speaker_marker(found, at, at + 1, _ADJECTIVES[word], text, copula=True)
    if word in VERDICTS:
        return verdict(found, at)
    if word == "point" and at and found[at - 1].norm in GOOD:
        return good_point(found, at)
    if word == "sense" and at and found[at - 1].norm in ("makes", "make"):
        return makes_sense(found, at)
    if word == "think":
        return doubt(found, at)
    if word == "find":
        return _find(found, at, text)
    if (word in POSITIONS and at and found[at - 1].norm == "my") or what_i_said(found, at):
        return not_mine(found, at)
    return None


def _verb(found: list[Word], at: int, text: str) -> Said | None:
    word = found[at].norm
    after = clause_after(found, at + 1)
    if bare_start(found, at):  # "Agreed.", "Strongly disagree with this."
        relation = _INTERJECTIONS.get(word) or _VERBS[word][0]
        if relation is None:
            return None
        return Said(relation, target(after, text), first_own(found, at), found[at].end)
    if word in _INTERJECTIONS:
        return None  # "I agreed", "we disagreed": past
    relations = _VERBS[word]
    read = _speaker_marker(found, at, at + 1, relations, text)
    chunk = [w.norm for w in clause_before(found, at)]
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
    negated = speaker_negated([w.norm for w in clause_before(found, at)], copula)
    if negated is None:
        return None
    about = target(clause_after(found, after_at), text)
    relation = relations[1] if negated else relations[0]
    return Said(relation, about, first_own(found, at), found[after_at - 1].end)


def _find(found: list[Word], at: int, text: str) -> Said | None:
    """ "I find your case convincing", "I don't find it persuasive"."""
    after = clause_after(found, at + 1)
    where = next((i for i, w in enumerate(after) if w.norm in _FINDS), None)
    if where is None or where == 0:
        return None
    read = _speaker_marker(found, at, at + 1, _FINDS[after[where].norm], text)
    if read is None:
        return None
    return read._replace(target=target(after[:where], text), end=after[where].end)
