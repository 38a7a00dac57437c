"""The search contract every engine answers: dense, lexical and best-sentence top-k
under a `Scope`, kept in line with the catalog by `sync`.

The catalog (SQLite) holds the documents, passages, chunks, sentences and the
embedding cache; an engine holds what is searched. Results are keyed by chunk id
(the content hash), never by an engine's own row numbers, so fusion, hit merging and
the composer are the same whichever engine found the chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel

from askalign.index.contract import ChunkSource
from askalign.index.scope import Scope

__all__ = ["Progress", "Ranked", "Scope", "SearchEngine", "SyncReport"]

Ranked = list[tuple[str, float]]  # (chunk id, score), best first


class SyncReport(BaseModel):
    """What `sync` changed: chunk and sentence rows added and removed."""

    chunks_added: int = 0
    chunks_removed: int = 0
    sentences_added: int = 0
    sentences_removed: int = 0
    rebuilt: bool = False


Progress = Callable[[str, int, int], None]  # (what, done, total)
SENTENCE_CANDIDATES = 200  # sentences searched to rank chunks by their best sentence


@runtime_checkable
class SearchEngine(Protocol):
    """One backend: `LocalEngine` (FAISS + bm25s files beside the catalog) or
    `MilvusEngine` (Milvus Lite, or a Milvus server by URI)."""

    name: str

    def describe(self) -> str:
        """Which engine and where, for `askalign status`."""
        ...

    def open(self, catalog: ChunkSource) -> SearchEngine:
        """Ready to search, reading rows of this catalog (returns itself)."""
        ...

    def in_sync(self, catalog: ChunkSource) -> bool:
        """Whether it holds exactly the catalog's current generation."""
        ...

    def sync(self, catalog: ChunkSource, progress: Progress | None = None) -> SyncReport:
        """Add what the catalog has and the engine lacks, remove what the catalog no
        longer has. Safe to repeat after a crash: it converges."""
        ...

    def dense(self, vector: np.ndarray, k: int, scope: Scope) -> Ranked: ...

    def lexical(self, query: str, k: int, scope: Scope) -> Ranked: ...

    def by_sentence(self, vector: np.ndarray, k: int, scope: Scope) -> Ranked:
        """Chunks ranked by their best-matching sentence (a sentence that spans two
        chunks counts for both)."""
        ...

    def count(self) -> int:
        """Chunks it holds."""
        ...

    def close(self) -> None: ...


class MissingExtraError(ImportError):
    """An engine whose packages are not installed: the message names the extra."""
