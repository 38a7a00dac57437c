"""What kind of thing a question asks for, when it asks for one: a time, a quantity or
a name. "In what year…" answered by sentences without any year is the corpus not
knowing, however close the topic; saying so beats quoting something beside the point.

The type is read off the question's wh-phrase: "how many / how much / how long", "when
did…", or "what / which" and the words up to its verb, whose nouns name the type
("which university ran…", "what share of…", "in which year…").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum


class Expected(StrEnum):
    YEAR = "year"
    NUMBER = "number"
    NAME = "name"


_AUXILIARY = (
    r"(?:is|are|was|were|do|does|did|has|have|had|will|would|could|can|should|might|may|"
    r"gave|give|gives|made|makes|ran|runs|features?|says?|said)"
)
# "what" or "which" and the words of its phrase, up to the verb that follows it
_WH_PHRASE = re.compile(rf"\b(?:what|which)((?:\s+(?!{_AUXILIARY}\b)[\w-]+){{1,4}})", re.I)
_HOW_QUANTITY = re.compile(r"\bhow (?:many|much|long|often)\b", re.I)
_WHEN = re.compile(rf"^\W*(?:and |so |but )?when {_AUXILIARY}\b", re.I)
_TIME_NOUNS = {"year", "years", "month", "months", "date", "dates", "decade", "century", "day"}
_QUANTITY_NOUNS = {
    "number", "numbers", "percentage", "percentages", "percent", "probability",
    "probabilities", "share", "fraction", "proportion", "score", "scores", "figure",
    "figures", "statistic", "statistics", "amount", "amounts", "count", "counts", "odds",
    "chance", "chances", "rate", "rates", "cost", "price",
}  # fmt: skip
_NAME_NOUNS = {
    "organization", "organisation", "organizations", "company", "companies", "university",
    "universities", "lab", "labs", "laboratory", "institute", "firm", "team", "journal",
    "episode", "podcast", "book", "conference",
}  # fmt: skip

_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b|\b(?:January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b")  # fmt: skip
# Footnote markers ("[14]") are not quantities, and "one" is mostly a pronoun ("one that",
# "no one"), so neither counts as a number an answer could give.
_NUMBER = re.compile(
    r"(?<![\w.\[-])\d+(?:[.,]\d+)?\s?%?(?![\w\]-])|\b(?:two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|"
    r"half|twice|dozen)\b",
    re.I,
)
# A proper name: a capitalised word that does not open its sentence.
_NAME = re.compile(r"(?<=[\w,;:)’'\"”] )[A-Z][\w&.-]+")


def expected_answer(question: str) -> Expected | None:
    if _WHEN.search(question):
        return Expected.YEAR
    if _HOW_QUANTITY.search(question):
        return Expected.NUMBER
    for match in _WH_PHRASE.finditer(question):
        nouns = {word.casefold() for word in match.group(1).split()}
        if nouns & _TIME_NOUNS:
            return Expected.YEAR
        if nouns & _QUANTITY_NOUNS:
            return Expected.NUMBER
        if nouns & _NAME_NOUNS:
            return Expected.NAME
    return None


def holds(text: str, expected: Expected, question: str = "") -> bool:
    """Whether `text` holds what the question asks for; a name must be one the question
    does not already give."""
    if expected is Expected.NAME:
        given = {word.casefold() for word in re.findall(r"[\w&.-]+", question)}
        return any(name.casefold() not in given for name in _NAME.findall(text))
    pattern = _YEAR if expected is Expected.YEAR else _NUMBER
    return bool(pattern.search(text))


def answered(expected: Expected | None, question: str, quotes: Iterable[str]) -> bool:
    """Whether the quotes give what the question asks for (any do, where it asks for no
    type in particular)."""
    return expected is None or any(holds(quote, expected, question) for quote in quotes)
