"""Progress for long ingests: texts read (a dataset file streams 10^5 articles) and
chunks embedded. Silent when output is not a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from askalign.documents import Document


class IngestProgress:
    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = None
        self._reading = None
        self._indexing: dict[str, object] = {}

    def read(self, document: Document) -> None:
        """One more text read; the count has no total, as a stream has none up front."""
        if self._progress is None:
            return
        if self._reading is None:
            self._reading = self._progress.add_task("reading texts", total=None)
        self._progress.update(self._reading, advance=1, description="texts read")

    def more(self, count: int) -> None:
        """Texts to embed arrive a batch at a time, as documents stream past."""
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task("embedding", total=count)
        else:
            total = self._progress.tasks[self._task].total or 0
            self._progress.update(self._task, total=total + count)

    def advance(self, count: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, count)

    def index(self, what: str, done: int, total: int) -> None:
        """Rows the search engine has taken in (`chunks`, `sentences`)."""
        if self._progress is None:
            return
        if what not in self._indexing:
            self._indexing[what] = self._progress.add_task(f"indexing {what}", total=total)
        self._progress.update(self._indexing[what], completed=done, total=total)


@contextmanager
def ingest_progress(console: Console, *, enabled: bool) -> Iterator[IngestProgress]:
    if not enabled:
        yield IngestProgress(None)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield IngestProgress(progress)
