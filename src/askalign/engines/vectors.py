"""Inner-product search over unit vectors, by FAISS; the tests hold it to a brute-force
numpy answer.

Up to `IVF_FROM` vectors the FAISS index is exact (flat). Past it, an exact scan per
question grows with the corpus (about 80 ms for 5×10^5 sentences on one core), so the
vectors go into an inverted file (IVF) whose centroids are trained once on the vectors
at hand: a question scans a tenth of its lists. Either layout adds and removes rows
by id in place, so an ingest that changes one text does not rebuild the index.
A search limited to a few ids (one speaker, one document) is exact whatever the
layout: those vectors are gathered and scored directly.
"""

from __future__ import annotations

import math
from pathlib import Path

import faiss
import numpy as np

from askalign.files import write_atomic

IVF_FROM = 50_000  # vectors; below this an exact scan takes a few ms
# Lists a question scans: a tenth. On 30,000 real sentences (benchmarks/ivf_recall.py)
# recall@10 against exact search is 0.97 at a tenth, 0.92 at a thirtieth.
PROBED_SHARE = 0.1
EXACT_SCOPE = 20_000  # allowed ids up to this are scored exactly
TRAIN_PER_LIST = 40


def ivf_lists(count: int) -> int:
    return max(16, int(4 * math.sqrt(count)))


class FaissVectors:
    """Ids are the catalog's rowids: `IndexIDMap2` over a flat index, or an `IndexIVFFlat`
    with a hash-table direct map (which both keep ids, reconstruct and remove)."""

    def __init__(self, index: faiss.Index, nprobe: int | None = None) -> None:
        self.index = index
        self.nprobe = nprobe  # None: PROBED_SHARE of the lists

    @classmethod
    def build(cls, ids: np.ndarray, vectors: np.ndarray) -> FaissVectors:
        built = cls.empty(vectors.shape[1], len(ids), vectors)
        built.add(ids, vectors)
        return built

    @classmethod
    def empty(cls, dimension: int, expected: int, sample: np.ndarray | None = None) -> FaissVectors:
        """A flat index, or past `IVF_FROM` expected rows an IVF trained on `sample`."""
        if expected < IVF_FROM or sample is None or len(sample) < IVF_FROM // 2:
            return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))
        return cls.inverted(dimension, ivf_lists(expected), sample)

    @classmethod
    def inverted(cls, dimension: int, lists: int, sample: np.ndarray) -> FaissVectors:
        """An IVF index of `lists` lists, its centroids trained on `sample`."""
        index = faiss.IndexIVFFlat(
            faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT
        )
        index.train(np.ascontiguousarray(sample[: lists * TRAIN_PER_LIST], np.float32))
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        return cls(index)

    @classmethod
    def load(cls, path: Path, *, mapped: bool = False) -> FaissVectors:
        """`mapped`: read-only, paged in from the file as searched (opens in ms)."""
        flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if mapped else 0
        return cls(faiss.read_index(str(path), flags))

    @property
    def count(self) -> int:
        return int(self.index.ntotal)

    @property
    def approximate(self) -> bool:
        return isinstance(self.index, faiss.IndexIVF)

    def held_ids(self) -> np.ndarray:
        if not self.approximate:
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        lists = self.index.invlists
        found = [
            faiss.rev_swig_ptr(lists.get_ids(number), lists.list_size(number)).copy()
            for number in range(lists.nlist)
            if lists.list_size(number)
        ]
        return np.concatenate(found).astype(np.int64) if found else np.zeros(0, np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, np.float32), ids.astype(np.int64))

    def remove(self, ids: np.ndarray) -> None:
        """An IVF index looks each id up in its direct map, which takes only an id array;
        a flat one checks every row against the set (a batch selector hashes it)."""
        if not len(ids):
            return
        wanted = np.ascontiguousarray(ids, np.int64)
        if self.approximate:
            self.index.remove_ids(faiss.IDSelectorArray(len(wanted), faiss.swig_ptr(wanted)))
        else:
            self.index.remove_ids(faiss.IDSelectorBatch(wanted))

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        if not len(ids):
            return np.zeros((0, self.index.d), np.float32)
        return np.vstack([self.index.reconstruct(int(rowid)) for rowid in ids])

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        k = min(k, self.count)
        if k <= 0 or (allowed is not None and len(allowed) == 0):
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if allowed is not None and len(allowed) <= EXACT_SCOPE:
            return _best(self.vectors_of(allowed) @ _as_row(query)[0], allowed, k)
        selector = None if allowed is None else faiss.IDSelectorBatch(allowed.astype(np.int64))
        if self.approximate:
            nprobe = self.nprobe or max(1, math.ceil(PROBED_SHARE * self.index.nlist))
            params = faiss.SearchParametersIVF(sel=selector, nprobe=nprobe)
        else:
            params = None if selector is None else faiss.SearchParameters(sel=selector)
        scores, ids = self.index.search(_as_row(query), k, params=params)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def save(self, path: Path) -> None:
        write_atomic(path, lambda temp: faiss.write_index(self.index, str(temp)))


def _best(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(-scores, kind="stable")[: max(k, 0)]
    return scores[order].astype(np.float32), ids[order].astype(np.int64)


def _as_row(query: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(query.reshape(1, -1), np.float32)
