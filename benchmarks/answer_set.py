"""Answer a question set with one askalign version, reader off, for grading by hand
side by side (benchmarks/GRADING.md): each answer's text, abstention and citations.

Usage: python benchmarks/answer_set.py INDEX_DIR VERSION_LABEL OUT_JSONL [QUESTIONS_JSONL]
(questions default to benchmarks/thread_questions.jsonl; with PYTHONPATH pointing at
the version's src/ to answer with an older checkout)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from askalign import Assistant

THREAD_QUESTIONS = Path(__file__).with_name("thread_questions.jsonl")


def main(index: str, label: str, out: str, questions: str = str(THREAD_QUESTIONS)) -> None:
    assistant = Assistant.open(index, reader="off")
    rows = [json.loads(line) for line in Path(questions).read_text(encoding="utf-8").splitlines()]
    with open(out, "w", encoding="utf-8") as written:
        for row in rows:
            started = time.perf_counter()
            answer = assistant.ask(row["question"])
            record = {
                "id": row["id"],
                "version": label,
                "text": answer.text,
                "abstained": answer.abstained,
                "citations": [(c.speaker, c.quote) for c in answer.citations],
                "seconds": round(time.perf_counter() - started, 2),
            }
            written.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
