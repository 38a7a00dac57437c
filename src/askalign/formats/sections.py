"""Headings in text with no markup, and the breadcrumb of sections they open.

Plain-text scrapes lose heading markup, so a heading is recognised by its shape: a
short line on its own that does not read like a sentence. Numbered headings
("2.3.1 …") nest by their numbering; a heading directly under another nests under it.
"""

from __future__ import annotations

import re

_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_LIST_ITEM = re.compile(r"^\s*(?:[•*\-–·▪◦]|\d+[.)]|\[\d+\])\s")
_SENTENCE_END = tuple(".,;:…]\"”’'↩︎")
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)+\.?\s+\S")
_MID_SENTENCE_END = re.compile(r"[.!?] ")
MAX_HEADING_WORDS = 12
MAX_NUMBERED_HEADING_WORDS = 30
MAX_HEADING_CHARS = 100


def looks_like_heading(line: str) -> bool:
    text = line.strip()
    if _SECTION_NUMBER.match(text):
        return len(text.split()) <= MAX_NUMBERED_HEADING_WORDS and not text.endswith(".")
    if not text or len(text) > MAX_HEADING_CHARS or len(text.split()) > MAX_HEADING_WORDS:
        return False
    if text.endswith(_SENTENCE_END) or text.startswith(("(", "[", "@", "http")):
        return False
    if _LIST_ITEM.match(line) or ": " in text or _MID_SENTENCE_END.search(text):
        return False
    if text.endswith(("?", "!")):
        return len(text.split()) <= 6
    return text[0].isupper() or text[0].isdigit()


def numbering_depth(heading: str) -> int | None:
    match = _NUMBERED.match(heading.strip())
    return match.group(1).count(".") + 1 if match else None


class SectionTracker:
    """Keeps the heading breadcrumb while a reader walks a document in order."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self._last_was_heading = False

    @property
    def path(self) -> list[str]:
        return [heading for _, heading in self._stack]

    def heading(self, text: str, depth: int | None = None) -> None:
        level = depth or numbering_depth(text) or self._implicit_depth()
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text.strip()))
        self._last_was_heading = True

    def content(self) -> None:
        self._last_was_heading = False

    def _implicit_depth(self) -> int:
        """Under a heading: one deeper. After text: a sibling at the top, unless the
        document numbers its sections, where an unnumbered heading is a subsection."""
        if self._last_was_heading and self._stack:
            return self._stack[-1][0] + 1
        numbered = [level for level, heading in self._stack if numbering_depth(heading)]
        if numbered:
            return numbered[-1] + 1
        return self._stack[0][0] if self._stack else 1
