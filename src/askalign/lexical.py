"""BM25 over chunk text (bm25s, English stop words, Snowball stemming).

Word matches catch what embeddings blur: names, rare terms, exact phrases a user
half-remembers. Saved as plain arrays (no pickle) next to the ids they index.
"""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from askalign.files import replace_dir_atomic

IDS_FILE = "ids.npy"
_STEMMER = Stemmer.Stemmer("english")


def terms(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        texts, stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False
    )


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25, ids: np.ndarray) -> None:
        self.retriever = retriever
        self.ids = ids.astype(np.int64)

    @classmethod
    def build(cls, ids: np.ndarray, texts: list[str]) -> LexicalIndex:
        retriever = bm25s.BM25()
        retriever.index(terms(texts) if texts else [[]], show_progress=False)
        return cls(retriever, ids)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        retriever = bm25s.BM25.load(str(directory), show_progress=False)
        return cls(retriever, np.load(directory / IDS_FILE, allow_pickle=False))

    def save(self, directory: Path) -> None:
        def write(temp: Path) -> None:
            self.retriever.save(str(temp), show_progress=False)
            np.save(temp / IDS_FILE, self.ids, allow_pickle=False)

        replace_dir_atomic(directory, write)

    @property
    def count(self) -> int:
        return len(self.ids)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of chunks sharing terms with the query, best first."""
        query_terms = terms([query])
        if not self.count or not query_terms[0]:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        mask = None if allowed is None else np.isin(self.ids, allowed).astype(np.float32)
        positions, scores = self.retriever.retrieve(
            query_terms,
            k=min(k, self.count),
            show_progress=False,
            weight_mask=mask,
            n_threads=1,
        )
        keep = scores[0] > 0
        return scores[0][keep], self.ids[positions[0][keep]]
