"""Saved HTML pages, parsed with BeautifulSoup (lxml), never with regexes.

The passages' spans point into the page's extracted text (block elements joined by
blank lines), which is what `Document.source_text` holds for this format.
"""

from __future__ import annotations

import re
import warnings

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, Tag

from askalign.models import Document, Role
from askalign.readers.base import (
    Block,
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    build_document,
    sectioned_passages,
)
from askalign.spans import Span

NAME = "html"
NOT_CONTENT = [
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


def leaf_blocks(root: Tag) -> list[Tag]:
    """Block elements holding no other block: a list item's paragraphs, not the item,
    so no text is taken twice."""
    candidates = root.find_all(BLOCKS)
    if root.name in BLOCKS:
        candidates.insert(0, root)
    return [element for element in candidates if not element.find(BLOCKS)]


class TextBuilder:
    """Source text built block by block (joined by blank lines), so that readers taking
    text from several parts of a page still get exact spans into one text."""

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._cursor = 0

    @property
    def text(self) -> str:
        return "\n\n".join(self._pieces)

    def append(self, content: str, is_heading: bool = False, level: int | None = None) -> Block:
        if self._pieces:
            self._cursor += 2
        self._pieces.append(content)
        block = Block(Span(self._cursor, self._cursor + len(content)), is_heading, level)
        self._cursor += len(content)
        return block

    def add(self, root: Tag) -> list[Block]:
        found: list[Block] = []
        for element in leaf_blocks(root):
            content = block_text(element)
            if not content:
                continue
            is_heading = element.name in HEADINGS
            level = int(element.name[1]) if is_heading else None
            found.append(self.append(content, is_heading, level))
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
    date_text = _meta_content(soup, "article:published_time") or ""
    return DocumentMeta(
        title=title or (heading.get_text(" ", strip=True) if heading else None),
        author=_meta_content(soup, "author") or _meta_content(soup, "article:author"),
        url=_meta_content(soup, "og:url"),
        date=date_text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", date_text) else None,
    )


def _meta_content(soup: BeautifulSoup, key: str) -> str | None:
    tag = soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key})
    content = tag.get("content") if isinstance(tag, Tag) else None
    return str(content).strip() if content else None


def read(html: str, ctx: ReadContext) -> Document:
    text, found_blocks, found = extract(html)
    meta = ctx.catalog.overriding(found)
    builder = PassageBuilder(ctx.doc_id, text)
    passages = sectioned_passages(builder, found_blocks, Role.ESSAY, meta.author)
    return build_document(ctx, reader=NAME, text=text, meta=meta, passages=passages)
