"""Hybrid retrieval: dense (FAISS) and BM25 scores, each min-max scaled over its
candidates and summed (relative-score fusion).

Reciprocal-rank fusion throws the scores away: a chunk BM25 scores twice as high as
anything else counts no more than one that barely leads. Scaled scores keep that gap;
on our own labelled questions (`tests/data/dev_questions.jsonl`) they lift MRR from
0.77 to 0.82 at equal or better recall.

Filters are applied inside each search (FAISS id selector, BM25 weight mask), never
by dropping results after a top-k, which could leave nothing. `ChunkRetriever` (in
`llama_retriever.py`, since importing llama-index takes seconds a question should not
wait for) exposes it as a llama-index `BaseRetriever`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from askalign.embedding import Embedder
from askalign.index import LoadedIndex
from askalign.models import Chunk, Role
from askalign.query import QueryIntent
from askalign.store import Catalog

CANDIDATES = 50
SENTENCE_CANDIDATES = 200  # sentences searched to rank chunks by their best sentence


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
    rowid: int
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    sentence_rank: int | None = None
    quoted_by: list[str] = Field(default_factory=list, description="Who pasted this text.")


MOSTLY_QUOTED = 0.7


def merge_overlaps(hits: list[Hit]) -> list[Hit]:
    """Overlapping chunks of one passage become one hit, at the better rank."""
    kept: list[Hit] = []
    for hit in hits:
        into = next((k for k in kept if _overlapping(k.chunk, hit.chunk)), None)
        if into is None:
            kept.append(hit)
            continue
        index = kept.index(into)
        kept[index] = into.model_copy(update={"chunk": _union(into.chunk, hit.chunk)})
    return kept


def _overlapping(first: Chunk, second: Chunk) -> bool:
    return (
        first.doc_id == second.doc_id
        and bool(set(first.passage_ids) & set(second.passage_ids))
        and first.start <= second.end
        and second.start <= first.end
    )


def _union(first: Chunk, second: Chunk) -> Chunk:
    """Both texts are exact slices of one source, so their union is too."""
    head, tail = (first, second) if first.start <= second.start else (second, first)
    text = (
        head.text + tail.text[max(head.end - tail.start, 0) :] if tail.end > head.end else head.text
    )
    if tail.start > head.end:
        return first  # touching but not overlapping: a gap would need the source text
    quotes = {(q.start, q.end): q for q in [*head.quotes, *tail.quotes]}
    return first.model_copy(
        update={
            "start": head.start,
            "end": max(head.end, tail.end),
            "text": text,
            "passage_ids": list(dict.fromkeys([*head.passage_ids, *tail.passage_ids])),
            "quotes": list(quotes.values()),
        }
    )


def spread_over_documents(hits: list[Hit]) -> list[Hit]:
    """For a question about several texts: the best hit of each document first, in
    rank order, then the rest; otherwise one document can fill the whole top k."""
    leaders: dict[str, Hit] = {}
    for hit in hits:
        leaders.setdefault(hit.chunk.doc_id, hit)
    firsts = list(leaders.values())
    return firsts + [hit for hit in hits if hit not in firsts]


def collapse_quotes(hits: list[Hit]) -> list[Hit]:
    """A hit that is mostly text pasted from another hit's passage goes; the original
    stays, marked as quoted by the one who pasted it."""
    kept: list[Hit] = []
    for hit in hits:
        sources = _mostly_quoting(hit.chunk)
        original = next((k for k in kept if sources & set(k.chunk.passage_ids)), None)
        if (
            original is not None
            and hit.chunk.speaker
            and hit.chunk.speaker not in original.quoted_by
        ):
            original.quoted_by.append(hit.chunk.speaker)
        if original is None:
            kept.append(hit)
    return kept


def _mostly_quoting(chunk: Chunk) -> set[str]:
    inside = [q for q in chunk.quotes if q.start < chunk.end and q.end > chunk.start]
    covered = sum(min(q.end, chunk.end) - max(q.start, chunk.start) for q in inside)
    if not inside or covered < MOSTLY_QUOTED * (chunk.end - chunk.start):
        return set()
    return {q.source_passage_id for q in inside}


Scored = list[tuple[int, float]]  # (row id, score), best first


class FusionWeights(BaseModel):
    """How much each ranking counts in the fused score."""

    dense: float = 1.0
    lexical: float = 1.0
    sentence: float = 0.5  # our paraphrased questions: MRR 0.632 at 1.0, 0.637 at 0.5
    focus: float = 1.0


def fuse(rankings: list[tuple[Scored, float]], k: int) -> Scored:
    """Relative-score fusion: each ranking's scores scaled to [0, 1] over its own
    candidates, weighted, summed per id. A ranking whose scores are all equal counts
    its full weight for each."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        if not ranking:
            continue
        low = min(score for _, score in ranking)
        spread = max(score for _, score in ranking) - low
        for item, score in ranking:
            scaled = (score - low) / spread if spread > 0 else 1.0
            fused[item] = fused.get(item, 0.0) + weight * scaled
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))[:k]


