"""Markdown essays: `#` headings, optional front matter (title, author, date, url)."""

from __future__ import annotations

import re

from pydantic import ValidationError

from askalign.models import Document, Role
from askalign.readers.base import (
    Block,
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    build_document,
    sectioned_passages,
)
from askalign.spans import Line, blocks, iter_lines, trim

NAME = "markdown"
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")
FRONT_MATTER_FIELD = re.compile(r"^(?P<key>title|author|date|url)\s*:\s*(?P<value>.+?)\s*$")
FENCE = ("```", "~~~")


def front_matter(lines: list[Line], ctx: ReadContext) -> tuple[DocumentMeta, int]:
    """Fields of a leading `---` block, and the index of the first line after it."""
    if not lines or lines[0].text.strip() != "---":
        return DocumentMeta(), 0
    end = next((i for i, line in enumerate(lines[1:], 1) if line.text.strip() == "---"), None)
    if end is None:
        return DocumentMeta(), 0
    fields = {}
    for line in lines[1:end]:
        if match := FRONT_MATTER_FIELD.match(line.text):
            fields[match["key"]] = match["value"].strip("\"'")
    try:
        return DocumentMeta(**fields), end + 1
    except ValidationError as error:
        ctx.notes.append(f"front matter ignored: {error.errors()[0]['msg']}")
        return DocumentMeta(), end + 1


def markdown_blocks(lines: list[Line], text: str) -> list[Block]:
    found: list[Block] = []
    pending: list[Line] = []
    in_fence = False
    for line in lines:
        if line.text.lstrip().startswith(FENCE):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line.text)
        if heading:
            found.extend(Block(span) for span in blocks(pending, text))
            pending = []
            start = line.start + line.text.index(heading["title"])
            span = trim(text, start, start + len(heading["title"]))
            found.append(Block(span, is_heading=True, level=len(heading["hashes"])))
        else:
            pending.append(line)
    found.extend(Block(span) for span in blocks(pending, text))
    return found


def read(text: str, ctx: ReadContext) -> Document:
    lines = list(iter_lines(text))
    found, body_at = front_matter(lines, ctx)
    body = markdown_blocks(lines[body_at:], text)
    first_heading = next((block for block in body if block.is_heading), None)
    if found.title is None and first_heading is not None and first_heading.level == 1:
        found.title = first_heading.span.cut(text)
    meta = ctx.catalog.overriding(found)
    builder = PassageBuilder(ctx.doc_id, text)
    passages = sectioned_passages(builder, body, Role.ESSAY, meta.author)
    return build_document(ctx, reader=NAME, text=text, meta=meta, passages=passages)
