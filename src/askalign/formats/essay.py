"""Plain-text essays (and the fallback for any text): a title line, headings, paragraphs."""

from __future__ import annotations

import re

from askalign.documents import Document, Role
from askalign.formats.base import Block, DocumentMeta, ReadContext, body_document
from askalign.formats.sections import looks_like_heading
from askalign.text.spans import Line, Span, blocks, iter_lines, trim

NAME = "essay"
HARD_WRAP_MAX_LINE = 100
CHROME_LINES = frozenset({"No comments."})
_BY_LINE = re.compile(r"^(?:by|By)\s+(?P<author>[^\d,.;:]{2,60})$")


def paragraph_units(text: str, lines: list[Line]) -> list[Span]:
    """Blank-line blocks for hard-wrapped text; otherwise one paragraph a line."""
    content = [line for line in lines if not line.blank]
    if not content:
        return []
    long_lines = sum(len(line.text) > HARD_WRAP_MAX_LINE for line in content)
    if long_lines == 0 and len(blocks(lines, text)) < len(content):
        return blocks(lines, text)
    return [trim(text, line.start, line.end) for line in content]


def looks_like_title(unit_text: str) -> bool:
    return "\n" not in unit_text and len(unit_text.split()) <= 20 and not unit_text.endswith(".")


def read(text: str, ctx: ReadContext, role: Role = Role.ESSAY) -> Document:
    lines = [line for line in iter_lines(text) if line.text.strip() not in CHROME_LINES]
    units = paragraph_units(text, lines)
    found = DocumentMeta()
    if len(units) > 1 and looks_like_title(units[0].cut(text)):  # a lone line is the text
        found.title = units.pop(0).cut(text)
    if units and (by_line := _BY_LINE.match(units[0].cut(text))):
        found.author = by_line.group("author").strip()
        units.pop(0)
    meta = ctx.catalog.overriding(found)
    body = shaped_blocks(units, text)
    return body_document(ctx, reader=NAME, text=text, meta=meta, body=body, role=role)


def shaped_blocks(units: list[Span], text: str) -> list[Block]:
    """In text without markup, a heading is a single line that is shaped like one."""
    return [
        Block(unit, is_heading="\n" not in unit.cut(text) and looks_like_heading(unit.cut(text)))
        for unit in units
    ]
