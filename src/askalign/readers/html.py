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


def extract(html: str) -> tuple[str, list[Block], DocumentMeta]:
    """The page's readable text, its blocks with spans into that text, and its metadata."""
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", MarkupResemblesLocatorWarning
        )  # short pages are still pages
        soup = BeautifulSoup(html, "lxml")
    meta = page_meta(soup)
    for tag in soup(NOT_CONTENT):
        tag.decompose()
    pieces: list[str] = []
    found: list[Block] = []
    cursor = 0
    for element in soup.find_all(BLOCKS):
        if element.find(BLOCKS):
            continue
        content = _SPACES.sub(" ", element.get_text(" ")).strip()
        if not content:
            continue
        if pieces:
            cursor += 2
        pieces.append(content)
        is_heading = element.name in HEADINGS
        level = int(element.name[1]) if is_heading else None
        found.append(Block(Span(cursor, cursor + len(content)), is_heading, level))
        cursor += len(content)
    return "\n\n".join(pieces), found, meta


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
