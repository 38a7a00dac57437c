"""BM25 over chunk text (English stop words, Snowball stemming), updated in place.

Word matches catch what embeddings blur: names, rare terms, exact phrases a user
half-remembers. The index keeps term frequencies, not precomputed scores, so adding
or removing chunks touches only their rows: BM25's corpus statistics (document count,
document frequencies, average length) are applied when a question is scored, with
bm25s's "lucene" formula, so the ranking is the one bm25s gave. Terms come from the
catalog, tokenized once when a chunk is first stored. Saved as plain arrays (no
pickle), which a reader maps from disk.
"""

from __future__ import annotations

import json
from array import array
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from scipy import sparse

from askalign.files import replace_dir_atomic
from askalign.text.terms import terms

K1 = 1.5
B = 0.75
ARRAYS = ("data", "indices", "indptr", "ids", "lengths")
VOCABULARY_FILE = "vocabulary.json"


class LexicalIndex:
    """A term-frequency matrix (chunks × terms, column-major so a term's postings are one
    slice), the catalog rowid of each row, and each row's length in terms."""

    def __init__(
        self,
        frequencies: sparse.csc_array,
        ids: np.ndarray,
        lengths: np.ndarray,
        vocabulary: list[str],
    ) -> None:
        self.frequencies = frequencies
        self.ids = ids.astype(np.int64)
        self.lengths = lengths.astype(np.float32)
        self.vocabulary = vocabulary
        self.columns = {term: column for column, term in enumerate(vocabulary)}

    @classmethod
    def build(cls, ids: np.ndarray, texts: list[str]) -> LexicalIndex:
        added = [(ids, terms(texts))] if texts else []
        return cls.empty().updated(np.zeros(0, np.int64), added)

    @classmethod
    def empty(cls) -> LexicalIndex:
        return cls(
            sparse.csc_array((0, 0), dtype=np.float32), np.zeros(0, np.int64), np.zeros(0), []
        )

    def updated(
        self, removed: np.ndarray, added: Iterable[tuple[np.ndarray, list[list[str]]]]
    ) -> LexicalIndex:
        """A new index without the `removed` rowids and with the added chunks: batches of
        (rowids, each chunk's terms), turned into sparse rows a batch at a time so the
        terms of 10^5 chunks are never all in memory."""
        keep = ~np.isin(self.ids, removed)
        vocabulary = list(self.vocabulary)
        columns = dict(self.columns)
        parts = [self.frequencies.tocsr()[keep]]
        ids, lengths = [self.ids[keep]], [self.lengths[keep]]
        for rowids, batch in added:
            parts.append(_rows(batch, columns, vocabulary))
            ids.append(rowids.astype(np.int64))
            lengths.append(np.array([len(chunk_terms) for chunk_terms in batch], np.float32))
        for part in parts:
            part.resize((part.shape[0], len(vocabulary)))
        return LexicalIndex(
            sparse.vstack(parts, format="csc", dtype=np.float32),
            np.concatenate(ids),
            np.concatenate(lengths),
            vocabulary,
        )

    @classmethod
    def load(cls, directory: Path, *, mapped: bool = False) -> LexicalIndex:
        mode = "r" if mapped else None
        arrays = {
            name: np.load(directory / f"{name}.npy", mmap_mode=mode, allow_pickle=False)
            for name in ARRAYS
        }
        vocabulary = json.loads((directory / VOCABULARY_FILE).read_text("utf-8"))
        frequencies = sparse.csc_array(
            (arrays["data"], arrays["indices"], arrays["indptr"]),
            shape=(len(arrays["ids"]), len(vocabulary)),
        )
        return cls(frequencies, arrays["ids"], arrays["lengths"], vocabulary)

    def save(self, directory: Path) -> None:
        arrays = {
            "data": self.frequencies.data,
            "indices": self.frequencies.indices,
            "indptr": self.frequencies.indptr,
            "ids": self.ids,
            "lengths": self.lengths,
        }

        def write(temp: Path) -> None:
            for name, values in arrays.items():
                np.save(temp / f"{name}.npy", np.asarray(values), allow_pickle=False)
            (temp / VOCABULARY_FILE).write_text(json.dumps(self.vocabulary), "utf-8")

        replace_dir_atomic(directory, write)

    @property
    def count(self) -> int:
        return len(self.ids)

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of chunks sharing terms with the query, best first."""
        wanted = [self.columns[t] for t in dict.fromkeys(terms([query])[0]) if t in self.columns]
        if not self.count or not wanted:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores = self._scores(wanted)
        if allowed is not None:
            scores[~np.isin(self.ids, allowed)] = 0.0
        found = np.flatnonzero(scores > 0)
        if len(found) > k:
            found = found[np.argpartition(-scores[found], k - 1)[:k]]
        best = found[np.argsort(-scores[found], kind="stable")]
        return scores[best], self.ids[best]

    def _scores(self, columns: list[int]) -> np.ndarray:
        """BM25 ("lucene" variant, as bm25s): idf · tf / (tf + k1·(1 − b + b·len/avg))."""
        total = self.count
        norm = K1 * (1 - B + B * self.lengths / max(float(self.lengths.mean()), 1e-9))
        scores = np.zeros(total, np.float32)
        indptr, indices, data = (
            self.frequencies.indptr,
            self.frequencies.indices,
            self.frequencies.data,
        )
        for column in columns:
            rows = indices[indptr[column] : indptr[column + 1]]
            frequency = data[indptr[column] : indptr[column + 1]]
            idf = np.log(1 + (total - len(rows) + 0.5) / (len(rows) + 0.5))
            scores[rows] += idf * frequency / (frequency + norm[rows])
        return scores


def _rows(
    chunk_terms: list[list[str]], columns: dict[str, int], vocabulary: list[str]
) -> sparse.csr_array:
    """Term counts of some chunks as sparse rows; new terms join the vocabulary. Typed
    arrays, since a list of Python ints for 10^5 chunks would take a gigabyte."""
    rows, cols, counts = array("q"), array("q"), array("f")
    for row, found in enumerate(chunk_terms):
        for term, count in Counter(found).items():
            column = columns.setdefault(term, len(vocabulary))
            if column == len(vocabulary):
                vocabulary.append(term)
            rows.append(row)
            cols.append(column)
            counts.append(count)
    return sparse.csr_array(
        (
            np.frombuffer(counts, np.float32),
            (np.frombuffer(rows, np.int64), np.frombuffer(cols, np.int64)),
        ),
        shape=(len(chunk_terms), len(vocabulary)),
    )
