"""Hybrid retrieval: dense, BM25 and best-sentence scores, each min-max scaled over its
candidates and summed (relative-score fusion), over any search engine.

Reciprocal-rank fusion throws the scores away: a chunk BM25 scores twice as high as
anything else counts no more than one that barely leads. Scaled scores keep that gap;
on our own labelled questions (`tests/data/dev_questions.jsonl`) they lift MRR from
0.77 to 0.82 at equal or better recall.

Filters travel down to the engine as a `Scope`, applied inside each search, never by
dropping results after a top-k, which could leave nothing. Results are keyed by chunk
id, so the fusion is the same whichever engine ranked them. `ChunkRetriever` (in
`llama_retriever.py`, since importing llama-index takes seconds a question should not
wait for) exposes it as a llama-index `BaseRetriever`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from askalign.documents import Role
from askalign.embedding import Embedder
from askalign.engines import Ranked, Scope
from askalign.retrieval.hits import (
    Hit,
    collapse_quotes,
    every_speaker_heard,
    merge_overlaps,
    spread_over_documents,
)
from askalign.retrieval.intent import QueryIntent
from askalign.retrieval.open import OpenIndex, open_index

CANDIDATES = 50


class Mode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    LEXICAL = "lexical"


class Filters(BaseModel):
    """What a user limits a question to: one speaker, document or role."""

    speaker: str | None = None
    doc: str | None = None
    role: Role | None = None

    @property
    def scope(self) -> Scope:
        return Scope(
            speakers=None if self.speaker is None else (self.speaker,),
            roles=None if self.role is None else (self.role,),
            docs=None if self.doc is None else (self.doc,),
        )


class FusionWeights(BaseModel):
    """How much each ranking counts in the fused score."""

    dense: float = 1.0
    lexical: float = 1.0
    sentence: float = 0.5  # our paraphrased questions: MRR 0.632 at 1.0, 0.637 at 0.5
    focus: float = 1.0


def fuse(rankings: list[tuple[Ranked, float]], k: int) -> Ranked:
    """Relative-score fusion: each ranking's scores scaled to [0, 1] over its own
    candidates, weighted, summed per id. A ranking whose scores are all equal counts
    its full weight for each."""
    fused: dict[str, float] = {}
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
    """Plain search over an open index; `ChunkRetriever` wraps it for llama-index."""

    def __init__(
        self, index: OpenIndex, embedder: Embedder, weights: FusionWeights | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights or FusionWeights()

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
        the question names add one more ranking each: the same search narrowed to
        them, a soft boost that can lift their passages without hiding anyone else's.
        Overlapping chunks of one passage merge; pasted copies give way to originals."""
        scope = (filters or Filters()).scope
        if mode == Mode.LEXICAL:
            vector = None
        elif vector is None:
            vector = self.embedder.embed([query])[0]
        pool = max(k, CANDIDATES)
        dense, lexical, sentence = found = self._rank(query, vector, pool, scope, mode)
        rankings = self._weighted(found)
        best_of: dict[str, Hit] = {}  # named speakers' best chunks where the question puts them
        for speaker, where in _speaker_scopes(intent):
            there = self._focus(query, vector, pool, scope.narrowed(where), mode)
            anywhere = Scope(speakers=(speaker,))
            if there and (best := self.index.shelf.chunk(there[0][0])) is not None:
                best_of[speaker] = Hit(chunk=best, score=there[0][1])
            elif where != anywhere:  # not in the text named: their words anywhere
                there = self._focus(query, vector, pool, scope.narrowed(anywhere), mode)
            rankings.append((there, self.weights.focus))
        for focus in _focus_scopes(intent):
            narrowed = self._focus(query, vector, pool, scope.narrowed(focus), mode)
            rankings.append((narrowed, self.weights.focus))
        ranks = [_ranks(ranking) for ranking in (dense, lexical, sentence)]
        hits = []
        for chunk_id, score in fuse(rankings, 2 * k):
            chunk = self.index.shelf.chunk(chunk_id)
            if chunk is None:  # removed by an ingest since the engine found it
                continue
            hits.append(
                Hit(
                    chunk=chunk,
                    score=score,
                    dense_rank=ranks[0].get(chunk_id),
                    lexical_rank=ranks[1].get(chunk_id),
                    sentence_rank=ranks[2].get(chunk_id),
                )
            )
        hits = collapse_quotes(merge_overlaps(hits))
        hits = spread_over_documents(hits) if intent and intent.cross else hits
        return every_speaker_heard(hits, k, best_of)

    def _weighted(self, found: tuple[Ranked, Ranked, Ranked]) -> list[tuple[Ranked, float]]:
        weights = (self.weights.dense, self.weights.lexical, self.weights.sentence)
        return list(zip(found, weights, strict=True))

    def _focus(
        self, query: str, vector: np.ndarray | None, k: int, scope: Scope, mode: Mode
    ) -> Ranked:
        return fuse(self._weighted(self._rank(query, vector, k, scope, mode)), k)

    def _rank(
        self, query: str, vector: np.ndarray | None, k: int, scope: Scope, mode: Mode
    ) -> tuple[Ranked, Ranked, Ranked]:
        """Three rankings: chunk vectors, BM25, and chunks by their best sentence."""
        engine = self.index.engine
        if scope.empty:
            return [], [], []
        dense = engine.dense(vector, k, scope) if vector is not None else []
        sentence = engine.by_sentence(vector, k, scope) if mode == Mode.HYBRID else []
        lexical = engine.lexical(query, k, scope) if mode != Mode.DENSE else []
        return dense, lexical, sentence


def _speaker_scopes(intent: QueryIntent | None) -> list[tuple[str, Scope]]:
    """Each speaker the question names, each on their own (together, the post's author
    filled the ranking and the commenter asked about had no passage among the hits),
    within the one text the question asks about, if it names one."""
    if intent is None:
        return []
    one_text = len(intent.documents) == 1 and not intent.cross
    docs = tuple(intent.documents) if one_text else None
    return [(s, Scope(speakers=(s,), docs=docs)) for s in dict.fromkeys(intent.speakers)]


def _focus_scopes(intent: QueryIntent | None) -> list[Scope]:
    """Each role and each document the question names."""
    if intent is None:
        return []
    return [
        *(Scope(roles=(role,)) for role in intent.roles),
        *(Scope(docs=(doc_id,)) for doc_id in intent.documents),
    ]


def _ranks(ranking: Ranked) -> dict[str, int]:
    return {chunk_id: rank for rank, (chunk_id, _) in enumerate(ranking, 1)}


def open_searcher(
    index_dir: Path | str,
    embedder: Embedder | None = None,
    engine_spec: str = "local",
    token: str | None = None,
) -> Searcher:
    """Open a built index for searching; a missing or stale index says what to run."""
    embedder = embedder or Embedder()
    index = open_index(Path(index_dir), embedder.model_id, embedder.dimension, engine_spec, token)
    return Searcher(index, embedder)
