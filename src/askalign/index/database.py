"""The catalog's SQLite file as every part of the catalog reaches it: a connection per
thread, since a server answers questions on several threads and an SQLite connection
belongs to the thread that made it, and transactions that take the write lock at once.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

ROW_BATCH = 512  # rows read at a time when an engine syncs: memory stays flat


class Database:
    """One SQLite file; `Catalog` builds on it."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connecting = threading.Lock()

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection."""
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

    def close(self) -> None:
        with self._connecting:
            for db in self._connections:
                db.close()
            self._connections.clear()
        self._local = threading.local()

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    """`BEGIN IMMEDIATE`: a writer waits (the busy timeout) for the write lock up front,
    not at its first write, where a stale read snapshot would fail it at once."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")
