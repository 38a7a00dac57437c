"""Character spans over a source text, and the text normalisation used to compare passages.

Readers never copy text out of a file by hand: they work with (start, end) spans and
cut the text from the source, so a span always gives back exactly its passage text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple


class Span(NamedTuple):
    start: int
    end: int

    def cut(self, text: str) -> str:
        return text[self.start : self.end]


class Line(NamedTuple):
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def iter_lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Line]:
    """Lines of text[start:end] with their spans (newline excluded)."""
    stop = len(text) if end is None else end
    pos = start
    while pos < stop:
        newline = text.find("\n", pos, stop)
        line_end = stop if newline == -1 else newline
        yield Line(pos, line_end, text[pos:line_end].rstrip("\r"))
        pos = line_end + 1


def trim(text: str, start: int, end: int) -> Span:
    """Shrink a span so that it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def blocks(lines: list[Line], text: str) -> list[Span]:
    """Group lines into blank-line separated blocks, each a trimmed span."""
    found: list[Span] = []
    first: Line | None = None
    last: Line | None = None
    for line in [*lines, Line(0, 0, "")]:
        if line.blank:
            if first is not None and last is not None:
                found.append(trim(text, first.start, last.end))
            first = last = None
        else:
            first = first or line
            last = line
    return [span for span in found if span.end > span.start]


_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "`": "'"})
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Fold the differences a pasted quote picks up: case, quote marks, spacing, NBSP."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS).casefold()
    return _SPACES.sub(" ", folded).strip()


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))
