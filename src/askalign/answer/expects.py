"""Questions that ask for a year or a quantity can only be answered by text holding
one. "In what year…" answered by sentences without any year is the corpus not
knowing, however close the topic; saying so beats quoting something beside the point.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Expected(StrEnum):
    YEAR = "year"
    NUMBER = "number"


_ASKS_YEAR = re.compile(r"\b(?:in )?(?:what|which) (?:year|month|date|decade)\b", re.I)
_QUANTITY = (
    r"(?:numbers?|percentages?|percent|probabilit(?:y|ies)|share|fraction|scores?|figures?|"
    r"statistics?|amounts?|counts?)"
)
# "what number", and with up to two words between: "what exact number", "what benchmark
# scores", "which accuracy figures"
_ASKS_NUMBER = re.compile(
    rf"\b(?:how many|how much|(?:what|which)(?: [\w-]+){{0,2}} {_QUANTITY})\b",
    re.I,
)
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


def expected_answer(question: str) -> Expected | None:
    if _ASKS_YEAR.search(question):
        return Expected.YEAR
    if _ASKS_NUMBER.search(question):
        return Expected.NUMBER
    return None


def holds(text: str, expected: Expected) -> bool:
    pattern = _YEAR if expected is Expected.YEAR else _NUMBER
    return bool(pattern.search(text))