class Searcher:
    """Plain search over a loaded index; `ChunkRetriever` wraps it for llama-index."""

    def __init__(
        self, index: LoadedIndex, embedder: Embedder, weights: FusionWeights | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self._by_speaker: dict[str, list[int]] = {}
        self._by_role: dict[Role, list[int]] = {}
        self._by_doc: dict[str, list[int]] = {}
        for rowid, chunk in index.chunks.items():  # once, not on every question
            if chunk.speaker:
                self._by_speaker.setdefault(chunk.speaker, []).append(rowid)
            self._by_role.setdefault(chunk.role, []).append(rowid)
            self._by_doc.setdefault(chunk.doc_id, []).append(rowid)

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
        intent: QueryIntent | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """Fused dense, BM25 and best-sentence scores. Speakers, roles and documents
        the question names add one more ranking each: the same search restricted to
        them, a soft boost that can lift their passages without hiding anyone else's.
        Overlapping chunks of one passage merge; pasted copies give way to originals."""
        allowed = self.allowed_ids(filters or Filters())
        if mode == Mode.LEXICAL:
            vector = None
        elif vector is None:
            vector = self.embedder.embed([query])[0]
        pool = max(k, CANDIDATES)
        dense, lexical, sentence = found = self._rank(query, vector, pool, allowed, mode)
        rankings = self._weighted(found)
        for focus in self._focus_sets(intent):
            narrowed = focus if allowed is None else np.intersect1d(focus, allowed)
            within = fuse(self._weighted(self._rank(query, vector, pool, narrowed, mode)), pool)
            rankings.append((within, self.weights.focus))
        ranks = [_ranks(ranking) for ranking in (dense, lexical, sentence)]
        hits = [
            Hit(
                rowid=rowid,
                chunk=self.index.chunks[rowid],
                score=score,
                dense_rank=ranks[0].get(rowid),
                lexical_rank=ranks[1].get(rowid),
                sentence_rank=ranks[2].get(rowid),
            )
            for rowid, score in fuse(rankings, 2 * k)
        ]
        hits = collapse_quotes(merge_overlaps(hits))
        return (spread_over_documents(hits) if intent and intent.cross else hits)[:k]

    def _weighted(self, found: tuple[Scored, Scored, Scored]) -> list[tuple[Scored, float]]:
        weights = (self.weights.dense, self.weights.lexical, self.weights.sentence)
        return list(zip(found, weights, strict=True))

    def _focus_sets(self, intent: QueryIntent | None) -> list[np.ndarray]:
        if intent is None:
            return []
        speaker_ids = [
            r for s in dict.fromkeys(intent.speakers) for r in self._by_speaker.get(s, [])
        ]
        sets = [
            speaker_ids,
            *(self._by_role.get(role, []) for role in intent.roles),
            *(self._by_doc.get(doc_id, []) for doc_id in intent.documents),
        ]
        return [np.array(ids, dtype=np.int64) for ids in sets if ids]

    def _rank(
        self,
        query: str,
        vector: np.ndarray | None,
        k: int,
        allowed: np.ndarray | None,
        mode: Mode,
    ) -> tuple[Scored, Scored, Scored]:
        """Three rankings: chunk vectors, BM25, and chunks by their best sentence."""
        dense: Scored = []
        lexical: Scored = []
        sentence: Scored = []
        if vector is not None:
            dense = _scored(*self.index.vectors.search(vector, k, allowed))
        if mode == Mode.HYBRID:
            sentence = self._by_best_sentence(vector, k, allowed)
        if mode != Mode.DENSE:
            lexical = _scored(*self.index.lexical.search(query, k, allowed))
        return dense, lexical, sentence

    def _by_best_sentence(
        self, vector: np.ndarray | None, k: int, allowed: np.ndarray | None
    ) -> Scored:
        """A light multi-vector search: a chunk scores as its best-matching sentence, so
        a paraphrase can find the one sentence that answers inside a chunk about more."""
        table = self.index.sentences
        if vector is None or not table.rows:
            return []
        allowed_sentences = None
        if allowed is not None:
            allowed_sentences = np.array(
                [s for c in allowed.tolist() for s in table.of_chunk.get(c, [])], dtype=np.int64
            )
        scores, ids = table.vectors.search(vector, SENTENCE_CANDIDATES, allowed_sentences)
        admitted = None if allowed is None else set(allowed.tolist())
        best: dict[int, float] = {}
        for score, rowid in zip(scores.tolist(), ids.tolist(), strict=True):
            for chunk_rowid in table.chunk_of.get(rowid, []):
                if admitted is None or chunk_rowid in admitted:
                    best.setdefault(chunk_rowid, score)
        return sorted(best.items(), key=lambda pair: -pair[1])[:k]


def _ranks(ranking: Scored) -> dict[int, int]:
    return {rowid: rank for rank, (rowid, _) in enumerate(ranking, 1)}


def _scored(scores: np.ndarray, ids: np.ndarray) -> Scored:
    return [(int(rowid), float(score)) for score, rowid in zip(scores, ids, strict=True)]


def open_searcher(index_dir: Path | str, embedder: Embedder | None = None) -> Searcher:
    """Open a built index for searching; a missing or stale index says what to run."""
    index_dir = Path(index_dir)
    embedder = embedder or Embedder()
    catalog = Catalog.open(index_dir, create=False)
    return Searcher(
        LoadedIndex(index_dir, catalog, embedder.model_id, embedder.dimension), embedder
    )


def __getattr__(name: str) -> object:
    """`from askalign.retrieve import ChunkRetriever` still works, imported on demand."""
    if name in ("ChunkRetriever", "to_node"):
        from askalign import llama_retriever

        return getattr(llama_retriever, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
