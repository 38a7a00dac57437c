"""The values that cross between the catalog and its readers and writers: ingest hands
it `Written` documents and `FileRecord`s, the engines read `ChunkRow`s and
`SentenceRow`s. Kept apart so that a reader need not import the catalog to name them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

import numpy as np

from askalign.documents import Chunk, Document
from askalign.text.sentences import Sentence


def now() -> str:
    """One format for every stored moment: they are compared as strings."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Written(NamedTuple):
    """A new or changed document with everything derived from it."""

    document: Document
    chunks: list[Chunk]
    sentences: list[Sentence]
    fingerprint: str
    chunker: str


class StoredDocument(NamedTuple):
    id: str
    source_key: str
    source_file: str
    fingerprint: str
    chunker: str


class FileRecord(NamedTuple):
    """A corpus file as last read: unchanged size, mtime (or bytes) and reading mean
    its documents in the catalog are still right."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    reading: str  # how it was read: parser code, chunker settings, its catalog entry


class ChunkRow(NamedTuple):
    """A chunk as an engine indexes it."""

    rowid: int
    id: str
    doc_id: str
    speaker: str | None
    role: str
    text: str
    vector: np.ndarray


class SentenceRow(NamedTuple):
    """A sentence as an engine indexes it, with the chunks it lies in."""

    rowid: int
    doc_id: str
    speaker: str | None
    role: str
    chunk_ids: list[str]
    vector: np.ndarray
