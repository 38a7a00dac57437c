"""The index catalog: SQLite is the source of truth for documents, chunks and embeddings.

Every ingest changes it in one transaction and bumps `generation`; the FAISS and BM25
files are caches stamped with the generation they were built from, rebuilt whenever
they are missing or stale. So a crash at any moment leaves the old or the new content,
never a mix. Embeddings are keyed by (model, text hash): unchanged text is never
embedded twice.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from askalign.models import Chunk, Document
from askalign.sentences import Sentence

CATALOG_FILE = "catalog.sqlite3"


class IndexProblem(Exception):
    """The index cannot be used as it is; the message says what to run."""


class IndexMissingError(IndexProblem):
    pass


class IndexMismatchError(IndexProblem):
    pass


def _m001_create_tables(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            source_file TEXT NOT NULL UNIQUE,  -- renamed source_key by m003
            fingerprint TEXT NOT NULL,
            chunker TEXT NOT NULL,
            document_json TEXT NOT NULL,
            source_text TEXT NOT NULL,
            ingested_at TEXT NOT NULL
        );
        CREATE TABLE chunks (
            rowid INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            text_hash TEXT NOT NULL,
            chunk_json TEXT NOT NULL
        );
        CREATE INDEX chunks_by_doc ON chunks(doc_id, position);
        CREATE TABLE embeddings (
            model_id TEXT NOT NULL,
            text_hash TEXT NOT NULL,
            vector BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (model_id, text_hash)
        );
        """,
    )


def _m002_sentences(db: sqlite3.Connection) -> None:
    """Sentences of every passage, their vectors in `embeddings` under their text hash."""
    _run_script(
        db,
        """
        CREATE TABLE sentences (
            rowid INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            passage_id TEXT NOT NULL,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            text_hash TEXT NOT NULL
        );
        CREATE INDEX sentences_by_doc ON sentences(doc_id, start);
        """,
    )


def _m003_source_keys(db: sqlite3.Connection) -> None:
    """A file of many articles (JSON Lines) holds many documents: each is keyed by
    `file#record`, a single-document file by its name as before."""
    db.execute("ALTER TABLE documents RENAME COLUMN source_file TO source_key")


def _m004_files_and_staging(db: sqlite3.Connection) -> None:
    """Each file as last read, so an unchanged one is not parsed again; each document's
    file, to find what an unchanged file holds; and staging tables that an ingest fills
    batch by batch, so memory stays flat, before one transaction swaps them in."""
    _run_script(
        db,
        """
        ALTER TABLE documents ADD COLUMN source_file TEXT NOT NULL DEFAULT '';
        UPDATE documents SET source_file = json_extract(document_json, '$.source_file');
        CREATE INDEX documents_by_file ON documents(source_file);
        CREATE TABLE files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            content_hash TEXT NOT NULL,
            reading TEXT NOT NULL
        );
        CREATE TABLE staged_documents AS SELECT * FROM documents WHERE 0;
        CREATE TABLE staged_chunks AS
            SELECT id, doc_id, position, text_hash, chunk_json FROM chunks WHERE 0;
        CREATE TABLE staged_sentences AS
            SELECT doc_id, passage_id, start, end, text_hash FROM sentences WHERE 0;
        """,
    )


MIGRATIONS = [_m001_create_tables, _m002_sentences, _m003_source_keys, _m004_files_and_staging]
DOCUMENT_COLUMNS = (
    "id, source_key, source_file, fingerprint, chunker, document_json, source_text, ingested_at"
)
CHUNK_COLUMNS = "id, doc_id, position, text_hash, chunk_json"
SENTENCE_COLUMNS = "doc_id, passage_id, start, end, text_hash"
STAGING = ("staged_documents", "staged_chunks", "staged_sentences")


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Statement by statement: `executescript` would commit the migration's transaction."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Written(NamedTuple):
    """A new or changed document with everything derived from it."""

    document: Document
    chunks: list[Chunk]
    sentences: list[Sentence]
    fingerprint: str
    chunker: str


class StoredDocument(NamedTuple):
    id: str
    source_key: str
    source_file: str
    fingerprint: str
    chunker: str


class FileRecord(NamedTuple):
    """A corpus file as last read: unchanged size, mtime (or bytes) and reading mean
    its documents in the catalog are still right."""

    path: str
    size: int
    mtime_ns: int
    content_hash: str
    reading: str  # how it was read: parser code, chunker settings, its catalog entry


