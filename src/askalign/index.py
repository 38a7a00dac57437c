"""An opened index: the catalog plus its FAISS and BM25 caches, brought in sync.

The caches carry the catalog generation they were built from (`caches.json`, written
last). Missing or stale caches are rebuilt from SQLite; a cache file that cannot be
read is an error that names it, since something outside askalign wrote it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from askalign.files import read_json, write_json_atomic
from askalign.lexical import LexicalIndex
from askalign.models import Chunk
from askalign.store import Catalog, IndexMismatchError
from askalign.vectors import FaissVectors

Cache = TypeVar("Cache", FaissVectors, LexicalIndex)
CACHES_FILE = "caches.json"
VECTORS_FILE = "vectors.faiss"
LEXICAL_DIR = "bm25"
REBUILD_HINT = "run `askalign ingest --rebuild`"


class CacheStamp(BaseModel):
    generation: int
    model_id: str
    chunks: int


def check_model(catalog: Catalog, model_id: str) -> None:
    built_with = catalog.get_meta("model_id")
    if built_with is not None and built_with != model_id:
        raise IndexMismatchError(
            f"the index at {catalog.path.parent} was built with {built_with},"
            f" but askalign now embeds with {model_id}: {REBUILD_HINT}"
        )


def caches_in_sync(index_dir: Path, catalog: Catalog) -> bool:
    stamp = read_json(index_dir / CACHES_FILE)
    return (
        stamp is not None
        and stamp.get("generation") == catalog.generation
        and (index_dir / VECTORS_FILE).exists()
        and (index_dir / LEXICAL_DIR).is_dir()
    )


def rebuild_caches(index_dir: Path, catalog: Catalog, model_id: str, dimension: int) -> None:
    chunks = catalog.chunks()
    ids, vectors = catalog.chunk_vectors(model_id, dimension)
    if len(ids) != len(chunks):
        raise IndexMismatchError(
            f"{len(chunks) - len(ids)} chunks in {catalog.path} have no embedding: {REBUILD_HINT}"
        )
    FaissVectors.build(ids, vectors).save(index_dir / VECTORS_FILE)
    lexical_ids = np.array([rowid for rowid, _ in chunks], dtype=np.int64)
    LexicalIndex.build(lexical_ids, [chunk.text for _, chunk in chunks]).save(
        index_dir / LEXICAL_DIR
    )
    stamp = CacheStamp(generation=catalog.generation, model_id=model_id, chunks=len(chunks))
    write_json_atomic(index_dir / CACHES_FILE, stamp.model_dump())


class LoadedIndex:
    """Everything retrieval reads, held in memory for the life of the process."""

    def __init__(self, index_dir: Path, catalog: Catalog, model_id: str, dimension: int) -> None:
        check_model(catalog, model_id)
        if not caches_in_sync(index_dir, catalog):
            rebuild_caches(index_dir, catalog, model_id, dimension)
        self.index_dir = index_dir
        self.catalog = catalog
        self.chunks: dict[int, Chunk] = dict(catalog.chunks())
        self.vectors = _load(index_dir / VECTORS_FILE, FaissVectors.load)
        self.lexical = _load(index_dir / LEXICAL_DIR, LexicalIndex.load)
        if self.vectors.count != len(self.chunks) or self.lexical.count != len(self.chunks):
            raise IndexMismatchError(
                f"{index_dir / CACHES_FILE} does not match {catalog.path}: {REBUILD_HINT}"
            )


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
