"""LessWrong pages saved one paragraph a line, comments first, with no author names.

The post starts at the first line that is exactly `TL;DR`; its footnotes are the last
lines, each ending in `↩`. The comment region has no separators, so comments are
recovered from quoting: a line that repeats earlier text usually opens a reply.
"""

from __future__ import annotations

from askalign.documents import Document, Passage, Role
from askalign.formats.base import (
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    footnote_passage,
    sectioned_passages,
    thread_document,
)
from askalign.formats.essay import shaped_blocks
from askalign.formats.pasted import QuoteIndex, QuoteSource
from askalign.text.spans import Line, Span, iter_lines, trim

NAME = "lesswrong-flat"
POST_START = "TL;DR"
FOOTNOTE_END = ("↩", "↩︎")
MIN_COMMENT_LINES_BEFORE_POST = 3
INTRO_REACH = 3  # a line ending in ':' introduces the quote or list lines after it
POINT_BY_POINT_REACH = 4  # lines between two quotes of one source in one reply


def sniff(text: str) -> bool:
    lines = [line.text for line in iter_lines(text)]  # the lines `read` will see
    if POST_START not in lines:
        return False
    post_at = lines.index(POST_START)
    blank = sum(not line.strip() for line in lines)
    return post_at >= MIN_COMMENT_LINES_BEFORE_POST and blank <= len(lines) // 20


def line_span(line: Line, text: str) -> Span:
    return trim(text, line.start, line.end)


def post_and_footnotes(
    builder: PassageBuilder, lines: list[Line], author: str | None
) -> list[Passage]:
    text = builder.text
    first_note = next(
        (i for i, line in enumerate(lines) if line.text.rstrip().endswith(FOOTNOTE_END)), len(lines)
    )
    units = [line_span(line, text) for line in lines[:first_note]]
    passages = sectioned_passages(builder, shaped_blocks(units, text), Role.POST, author)
    group: list[Line] = []
    for line in lines[first_note:]:
        group.append(line)
        if line.text.rstrip().endswith(FOOTNOTE_END):
            span = trim(text, group[0].start, group[-1].end)
            label = str(sum(p.role is Role.FOOTNOTE for p in passages) + 1)
            passages.append(footnote_passage(builder, span, label, author))
            group = []
    return passages


def split_comments(lines: list[Line], post: list[Passage]) -> list[list[Line]]:
    """Start a new comment where a line quotes earlier text, unless the quote is
    introduced by a line just before (`…:`) or answers, a few lines on, the same
    source the comment quoted last (a point-by-point reply)."""
    index = QuoteIndex()
    for passage in post:
        index.add(
            passage.text,
            QuoteSource(passage.id, passage.speaker, passage.id, passage.speaker, "post"),
        )
    comments: list[list[Line]] = []
    last_quote: tuple[str, int] | None = None
    for number, line in enumerate(lines):
        match = index.find(line.text)
        source = _source_key(match.source) if match else None
        introduced = bool(comments) and any(
            earlier.text.rstrip().endswith(":") for earlier in comments[-1][-INTRO_REACH:]
        )
        point_by_point = (
            last_quote is not None
            and last_quote[0] == source
            and number - last_quote[1] <= POINT_BY_POINT_REACH
        )
        if not comments or (source is not None and not introduced and not point_by_point):
            comments.append([])
            last_quote = None
        comments[-1].append(line)
        if source is not None:
            last_quote = (source, number)
        comment_id = f"comment-{len(comments) - 1}"
        index.add(line.text, QuoteSource(comment_id, None, comment_id, None, "comment"))
    return comments


def _source_key(source: QuoteSource) -> str:
    """Quotes of the post count as one source: a reply may quote several of its lines."""
    return source.passage_id if source.role == Role.COMMENT.value else "post"


def read(text: str, ctx: ReadContext) -> Document:
    lines = [line for line in iter_lines(text) if not line.blank]
    post_at = next(i for i, line in enumerate(lines) if line.text == POST_START)
    meta = ctx.catalog.overriding(DocumentMeta())
    builder = PassageBuilder(ctx.doc_id, text)
    post = post_and_footnotes(builder, lines[post_at:], meta.author)
    comment_lines = split_comments(lines[:post_at], post)
    comments = [
        builder.make(Role.COMMENT, trim(text, group[0].start, group[-1].end), comment_index=order)
        for order, group in enumerate(comment_lines, 1)
    ]
    ctx.notes.append("comments carry no author names; comment boundaries inferred from quoting")
    return thread_document(ctx, post, comments, reader=NAME, text=text, meta=meta, units=lines_of)


def lines_of(passage: Passage, text: str) -> list[Span]:
    return [
        line_span(line, text)
        for line in iter_lines(text, passage.start, passage.end)
        if not line.blank
    ]
