"""The embedding cache inside the catalog: vectors keyed by (model, text hash), so
unchanged text is never embedded twice, a renamed file finds its vectors again, and a
killed ingest's embedding work survives it. Vectors are stored as float32 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from askalign.index.database import ROW_BATCH, Database
from askalign.index.errors import IndexMismatchError
from askalign.index.rows import now

PRUNE_ALL_ABOVE = 1.25  # cached vectors per chunk and sentence before every one is checked


class VectorCache(Database):
    """The `embeddings` table, as part of `Catalog`."""

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
            found.update((text_hash, decode_vector(blob, dimension)) for text_hash, blob in rows)
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

    def prune_embeddings(self, model_id: str) -> int:
        """Drop cached vectors no chunk or sentence uses any more, once a new generation is
        live: a rename within one ingest still finds its vectors, and the cache stays
        bounded. Only the texts that commits let go are looked at, unless the cache has
        grown well past the rows (vectors a killed run embedded for texts since gone)."""
        cached = self.db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        rows = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM chunks) + (SELECT COUNT(*) FROM sentences)"
        ).fetchone()[0]
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


def decode_vector(blob: bytes, dimension: int) -> np.ndarray:
    """A cached vector; one of another length means the index was built by another model."""
    vector = np.frombuffer(blob, dtype=np.float32)
    if len(vector) != dimension:
        raise IndexMismatchError(
            f"a cached vector has {len(vector)} dimensions, the model {dimension}:"
            " run `askalign ingest --rebuild`"
        )
    return vector
