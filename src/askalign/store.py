"""The index catalog: SQLite is the source of truth for documents, chunks and embeddings.

Every ingest changes it in one transaction and bumps `generation`; the FAISS and BM25
files are caches stamped with the generation they were built from, rebuilt whenever
they are missing or stale. So a crash at any moment leaves the old or the new content,
never a mix. Embeddings are keyed by (model, text hash): unchanged text is never
embedded twice.
"""

from __future__ import annotations

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


MIGRATIONS = [_m001_create_tables, _m002_sentences, _m003_source_keys]


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
    fingerprint: str
    chunker: str

    def comes_from(self, source_file: str) -> bool:
        return self.source_key == source_file or self.source_key.startswith(f"{source_file}#")


class Catalog:
    """One SQLite file; all writes of an ingest go through `replace_documents`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = FULL")

    @classmethod
    def open(cls, index_dir: Path, *, create: bool) -> Catalog:
        path = index_dir / CATALOG_FILE
        if not path.exists() and not create:
            raise IndexMissingError(f"no index at {index_dir}: run `askalign ingest` to build it")
        index_dir.mkdir(parents=True, exist_ok=True)
        try:
            catalog = cls(path)
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
        rows = self.db.execute("SELECT id, source_key, fingerprint, chunker FROM documents")
        return {row[1]: StoredDocument(*row) for row in rows}

    def replace_documents(
        self,
        documents: list[Written],
        removed_ids: Iterable[str],
        meta: dict[str, str],
    ) -> None:
        """Write new and changed documents, drop removed ones, bump the generation:
        all or nothing."""
        with self.transaction():
            for doc_id in removed_ids:
                self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            for written in documents:
                self._write_document(written)
            for key, value in meta.items():
                self.set_meta(key, value)
            self.set_meta("generation", str(self.generation + 1))

    def _write_document(self, written: Written) -> None:
        document = written.document
        self.db.execute(
            "DELETE FROM documents WHERE id = ? OR source_key = ?",
            (document.id, document.source_key),
        )
        self.db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                document.id,
                document.source_key,
                written.fingerprint,
                written.chunker,
                document.model_dump_json(),
                document.source_text,
                now(),
            ),
        )
        self.db.executemany(
            "INSERT INTO chunks(id, doc_id, position, text_hash, chunk_json)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (c.id, c.doc_id, c.position, c.text_hash, c.model_dump_json())
                for c in written.chunks
            ],
        )
        self.db.executemany(
            "INSERT INTO sentences(doc_id, passage_id, start, end, text_hash)"
            " VALUES (?, ?, ?, ?, ?)",
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
        wanted = set(text_hashes)
        have = {
            row[0]
            for row in self.db.execute(
                "SELECT text_hash FROM embeddings WHERE model_id = ?", (model_id,)
            )
        }
        return wanted - have

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
