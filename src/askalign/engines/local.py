"""The local engine: FAISS and BM25 files beside the catalog, on one machine.

Rows are keyed by catalog rowids, which SQLite never reuses (AUTOINCREMENT), so
bringing the files in line with a new catalog generation is a difference of id sets:
remove the rowids the catalog dropped, add the ones it gained, in place. Nothing is
rebuilt unless the files are missing, unreadable or were built with another model.
The stamp (`caches.json`) is written last, so a crash leaves files that the next
`sync` finds stale and brings in line.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
from pydantic import BaseModel

from askalign.engines.base import SENTENCE_CANDIDATES, Progress, Ranked, Scope, SyncReport
from askalign.files import read_json, write_json_atomic
from askalign.index.contract import ChunkSource
from askalign.index.errors import IndexMismatchError, check_model

if TYPE_CHECKING:  # FAISS, scipy and bm25s load when there is work: a no-op ingest has none
    from askalign.engines.bm25 import LexicalIndex
    from askalign.engines.vectors import FaissVectors

CACHES_FILE = "caches.json"
VECTORS_FILE = "vectors.faiss"
SENTENCE_VECTORS_FILE = "sentences.faiss"
LEXICAL_DIR = "bm25"
REBUILD_HINT = "run `askalign ingest --rebuild`"

Loaded = TypeVar("Loaded")


FORMAT = 2  # 2: BM25 as term frequencies, IVF past `vectors.IVF_FROM` vectors


class CacheStamp(BaseModel):
    format: int = FORMAT
    catalog_id: str = ""
    generation: int
    model_id: str
    chunks: int
    sentences: int = 0


class LocalEngine:
    name = "local"

    def __init__(self, index_dir: Path, model_id: str, dimension: int) -> None:
        self.index_dir = index_dir
        self.model_id = model_id
        self.dimension = dimension
        self._catalog: ChunkSource | None = None
        self.chunk_vectors: FaissVectors | None = None
        self.sentence_vectors: FaissVectors | None = None
        self.bm25: LexicalIndex | None = None

    def describe(self) -> str:
        return f"local (FAISS and BM25 files in {self.index_dir})"

    # --- keeping in line with the catalog ----------------------------------------
    def in_sync(self, catalog: ChunkSource) -> bool:
        stamp = read_json(self.index_dir / CACHES_FILE)
        return (
            self._fits(stamp, catalog)
            and stamp is not None
            and stamp.get("generation") == catalog.generation
            and all((self.index_dir / name).exists() for name in _FILES)
        )

    def _fits(self, stamp: dict | None, catalog: ChunkSource) -> bool:
        """Files this engine can update in place: this model, format and catalog."""
        return (
            stamp is not None
            and stamp.get("model_id") == self.model_id
            and stamp.get("format") == FORMAT
            and stamp.get("catalog_id") == catalog.identity
        )

    def sync(self, catalog: ChunkSource, progress: Progress | None = None) -> SyncReport:
        check_model(catalog, self.model_id)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        rebuild = not self._fits(read_json(self.index_dir / CACHES_FILE), catalog)
        if rebuild:  # files of another model or catalog go; a killed build keeps its files
            for name in _FILES:
                _remove(self.index_dir / name)
            self._stamp(catalog, generation=-1)
        report = SyncReport(rebuilt=rebuild)
        wanted = {table: catalog.rowids(table) for table in ("chunks", "sentences")}
        for table, file in (("chunks", VECTORS_FILE), ("sentences", SENTENCE_VECTORS_FILE)):
            added, removed = self._sync_vectors(catalog, table, wanted[table], file, progress)
            setattr(report, f"{table}_added", added)
            setattr(report, f"{table}_removed", removed)
        self._sync_lexical(catalog, wanted["chunks"])
        self._stamp(catalog, generation=catalog.generation)
        return report

    def _stamp(self, catalog: ChunkSource, generation: int) -> None:
        stamp = CacheStamp(
            catalog_id=catalog.identity,
            generation=generation,
            model_id=self.model_id,
            chunks=catalog.counts()[1],
            sentences=catalog.count_sentences(),
        )
        write_json_atomic(self.index_dir / CACHES_FILE, stamp.model_dump())

    def _sync_vectors(
        self,
        catalog: ChunkSource,
        table: str,
        wanted: np.ndarray,
        file: str,
        progress: Progress | None,
    ) -> tuple[int, int]:
        """`wanted`: the rowids the catalog holds now."""
        from askalign.engines.vectors import IVF_FROM, FaissVectors

        path = self.index_dir / file
        held = _load(path, FaissVectors.load) if path.exists() else None
        if held is None or (not held.approximate and len(wanted) >= 2 * IVF_FROM):
            held = self._fresh(catalog, table, wanted)  # also: past IVF_FROM, retrain
        held_ids = held.held_ids()
        removed = np.setdiff1d(held_ids, wanted, assume_unique=True)
        added = np.setdiff1d(wanted, held_ids, assume_unique=True)
        held.remove(removed)
        done = 0
        for rowids, vectors in catalog.vector_batches(table, self.model_id, self.dimension, added):
            held.add(rowids, vectors)
            done += len(rowids)
            if progress:
                progress(table, done, len(added))
        if held.count != len(wanted):
            raise IndexMismatchError(
                f"{len(wanted) - held.count} {table} in {catalog.path} have no embedding:"
                f" {REBUILD_HINT}"
            )
        if len(added) or len(removed) or not path.exists():
            held.save(path)
        return len(added), len(removed)

    def _fresh(self, catalog: ChunkSource, table: str, wanted: np.ndarray) -> FaissVectors:
        """An empty index of the right layout; an IVF one trained on a spread sample."""
        from askalign.engines.vectors import IVF_FROM, TRAIN_PER_LIST, FaissVectors, ivf_lists

        sample = None
        if len(wanted) >= IVF_FROM:
            step = max(len(wanted) // (ivf_lists(len(wanted)) * TRAIN_PER_LIST), 1)
            batches = catalog.vector_batches(table, self.model_id, self.dimension, wanted[::step])
            sample = np.vstack([vectors for _, vectors in batches])
        return FaissVectors.empty(self.dimension, len(wanted), sample)

    def _sync_lexical(self, catalog: ChunkSource, wanted: np.ndarray) -> None:
        from askalign.engines.bm25 import LexicalIndex

        path = self.index_dir / LEXICAL_DIR
        held = _load(path, LexicalIndex.load) if path.is_dir() else LexicalIndex.empty()
        added = np.setdiff1d(wanted, held.ids)
        removed = np.setdiff1d(held.ids, wanted)
        if len(added) or len(removed) or not path.is_dir():
            held.updated(removed, catalog.term_batches(added)).save(path)

    # --- searching ----------------------------------------------------------------
    def open(self, catalog: ChunkSource) -> LocalEngine:
        """Map the files for searching (pages come in as questions touch them)."""
        self._catalog = catalog
        self.chunk_vectors = _load(self.index_dir / VECTORS_FILE, _mapped_vectors)
        self.sentence_vectors = _load(self.index_dir / SENTENCE_VECTORS_FILE, _mapped_vectors)
        self.bm25 = _load(self.index_dir / LEXICAL_DIR, _mapped_lexical)
        self._allowed.cache_clear()
        return self

    def count(self) -> int:
        return self._searching()[0].count

    def dense(self, vector: np.ndarray, k: int, scope: Scope) -> Ranked:
        vectors, _, _ = self._searching()
        return self._keyed(*vectors.search(vector, k, self._allowed("chunks", scope)))

    def lexical(self, query: str, k: int, scope: Scope) -> Ranked:
        _, _, bm25 = self._searching()
        return self._keyed(*bm25.search(query, k, self._allowed("chunks", scope)))

    def by_sentence(self, vector: np.ndarray, k: int, scope: Scope) -> Ranked:
        _, sentences, _ = self._searching()
        scores, rowids = sentences.search(
            vector, SENTENCE_CANDIDATES, self._allowed("sentences", scope)
        )
        chunks_of = self._catalog_open().chunks_of_sentences(rowids)
        best: dict[str, float] = {}
        for score, rowid in zip(scores.tolist(), rowids.tolist(), strict=True):
            for chunk_id in chunks_of.get(rowid, []):
                best.setdefault(chunk_id, score)
        return list(best.items())[:k]

    def close(self) -> None:
        self.chunk_vectors = self.sentence_vectors = self.bm25 = None

    @lru_cache(maxsize=64)  # noqa: B019  # scopes repeat (a speaker, comments); one engine a process
    def _allowed(self, table: str, scope: Scope) -> np.ndarray | None:
        return None if scope.everything else self._catalog_open().scope_rowids(table, scope)

    def _keyed(self, scores: np.ndarray, rowids: np.ndarray) -> Ranked:
        ids = self._catalog_open().chunk_ids_of(rowids)
        return [
            (ids[rowid], float(score))
            for score, rowid in zip(scores.tolist(), rowids.tolist(), strict=True)
            if rowid in ids
        ]

    def _searching(self) -> tuple[FaissVectors, FaissVectors, LexicalIndex]:
        if self.chunk_vectors is None or self.sentence_vectors is None or self.bm25 is None:
            raise RuntimeError("LocalEngine.open(catalog) first")
        return self.chunk_vectors, self.sentence_vectors, self.bm25

    def _catalog_open(self) -> ChunkSource:
        if self._catalog is None:
            raise RuntimeError("LocalEngine.open(catalog) first")
        return self._catalog


_FILES = (VECTORS_FILE, SENTENCE_VECTORS_FILE, LEXICAL_DIR)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _mapped_vectors(path: Path) -> FaissVectors:
    from askalign.engines.vectors import FaissVectors

    return FaissVectors.load(path, mapped=True)


def _mapped_lexical(path: Path) -> LexicalIndex:
    from askalign.engines.bm25 import LexicalIndex

    return LexicalIndex.load(path, mapped=True)


def _load(path: Path, loader: Callable[[Path], Loaded]) -> Loaded:
    try:
        return loader(path)
    except Exception as error:  # faiss raises RuntimeError, numpy ValueError/OSError
        raise IndexMismatchError(f"{path} cannot be read ({error}): {REBUILD_HINT}") from error
