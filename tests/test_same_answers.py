"""Moving code must not move answers: our own questions, answered on the shipped corpus,
give the same text and the same citations as the snapshot taken before the move.

An intended change to answering updates the snapshot on purpose:
`ASKALIGN_UPDATE_SNAPSHOT=1 pytest tests/test_same_answers.py`, and the diff of
`tests/data/answer_snapshot.jsonl` shows what the change did to every answer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
QUESTION_FILES = [DATA / "dev_questions.jsonl", DATA / "paraphrase_questions.jsonl"]
SNAPSHOT = DATA / "answer_snapshot.jsonl"


def our_questions() -> list[dict]:
    rows = []
    for path in QUESTION_FILES:
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return rows


def answer_record(assistant, row: dict) -> dict:
    answer = assistant.ask(row["question"])
    return {
        "id": row["id"],
        "text": answer.text,
        "abstained": answer.abstained,
        "citations": [
            [citation.doc_id, citation.start, citation.end, citation.speaker]
            for citation in answer.citations
        ],
    }


def test_answers_are_unchanged_from_the_snapshot(assistant) -> None:
    records = [answer_record(assistant, row) for row in our_questions()]
    if os.environ.get("ASKALIGN_UPDATE_SNAPSHOT") == "1":
        lines = [json.dumps(record, ensure_ascii=False) for record in records]
        SNAPSHOT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        pytest.skip("snapshot written; review its diff before committing")
    expected = {
        record["id"]: record
        for record in map(json.loads, SNAPSHOT.read_text(encoding="utf-8").splitlines())
    }
    assert [record["id"] for record in records] == list(expected)
    changed = [record["id"] for record in records if record != expected[record["id"]]]
    assert changed == [], f"{len(changed)} of {len(records)} answers changed: {changed}"
