"""One ingest at a time per index: a second one waits, and says what it waits for."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

LOCK_FILE = "ingest.lock"
POLL_SECONDS = 0.2


class IngestBusyError(Exception):
    pass


class IngestLock:
    def __init__(
        self, index_dir: Path, timeout_s: float, on_wait: Callable[[str], None] | None = None
    ) -> None:
        self.path = index_dir / LOCK_FILE
        self.timeout_s = timeout_s
        self.on_wait = on_wait
        self._handle = None

    def __enter__(self) -> IngestLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        deadline = time.monotonic() + self.timeout_s
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and self.on_wait:
                    self.on_wait(f"another ingest ({self._holder()}) is running; waiting for it")
                    told = True
                if time.monotonic() > deadline:
                    handle.close()
                    raise IngestBusyError(
                        f"another ingest ({self._holder()}) still holds {self.path}"
                        f" after {self.timeout_s:.0f} s: let it finish, then try again"
                    ) from None
                time.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def _holder(self) -> str:
        try:
            return self.path.read_text().strip() or "unknown process"
        except OSError:
            return "unknown process"

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


@contextmanager
def no_ingest_running(index_dir: Path) -> Iterator[bool]:
    """Yield True, holding ingests off, if none is running now; else False at once.

    A reader that loads the index under this never sees one ingest's catalog with
    another's caches. It never waits, so a server checking between questions stays quick.
    """
    try:
        fd = os.open(index_dir / LOCK_FILE, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:  # an index we cannot write to has no ingest running in it
        yield True
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        quiet = True
    except BlockingIOError:
        quiet = False
    try:
        yield quiet
    finally:
        os.close(fd)  # closing lets go of the lock
