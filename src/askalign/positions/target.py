"""Whom a stated stance is about, read from the words after its marker: the person
replied to ("I agree with you", "I disagree with this"), the post's author ("I agree
with the OP"), someone else ("I agree with Yudkowsky that you are wrong", "I'm
skeptical of the critics of this post"), or nothing at all ("I agree with nothing you
wrote"). A stance about someone else is no stance toward the person replied to."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from askalign.positions.words import Word

# Words between a marker and what it is about: "I agree entirely with you".
_ADVERBS = frozenset(
    {"entirely", "completely", "fully", "strongly", "mostly", "wholeheartedly", "here", "there",
     "too", "also", "somewhat", "partly", "largely", "broadly", "very", "much", "basically"}
)  # fmt: skip
_PREPOSITIONS = frozenset({"with", "on", "about", "regarding", "re", "of", "by", "against", "to"})
# Where the phrase naming the target ends: "with Yudkowsky | that you are wrong".
_PHRASE_ENDS = frozenset(
    {"that", "about", "on", "regarding", "here", "there", "when", "if", "in", "as", "who",
     "which", "where", "for", "at", "than", "to", "re"}
)  # fmt: skip
_QUANTIFIERS = frozenset(
    {"most", "much", "all", "some", "part", "parts", "lot", "lots", "bits", "bulk", "many",
     "each", "both", "several", "half", "one", "either", "a", "the", "rest", "majority"}
)  # fmt: skip
_NOTHING = frozenset({"nothing", "none", "neither", "nobody", "nor"})
_ADDRESSEE = frozenset({"you", "your", "yours", "yourself", "y'all", "u"})
# People other than the one replied to, when they head the phrase.
_PEOPLE = frozenset(
    {"he", "she", "him", "her", "his", "they", "them", "their", "others", "people", "person",
     "critics", "critic", "commenters", "commenter", "readers", "reader", "folks", "skeptics",
     "sceptics", "proponents", "researchers", "authors", "everyone", "everybody", "someone",
     "somebody", "anyone", "anybody", "guy", "guys", "responders", "repliers", "posters",
     "detractors", "supporters"}
)  # fmt: skip
_POST = frozenset({"post", "op", "author", "article", "essay", "original"})


class TargetKind(StrEnum):
    ADDRESSEE = "addressee"  # the person replied to, or what they wrote
    AUTHOR = "author"  # the post's author, or the post
    NAMED = "named"  # someone the words name: a name, or a kind of person
    NOTHING = "nothing"  # a negative object: "on nothing", "with none of it"


class Target(NamedTuple):
    kind: TargetKind
    words: str = ""  # the words that name it, for NAMED


ADDRESSEE = Target(TargetKind.ADDRESSEE)


def target(after: list[Word], text: str) -> Target:
    """Whom the words after a marker point at, up to the clause's end; what a stance
    is about when no phrase names anyone ("I agree that …", "I agree.") is the text
    replied to."""
    rest = _skip(after, _ADVERBS)
    if rest and rest[0].norm == "more":  # "I couldn't agree more"
        return ADDRESSEE
    if rest and rest[0].norm in {"on", "about", "regarding", "re"}:
        topic = _phrase(rest[1:])
        if _phrase_target(topic, text).kind is TargetKind.NOTHING:
            return Target(TargetKind.NOTHING)
        rest = _skip(rest[1 + len(topic) :], _ADVERBS)
    if rest and rest[0].norm in _PREPOSITIONS:
        rest = rest[1:]
    elif rest and rest[0].norm in _PHRASE_ENDS:
        return ADDRESSEE
    phrase = _phrase(rest)
    if len(rest) > len(phrase) and rest[len(phrase)].norm == "who":  # "those who say …"
        return Target(TargetKind.NAMED, text[phrase[0].start : rest[len(phrase)].end])
    return _phrase_target(phrase, text)


def _phrase_target(phrase: list[Word], text: str) -> Target:
    if not phrase:
        return ADDRESSEE
    if phrase[0].norm in _NOTHING or [w.norm for w in phrase[:2]] == ["no", "one"]:
        return Target(TargetKind.NOTHING)
    head = _head(phrase)
    named = [w for w in phrase if w.capital or w.norm.startswith("@")]
    if any(w.norm in _PEOPLE for w in head) or named:
        person = named[0] if named else phrase[0]
        return Target(TargetKind.NAMED, text[person.start : phrase[-1].end])
    if any(w.norm in _ADDRESSEE for w in phrase):
        return ADDRESSEE
    if any(w.norm in _POST for w in phrase):
        return Target(TargetKind.AUTHOR)
    return ADDRESSEE


def _head(phrase: list[Word]) -> list[Word]:
    """The words before the phrase's first "of", after any quantifier: "the critics" of
    "the critics of this post", "this post" of "most of this post"."""
    while len(phrase) > 1 and phrase[0].norm in _QUANTIFIERS:
        at = next((i for i, w in enumerate(phrase) if w.norm == "of"), None)
        if at is None or any(w.norm not in _QUANTIFIERS for w in phrase[:at]):
            break
        phrase = phrase[at + 1 :]
    at = next((i for i, w in enumerate(phrase) if w.norm == "of"), len(phrase))
    return phrase[:at]


def _phrase(after: list[Word]) -> list[Word]:
    """The noun phrase at the start of `after`: up to a word that opens a new part."""
    at = next((i for i, w in enumerate(after) if i and w.norm in _PHRASE_ENDS), len(after))
    return after[:at]


def _skip(found: list[Word], skipped: frozenset[str]) -> list[Word]:
    at = next((i for i, w in enumerate(found) if w.norm not in skipped), len(found))
    return found[at:]
