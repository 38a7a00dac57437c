"""One reader per input format, chosen by extension and content; all yield a Document.

The readers of HTML, Markdown and datasets (BeautifulSoup, lxml, markdown-it, YAML) are
imported when a file needs them: a no-op ingest reads no file and loads none of them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from askalign.documents import CorpusProblem, Document
from askalign.formats import essay, lesswrong, lesswrong_flat
from askalign.formats.base import DATASET_EXTENSIONS, DocumentMeta, FileProblem, ReadContext
from askalign.formats.decode import ReadError, read_source
from askalign.text.readable import SAVED_PAGE_FORMAT

TEXT_EXTENSIONS = frozenset({".txt", ".text"})
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown"})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
THREAD_EXTENSIONS = frozenset({".json"})  # a thread saved by `askalign add URL` (forum_api.py)
SUPPORTED_EXTENSIONS = (
    TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS | HTML_EXTENSIONS | DATASET_EXTENSIONS | THREAD_EXTENSIONS
)
SUPPORTED_NAMES = ".txt, .md, .html or .jsonl"
# Formats whose source_text is the file's decoded text, character for character.
VERBATIM_FORMATS = frozenset({essay.NAME, lesswrong.NAME, lesswrong_flat.NAME, SAVED_PAGE_FORMAT})

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "SUPPORTED_NAMES",
    "VERBATIM_FORMATS",
    "DocumentMeta",
    "ReadError",
    "read_document",
    "read_documents",
    "reader_for",
]


class Reader(Protocol):
    """A reader module: `read(text, ctx) -> Document`."""

    NAME: str

    def read(self, text: str, ctx: ReadContext) -> Document: ...


def reader_for(extension: str, text: str) -> Reader:
    from askalign.formats import forum, forum_api, html, lesswrong_saved, markdown

    if extension in THREAD_EXTENSIONS:
        return forum_api
    if forum.sniff(text):
        return forum
    if extension in HTML_EXTENSIONS or html.sniff(text):
        return html
    if lesswrong_saved.sniff(text):  # a forum page saved as Markdown, whatever its name
        return lesswrong_saved
    if extension in MARKDOWN_EXTENSIONS:
        if lesswrong.sniff(text):  # a forum page kept under YAML front matter
            from askalign.formats import lesswrong_markdown

            return lesswrong_markdown
        return markdown
    if lesswrong.sniff(text):
        return lesswrong
    if lesswrong_flat.sniff(text):
        return lesswrong_flat
    return essay


def read_documents(
    path: Path, *, doc_id: str, source_file: str, catalog: DocumentMeta, max_bytes: int
) -> Iterator[Document | CorpusProblem]:
    """Every document of a file: one, or one per line of a dataset (.jsonl) file, streamed.
    A whole-file failure raises ReadError; a bad line is yielded as a problem."""
    if path.suffix.lower() in DATASET_EXTENSIONS:
        from askalign.formats import jsonl

        yield from jsonl.read_lines(
            path, source_file=source_file, id_prefix=doc_id, max_line_bytes=max_bytes
        )
    else:
        problems: list[FileProblem] = []
        yield read_document(
            path,
            doc_id=doc_id,
            source_file=source_file,
            catalog=catalog,
            max_bytes=max_bytes,
            problems=problems,
        )
        for problem in problems:
            yield CorpusProblem(file=source_file, reason=problem.reason, hint=problem.hint)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a text is read. Reading a large page builds
    millions of small objects (a parse tree, passages, postings), and each full collection
    walks all of them again: on a 20,000-comment thread that was half the reading time.
    What a reader leaves in cycles is freed by the next collection after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_document(
    path: Path,
    *,
    doc_id: str,
    source_file: str,
    catalog: DocumentMeta,
    max_bytes: int,
    problems: list[FileProblem] | None = None,
) -> Document:
    """The one document of a single-text file. What a reader finds wrong with a file it
    still reads goes to `problems` when given, else to the document's notes."""
    extension = path.suffix.lower()
    if extension in DATASET_EXTENSIONS:
        raise ReadError("a .jsonl file holds many articles", "read it with read_documents")
    if extension not in SUPPORTED_EXTENSIONS:
        raise ReadError(
            f"unsupported file type '{extension or '(none)'}'",
            f"save it as {SUPPORTED_NAMES}, or move it out of corpus/",
        )
    source = read_source(path, max_bytes)
    ctx = ReadContext(
        doc_id, source_file, source.content_hash, catalog, list(source.notes), problems
    )
    with collector_paused():
        document = reader_for(extension, source.text).read(source.text, ctx)
    if not document.passages:
        raise ReadError("no readable text found in it", "check that the file holds the text itself")
    return document
