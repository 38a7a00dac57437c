"""LessWrong, Alignment Forum and EA Forum pages saved by a browser's "save page as
Markdown" tool.

The file is the page as shown: site chrome ("This website requires javascript…",
`[LESSWRONG](/)`, `Login`), the title, reading time and a `•` table of contents, the
title block (`# 152`, `# [Title](/posts/…)`, `by [Author](/users/…)`, the date), the
post in Markdown, its footnotes (`1.`, `**^**`, the note), tags, "Mentioned in", the
comment index, "N comments, sorted by", then the comments
(lesswrong_saved_comments.py). Only the post, its footnotes and the comment bodies
become passages, read as Markdown (markdown.py): a heading is its words, and a link
reads as its text (text/readable.py).
"""

from __future__ import annotations

import re
from itertools import islice
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
from askalign.formats.frontmatter import joined_names
from askalign.formats.lesswrong import AF_NAME, COMMENT_COUNT, check_comment_count, comment_index
from askalign.formats.lesswrong_saved_comments import HEADER, MARKDOWN_ESCAPE, read_comments
from askalign.formats.markdown import blocks_within
from askalign.text.readable import SAVED_PAGE_FORMAT, markdown_words
from askalign.text.spans import Line, Span, iter_lines, trim

NAME = SAVED_PAGE_FORMAT
SITE_MARK = re.compile(r"^\[LESSWRONG\]\(/\)$", re.MULTILINE)
BY_LINE = re.compile(r"^by (?P<names>\[.+)$")
# Links are site-relative, or whole addresses where the saving tool wrote them out.
SITE = r"(?P<site>https?://[^/)\s]+)?"
USER_LINK = re.compile(r"\[(?P<name>(?:\\.|[^\]\\])+)\]\(" + SITE + r"/users/[^)\s]*\)")
TITLE_LINK = re.compile(r"^# \[(?P<title>.+)\]\(" + SITE + r"(?P<path>/posts/[^)\s]+)\)$")
KARMA = re.compile(r"^# (?P<karma>-?\d+)$")
# Between the by-line and the post: the date, the crosspost link, reading time, the
# comment count, the karma and AF karma as headings, the review links.
TITLE_BLOCK = re.compile(
    r"^(?:#\s*)?(?:\d+ min read|-?\d+|[\u03a9\u2126] ?\d+|Review(?: by.*)?"
    r"|\[AI Alignment Forum\]\(\S*\))$"
)
# What the page shows below the post, and where the footnotes end.
BELOW_POST = re.compile(
    r"^(?:#+ )?(?:New to LessWrong\?|Review|Mentioned in|New Comment"
    r"|\d+ comments?, sorted by.*)$"
)
TAG_LINKS = re.compile(r"^\[[^\]]+\]\(/w/")
# A footnote opens `  1. **^**` (the list at the post's foot) or `1.`, then `**^**`
# (the same notes again, below it).
FOOTNOTE_NUMBER = re.compile(r"^(?P<label>\d+)\.(?P<mark>\s*\*\*\^\*\*)?$")
FOOTNOTE_MARK = "**^**"
# Chrome a page may show anywhere above the comments.
CHROME = re.compile(
    r"^(?:This website requires javascript.*|\[LESSWRONG\]\(/\)|\[LW\]\(/\)|Login|\u2022"
    r"|#+|\d+ min read)$"
)
SITES = {
    "LessWrong": "https://www.lesswrong.com",
    "AI Alignment Forum": "https://www.alignmentforum.org",
    "EA Forum": "https://forum.effectivealtruism.org",
}
PAGE_TITLE = re.compile(r"^.+ \u2014 (?P<site>LessWrong|AI Alignment Forum|EA Forum)$")


def sniff(text: str) -> bool:
    """A comment header with its commentId link, or the site's mark and a by-line."""
    if HEADER.search(text):
        return True
    return bool(SITE_MARK.search(text)) and any(
        BY_LINE.match(line.text) and USER_LINK.search(line.text) for line in iter_lines(text)
    )


class TitleBlock(NamedTuple):
    meta: DocumentMeta
    post_start: int  # the first line of the post body
    shown_title: str | None = None  # as the page writes it, escapes and all


def site_host(lines: list[Line]) -> str | None:
    """The site's address, from the page title at its foot (`… — LessWrong`) or the
    LessWrong mark at its head; None where the page names no site."""
    for line in reversed(lines):
        if match := PAGE_TITLE.match(line.text.strip()):
            return SITES[match["site"]]
    return SITES["LessWrong"] if any(SITE_MARK.match(line.text) for line in lines) else None


def title_block(lines: list[Line], host: str | None) -> TitleBlock:
    """Title, author, address, date, karma and crosspost, and where the post starts:
    after the by-line and the lines shown under it."""
    texts = [line.text.strip() for line in lines]
    by_at = next((i for i, text in enumerate(texts) if BY_LINE.match(text)), None)
    meta = DocumentMeta()
    if by_at is None:
        return TitleBlock(meta, 0)
    names = [MARKDOWN_ESCAPE.sub(r"\1", m["name"]) for m in USER_LINK.finditer(texts[by_at])]
    meta.author = joined_names([*names])
    shown = [(i, text) for i, text in enumerate(texts[:by_at]) if text]
    title = TITLE_LINK.match(shown[-1][1]) if shown else None
    if title:
        meta.title = markdown_words(title["title"])
        site = title["site"] or host
        meta.url = f"{site}{title['path']}" if site else None
        if len(shown) > 1 and (karma := KARMA.match(shown[-2][1])):
            meta.karma = int(karma["karma"])
    start = by_at + 1
    while start < len(texts) and (
        not texts[start] or TITLE_BLOCK.match(texts[start]) or parse_shown_date(texts[start])
    ):
        if meta.date is None:
            meta.date = parse_shown_date(texts[start])
        if texts[start].startswith(f"[{AF_NAME}]"):
            meta.crossposted_to = [AF_NAME]
        start += 1
    return TitleBlock(meta, start, title["title"] if title else None)


