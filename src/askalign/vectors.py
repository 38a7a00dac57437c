"""Exact inner-product search over unit vectors: FAISS, and numpy as a reference.

Both answer the same contract (k larger than the index, filters by allowed ids,
save and load), and the tests hold FAISS to the numpy answer.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from askalign.files import write_atomic


class FaissVectors:
    """`IndexIDMap2` over a flat inner-product index: ids are the catalog's chunk rowids."""

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray) -> FaissVectors:
        index = faiss.IndexIDMap2(faiss.IndexFlatIP(vectors.shape[1]))
        if len(ids):
            index.add_with_ids(np.ascontiguousarray(vectors, np.float32), ids.astype(np.int64))
        return cls(index)

    @classmethod
    def load(cls, path: Path) -> FaissVectors:
        return cls(faiss.read_index(str(path)))

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.count)
        if k <= 0 or (allowed is not None and len(allowed) == 0):
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
        scores, ids = self.index.search(_as_row(query), k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def save(self, path: Path) -> None:
        write_atomic(path, lambda temp: faiss.write_index(self.index, str(temp)))


class NumpyVectors:
    """Brute force: slow at scale, obviously right, the yardstick for FAISS."""

    def __init__(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.ids = ids.astype(np.int64)
        self.vectors = np.ascontiguousarray(vectors, np.float32)

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray) -> NumpyVectors:
        return cls(ids, vectors)

    @classmethod
    def load(cls, path: Path) -> NumpyVectors:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["ids"], data["vectors"])

    @property
    def count(self) -> int:
        return len(self.ids)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        scores = self.vectors @ _as_row(query)[0]
        candidates = np.arange(len(self.ids))
        if allowed is not None:
            candidates = candidates[np.isin(self.ids, allowed)]
        order = candidates[np.argsort(-scores[candidates], kind="stable")][: max(k, 0)]
        return scores[order], self.ids[order]

    def save(self, path: Path) -> None:
        def write(temp: Path) -> None:
            with open(temp, "wb") as handle:
                np.savez(handle, ids=self.ids, vectors=self.vectors)

        write_atomic(path, write)


def _as_row(query: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(query.reshape(1, -1), np.float32)
