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
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np

from askalign.documents import Chunk, Document
from askalign.index.scope import Scope
from askalign.text.sentences import Sentence

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


def _m005_searchable_columns(db: sqlite3.Connection) -> None:
    """Speaker, role and span as columns, so an engine's scope is a query, not a scan of
    every chunk in memory; sentences take their passage's speaker and role."""
    _run_script(
        db,
        """
        ALTER TABLE chunks ADD COLUMN speaker TEXT
            GENERATED ALWAYS AS (json_extract(chunk_json, '$.speaker')) VIRTUAL;
        ALTER TABLE chunks ADD COLUMN role TEXT
            GENERATED ALWAYS AS (json_extract(chunk_json, '$.role')) VIRTUAL;
        ALTER TABLE chunks ADD COLUMN start INTEGER
            GENERATED ALWAYS AS (json_extract(chunk_json, '$.start')) VIRTUAL;
        ALTER TABLE chunks ADD COLUMN end INTEGER
            GENERATED ALWAYS AS (json_extract(chunk_json, '$.end')) VIRTUAL;
        CREATE INDEX chunks_by_speaker ON chunks(speaker);
        CREATE INDEX chunks_by_span ON chunks(doc_id, start, end, id);
        ALTER TABLE sentences ADD COLUMN speaker TEXT;
        ALTER TABLE sentences ADD COLUMN role TEXT NOT NULL DEFAULT '';
        ALTER TABLE staged_sentences ADD COLUMN speaker TEXT;
        ALTER TABLE staged_sentences ADD COLUMN role TEXT NOT NULL DEFAULT '';
        UPDATE sentences SET (speaker, role) = (
            SELECT c.speaker, c.role FROM chunks c WHERE c.doc_id = sentences.doc_id
            AND c.start < sentences.end AND c.end > sentences.start LIMIT 1);
        CREATE INDEX sentences_by_speaker ON sentences(speaker);
        CREATE INDEX chunks_by_hash ON chunks(text_hash);
        CREATE INDEX sentences_by_hash ON sentences(text_hash);
        CREATE INDEX embeddings_by_time ON embeddings(created_at);
        CREATE TABLE prunable (text_hash TEXT PRIMARY KEY) WITHOUT ROWID;
        """,
    )


def _m006_terms(db: sqlite3.Connection) -> None:
    """Each chunk's BM25 terms, kept so no ingest tokenizes an unchanged chunk again, and
    in how many chunks each term occurs, which abstention weighs a question's words by."""
    _run_script(
        db,
        """
        ALTER TABLE chunks ADD COLUMN terms TEXT NOT NULL DEFAULT '';
        ALTER TABLE staged_chunks ADD COLUMN terms TEXT NOT NULL DEFAULT '';
        CREATE TABLE term_counts (term TEXT PRIMARY KEY, chunks INTEGER NOT NULL) WITHOUT ROWID;
        """,
    )
    from askalign.text.terms import terms  # here: a no-op ingest need not load BM25

    rows = db.execute("SELECT rowid, json_extract(chunk_json, '$.text') FROM chunks").fetchall()
    joined = [" ".join(found) for found in terms([text for _, text in rows])] if rows else []
    db.executemany(
        "UPDATE chunks SET terms = ? WHERE rowid = ?",
        [(text, rowid) for text, (rowid, _) in zip(joined, rows, strict=True)],
    )
    _count_terms(db, joined, 1)


MIGRATIONS = [
    _m001_create_tables,
    _m002_sentences,
    _m003_source_keys,
    _m004_files_and_staging,
    _m005_searchable_columns,
    _m006_terms,
]
DOCUMENT_COLUMNS = (
    "id, source_key, source_file, fingerprint, chunker, document_json, source_text, ingested_at"
)
CHUNK_COLUMNS = "id, doc_id, position, text_hash, chunk_json, terms"
SENTENCE_COLUMNS = "doc_id, passage_id, start, end, text_hash, speaker, role"
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