def footnote_label(lines: list[Line], at: int) -> str | None:
    """The label of a footnote opening at `at`: `N. **^**`, or `N.` with `**^**` as the
    next line that shows anything."""
    number = FOOTNOTE_NUMBER.match(lines[at].text.strip())
    if not number or number["mark"]:
        return number["label"] if number else None
    after = next((line for line in islice(lines, at + 1, None) if not line.blank), None)
    return number["label"] if after is not None and after.text.strip() == FOOTNOTE_MARK else None


def post_end(lines: list[Line], start: int) -> int:
    """Where the post stops: its first footnote, or what the page shows below it."""
    return next(
        (
            at
            for at in range(start, len(lines))
            if BELOW_POST.match(lines[at].text.strip()) or footnote_label(lines, at)
        ),
        len(lines),
    )


def footnotes(lines: list[Line], text: str, start: int) -> list[tuple[str, Span]]:
    """(label, span) of each footnote after `start`, each once (the page shows them
    twice): a note runs to the next one, or to what the page shows below the post
    (tags, karma, "Mentioned in")."""
    starts = [
        (at, label) for at in range(start, len(lines)) if (label := footnote_label(lines, at))
    ]
    found: dict[str, Span] = {}
    for number, (at, label) in enumerate(starts):
        stop = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        body: list[Line] = []
        for line in lines[at + 1 : stop]:
            shown = line.text.strip()
            if BELOW_POST.match(shown) or KARMA.match(shown) or TAG_LINKS.match(shown):
                break
            if shown and shown != FOOTNOTE_MARK:
                body.append(line)
        if body and label not in found:
            found[label] = trim(text, body[0].start, body[-1].end)
    return list(found.items())


def post_passages(builder: PassageBuilder, lines: list[Line], author: str | None) -> list[Passage]:
    """The post's blocks as Markdown, chrome lines left out."""
    passages: list[Passage] = []
    kept = [line for line in lines if not line.blank and not CHROME.match(line.text.strip())]
    if not kept:
        return passages
    body = blocks_within(builder.text, Span(kept[0].start, kept[-1].end))
    inside = {line.start for line in kept}
    blocks = [
        block for block in body.blocks if _first_line_start(builder.text, block.span) in inside
    ]
    return sectioned_passages(builder, blocks, Role.POST, author)


def _first_line_start(text: str, span: Span) -> int:
    return text.rfind("\n", 0, span.start) + 1


def markdown_units(passage: Passage, text: str) -> list[Span]:
    """Where a comment may have pasted earlier words: its Markdown blocks, each from its
    first word, so a `> ` quote is the words quoted."""
    return [block.span for block in blocks_within(text, Span(passage.start, passage.end)).blocks]


def read(text: str, ctx: ReadContext) -> Document:
    lines = list(iter_lines(text))
    host = site_host(lines)
    first_comment = next((at for at, line in enumerate(lines) if HEADER.match(line.text)), None)
    above = lines[:first_comment] if first_comment is not None else lines
    found, start, shown_title = title_block(above, host)
    end = post_end(above, start)
    meta = ctx.catalog.overriding(found)
    builder = PassageBuilder(ctx.doc_id, text)
    post = post_passages(builder, above[start:end], meta.author)
    post += [
        footnote_passage(builder, span, label, meta.author)
        for label, span in footnotes(above, text, end)
    ]
    index = page_index(above, shown_title)
    comment_lines = lines[first_comment:] if first_comment is not None else []
    read_back, stray = read_comments(comment_lines, text, index, host)
    if index and len(index) != len(read_back):
        ctx.notes.append(
            f"comment index lists {len(index)} comments but the page has {len(read_back)}:"
            " karma left unset where the header digits are ambiguous"
        )
    if stray:
        first = text.count("\n", 0, stray[0].start) + 1
        ctx.notes.append(
            f"{len(stray)} line(s) between comments, from line {first}, follow no comment"
            " header: left out, not attributed to anyone"
        )
    comments = [
        comment_passage(builder, comment.body, order, comment, url=comment.url)
        for order, comment in enumerate(read_back, 1)
        if comment.body is not None
    ]
    unnamed = sum(comment.author is None for comment in read_back)
    if unnamed:
        ctx.notes.append(
            f"{unnamed} comment(s) by an account with no profile link ([anonymous],"
            " [deleted]): attributed to no one"
        )
    check_comment_count(lines, len(read_back), ctx)
    return thread_document(
        ctx,
        post,
        comments,
        reader=NAME,
        text=text,
        meta=meta,
        units=markdown_units,
        in_thread_order=True,
    )


def page_index(lines: list[Line], title: str | None) -> list[tuple[int, str]]:
    """The comment index: the last run of `25Charlie Steiner` lines above the comments,
    before "N comments, sorted by". The title line above it (`3b. Formal…`) and lines
    with a link ("Mentioned in") are not in it."""
    texts = [line.text.strip() for line in lines if not line.blank]
    count_at = next((i for i, t in enumerate(texts) if COMMENT_COUNT.match(t)), len(texts))
    return comment_index(["" if "](" in t or t == title else t for t in texts[:count_at]])
