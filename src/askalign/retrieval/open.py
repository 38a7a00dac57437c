"""An opened index: the catalog, read through a shelf, and a search engine in line
with it. Opening is cheap at any corpus size: nothing is read whole.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pydantic import BaseModel

from askalign.engines import SearchEngine, open_engine
from askalign.index.catalog import CATALOG_FILE, Catalog
from askalign.index.errors import IndexMismatchError, IndexProblem, check_model
from askalign.index.shelf import Shelf


def check_sentences(catalog: Catalog) -> None:
    """An index written before sentences were stored answers nothing well: say so."""
    _, chunks = catalog.counts()
    if chunks and not catalog.count_sentences():
        raise IndexMismatchError(
            f"the index at {catalog.path.parent} was built by an earlier askalign without"
            " sentence vectors: run `askalign ingest` to bring it up to date"
        )


def index_version(index_dir: Path, engine: SearchEngine) -> tuple[int, int, str] | None:
    """What a running server compares to see a new ingest: the catalog file (a rebuild
    makes a new one), its generation and commit time. None while the engine lags the
    catalog, that is while an ingest is between its commit and its sync."""
    path = index_dir / CATALOG_FILE
    try:
        inode = path.stat().st_ino
        catalog = Catalog.open(index_dir, create=False)
    except (OSError, IndexProblem):
        return None
    try:
        if not engine.in_sync(catalog):
            return None
        return inode, catalog.generation, catalog.get_meta("last_ingest") or ""
    except sqlite3.Error:
        return None
    finally:
        catalog.close()


class OpenIndex:
    """What retrieval and answers read, for the life of the process."""

    def __init__(
        self, index_dir: Path, catalog: Catalog, engine: SearchEngine, model_id: str, dimension: int
    ) -> None:
        check_model(catalog, model_id)
        check_sentences(catalog)
        if not engine.in_sync(catalog):
            if catalog.read_only:
                raise IndexMismatchError(
                    f"the search files of {index_dir} lag its catalog and the directory is"
                    " read-only: run `askalign ingest` where the index can be written"
                )
            engine.sync(catalog)
        self.index_dir = index_dir
        self.catalog = catalog
        self.engine = engine.open(catalog)
        self.shelf = Shelf(catalog, model_id, dimension)


def open_index(
    index_dir: Path,
    model_id: str,
    dimension: int,
    engine_spec: str = "local",
    token: str | None = None,
) -> OpenIndex:
    """A built index for searching; a missing or stale one says what to run."""
    catalog = Catalog.open(index_dir, create=False)
    engine = open_engine(engine_spec, index_dir, model_id, dimension, token)
    return OpenIndex(index_dir, catalog, engine, model_id, dimension)


class IndexStatus(BaseModel):
    index_dir: str
    engine: str
    documents: int
    chunks: int
    searchable_chunks: int | None
    model_id: str | None
    generation: int
    last_ingest: str | None
    size_bytes: int
    caches_in_sync: bool


def index_status(
    index_dir: Path, engine_spec: str = "local", token: str | None = None
) -> IndexStatus:
    """What the catalog holds, and whether the engine `engine_spec` names holds the same."""
    catalog = Catalog.open(index_dir, create=False)
    try:
        documents, chunks = catalog.counts()
        model_id = catalog.get_meta("model_id") or ""
        dimension = int(catalog.get_meta("dimension") or 0)
        engine = open_engine(engine_spec, index_dir, model_id, dimension, token)
        in_sync = engine.in_sync(catalog)
        return IndexStatus(
            index_dir=str(index_dir),
            engine=engine.describe(),
            documents=documents,
            chunks=chunks,
            searchable_chunks=engine.open(catalog).count() if in_sync else None,
            model_id=catalog.get_meta("model_id"),
            generation=catalog.generation,
            last_ingest=catalog.get_meta("last_ingest"),
            size_bytes=sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()),
            caches_in_sync=in_sync,
        )
    finally:
        catalog.close()