class Catalog:
    """One SQLite file; an ingest's documents reach it through `stage` and `commit_stage`."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only:  # WAL needs a writable -shm file; an immutable database needs none
            self.db = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True, timeout=30)
            return
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")

    @classmethod
    def open(cls, index_dir: Path, *, create: bool) -> Catalog:
        """A directory askalign may not write (a read-only mount, a shared copy) opens
        read-only: it still answers questions."""
        path = index_dir / CATALOG_FILE
        if not path.exists() and not create:
            raise IndexMissingError(f"no index at {index_dir}: run `askalign ingest` to build it")
        index_dir.mkdir(parents=True, exist_ok=True)
        read_only = not create and not os.access(index_dir, os.W_OK)
        try:
            catalog = cls(path.resolve(), read_only=read_only)
            catalog._migrate()
        except sqlite3.DatabaseError as error:
            raise IndexMismatchError(
                f"{path} is not a readable askalign index ({error}):"
                " run `askalign ingest --rebuild`"
            ) from error
        return catalog

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise IndexMismatchError(
                f"{self.path} was written by a newer askalign (schema {version}):"
                " upgrade askalign, or run `askalign ingest --rebuild`"
            )
        if self.read_only and version < len(MIGRATIONS):
            raise IndexMismatchError(
                f"{self.path} was written by an older askalign and its directory is read-only:"
                " run `askalign ingest` where the index can be written, once"
            )
        for number, migration in enumerate(MIGRATIONS[version:], version + 1):
            with self.transaction():
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)

    # --- meta -----------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation") or 0)

    # --- documents and chunks -----------------------------------------------
    def stored_documents(self) -> dict[str, StoredDocument]:
        rows = self.db.execute(
            "SELECT id, source_key, source_file, fingerprint, chunker FROM documents"
        )
        return {row[1]: StoredDocument(*row) for row in rows}

    def files(self) -> dict[str, FileRecord]:
        rows = self.db.execute("SELECT path, size, mtime_ns, content_hash, reading FROM files")
        return {row[0]: FileRecord(*row) for row in rows}

    # --- an ingest: staged batch by batch, swapped in at once -------------------
    def clear_stage(self) -> None:
        """What a killed ingest staged is re-staged from its files (their vectors stay)."""
        with self.transaction():
            for table in STAGING:
                self.db.execute(f"DELETE FROM {table}")

    def stage(self, documents: list[Written]) -> None:
        with self.transaction():
            for written in documents:
                self._stage_document(written)

    def commit_stage(
        self,
        removed_ids: Iterable[str],
        files: list[FileRecord],
        gone_files: Iterable[str],
        meta: dict[str, str],
    ) -> None:
        """Swap the staged documents in, drop removed ones, record the files as read and
        bump the generation: all or nothing, so readers see the old index or the new."""
        with self.transaction():
            for doc_id in removed_ids:
                self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self.db.execute(
                "DELETE FROM documents WHERE id IN (SELECT id FROM staged_documents)"
                " OR source_key IN (SELECT source_key FROM staged_documents)"
            )
            for table, columns in (
                ("documents", DOCUMENT_COLUMNS),
                ("chunks", CHUNK_COLUMNS),
                ("sentences", SENTENCE_COLUMNS),
            ):
                self.db.execute(
                    f"INSERT INTO {table}({columns})"
                    f" SELECT {columns} FROM staged_{table} ORDER BY rowid"
                )
                self.db.execute(f"DELETE FROM staged_{table}")
            self._record_files(files, gone_files)
            for key, value in meta.items():
                self.set_meta(key, value)
            self.set_meta("generation", str(self.generation + 1))

    def record_files(self, files: list[FileRecord], gone_files: Iterable[str]) -> None:
        """Touched but unchanged files: their new mtimes, so the next run need not hash."""
        with self.transaction():
            self._record_files(files, gone_files)

    def _record_files(self, files: list[FileRecord], gone_files: Iterable[str]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)", [tuple(f) for f in files]
        )
        self.db.executemany("DELETE FROM files WHERE path = ?", [(path,) for path in gone_files])

    def _stage_document(self, written: Written) -> None:
        document = written.document
        self.db.execute(
            f"INSERT INTO staged_documents({DOCUMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document.id,
                document.source_key,
                document.source_file,
                written.fingerprint,
                written.chunker,
                document.model_dump_json(),
                document.source_text,
                now(),
            ),
        )
        self.db.executemany(
            f"INSERT INTO staged_chunks({CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            [
                (c.id, c.doc_id, c.position, c.text_hash, c.model_dump_json())
                for c in written.chunks
            ],
        )
        self.db.executemany(
            f"INSERT INTO staged_sentences({SENTENCE_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
            [(s.doc_id, s.passage_id, s.start, s.end, s.text_hash) for s in written.sentences],
        )

    def chunk_ids_by_doc(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for doc_id, chunk_id in self.db.execute("SELECT doc_id, id FROM chunks"):
            found.setdefault(doc_id, set()).add(chunk_id)
        return found

    def chunks(self) -> list[tuple[int, Chunk]]:
        rows = self.db.execute("SELECT rowid, chunk_json FROM chunks ORDER BY rowid")
        return [(rowid, Chunk.model_validate_json(payload)) for rowid, payload in rows]

    def sentences(self) -> list[tuple[int, Sentence]]:
        rows = self.db.execute(
            "SELECT rowid, doc_id, passage_id, start, end, text_hash FROM sentences"
            " ORDER BY doc_id, start"
        )
        return [
            (
                row[0],
                Sentence(
                    doc_id=row[1], passage_id=row[2], start=row[3], end=row[4], text_hash=row[5]
                ),
            )
            for row in rows
        ]

    def documents(self) -> list[Document]:
        rows = self.db.execute("SELECT document_json, source_text FROM documents ORDER BY id")
        return [_document(payload, text) for payload, text in rows]

    def document(self, doc_id: str) -> Document | None:
        row = self.db.execute(
            "SELECT document_json, source_text FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return _document(*row) if row else None

    def count_sentences(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM sentences").fetchone()[0]

    def counts(self) -> tuple[int, int]:
        documents = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        chunks = self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return documents, chunks

    # --- embeddings -----------------------------------------------------------
    def missing_embeddings(self, model_id: str, text_hashes: Iterable[str]) -> set[str]:
        """Looked up per hash: the cache may hold 10^5 vectors, a batch asks about few."""
        return {
            text_hash
            for text_hash in set(text_hashes)
            if self.db.execute(
                "SELECT 1 FROM embeddings WHERE model_id = ? AND text_hash = ?",
                (model_id, text_hash),
            ).fetchone()
            is None
        }

    def save_embeddings(self, model_id: str, text_hashes: list[str], vectors: np.ndarray) -> None:
        created = now()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                [
                    (model_id, text_hash, vector.astype(np.float32).tobytes(), created)
                    for text_hash, vector in zip(text_hashes, vectors, strict=True)
                ],
            )

    def count_embeddings_since(self, moment: str) -> int:
        """Vectors cached after the last finished ingest: the work of one that was killed."""
        return self.db.execute(
            "SELECT COUNT(*) FROM embeddings WHERE created_at > ?", (moment,)
        ).fetchone()[0]

    def vectors(self, table: str, model_id: str, dimension: int) -> tuple[np.ndarray, np.ndarray]:
        """(rowids, their vectors) for every row of `chunks` or `sentences`, in rowid order."""
        if table not in ("chunks", "sentences"):
            raise ValueError(f"no vectors for table {table!r}")
        rows = self.db.execute(
            f"SELECT t.rowid, e.vector FROM {table} t JOIN embeddings e"
            " ON e.text_hash = t.text_hash AND e.model_id = ? ORDER BY t.rowid",
            (model_id,),
        ).fetchall()
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
        return ids, vectors.reshape(len(rows), dimension)

    def prune_embeddings(self, model_id: str) -> int:
        """Drop cached vectors no chunk or sentence uses any more, once a new generation is live:
        a rename within one ingest still finds its vectors, and the cache stays bounded."""
        with self.transaction():
            cursor = self.db.execute(
                "DELETE FROM embeddings WHERE model_id = ? AND text_hash NOT IN"
                " (SELECT text_hash FROM chunks UNION SELECT text_hash FROM sentences)",
                (model_id,),
            )
        return cursor.rowcount


def _document(payload: str, source_text: str) -> Document:
    document = Document.model_validate_json(payload)
    document.source_text = source_text
    return document


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
