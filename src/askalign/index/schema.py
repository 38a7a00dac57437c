"""The catalog's SQLite schema as numbered migrations, run in order from the file's
`PRAGMA user_version` (the versioned-migrations style of simonw/llm): an index written
by an older askalign is brought up to date where it lies, not rebuilt for a new column.
An index past a migration never runs it again, so a released one is never edited: a
change is a new migration at the end.
"""

from __future__ import annotations

import sqlite3
from collections import Counter


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
    count_terms(db, joined, 1)


MIGRATIONS = [
    _m001_create_tables,
    _m002_sentences,
    _m003_source_keys,
    _m004_files_and_staging,
    _m005_searchable_columns,
    _m006_terms,
]
# The columns an ingest stages and `commit_stage` copies across (SQLite fills the rest).
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


def count_terms(db: sqlite3.Connection, joined_terms: list[str], sign: int) -> None:
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
