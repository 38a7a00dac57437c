"""A deadline for the whole answer, whatever the model. Its calls run on a worker
thread and the answer waits on them only until the deadline: a read that is still
waiting then (a server that sends a byte a second, or nothing at all) no longer holds
the question, nor one of a server's answer slots. The worker stops at the next piece
it is given, or when the model's own timeout ends the call."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from askalign.llm.client import LlmUnavailableError

T = TypeVar("T")


def within(deadline: float, produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """The items `produce()` yields, each as soon as it comes, until `deadline` (a
    `time.monotonic()` value); past it, LlmUnavailableError("timeout"). What `produce`
    raises is raised here."""
    items: queue.SimpleQueue[tuple[bool, object]] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        produced: Iterator[T] | None = None
        try:
            produced = produce()
            for item in produced:
                items.put((True, item))
                if stop.is_set():
                    break
            items.put((False, None))
        except Exception as error:  # raised again on the caller's side
            items.put((False, error))
        finally:
            close = getattr(produced, "close", None)  # a generator: its connection closes
            if close is not None:
                close()

    threading.Thread(target=work, name="askalign-model", daemon=True).start()
    try:
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise queue.Empty
                more, value = items.get(timeout=left)
            except queue.Empty:
                raise LlmUnavailableError("timeout", "no whole reply by the deadline") from None
            if not more:
                if isinstance(value, Exception):
                    raise value
                return
            yield value  # type: ignore[misc]
    finally:
        stop.set()
