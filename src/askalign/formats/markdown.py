"""Markdown as people save it: YAML front matter, a CommonMark body, footnotes.

markdown-it-py parses the body, and its source maps (each block's line range) place
every passage in the file, so a citation points at the exact source. Editor comments
(Obsidian `%% … %%`, HTML `<!-- … -->`) are blanked to spaces in `source_text`:
offsets stay those of the file, yet no comment reaches a passage, a chunk or an
answer.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from askalign.documents import Document
from askalign.formats.base import Block, DocumentMeta, ReadContext, body_document
from askalign.formats.frontmatter import split_front_matter
from askalign.text.readable import MARKDOWN_FORMAT
from askalign.text.spans import Span, trim

NAME = MARKDOWN_FORMAT
PARSER = MarkdownIt("commonmark").use(footnote_plugin).enable("table")
COMMENT_MARKS = (("%%", "%%"), ("<!--", "-->"))
CODE_BLOCKS = ("fence", "code_block")


class Footnote(NamedTuple):
    label: str
    span: Span


class Body(NamedTuple):
    blocks: list[Block]
    footnotes: list[Footnote]


def read(text: str, ctx: ReadContext) -> Document:
    front = split_front_matter(text)
    ctx.notes.extend(front.notes)
    return read_body(text, ctx, front.meta, body_start=front.body_start)


def read_body(
    text: str, ctx: ReadContext, found: DocumentMeta, *, body_start: int = 0, reader: str = NAME
) -> Document:
    """The Markdown after any front matter; `found` holds what the front matter said."""
    parsed = _blanked(text, [Span(0, body_start)])
    source = _without_comments(text, parsed, ctx.notes)
    body = body_blocks(source, _blanked(source, [Span(0, body_start)]))
    first_heading = next((block for block in body.blocks if block.is_heading), None)
    if found.title is None and first_heading is not None and first_heading.level == 1:
        found.title = first_heading.span.cut(source)
    meta = ctx.catalog.overriding(found)
    return body_document(
        ctx,
        reader=reader,
        text=source,
        meta=meta,
        body=body.blocks,
        footnotes=body.footnotes,
    )


def body_blocks(source: str, parsed: str) -> Body:
    """Headings, paragraphs, table rows and code, each located by its source map, those
    inside a `>` block quote marked. `parsed` is `source` with the front matter blanked,
    so line numbers agree."""
    line_starts = _line_starts(source)
    blocks: list[Block] = []
    footnotes: dict[str, list[Span]] = {}
    label: str | None = None
    quote_depth = 0
    tokens = PARSER.parse(parsed)
    for position, token in enumerate(tokens):
        if token.type == "footnote_open":
            label = str(token.meta.get("label", token.meta.get("id", "")))
        elif token.type == "footnote_close":
            label = None
        elif token.type in ("blockquote_open", "blockquote_close"):
            quote_depth += token.nesting
        span = _block_span(token, tokens, position, source, line_starts)
        if span is None or span.end <= span.start:
            continue
        if label is not None:
            footnotes.setdefault(label, []).append(span)
        elif token.type == "heading_open":
            blocks.append(Block(span, is_heading=True, level=int(token.tag[1])))
        else:
            blocks.append(Block(span, quoted=quote_depth > 0))
    notes = [Footnote(key, Span(spans[0].start, spans[-1].end)) for key, spans in footnotes.items()]
    return Body(blocks, notes)


def blocks_within(text: str, span: Span) -> Body:
    """The blocks of text[span], parsed alone and placed in `text`. Each comment of a
    saved page is parsed on its own: an unclosed fence or list in one never swallows the
    comments after it."""
    part = span.cut(text)
    body = body_blocks(part, _blanked(part, []))
    return Body(
        [block._replace(span=_shifted(block.span, span.start)) for block in body.blocks],
        [Footnote(note.label, _shifted(note.span, span.start)) for note in body.footnotes],
    )


def _shifted(span: Span, by: int) -> Span:
    return Span(span.start + by, span.end + by)


def _block_span(
    token: Token, tokens: list[Token], position: int, source: str, line_starts: list[int]
) -> Span | None:
    """The exact text of a leaf block: from its first word (after any list, quote or
    footnote marker) to the end of its last line."""
    if token.type in ("heading_open", "paragraph_open"):
        inline = tokens[position + 1]
        return _inline_span(inline, source, line_starts, whole=token.type == "paragraph_open")
    if token.type == "tr_open" and token.map:
        return _lines_span(source, line_starts, token.map[0], token.map[1])
    if token.type in CODE_BLOCKS and token.map:
        inner = 1 if token.type == "fence" else 0
        return _lines_span(source, line_starts, token.map[0] + inner, token.map[1] - inner)
    return None


def _inline_span(inline: Token, source: str, line_starts: list[int], *, whole: bool) -> Span | None:
    """A heading is its words alone (no closing `#`s or setext underline)."""
    if not inline.map or not inline.content.strip():
        return None
    first, last = inline.map[0], inline.map[1] - 1
    line = Span(line_starts[first], _line_end(source, line_starts, first))
    first_words = inline.content.split("\n", 1)[0].strip()
    found = source.find(first_words, line.start, line.end) if first_words else -1
    start = found if found >= 0 else line.start
    if not whole:
        return trim(source, start, start + len(first_words) if found >= 0 else line.end)
    return trim(source, start, _line_end(source, line_starts, last))


def _lines_span(source: str, line_starts: list[int], first: int, stop: int) -> Span | None:
    if stop <= first:
        return None
    return trim(source, line_starts[first], _line_end(source, line_starts, stop - 1))


def _line_starts(text: str) -> list[int]:
    lengths = [len(line) + 1 for line in text.split("\n")]
    return [0, *accumulate(lengths)][: len(lengths)]


def _line_end(text: str, line_starts: list[int], line: int) -> int:
    if line + 1 < len(line_starts):
        return line_starts[line + 1] - 1
    return len(text)


def _blanked(text: str, spans: list[Span]) -> str:
    """Spaces in place of each span (newlines kept), so every offset stays put. A bare
    `\r` becomes `\n`, as the parser would count it, so its line numbers match ours."""
    chars = list(text.replace("\r", "\n"))
    for span in spans:
        for position in range(span.start, span.end):
            if chars[position] != "\n":
                chars[position] = " "
    return "".join(chars)


def _without_comments(text: str, parsed: str, notes: list[str]) -> str:
    """Editor comments blanked, except inside code, where `%%` is code. Most texts have
    no comment marker at all, and then need no parse to find their code."""
    if not any(opener in text for opener, _ in COMMENT_MARKS):
        return _blanked(text, [])
    code = _code_lines(parsed)
    line_starts = _line_starts(text)
    comments: list[Span] = []
    for opener, closer in COMMENT_MARKS:
        start = text.find(opener)
        while start >= 0:
            end = text.find(closer, start + len(opener))
            line = bisect_right(line_starts, start) - 1
            if line in code:
                start = text.find(opener, start + len(opener))
                continue
            if end < 0:
                notes.append(f"comment '{opener}' on line {line + 1} never closes: kept as text")
                break
            comments.append(Span(start, end + len(closer)))
            start = text.find(opener, end + len(closer))
    return _blanked(text, comments)


def _code_lines(parsed: str) -> set[int]:
    lines: set[int] = set()
    for token in PARSER.parse(parsed):
        if token.type in CODE_BLOCKS and token.map:
            lines.update(range(*token.map))
    return lines
