"""LessWrong pages saved as text, with named comment headers (`[-]author19dΩ4125`).

The page text puts the comments before the post body and wraps both in site chrome.
The comment-index list near the top gives each comment's author and karma in page
order; it settles the digits of each header, which are ambiguous on their own.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from askalign.models import Document, Passage, Role
from askalign.quotes import link_thread, paragraph_spans
from askalign.readers.base import (
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    build_document,
    sectioned_passages,
)
from askalign.readers.essay import shaped_blocks
from askalign.spans import Line, Span, blocks, iter_lines, trim

NAME = "lesswrong"
COMMENT_HEADER = re.compile(r"^\[[-+]\](?P<rest>\S.*)$")
HEADER_TAIL = re.compile(
    r"^(?P<age>\d+(?:mo|[smhdwy]))(?P<star>\*)?(?P<omega>[\u03a9\u2126])?(?P<digits>[\d-]+)$"
)
HEADER_FALLBACK = re.compile(
    r"^(?P<author>.+?)(?P<tail>\d+(?:mo|[smhdwy])\*?[\u03a9\u2126]?[\d-]+)$"
)
INDEX_ENTRY = re.compile(r"^(?P<karma>-?\d+)(?P<author>[^\d\s].*)$")
FOOTNOTE_MARK = re.compile(r"^\s+(?P<label>\d+)\.\s*\^\s*$")
DATE_LINE = re.compile(
    r"^(?P<day>\d{1,2})(?:st|nd|rd|th)\s+(?P<month>[A-Z][a-z]{2})\w*\s+(?P<year>\d{4})$"
)
BY_LINE = re.compile(r"^by (?P<author>.+)$")
REPLY = re.compile(r"^Reply\d*$")  # "Reply1": the page appends a count of hidden replies
END_OF_PAGE = "Mentioned in"
CHROME = re.compile(
    r"^(?:LESSWRONG|LW|New Comment|Moderation Log|Curated and popular this week|No comments\."
    r"|top scoring|newest|oldest|magic \(new & upvoted\)|\d+ comments?, sorted by"
    r"|Click to highlight new comments since.*|\d+\s?Comments?)$"
)
LINK_LIST_MAX_CHARS = 60
MAX_HEADER_CHARS = 200
AF_NAME = "AI Alignment Forum"


def sniff(text: str) -> bool:
    lines = [line.text for line in iter_lines(text)]  # the lines `read` will see
    headers = sum(bool(COMMENT_HEADER.match(line)) for line in lines)
    return headers > 0 and any(REPLY.match(line) for line in lines)


class CommentHeader(NamedTuple):
    author: str
    age: str | None
    karma: int | None
    af_karma: int | None
    agreement: int | None


def split_header_digits(digits: str, omega: bool, karma: int | None) -> tuple[int | None, ...]:
    """(af_karma, karma, agreement) from the run of digits after the age."""
    if karma is None:
        if not omega and re.fullmatch(r"\d\d", digits):
            return None, int(digits[0]), int(digits[1])
        return None, None, None
    needle = str(karma)
    for at in range(len(digits)):
        if not digits.startswith(needle, at) or omega != (at > 0):
            continue
        prefix, suffix = digits[:at], digits[at + len(needle) :]
        if re.fullmatch(r"-?\d+", suffix) and (not omega or prefix.isdigit()):
            return (int(prefix) if omega else None), karma, int(suffix)
    return None, karma, None


def parse_header(rest: str, index_entry: tuple[int, str] | None) -> CommentHeader:
    karma, author = index_entry if index_entry else (None, None)
    if author and rest.startswith(author):
        tail = rest[len(author) :]
    else:  # a real header is short; the lazy pattern is quadratic on a long one
        fallback = HEADER_FALLBACK.match(rest) if len(rest) <= MAX_HEADER_CHARS else None
        author, tail = (fallback["author"], fallback["tail"]) if fallback else (rest, "")
        karma = None
    match = HEADER_TAIL.match(tail)
    if not match:
        return CommentHeader(author.strip(), None, karma, None, None)
    af, karma, agreement = split_header_digits(match["digits"], bool(match["omega"]), karma)
    return CommentHeader(author.strip(), match["age"], karma, af, agreement)


class PageRegions(NamedTuple):
    header: list[Line]
    comments: list[tuple[Line, list[Line]]]
    post: list[Line]


def split_regions(lines: list[Line]) -> PageRegions:
    """Header (title block, comment index), comments (header line → Reply), post body."""
    first_comment = next(i for i, line in enumerate(lines) if COMMENT_HEADER.match(line.text))
    comments: list[tuple[Line, list[Line]]] = []
    body: list[Line] | None = None
    tail: list[Line] = []
    for cursor in range(first_comment, len(lines)):
        line = lines[cursor]
        if COMMENT_HEADER.match(line.text):
            body = []
            comments.append((line, body))
        elif REPLY.match(line.text.strip()):
            body = None
        elif body is not None:
            body.append(line)
        elif not line.blank and not CHROME.match(line.text.strip()):
            tail = lines[cursor:]
            break
    end = next((i for i, line in enumerate(tail) if line.text.strip() == END_OF_PAGE), len(tail))
    return PageRegions(lines[:first_comment], comments, tail[:end])


def parse_page_meta(header: list[Line]) -> tuple[DocumentMeta, list[tuple[int, str]]]:
    texts = [line.text.strip() for line in header if not line.blank]
    meta = DocumentMeta()
    by_at = next((i for i, text in enumerate(texts) if BY_LINE.match(text)), None)
    if by_at is not None and by_at > 0:
        meta.title = texts[by_at - 1]
        meta.author = BY_LINE.match(texts[by_at])["author"].strip()
        if by_at > 1 and re.fullmatch(r"-?\d+", texts[by_at - 2]):
            meta.karma = int(texts[by_at - 2])
        meta.date = parse_date(texts[by_at + 1]) if by_at + 1 < len(texts) else None
    if AF_NAME in texts:
        meta.crossposted_to = [AF_NAME]
    return meta, comment_index(texts)


def comment_index(texts: list[str]) -> list[tuple[int, str]]:
    """The (karma, author) list the page prints above the comments: the last run of
    lines shaped `12ryan_greenblatt` in the header."""
    runs: list[list[tuple[int, str]]] = [[]]
    for text in texts:
        match = INDEX_ENTRY.match(text)
        if match:
            runs[-1].append((int(match["karma"]), match["author"]))
        elif runs[-1]:
            runs.append([])
    return next((run for run in reversed(runs) if run), [])


def parse_date(text: str) -> dt.date | None:
    match = DATE_LINE.match(text)
    if not match:
        return None
    try:
        return dt.datetime.strptime(
            f"{match['day']} {match['month']} {match['year']}", "%d %b %Y"
        ).date()
    except ValueError:
        return None


def is_link_list(span: Span, text: str) -> bool:
    """Tag and wiki links: several short lines in a row that do not read as prose."""
    rows = span.cut(text).split("\n")
    return len(rows) > 1 and all(
        len(row) <= LINK_LIST_MAX_CHARS
        and not row.startswith(" ")
        and not row.rstrip().endswith((".", ":", "?", "!"))
        for row in rows
    )


def post_passages(builder: PassageBuilder, post: list[Line], author: str | None) -> list[Passage]:
    text = builder.text
    content = [line for line in post if not CHROME.match(line.text.strip())]
    footnotes_at = next(
        (i for i, line in enumerate(content) if FOOTNOTE_MARK.match(line.text)), len(content)
    )
    units = [span for span in blocks(content[:footnotes_at], text) if not is_link_list(span, text)]
    passages = sectioned_passages(builder, shaped_blocks(units, text), Role.POST, author)
    return passages + footnote_passages(builder, content[footnotes_at:], author)


def footnote_passages(
    builder: PassageBuilder, lines: list[Line], author: str | None
) -> list[Passage]:
    """`  N. ^` then indented text; the first unindented line ends the footnotes."""
    passages: list[Passage] = []
    label: str | None = None
    body: list[Line] = []
    for line in [*lines, Line(0, 0, "END")]:
        mark = FOOTNOTE_MARK.match(line.text)
        if mark or not (line.blank or line.text.startswith(" ")):
            if label is not None and (span := _span_of(body, builder.text)):
                passages.append(
                    builder.make(
                        Role.FOOTNOTE, span, speaker=author, section=["Footnotes"], footnote=label
                    )
                )
            if not mark:
                break
            label, body = mark["label"], []
        else:
            body.append(line)
    return passages


def _span_of(lines: list[Line], text: str) -> Span | None:
    content = [line for line in lines if not line.blank]
    if not content:
        return None
    return trim(text, content[0].start, content[-1].end)


def comment_passages(
    builder: PassageBuilder, comments: list[tuple[Line, list[Line]]], index: list[tuple[int, str]]
) -> list[Passage]:
    passages: list[Passage] = []
    use_index = len(index) == len(comments)
    for order, (header_line, body) in enumerate(comments, 1):
        span = _span_of(body, builder.text)
        if span is None:
            continue
        rest = COMMENT_HEADER.match(header_line.text)["rest"]
        header = parse_header(rest, index[order - 1] if use_index else None)
        passages.append(
            builder.make(
                Role.COMMENT,
                span,
                speaker=header.author,
                comment_index=order,
                age=header.age,
                karma=header.karma,
                af_karma=header.af_karma,
                agreement=header.agreement,
            )
        )
    return passages


def read(text: str, ctx: ReadContext) -> Document:
    regions = split_regions(list(iter_lines(text)))
    found, index = parse_page_meta(regions.header)
    if index and len(index) != len(regions.comments):
        ctx.notes.append(
            f"comment index lists {len(index)} comments but the page has {len(regions.comments)}:"
            " karma left unset where the header digits are ambiguous"
        )
    meta = ctx.catalog.overriding(found)
    builder = PassageBuilder(ctx.doc_id, text)
    comments = comment_passages(builder, regions.comments, index)
    post = post_passages(builder, regions.post, meta.author)
    link_thread(post, comments, text, lambda passage: paragraph_spans(passage, text))
    return build_document(ctx, reader=NAME, text=text, meta=meta, passages=post + comments)
