"""An opened index: the catalog plus its FAISS and BM25 caches, brought in sync.

The caches carry the catalog generation they were built from (`caches.json`, written
last). Missing or stale caches are rebuilt from SQLite; a cache file that cannot be
read is an error that names it, since something outside askalign wrote it.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from askalign.files import read_json, write_json_atomic
from askalign.lexical import LexicalIndex
from askalign.models import Chunk
from askalign.sentences import Sentence
from askalign.store import CATALOG_FILE, Catalog, IndexMismatchError, IndexProblem
from askalign.vectors import FaissVectors

Cache = TypeVar("Cache", FaissVectors, LexicalIndex)
CACHES_FILE = "caches.json"
VECTORS_FILE = "vectors.faiss"
SENTENCE_VECTORS_FILE = "sentences.faiss"
LEXICAL_DIR = "bm25"
REBUILD_HINT = "run `askalign ingest --rebuild`"


class CacheStamp(BaseModel):
    generation: int
    model_id: str
    chunks: int
    sentences: int = 0


def check_model(catalog: Catalog, model_id: str) -> None:
    built_with = catalog.get_meta("model_id")
    if built_with is not None and built_with != model_id:
        raise IndexMismatchError(
            f"the index at {catalog.path.parent} was built with {built_with},"
            f" but askalign now embeds with {model_id}: {REBUILD_HINT}"
        )


def check_sentences(catalog: Catalog) -> None:
    """An index written before sentences were stored answers nothing well: say so."""
    _, chunks = catalog.counts()
    if chunks and not catalog.count_sentences():
        raise IndexMismatchError(
            f"the index at {catalog.path.parent} was built by an earlier askalign without"
            " sentence vectors: run `askalign ingest` to bring it up to date"
        )


def caches_in_sync(index_dir: Path, catalog: Catalog) -> bool:
    stamp = read_json(index_dir / CACHES_FILE)
    return (
        stamp is not None
        and stamp.get("generation") == catalog.generation
        and (index_dir / VECTORS_FILE).exists()
        and (index_dir / SENTENCE_VECTORS_FILE).exists()
        and (index_dir / LEXICAL_DIR).is_dir()
    )


def index_version(index_dir: Path) -> tuple[int, int, str] | None:
    """What a running server compares to see a new ingest: the catalog file (a rebuild
    makes a new one), its generation and commit time. None while the caches lag the
    catalog, that is while an ingest is between its commit and its caches."""
    path = index_dir / CATALOG_FILE
    try:
        inode = path.stat().st_ino
        catalog = Catalog.open(index_dir, create=False)
    except (OSError, IndexProblem):
        return None
    try:
        if not caches_in_sync(index_dir, catalog):
            return None
        return inode, catalog.generation, catalog.get_meta("last_ingest") or ""
    except sqlite3.Error:
        return None
    finally:
        catalog.close()


def rebuild_caches(index_dir: Path, catalog: Catalog, model_id: str, dimension: int) -> None:
    chunks = catalog.chunks()
    sentences = catalog.count_sentences()
    for table, count, file in (
        ("chunks", len(chunks), VECTORS_FILE),
        ("sentences", sentences, SENTENCE_VECTORS_FILE),
    ):
        ids, vectors = catalog.vectors(table, model_id, dimension)
        if len(ids) != count:
            raise IndexMismatchError(
                f"{count - len(ids)} {table} in {catalog.path} have no embedding: {REBUILD_HINT}"
            )
        FaissVectors.build(ids, vectors).save(index_dir / file)
    lexical_ids = np.array([rowid for rowid, _ in chunks], dtype=np.int64)
    LexicalIndex.build(lexical_ids, [chunk.text for _, chunk in chunks]).save(
        index_dir / LEXICAL_DIR
    )
    stamp = CacheStamp(
        generation=catalog.generation, model_id=model_id, chunks=len(chunks), sentences=sentences
    )
    write_json_atomic(index_dir / CACHES_FILE, stamp.model_dump())


class LoadedIndex:
    """Everything retrieval reads, held in memory for the life of the process."""

    def __init__(self, index_dir: Path, catalog: Catalog, model_id: str, dimension: int) -> None:
        check_model(catalog, model_id)
        check_sentences(catalog)
        if not caches_in_sync(index_dir, catalog):
            rebuild_caches(index_dir, catalog, model_id, dimension)
        self.index_dir = index_dir
        self.catalog = catalog
        self.chunks: dict[int, Chunk] = dict(catalog.chunks())
        self.vectors = _load(index_dir / VECTORS_FILE, FaissVectors.load)
        self.lexical = _load(index_dir / LEXICAL_DIR, LexicalIndex.load)
        self.sentences = SentenceTable(
            catalog.sentences(), _load(index_dir / SENTENCE_VECTORS_FILE, FaissVectors.load)
        )
        if (
            self.vectors.count != len(self.chunks)
            or self.lexical.count != len(self.chunks)
            or self.sentences.vectors.count != len(self.sentences.rows)
        ):
            raise IndexMismatchError(
                f"{index_dir / CACHES_FILE} does not match {catalog.path}: {REBUILD_HINT}"
            )
        self.sentences.attach(self.chunks)


class SentenceTable:
    """Every sentence with its vector, and which chunks each one lies in."""

    def __init__(self, rows: list[tuple[int, Sentence]], vectors: FaissVectors) -> None:
        self.rows: dict[int, Sentence] = dict(rows)
        self.vectors = vectors
        self._by_doc: dict[str, list[int]] = {}
        self._starts: dict[str, list[int]] = {}
        self._position: dict[int, int] = {}
        for rowid, sentence in rows:  # rows come sorted by (doc, start)
            in_doc = self._by_doc.setdefault(sentence.doc_id, [])
            self._position[rowid] = len(in_doc)
            in_doc.append(rowid)
            self._starts.setdefault(sentence.doc_id, []).append(sentence.start)
        self.chunk_of: dict[int, list[int]] = {}
        self.of_chunk: dict[int, list[int]] = {}

    def attach(self, chunks: dict[int, Chunk]) -> None:
        """Link sentences and the chunks they overlap (a long sentence may span two)."""
        for chunk_rowid, chunk in chunks.items():
            inside = self.overlapping(chunk.doc_id, chunk.start, chunk.end)
            self.of_chunk[chunk_rowid] = inside
            for rowid in inside:
                self.chunk_of.setdefault(rowid, []).append(chunk_rowid)

    def overlapping(self, doc_id: str, start: int, end: int) -> list[int]:
        rowids = self._by_doc.get(doc_id, [])
        first = max(bisect_right(self._starts.get(doc_id, []), start) - 1, 0)
        found = []
        for rowid in rowids[first:]:
            sentence = self.rows[rowid]
            if sentence.start >= end:
                break
            if sentence.end > start:
                found.append(rowid)
        return found

    def neighbours(self, rowid: int) -> tuple[int | None, int | None]:
        """The sentences before and after this one in its passage."""
        sentence = self.rows[rowid]
        rowids = self._by_doc[sentence.doc_id]
        at = self._position[rowid]
        before = rowids[at - 1] if at > 0 else None
        after = rowids[at + 1] if at + 1 < len(rowids) else None
        return self._same_passage(before, sentence), self._same_passage(after, sentence)

    def _same_passage(self, rowid: int | None, sentence: Sentence) -> int | None:
        if rowid is None or self.rows[rowid].passage_id != sentence.passage_id:
            return None
        return rowid

    def vectors_of(self, rowids: list[int]) -> np.ndarray:
        if not rowids:
            return np.zeros((0, self.vectors.index.d), np.float32)
        return np.vstack([self.vectors.index.reconstruct(int(r)) for r in rowids])


def _load(path: Path, loader: Callable[[Path], Cache]) -> Cache:
    try:
        return loader(path)
    except Exception as error:  # faiss raises RuntimeError, bm25s ValueError/OSError
        raise IndexMismatchError(f"{path} cannot be read ({error}): {REBUILD_HINT}") from error


class IndexStatus(BaseModel):
    index_dir: str
    documents: int
    chunks: int
    model_id: str | None
    generation: int
    last_ingest: str | None
    size_bytes: int
    caches_in_sync: bool


def index_status(index_dir: Path) -> IndexStatus:
    catalog = Catalog.open(index_dir, create=False)
    try:
        documents, chunks = catalog.counts()
        return IndexStatus(
            index_dir=str(index_dir),
            documents=documents,
            chunks=chunks,
            model_id=catalog.get_meta("model_id"),
            generation=catalog.generation,
            last_ingest=catalog.get_meta("last_ingest"),
            size_bytes=sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()),
            caches_in_sync=caches_in_sync(index_dir, catalog),
        )
    finally:
        catalog.close()
