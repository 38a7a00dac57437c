"""The index catalog: SQLite is the source of truth for documents, chunks and embeddings.

Every ingest changes it in one transaction and bumps `generation`; the FAISS and BM25
files are caches stamped with the generation they were synced to: when it is stale they
are updated in place (the rows the catalog dropped removed, those it gained added), and
built afresh only when missing or unusable. So a crash at any moment leaves the old or
the new content, never a mix. Embeddings are keyed by (model, text hash): unchanged text
is never embedded twice.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterable
from pathlib import Path

from askalign.documents import Chunk, Document
from askalign.index.errors import IndexMismatchError, IndexMissingError
from askalign.index.feeds import EngineFeeds
from askalign.index.rows import FileRecord, StoredDocument, Written, now
from askalign.index.schema import (
    CHUNK_COLUMNS,
    DOCUMENT_COLUMNS,
    MIGRATIONS,
    SENTENCE_COLUMNS,
    STAGING,
    count_terms,
)
from askalign.index.vector_cache import VectorCache
from askalign.text.sentences import Sentence

CATALOG_FILE = "catalog.sqlite3"


class Catalog(EngineFeeds, VectorCache):
    """One SQLite file; an ingest's documents reach it through `stage` and `commit_stage`.
    The engines' feeds and the embedding cache are mixed in from their own modules, so
    ingest, answering and the engines hold one object on one connection per thread."""

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
        count_terms(self.db, [row[0] for row in leaving], -1)
        count_terms(self.db, [row[0] for row in arriving], 1)

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


def _document(payload: str, source_text: str) -> Document:
    document = Document.model_validate_json(payload)
    document.source_text = source_text
    return document
