"""The quote index answers as the plain scan it replaced (issue 19, finding 10): that
scan compared every paragraph with every earlier one, which made a 20,000-comment
thread quadratic. Here the scan is the reference, over texts of whole words."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from askalign.formats.pasted import (
    MIN_NEAR_EXACT_WORDS,
    MIN_QUOTE_CHARS,
    MIN_QUOTE_WORDS,
    NEAR_EXACT_CONTAINMENT,
    SHINGLE,
    QuoteIndex,
    QuoteSource,
)
from askalign.text.spans import normalize, words

VOCABULARY = ["agent", "goal", "reward", "the", "of", "model", "human", "value", "a", "Overseer"]


class ScanIndex:
    """Every earlier unit and bridge, searched one by one."""

    def __init__(self) -> None:
        self.units: list[tuple[str, QuoteSource]] = []
        self.last: tuple[str, QuoteSource] | None = None

    def add(self, text: str, source: QuoteSource) -> None:
        if self.last is not None:
            self.units.append((f"{self.last[0]} {text}", self.last[1]))
        self.units.append((text, source))
        self.last = (text, source)

    def find(self, text: str) -> tuple[QuoteSource, bool] | None:
        needle = normalize(text)
        if len(needle) < MIN_QUOTE_CHARS or len(needle.split()) < MIN_QUOTE_WORDS:
            return None
        for unit, source in reversed(self.units):
            if needle in normalize(unit):
                return source, True
        tokens = words(text)
        if len(tokens) < MIN_NEAR_EXACT_WORDS:
            return None
        wanted = shingles(tokens)
        if len(wanted) < 2:
            return None
        hits: dict[int, int] = defaultdict(int)
        for number, (unit, _) in enumerate(self.units):
            hits[number] = len(wanted & shingles(words(unit)))
        best = max(hits, key=lambda number: (hits[number], number), default=None)
        if best is None or hits[best] / len(wanted) < NEAR_EXACT_CONTAINMENT:
            return None
        return self.units[best][1], False


def shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


paragraph = st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=30).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(paragraph, min_size=1, max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 29), st.integers(1, 30)), max_size=8),
)
def test_lookups_agree_with_a_scan_of_every_earlier_paragraph(
    paragraphs: list[str], cuts: list[tuple[int, int, int]]
) -> None:
    index, scan = QuoteIndex(), ScanIndex()
    for number, text in enumerate(paragraphs):
        source = QuoteSource(f"p{number}", "Ada", f"p{number}", "Ada", "comment")
        index.add(text, source)
        scan.add(text, source)
    needles = []
    for which, start, length in cuts:  # whole-word pieces of what was added, and of a bridge
        tokens = " ".join(paragraphs[which % len(paragraphs) :][:2]).split()
        needles.append(" ".join(tokens[start : start + length]))
    for needle in [*needles, *paragraphs]:
        found = index.find(needle)
        expected = scan.find(needle)
        assert (found and (found.source, found.exact)) == expected, needle