class ChunkRow(NamedTuple):
    """A chunk as an engine indexes it."""

    rowid: int
    id: str
    doc_id: str
    speaker: str | None
    role: str
    text: str
    vector: np.ndarray


class SentenceRow(NamedTuple):
    """A sentence as an engine indexes it, with the chunks it lies in."""

    rowid: int
    doc_id: str
    speaker: str | None
    role: str
    chunk_ids: list[str]
    vector: np.ndarray


ROW_BATCH = 512  # rows read at a time when an engine syncs: memory stays flat
PRUNE_ALL_ABOVE = 1.25  # cached vectors per chunk and sentence before every one is checked


class Catalog:
    """One SQLite file; an ingest's documents reach it through `stage` and `commit_stage`."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connecting = threading.Lock()

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection: a server answers questions on several threads, and
        an SQLite connection belongs to the thread that made it."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._connect()
            self._local.db = db
            with self._connecting:
                self._connections.append(db)
        return db

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:  # WAL needs a writable -shm file; an immutable database needs none
            return sqlite3.connect(f"{self.path.as_uri()}?immutable=1", uri=True, timeout=30)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        return db

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
        with self._connecting:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

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
        if not self.read_only and self.get_meta("catalog_id") is None:
            with self.transaction():
                self.set_meta("catalog_id", uuid.uuid4().hex)

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
    def identity(self) -> str:
        """Set once when the catalog is made: engines that record it notice a catalog
        rebuilt from scratch, whose rowids and generations start again."""
        return self.get_meta("catalog_id") or ""

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
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS leaving (id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM leaving")
            self.db.executemany(
                "INSERT OR IGNORE INTO leaving VALUES (?)", [(doc_id,) for doc_id in removed_ids]
            )
            self.db.execute(
                "INSERT OR IGNORE INTO leaving SELECT id FROM documents"
                " WHERE id IN (SELECT id FROM staged_documents)"
                " OR source_key IN (SELECT source_key FROM staged_documents)"
            )
            self._count_changed_terms()
            for table in ("chunks", "sentences"):
                self.db.execute(
                    f"INSERT OR IGNORE INTO prunable SELECT text_hash FROM {table}"
                    " WHERE doc_id IN (SELECT id FROM leaving)"
                )
            self.db.execute("DELETE FROM documents WHERE id IN (SELECT id FROM leaving)")
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

    def _count_changed_terms(self) -> None:
        leaving = self.db.execute(
            "SELECT terms FROM chunks WHERE doc_id IN (SELECT id FROM leaving)"
        ).fetchall()
        arriving = self.db.execute("SELECT terms FROM staged_chunks").fetchall()
        _count_terms(self.db, [row[0] for row in leaving], -1)
        _count_terms(self.db, [row[0] for row in arriving], 1)

    def term_counts(self, wanted: Iterable[str]) -> dict[str, int]:
        """In how many chunks each term occurs (absent terms: 0)."""
        found = {}
        for term in set(wanted):
            row = self.db.execute(
                "SELECT chunks FROM term_counts WHERE term = ?", (term,)
            ).fetchone()
            found[term] = row[0] if row else 0
        return found

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
        from askalign.text.terms import terms  # here: a no-op ingest need not load BM25

        chunk_terms = terms([c.text for c in written.chunks]) if written.chunks else []
        self.db.executemany(
            f"INSERT INTO staged_chunks({CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.id, c.doc_id, c.position, c.text_hash, c.model_dump_json(), " ".join(found))
                for c, found in zip(written.chunks, chunk_terms, strict=True)
            ],
        )
        passages = {passage.id: passage for passage in document.passages}
        self.db.executemany(
            f"INSERT INTO staged_sentences({SENTENCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.doc_id,
                    s.passage_id,
                    s.start,
                    s.end,
                    s.text_hash,
                    passages[s.passage_id].speaker,
                    passages[s.passage_id].role.value,
                )
                for s in written.sentences
            ],
        )

    def chunk_ids_by_doc(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for doc_id, chunk_id in self.db.execute("SELECT doc_id, id FROM chunks"):
            found.setdefault(doc_id, set()).add(chunk_id)
        return found

    def chunks(self) -> list[tuple[int, Chunk]]:
        rows = self.db.execute("SELECT rowid, chunk_json FROM chunks ORDER BY rowid")
        return [(rowid, Chunk.model_validate_json(payload)) for rowid, payload in rows]

    def chunk(self, chunk_id: str) -> Chunk | None:
        row = self.db.execute("SELECT chunk_json FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        return Chunk.model_validate_json(row[0]) if row else None

    def sentences_of(self, doc_id: str) -> list[tuple[int, Sentence]]:
        rows = self.db.execute(
            "SELECT rowid, doc_id, passage_id, start, end, text_hash FROM sentences"
            " WHERE doc_id = ? ORDER BY start",
            (doc_id,),
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

    def sentence_document(self, rowid: int) -> str:
        row = self.db.execute("SELECT doc_id FROM sentences WHERE rowid = ?", (rowid,)).fetchone()
        if row is None:
            raise KeyError(rowid)
        return row[0]

    def speakers(self) -> list[str]:
        rows = self.db.execute("SELECT DISTINCT speaker FROM chunks WHERE speaker IS NOT NULL")
        return sorted(row[0] for row in rows)

    def speaker_rows(self) -> list[tuple[str, str, str, int]]:
        """(speaker, role, doc id, passages) for every speaker's words in each document."""
        return self.db.execute(
            "SELECT speaker, role, doc_id, COUNT(DISTINCT passage_id) FROM sentences"
            " WHERE speaker IS NOT NULL GROUP BY speaker, role, doc_id ORDER BY MIN(rowid)"
        ).fetchall()

    def document_names(self) -> list[tuple[str, str, str | None]]:
        """(id, title, author) of every document: what a question may call one by."""
        return self.db.execute(
            "SELECT id, json_extract(document_json, '$.title'),"
            " json_extract(document_json, '$.author') FROM documents ORDER BY id"
        ).fetchall()

    def document_ids(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def has_document(self, doc_id: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone())

    def documents(self) -> list[Document]:
        rows = self.db.execute("SELECT document_json, source_text FROM documents ORDER BY id")
        return [_document(payload, text) for payload, text in rows]

    def documents_from(self, source_file: str) -> list[Document]:
        rows = self.db.execute(
            "SELECT document_json, source_text FROM documents WHERE source_file = ? ORDER BY id",
            (source_file,),
        )
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

    def embeddings(self, model_id: str, dimension: int, text_hashes: list[str]) -> np.ndarray:
        """Cached vectors of these texts, in their order."""
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(text_hashes), ROW_BATCH):
            wanted = list(set(text_hashes[start : start + ROW_BATCH]))
            rows = self.db.execute(
                "SELECT text_hash, vector FROM embeddings WHERE model_id = ?"
                f" AND text_hash IN ({', '.join('?' * len(wanted))})",
                (model_id, *wanted),
            )
            found.update((text_hash, _vector(blob, dimension)) for text_hash, blob in rows)
        missing = [text_hash for text_hash in text_hashes if text_hash not in found]
        if missing:
            raise IndexMismatchError(
                f"{len(missing)} texts in {self.path} have no cached vector: run `askalign ingest`"
            )
        if not text_hashes:
            return np.zeros((0, dimension), np.float32)
        return np.vstack([found[text_hash] for text_hash in text_hashes])

    def count_embeddings_since(self, moment: str) -> int:
        """Vectors cached after the last finished ingest: the work of one that was killed."""
        return self.db.execute(
            "SELECT COUNT(*) FROM embeddings WHERE created_at > ?", (moment,)
        ).fetchone()[0]

    # --- rows for the search engines ----------------------------------------------
    def rowids(self, table: str) -> np.ndarray:
        _check_table(table)
        rows = self.db.execute(f"SELECT rowid FROM {table} ORDER BY rowid").fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64)

    def chunk_rows(
        self, model_id: str, dimension: int, rowids: np.ndarray | None = None
    ) -> Iterator[list[ChunkRow]]:
        """Chunks with their vectors, `ROW_BATCH` at a time (all of them without `rowids`)."""
        query = (
            "SELECT c.rowid, c.id, c.doc_id, c.speaker, c.role,"
            " json_extract(c.chunk_json, '$.text'), e.vector FROM chunks c"
            " CROSS JOIN embeddings e ON e.text_hash = c.text_hash AND e.model_id = ?"
        )
        for rows in self._batches(query, "c", model_id, rowids):
            yield [ChunkRow(*row[:6], _vector(row[6], dimension)) for row in rows]

    def sentence_rows(
        self, model_id: str, dimension: int, rowids: np.ndarray | None = None
    ) -> Iterator[list[SentenceRow]]:
        query = (
            "SELECT s.rowid, s.doc_id, s.speaker, s.role, e.vector FROM sentences s"
            " CROSS JOIN embeddings e ON e.text_hash = s.text_hash AND e.model_id = ?"
        )
        for rows in self._batches(query, "s", model_id, rowids):
            chunks_of = self.chunks_of_sentences(np.array([row[0] for row in rows], np.int64))
            yield [
                SentenceRow(*row[:4], chunks_of.get(row[0], []), _vector(row[4], dimension))
                for row in rows
            ]

    def vector_batches(
        self, table: str, model_id: str, dimension: int, rowids: np.ndarray | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(rowids, vectors) of `chunks` or `sentences` rows, `ROW_BATCH` at a time."""
        _check_table(table)
        query = (
            f"SELECT t.rowid, e.vector FROM {table} t"
            " CROSS JOIN embeddings e ON e.text_hash = t.text_hash AND e.model_id = ?"
        )
        for rows in self._batches(query, "t", model_id, rowids):
            yield (
                np.array([row[0] for row in rows], dtype=np.int64),
                np.vstack([_vector(row[1], dimension) for row in rows]),
            )

    def chunk_terms(self, rowids: np.ndarray) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for batch_ids, batch in self.term_batches(rowids):
            found.update(zip(batch_ids.tolist(), batch, strict=True))
        return found

    def term_batches(self, rowids: np.ndarray) -> Iterator[tuple[np.ndarray, list[list[str]]]]:
        """(rowids, each chunk's BM25 terms), `ROW_BATCH` chunks at a time."""
        for rows in self._batches("SELECT c.rowid, c.terms FROM chunks c", "c", None, rowids):
            yield (
                np.array([rowid for rowid, _ in rows], np.int64),
                [joined.split() for _, joined in rows],
            )

    def scope_rowids(self, table: str, scope: Scope) -> np.ndarray:
        """Rowids of the `chunks` or `sentences` a scope admits."""
        _check_table(table)
        where, values = ["1"], []
        for column, wanted in (
            ("speaker", scope.speakers),
            ("role", scope.roles),
            ("doc_id", scope.docs),
        ):
            if wanted is not None:
                where.append(f"{column} IN ({', '.join('?' * len(wanted))})")
                values.extend(str(value) for value in wanted)
        rows = self.db.execute(
            f"SELECT rowid FROM {table} WHERE {' AND '.join(where)} ORDER BY rowid", values
        ).fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64)

    def chunk_ids_of(self, rowids: np.ndarray) -> dict[int, str]:
        found: dict[int, str] = {}
        for rows in self._batches("SELECT c.rowid, c.id FROM chunks c", "c", None, rowids):
            found.update(rows)
        return found

    def chunks_of_sentences(self, rowids: np.ndarray) -> dict[int, list[str]]:
        """The chunks each sentence lies in (a long sentence may span two)."""
        query = (
            "SELECT s.rowid, c.id FROM sentences s JOIN chunks c ON c.doc_id = s.doc_id"
            " AND c.start < s.end AND c.end > s.start"
        )
        found: dict[int, list[str]] = {}
        for rows in self._batches(query, "s", None, rowids):
            for rowid, chunk_id in rows:
                found.setdefault(rowid, []).append(chunk_id)
        return found

    def _batches(
        self, query: str, alias: str, model_id: str | None, rowids: np.ndarray | None
    ) -> Iterator[list[tuple]]:
        """`query` (with `?` for the model id unless it is None) over the given rowids,
        or over all rows in rowid order."""
        first = () if model_id is None else (model_id,)
        if rowids is not None:
            for start in range(0, len(rowids), ROW_BATCH):
                wanted = rowids[start : start + ROW_BATCH].tolist()
                marks = ", ".join("?" * len(wanted))
                yield self.db.execute(
                    f"{query} WHERE {alias}.rowid IN ({marks}) ORDER BY {alias}.rowid",
                    (*first, *wanted),
                ).fetchall()
            return
        last = -1
        while rows := self.db.execute(
            f"{query} WHERE {alias}.rowid > ? ORDER BY {alias}.rowid LIMIT {ROW_BATCH}",
            (*first, last),
        ).fetchall():
            yield rows
            last = rows[-1][0]

    def prune_embeddings(self, model_id: str) -> int:
        """Drop cached vectors no chunk or sentence uses any more, once a new generation is
        live: a rename within one ingest still finds its vectors, and the cache stays
        bounded. Only the texts that commits let go are looked at, unless the cache has
        grown well past the rows (vectors a killed run embedded for texts since gone)."""
        cached = self.db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        rows = self.counts()[1] + self.count_sentences()
        among = "" if cached > PRUNE_ALL_ABOVE * rows + 1000 else " AND text_hash IN prunable"
        with self.transaction():
            cursor = self.db.execute(
                f"DELETE FROM embeddings WHERE model_id = ?{among}"
                " AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.text_hash = embeddings.text_hash)"
                " AND NOT EXISTS"
                " (SELECT 1 FROM sentences s WHERE s.text_hash = embeddings.text_hash)",
                (model_id,),
            )
            self.db.execute("DELETE FROM prunable")
        return cursor.rowcount


def _count_terms(db: sqlite3.Connection, joined_terms: list[str], sign: int) -> None:
    """Add (or with sign -1 take away) each chunk's distinct terms to `term_counts`."""
    counts: Counter[str] = Counter()
    for joined in joined_terms:
        counts.update(set(joined.split()))
    db.executemany(
        "INSERT INTO term_counts VALUES (?, ?)"
        " ON CONFLICT(term) DO UPDATE SET chunks = chunks + excluded.chunks",
        [(term, sign * count) for term, count in counts.items()],
    )
    if sign < 0:
        db.execute("DELETE FROM term_counts WHERE chunks <= 0")


def check_model(catalog: Catalog, model_id: str) -> None:
    built_with = catalog.get_meta("model_id")
    if built_with is not None and built_with != model_id:
        raise IndexMismatchError(
            f"the index at {catalog.path.parent} was built with {built_with},"
            f" but askalign now embeds with {model_id}: run `askalign ingest --rebuild`"
        )


def _check_table(table: str) -> None:
    if table not in ("chunks", "sentences"):
        raise ValueError(f"no rows of table {table!r}")


def _vector(blob: bytes, dimension: int) -> np.ndarray:
    vector = np.frombuffer(blob, dtype=np.float32)
    if len(vector) != dimension:
        raise IndexMismatchError(
            f"a cached vector has {len(vector)} dimensions, the model {dimension}:"
            " run `askalign ingest --rebuild`"
        )
    return vector


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
