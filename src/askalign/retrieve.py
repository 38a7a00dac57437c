"""Hybrid retrieval: dense (FAISS) and BM25 ranks fused by reciprocal rank.

Filters are applied inside each search (FAISS id selector, BM25 weight mask), never
by dropping results after a top-k, which could leave nothing. Exposed as a llama-index
`BaseRetriever`, so the index plugs into any llama-index query or chat engine.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import numpy as np
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import BaseModel

from askalign.embedding import Embedder
from askalign.index import LoadedIndex
from askalign.models import Chunk, Role
from askalign.store import Catalog

RRF_K = 60  # the constant from Cormack et al. (2009); damps the top ranks' dominance
CANDIDATES = 50


class Mode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


class Filters(BaseModel):
    speaker: str | None = None
    doc: str | None = None
    role: Role | None = None

    def admits(self, chunk: Chunk) -> bool:
        return (
            (self.speaker is None or chunk.speaker == self.speaker)
            and (self.doc is None or chunk.doc_id == self.doc)
            and (self.role is None or chunk.role is self.role)
        )

    @property
    def active(self) -> bool:
        return any(value is not None for value in (self.speaker, self.doc, self.role))


class Hit(BaseModel):
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None


def fuse(rankings: list[list[int]], k: int) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion of several best-first id lists."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:k]


class Searcher:
    """Plain search over a loaded index; `ChunkRetriever` wraps it for llama-index."""

    def __init__(self, index: LoadedIndex, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def allowed_ids(self, filters: Filters) -> np.ndarray | None:
        if not filters.active:
            return None
        ids = [rowid for rowid, chunk in self.index.chunks.items() if filters.admits(chunk)]
        return np.array(ids, dtype=np.int64)

    def search(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | None = None,
        mode: Mode = Mode.HYBRID,
    ) -> list[Hit]:
        allowed = self.allowed_ids(filters or Filters())
        pool = max(k, CANDIDATES)
        dense = self._dense(query, pool, allowed) if mode != Mode.LEXICAL else []
        lexical = self._lexical(query, pool, allowed) if mode != Mode.DENSE else []
        fused = fuse([ranking for ranking in (dense, lexical) if ranking], k)
        dense_rank = {rowid: rank for rank, rowid in enumerate(dense, 1)}
        lexical_rank = {rowid: rank for rank, rowid in enumerate(lexical, 1)}
        return [
            Hit(
                chunk=self.index.chunks[rowid],
                score=score,
                dense_rank=dense_rank.get(rowid),
                lexical_rank=lexical_rank.get(rowid),
            )
            for rowid, score in fused
        ]

    def _dense(self, query: str, k: int, allowed: np.ndarray | None) -> list[int]:
        vector = self.embedder.embed([query])[0]
        _, ids = self.index.vectors.search(vector, k, allowed)
        return [int(rowid) for rowid in ids]

    def _lexical(self, query: str, k: int, allowed: np.ndarray | None) -> list[int]:
        _, ids = self.index.lexical.search(query, k, allowed)
        return [int(rowid) for rowid in ids]


def to_node(hit: Hit) -> NodeWithScore:
    chunk = hit.chunk
    metadata = {
        "doc_id": chunk.doc_id,
        "doc_title": chunk.doc_title,
        "speaker": chunk.speaker,
        "role": chunk.role.value,
        "section": " > ".join(chunk.section),
        "start": chunk.start,
        "end": chunk.end,
        "url": chunk.url,
        "reply_to": chunk.reply_to,
    }
    node = TextNode(id_=chunk.id, text=chunk.text, metadata=metadata)
    return NodeWithScore(node=node, score=hit.score)


class ChunkRetriever(BaseRetriever):
    """The index as a llama-index retriever: `retrieve(question) -> list[NodeWithScore]`."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        k: int = 5,
        filters: Filters | None = None,
        mode: Mode = Mode.HYBRID,
    ) -> None:
        super().__init__()
        self.searcher = searcher
        self.k = k
        self.filters = filters or Filters()
        self.mode = mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.searcher.search(
            query_bundle.query_str, k=self.k, filters=self.filters, mode=self.mode
        )
        return [to_node(hit) for hit in hits]


def open_searcher(index_dir: Path | str, embedder: Embedder | None = None) -> Searcher:
    """Open a built index for searching; a missing or stale index says what to run."""
    index_dir = Path(index_dir)
    embedder = embedder or Embedder()
    catalog = Catalog.open(index_dir, create=False)
    return Searcher(
        LoadedIndex(index_dir, catalog, embedder.model_id, embedder.dimension), embedder
    )
