"""Saved HTML pages, parsed with BeautifulSoup (lxml), never with regexes.

The passages' spans point into the page's extracted text (block elements joined by
blank lines), which is what `Document.source_text` holds for this format.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from bs4 import (
    BeautifulSoup,
    CData,
    MarkupResemblesLocatorWarning,
    NavigableString,
    PageElement,
    Tag,
)

from askalign.documents import Document
from askalign.formats.base import Block, DocumentMeta, ReadContext, body_document
from askalign.formats.dates import parse_date
from askalign.text.spans import Span

NAME = "html"
NOT_CONTENT = [
    "head",  # its title and meta tags are read by page_meta before this is dropped
    "title",
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
]
HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
BLOCKS = [*HEADINGS, "p", "li", "blockquote", "pre", "dd", "dt", "figcaption", "td", "th"]
CONTAINERS = ["html", "body", "main", "article", "section", "div", "ul", "ol", "dl", "table"]
BLOCK_LIKE = frozenset([*BLOCKS, *CONTAINERS, "thead", "tbody", "tr", "figure", "details"])
_SPACES = re.compile(r"\s+")


def sniff(text: str) -> bool:
    head = text.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def parse(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", MarkupResemblesLocatorWarning
        )  # short pages are still pages
        return BeautifulSoup(html, "lxml")


def drop_chrome(root: Tag) -> None:
    for tag in root(NOT_CONTENT):
        tag.decompose()


def block_text(element: Tag) -> str:
    return _SPACES.sub(" ", element.get_text(" ")).strip()


class OwnText(NamedTuple):
    element: Tag
    text: str
    quoted: bool  # inside a <blockquote>


def own_texts(root: Tag) -> list[OwnText]:
    """Each block's own words, in page order, none taken twice: a list item's text before
    its sub-list and loose text in a `<div>` are kept, as a reader sees them. The walk
    keeps its own stack, so 10^4 nested tags cost no recursion, and knows which blocks
    sit inside a block quote without a walk up from each."""
    found: list[OwnText] = []
    stack = [_Frame(iter(root.children), root, [], is_block=True, quoted=False)]
    while stack:
        frame = stack[-1]
        child = next(frame.children, None)
        if child is None:
            stack.pop()
            if frame.is_block:
                _flush(frame, found)
        elif type(child) in (NavigableString, CData):  # not comments or doctypes
            frame.words.append(str(child))
        elif isinstance(child, Tag) and child.name in BLOCK_LIKE:
            _flush(frame, found)
            quoted = frame.quoted or child.name == "blockquote"
            stack.append(_Frame(iter(child.children), child, [], True, quoted))
        elif isinstance(child, Tag):  # inline: its words join the block around it
            stack.append(
                _Frame(iter(child.children), frame.owner, frame.words, False, frame.quoted)
            )
    return found


class _Frame(NamedTuple):
    children: Iterator[PageElement]
    owner: Tag
    words: list[str]
    is_block: bool
    quoted: bool


def _flush(frame: _Frame, found: list[OwnText]) -> None:
    text = _SPACES.sub(" ", " ".join(frame.words)).strip()
    frame.words.clear()
    if text:
        found.append(OwnText(frame.owner, text, frame.quoted))


class TextBuilder:
    """Source text built block by block (joined by blank lines), so that readers taking
    text from several parts of a page still get exact spans into one text."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._cursor = 0

    @property
    def text(self) -> str:
        return "\n\n".join(self._pieces)

    def append(
        self, content: str, is_heading: bool = False, level: int | None = None, quoted: bool = False
    ) -> Block:
        if self._pieces:
            self._cursor += 2
        self._pieces.append(content)
        span = Span(self._cursor, self._cursor + len(content))
        self._cursor += len(content)
        return Block(span, is_heading, level, quoted)

    def add(self, root: Tag) -> list[Block]:
        found: list[Block] = []
        for element, content, quoted in own_texts(root):
            is_heading = element.name in HEADINGS
            level = int(element.name[1]) if is_heading else None
            found.append(self.append(content, is_heading, level, quoted))
        return found


def extract(html: str) -> tuple[str, list[Block], DocumentMeta]:
    """The page's readable text, its blocks with spans into that text, and its metadata."""
    soup = parse(html)
    meta = page_meta(soup)
    drop_chrome(soup)
    builder = TextBuilder()
    found = builder.add(soup)
    return builder.text, found, meta


def page_meta(soup: BeautifulSoup) -> DocumentMeta:
    title = _meta_content(soup, "og:title") or (
        soup.title.get_text(strip=True) if soup.title else None
    )
    heading = soup.find("h1")
    return DocumentMeta(
        title=title or (heading.get_text(" ", strip=True) if heading else None),
        author=_meta_content(soup, "author") or _meta_content(soup, "article:author"),
        url=_meta_content(soup, "og:url"),
        date=parse_date(_meta_content(soup, "article:published_time")),
    )


def _meta_content(soup: BeautifulSoup, key: str) -> str | None:
    """From the <head> when there is one: a miss searched in the whole page walks every
    tag of it, which on a 20,000-comment thread is most of the reading time."""
    root = soup.head if isinstance(soup.head, Tag) else soup
    tag = root.find("meta", attrs={"property": key}) or root.find("meta", attrs={"name": key})
    content = tag.get("content") if isinstance(tag, Tag) else None
    return str(content).strip() if content else None


def read(html: str, ctx: ReadContext) -> Document:
    text, found_blocks, found = extract(html)
    meta = ctx.catalog.overriding(found)
    return body_document(ctx, reader=NAME, text=text, meta=meta, body=found_blocks)
