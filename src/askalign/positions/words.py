"""A sentence as words for the stance rules: lower-cased, contractions spelled out
("don't" is "do not", "I'm" is "I am"), each word with its place in the sentence, and
split into clauses at the marks and conjunctions that end one.

Rules over words are enough here: a stance is stated in a handful of fixed frames, and
each rule can be read and checked by hand, which a parser's guess cannot."""

from __future__ import annotations

import re
from typing import NamedTuple

_TOKEN = re.compile(r"\+1|@\w+|[A-Za-z]+(?:['’][A-Za-z]+)*|[—–…]|\.\.\.|\s-\s|[.,;:!?()\[\]]")
# A clause ends at these marks and words; what follows needs its own subject.
BOUNDARY_MARKS = frozenset(
    {",", ";", ":", "(", ")", "[", "]", "—", "–", "…", "...", "-", "!", "?", "."}
)
BOUNDARY_WORDS = frozenset(
    {"and", "but", "or", "so", "because", "since", "although", "though", "while", "whereas", "yet"}
)
_IRREGULAR_NOT = {"can't": "can", "won't": "will", "shan't": "shall", "ain't": "am"}
_CONTRACTED = {"'m": "am", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would"}
# 's is "is" after these; after anything else it marks a possessive ("Paul's point").
_IS_AFTER = frozenset({"it", "that", "this", "what", "there", "here", "he", "she", "who", "let"})


class Word(NamedTuple):
    norm: str  # lower case; one of the words a contraction stands for
    start: int  # in the sentence
    end: int
    capital: bool  # written with a capital and not all capitals: maybe a name
    possessive: bool = False


def words(text: str) -> list[Word]:
    found: list[Word] = []
    for match in _TOKEN.finditer(text.replace("’", "'")):
        token, start, end = match.group().strip(), match.start(), match.end()
        capital = token[:1].isupper() and not token.isupper() and token != "I"
        found += [
            Word(norm, start, end, capital, possessive) for norm, possessive in _spelled(token)
        ]
    return found


def _spelled(token: str) -> list[tuple[str, bool]]:
    """The words a token stands for, each with whether it is a possessive."""
    lower = token.lower()
    if lower in _IRREGULAR_NOT:
        return [(_IRREGULAR_NOT[lower], False), ("not", False)]
    if lower.endswith("n't"):
        return [(lower[:-3], False), ("not", False)]
    for ending, word in _CONTRACTED.items():
        if lower.endswith(ending) and len(lower) > len(ending):
            return [(lower[: -len(ending)], False), (word, False)]
    if lower.endswith("'s"):
        base = lower[:-2]
        return [(base, False), ("is", False)] if base in _IS_AFTER else [(base, True)]
    if lower.endswith("s'"):
        return [(lower[:-1], True)]
    return [(lower, False)]


def is_boundary(word: Word) -> bool:
    return word.norm in BOUNDARY_MARKS or word.norm in BOUNDARY_WORDS


def clause_before(found: list[Word], at: int) -> list[Word]:
    """The words of found[at]'s clause before it."""
    start = at
    while start > 0 and not is_boundary(found[start - 1]):
        start -= 1
    return found[start:at]


def clause_after(found: list[Word], at: int) -> list[Word]:
    """The words of the clause from found[at] on, up to its end."""
    end = at
    while end < len(found) and not is_boundary(found[end]):
        end += 1
    return found[at:end]
