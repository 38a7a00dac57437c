"""What the search engines read from the catalog to build and sync their indexes: rows
keyed by catalog rowid, with their vectors, terms and scope fields, a batch at a time,
so an engine syncs 10^6 rows in bounded memory and reads only the rows it lacks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from askalign.index.database import ROW_BATCH, Database
from askalign.index.rows import ChunkRow, SentenceRow
from askalign.index.scope import Scope
from askalign.index.vector_cache import decode_vector


class EngineFeeds(Database):
    """The engines' side of `ChunkSource`, as part of `Catalog`."""

    def rowids(self, table: str) -> np.ndarray:
        _check_table(table)
        rows = self.db.execute(f"SELECT rowid FROM {table} ORDER BY rowid").fetchall()
        return np.array([row[0] for row in rows], dtype=np.int64)

    def chunk_rowids(self) -> dict[str, int]:
        """Every chunk's rowid by its id: an engine keyed by chunk id sees a chunk that was
        rewritten under the same id by its new rowid."""
        return dict(self.db.execute("SELECT id, rowid FROM chunks").fetchall())

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
            yield [ChunkRow(*row[:6], decode_vector(row[6], dimension)) for row in rows]

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
                SentenceRow(*row[:4], chunks_of.get(row[0], []), decode_vector(row[4], dimension))
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
                np.vstack([decode_vector(row[1], dimension) for row in rows]),
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


def _check_table(table: str) -> None:
    """Table names are put into the SQL itself: only the two that hold rows pass."""
    if table not in ("chunks", "sentences"):
        raise ValueError(f"no rows of table {table!r}")
