"""LessWrong pages saved as text, with named comment headers (lesswrong_headers.py).

Copies come in two orders. One puts the comments before the post body; its comment-index
list near the top gives each comment's author and karma in page order, which settles
the digits of a one-line header. The other keeps the page's order: title block, post,
then chrome ("Mentioned in", "New to LessWrong?", "N comments, sorted by …") and the
comments. Text after the comments in that order is chrome, never the author's. Either
way the comments come in thread order with no nesting shown: replies are read from quotes
and @names, then from that order (order_links.py).

A page that says how many comments it has is checked against the comments read: a
shortfall is reported as a problem for the file, since the comments not read would
otherwise vanish from the index without a word (or, read as an essay, be put in the
author's mouth).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

from askalign.documents import Document, Passage, Role
from askalign.formats.base import (
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    comment_passage,
    footnote_passage,
    sectioned_passages,
    thread_document,
)
from askalign.formats.dates import parse_shown_date
from askalign.formats.essay import shaped_blocks
from askalign.formats.lesswrong_headers import CommentHeader, HeaderAt, find_headers
from askalign.text.spans import Line, Span, blocks, iter_lines, trim

NAME = "lesswrong"
HEADER_TAIL = re.compile(
    r"^(?P<age>\d+(?:mo|[smhdwy]))(?P<star>\*)?(?P<omega>[\u03a9\u2126])?(?P<digits>[\d-]+)$"
)
HEADER_FALLBACK = re.compile(
    r"^(?P<author>.+?)(?P<tail>\d+(?:mo|[smhdwy])\*?[\u03a9\u2126]?[\d-]+)$"
)
INDEX_ENTRY = re.compile(r"^(?P<karma>-?\d+)(?P<author>[^\d\s].*)$")
FOOTNOTE_MARK = re.compile(r"^\s+(?P<label>\d+)\.\s*\^\s*$")
BY_LINE = re.compile(r"^by (?P<author>.+)$")
# "Reply1": the page appends a count of hidden replies; a saved page may put the
# comment's reactions there too ("Reply![](…/thankyou.svg)1").
REPLY = re.compile(r"^Reply(?:!\[\]\([^)\s]*\)\d*)*\d*$")
END_OF_PAGE = ("Mentioned in", "New to LessWrong?")  # what follows a post placed last
COMMENT_COUNT = re.compile(r"^(?P<count>\d+) comments?, sorted by\b")
# Where the post ends in the page's own order: what the page shows below the post.
BELOW_POST = re.compile(
    r"^(?:Mentioned in|New to LessWrong\?|New Comment|Click to highlight new comments since.*"
    r"|\d+ comments?, sorted by.*)$"
)
TITLE_BLOCK = re.compile(r"^(?:\d+ min read|-?\d+|[\u03a9\u2126] ?\d+|AI Alignment Forum)$")
PROSE_CHARS = 100  # a post has a line this long; a title block and comment index do not
CHROME = re.compile(
    r"^(?:LESSWRONG|LW|New Comment|Moderation Log|Curated and popular this week|No comments\."
    r"|top scoring|newest|oldest|magic \(new & upvoted\)|\d+ comments?, sorted by"
    r"|Click to highlight new comments since.*|\d+\s?Comments?)$"
)
LINK_LIST_MAX_CHARS = 60
MAX_HEADER_CHARS = 200
AF_NAME = "AI Alignment Forum"


def sniff(text: str) -> bool:
    """A page with comment headers and Reply links, or one that says it has comments:
    read as an essay, its comments would all be the author's words."""
    lines = list(iter_lines(text))  # the lines `read` will see
    if any(COMMENT_COUNT.match(line.text.strip()) for line in lines):
        return True
    headers = find_headers(lines)
    if any(header.header is not None for header in headers):  # split: never prose
        return True
    return bool(headers) and any(REPLY.match(line.text) for line in lines)


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


def parse_header(
    rest: str, index_entry: tuple[int, str] | None, known: Collection[str] = ()
) -> CommentHeader:
    """A one-line header's name and numbers: the name is the index entry's, else the
    longest name the index lists that the header starts with ("lone171y20" is lone17's,
    a year ago), else the shortest name before an age."""
    karma, author = index_entry if index_entry else (None, None)
    listed = [
        name for name in known if rest.startswith(name) and HEADER_TAIL.match(rest[len(name) :])
    ]
    if author and rest.startswith(author):
        tail = rest[len(author) :]
    elif listed:
        author = max(listed, key=len)
        tail, karma = rest[len(author) :], None
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
    comments: list[tuple[HeaderAt, list[Line]]]
    post: list[Line]
    stray: list[Line]  # text between comments, outside any: a header no layout matched


def split_regions(lines: list[Line], headers: list[HeaderAt]) -> PageRegions:
    """Header (title block, comment index), comments (header → Reply), post body."""
    if not headers:
        return PageRegions(lines, [], [], [])
    starts = {header.first: header for header in headers}
    comments: list[tuple[HeaderAt, list[Line]]] = []
    body: list[Line] | None = None
    tail: list[Line] = []
    stray: list[Line] = []
    cursor = headers[0].first
    while cursor < len(lines):
        line = lines[cursor]
        if cursor in starts:
            body = []
            comments.append((starts[cursor], body))
            cursor = starts[cursor].last
        elif REPLY.match(line.text.strip()):
            body = None
        elif body is not None:
            body.append(line)
        elif not line.blank and not CHROME.match(line.text.strip()):
            if cursor < headers[-1].first:
                stray.append(line)
            else:
                tail = lines[cursor:]
                break
        cursor += 1
    end = next((i for i, line in enumerate(tail) if line.text.strip() in END_OF_PAGE), len(tail))
    return PageRegions(lines[: headers[0].first], comments, tail[:end], stray)


