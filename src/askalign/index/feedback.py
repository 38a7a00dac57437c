"""Thumbs up / down from the web UI, kept next to the index and never sent anywhere.

`askalign feedback` lists them, so a bad answer can become a test question. The file
survives `askalign ingest --rebuild`. The question and answer come from the browser,
so anyone who can reach a server could write anything: what is stored is clipped, and
how often, limited.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from pydantic import BaseModel

from askalign.index.rows import now

FEEDBACK_FILE = "feedback.sqlite3"
MAX_TEXT_CHARS = 4000  # a question is at most 2,000 by default; answers are a few quotes
MAX_CITATIONS = 20
MAX_CITATION_JSON = 4000


class Feedback(BaseModel):
    at: str
    question: str
    answer: str
    liked: bool
    abstained: bool
    citations: list[dict]


class FeedbackLog:
    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.path = index_dir / FEEDBACK_FILE
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS feedback (at TEXT, question TEXT, answer TEXT,"
                " liked INTEGER, abstained INTEGER, citations TEXT)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, question: str, answer: dict, liked: bool) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?, ?)",
                (
                    now(),
                    str(question)[:MAX_TEXT_CHARS],
                    str(answer.get("text", ""))[:MAX_TEXT_CHARS],
                    int(liked),
                    int(bool(answer.get("abstained"))),
                    json.dumps(_citations(answer.get("citations")), ensure_ascii=False),
                ),
            )

    def all(self) -> list[Feedback]:
        with self._connect() as db:
            rows = db.execute("SELECT * FROM feedback ORDER BY at").fetchall()
        return [
            Feedback(
                at=at,
                question=question,
                answer=answer,
                liked=bool(liked),
                abstained=bool(abstained),
                citations=json.loads(citations),
            )
            for at, question, answer, liked, abstained, citations in rows
        ]


def _citations(found: object) -> list:
    """At most MAX_CITATIONS, each small: enough to turn the answer into a test case."""
    if not isinstance(found, list):
        return []
    kept = [c for c in found[:MAX_CITATIONS] if len(json.dumps(c)) <= MAX_CITATION_JSON]
    return kept


class RateLimit:
    """A token bucket for one process: bursts of up to `per_minute`, refilled evenly,
    so a script cannot fill the disk one thumb at a time."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.tokens = float(per_minute)
        self.per_second = per_minute / 60
        self.last = time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now_s = time.monotonic()
            elapsed, self.last = now_s - self.last, now_s
            self.tokens = min(self.capacity, self.tokens + elapsed * self.per_second)
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True
