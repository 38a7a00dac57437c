"""One reader per input format, chosen by extension and content; all yield a Document."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from askalign.models import Document
from askalign.readers import essay, html, lesswrong, lesswrong_flat, markdown
from askalign.readers.base import DocumentMeta, ReadContext
from askalign.readers.decode import ReadError, read_source

TEXT_EXTENSIONS = frozenset({".txt", ".text"})
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown"})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS | HTML_EXTENSIONS

__all__ = ["SUPPORTED_EXTENSIONS", "DocumentMeta", "ReadError", "read_document", "reader_for"]


class Reader(Protocol):
    """A reader module: `read(text, ctx) -> Document`."""

    NAME: str

    def read(self, text: str, ctx: ReadContext) -> Document: ...


def reader_for(extension: str, text: str) -> Reader:
    if extension in HTML_EXTENSIONS or html.sniff(text):
        return html
    if extension in MARKDOWN_EXTENSIONS:
        return markdown
    if lesswrong.sniff(text):
        return lesswrong
    if lesswrong_flat.sniff(text):
        return lesswrong_flat
    return essay


def read_document(
    path: Path, *, doc_id: str, source_file: str, catalog: DocumentMeta, max_bytes: int
) -> Document:
    extension = path.suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        raise ReadError(
            f"unsupported file type '{extension or '(none)'}'",
            "save it as .txt, .md or .html, or move it out of corpus/",
        )
    source = read_source(path, max_bytes)
    ctx = ReadContext(doc_id, source_file, source.content_hash, catalog, list(source.notes))
    document = reader_for(extension, source.text).read(source.text, ctx)
    if not document.passages:
        raise ReadError("no readable text found in it", "check that the file holds the text itself")
    return document