def post_above_comments(header: list[Line]) -> tuple[list[Line], int]:
    """The post in the page's own order: after the by-line and the title block, up to
    what the page shows below a post. Also where it starts, for the comment index."""
    by_at = next((i for i, line in enumerate(header) if BY_LINE.match(line.text.strip())), -1)
    start = by_at + 1
    while start < len(header) and (
        header[start].blank
        or TITLE_BLOCK.match(header[start].text.strip())
        or parse_shown_date(header[start].text.strip())
    ):
        start += 1
    stop = next(
        (i for i in range(start, len(header)) if BELOW_POST.match(header[i].text.strip())),
        len(header),
    )
    return header[start:stop], start


def parse_page_meta(header: list[Line]) -> tuple[DocumentMeta, list[tuple[int, str]]]:
    texts = [line.text.strip() for line in header if not line.blank]
    meta = DocumentMeta()
    by_at = next((i for i, text in enumerate(texts) if BY_LINE.match(text)), None)
    if by_at is not None and by_at > 0:
        meta.title = texts[by_at - 1]
        meta.author = BY_LINE.match(texts[by_at])["author"].strip()
        if by_at > 1 and re.fullmatch(r"-?\d+", texts[by_at - 2]):
            meta.karma = int(texts[by_at - 2])
        meta.date = parse_shown_date(texts[by_at + 1]) if by_at + 1 < len(texts) else None
    if AF_NAME in texts:
        meta.crossposted_to = [AF_NAME]
    return meta, comment_index(texts)


def index_names(lines: list[Line]) -> set[str]:
    """Every name the page lists as `12ryan_greenblatt`: names a header may run into
    its age ("lone171y")."""
    return {m["author"] for line in lines if (m := INDEX_ENTRY.match(line.text.strip()))}


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
                passages.append(footnote_passage(builder, span, label, author))
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
    builder: PassageBuilder,
    comments: list[tuple[HeaderAt, list[Line]]],
    index: list[tuple[int, str]],
    known: Collection[str] = (),
) -> list[Passage]:
    passages: list[Passage] = []
    use_index = len(index) == len(comments)
    for order, (at, body) in enumerate(comments, 1):
        span = _span_of(body, builder.text)
        if span is None:
            continue
        entry = index[order - 1] if use_index else None
        header = at.header or parse_header(at.rest or "", entry, known)
        passages.append(comment_passage(builder, span, order, header))
    return passages


def read(text: str, ctx: ReadContext) -> Document:
    return read_page(text, ctx, DocumentMeta())


def read_page(text: str, ctx: ReadContext, stated: DocumentMeta, *, start: int = 0) -> Document:
    """The page in text[start:]; `stated` holds facts stated outside it (front matter),
    which win over what the page shows."""
    lines = list(iter_lines(text, start))
    known = index_names(lines)
    regions = split_regions(lines, find_headers(lines, known))
    post_lines, index_lines = regions.post, regions.header
    above, post_start = post_above_comments(regions.header)
    if not post_lines or any(len(line.text) >= PROSE_CHARS for line in above):
        post_lines, index_lines = above, regions.header[:post_start]  # the page's own order
    if regions.stray:
        first = text.count("\n", 0, regions.stray[0].start) + 1
        ctx.notes.append(
            f"{len(regions.stray)} line(s) between comments, from line {first}, follow no"
            " comment header: left out, not attributed to anyone"
        )
    found, _ = parse_page_meta(regions.header)
    one_line = any(at.rest is not None for at, _ in regions.comments)  # digits to settle
    index = comment_index([line.text.strip() for line in index_lines if not line.blank])
    index = index if one_line else []
    if index and len(index) != len(regions.comments):
        ctx.notes.append(
            f"comment index lists {len(index)} comments but the page has {len(regions.comments)}:"
            " karma left unset where the header digits are ambiguous"
        )
    meta = ctx.catalog.overriding(stated.overriding(found))
    builder = PassageBuilder(ctx.doc_id, text)
    comments = comment_passages(builder, regions.comments, index, known)
    post = post_passages(builder, post_lines, meta.author)
    check_comment_count(lines, len(comments), ctx)
    return thread_document(
        ctx, post, comments, reader=NAME, text=text, meta=meta, in_thread_order=True
    )


def check_comment_count(lines: list[Line], read: int, ctx: ReadContext) -> None:
    """The page's own "N comments, sorted by" against the comments read."""
    stated = next((m for line in lines if (m := COMMENT_COUNT.match(line.text.strip()))), None)
    if stated is not None:
        report_comment_count(int(stated["count"]), read, ctx)


def report_comment_count(expected: int, read: int, ctx: ReadContext) -> None:
    """Report, as a problem for the file, a page that says it has another number of
    comments than were read: comments left out would vanish from the index without a
    word, and more than the page has means a comment was split or text taken for one."""
    if read < expected:
        ctx.report(
            f"the page says it has {expected} comments but {read} were read; the other"
            f" {expected - read} are left out, not attributed to anyone",
            "save the page again with every comment expanded, or check that each comment"
            " starts with a header such as '[-]name2y12' or '[', '-', ']', name, age and"
            " karma on lines of their own",
        )
    elif read > expected:
        ctx.report(
            f"the page says it has {expected} comments but {read} were read: some text was"
            " taken for a comment header",
            "check the lines shaped like a comment header ('[-]name2y12') inside comments",
        )
