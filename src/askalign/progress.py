"""A progress bar for long embedding runs; silent when output is not a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class EmbeddingProgress:
    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = None

    def start(self, total: int) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task("embedding chunks", total=total)

    def advance(self, count: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, count)


@contextmanager
def embedding_progress(console: Console, *, enabled: bool) -> Iterator[EmbeddingProgress]:
    if not enabled:
        yield EmbeddingProgress(None)
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        yield EmbeddingProgress(progress)
