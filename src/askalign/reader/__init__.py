"""The reader: a second, packaged model that reads a question against a sentence.

`Reader.open(mode, cache_dir)` gives a Reader or None ("off", the default, or "auto"
without the `askalign[reader]` extra), so the answer path asks `if reader:` and nothing
else. The model loads on first use and is shared by threads one call at a time; a call
that cannot get it within `wait_s` gets None, and its answer is composed without it, so
a group of users never queues behind one model (measured: 20 users, p95 23 s unbounded).
"""

from __future__ import annotations

import threading
from enum import StrEnum
from pathlib import Path

import numpy as np

from askalign.reader.model import ReaderUnavailableError, missing, model_path, require

__all__ = ["Reader", "ReaderMode", "ReaderUnavailableError", "ReaderUse"]


class ReaderMode(StrEnum):
    AUTO = "auto"  # on when its packages are installed
    ON = "on"
    OFF = "off"  # the default: on held-out questions the reader gained nothing


class ReaderUse(StrEnum):
    """What the reader did for one answer, reported on the answer."""

    READ = "read"
    BUSY = "busy"  # another answer held it past the wait: composed without it


class Reader:
    def __init__(self, cache_dir: Path, threads: int | None = None, wait_s: float = 0.05) -> None:
        self.cache_dir = cache_dir
        self.threads = threads
        self.wait_s = wait_s
        self._lock = threading.Lock()
        self._scorer = None

    @classmethod
    def open(
        cls, mode: ReaderMode, cache_dir: Path, threads: int | None = None, wait_s: float = 0.05
    ) -> Reader | None:
        mode = ReaderMode(mode)  # a plain "off" must not read as on
        if mode is ReaderMode.OFF or (mode is ReaderMode.AUTO and missing() is not None):
            return None
        require()
        return cls(cache_dir, threads, wait_s)

    def _loaded(self):
        if self._scorer is None:
            from askalign.reader.scorer import QueryLikelihood

            self._scorer = QueryLikelihood(model_path(self.cache_dir), self.threads)
        return self._scorer

    def load(self) -> None:
        """Load now (a server does, so its first answer does not wait)."""
        with self._lock:
            self._loaded()

    def score(self, question: str, passages: list[str]) -> tuple[np.ndarray, float] | None:
        """Mean log P(question token | passage) for each passage (higher reads as the
        passage the question was asked of), and the same with no passage; None when
        another answer holds the model past `wait_s`."""
        if not self._lock.acquire(timeout=self.wait_s):
            return None
        try:
            return self._loaded().score(question, passages)
        finally:
            self._lock.release()
