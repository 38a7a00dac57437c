"""Thumbs up / down from the web UI, kept next to the index and never sent anywhere.

`askalign feedback` lists them, so a bad answer can become a test question. The file
survives `askalign ingest --rebuild`.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pydantic import BaseModel

from askalign.store import now

FEEDBACK_FILE = "feedback.sqlite3"


class Feedback(BaseModel):
    at: str
    question: str
    answer: str
    liked: bool
    abstained: bool
    citations: list[dict]


class FeedbackStore:
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
                    question,
                    answer.get("text", ""),
                    int(liked),
                    int(bool(answer.get("abstained"))),
                    json.dumps(answer.get("citations", []), ensure_ascii=False),
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
