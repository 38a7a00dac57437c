"""This working tree (reader off and on) against an earlier version, side by side in one
run, on the same questions and the same machine: each version builds its own index from
`corpus/` and answers every question through its own `Assistant`; all are scored by
this tree's `askalign.evaluation`, so the metrics are the same code for each.

    .venv/bin/python benchmarks/compare_versions.py --base 3575dae \\
        --questions tests/data/paraphrase_questions.jsonl ../shared/eval/questions.jsonl

`--reader off` (or `on`) runs both versions with the reader so, and only so.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pydantic import BaseModel

from askalign.evaluation import (
    UNANSWERABLE,
    EvalQuestion,
    cited_evidence,
    evidence_recall,
    first_rank,
    load_questions,
    rank_metrics,
)

ROOT = Path(__file__).resolve().parent.parent
# Runs inside the version under test (its own src on PYTHONPATH): answers every question.
RUNNER = """
import json, sys, time
from askalign.assistant import Assistant
assistant = Assistant.open(sys.argv[1])
found = {}
for question in json.load(sys.stdin):
    started = time.perf_counter()
    answer = assistant.ask(question, k=5)
    found[question] = {
        "abstained": answer.abstained,
        "quotes": [c.quote for c in answer.citations],
        "hits": [h.text for h in answer.hits[:5]],
        "ms": (time.perf_counter() - started) * 1000,
    }
json.dump(found, sys.stdout)
"""


class Scores(BaseModel):
    coverage: float
    mrr: float
    cited_evidence: float
    first_quote_evidence: float
    false_abstention: float
    unanswerable_caught: float
    latency_p50_ms: float


def answers(src: Path, index: Path, questions: list[str], reader: str = "auto") -> dict[str, dict]:
    env = os.environ | {
        "PYTHONPATH": str(src),
        "HF_HUB_OFFLINE": "1",
        "ASKALIGN_INDEX_DIR": str(index),
        "ASKALIGN_READER": reader,  # versions before the reader ignore it
    }
    subprocess.run(
        [sys.executable, "-c", "from askalign.cli import app; app()", "ingest"],
        env=env, check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(index)],
        env=env, check=True, capture_output=True, text=True, input=json.dumps(questions),
        cwd=ROOT,
    )  # fmt: skip
    return json.loads(done.stdout)


def score(questions: list[EvalQuestion], found: dict[str, dict]) -> Scores:
    answerable = [q for q in questions if q.kind != UNANSWERABLE]
    unanswerable = [q for q in questions if q.kind == UNANSWERABLE]
    ranks = [first_rank(found[q.question]["hits"], q.evidence) for q in answerable]
    latencies = sorted(found[q.question]["ms"] for q in questions)

    def share(values: list[bool] | list[float]) -> float:
        return round(sum(values) / len(values), 3) if values else 0.0

    return Scores(
        coverage=share(
            [evidence_recall(found[q.question]["hits"], q.evidence) for q in answerable]
        ),
        mrr=rank_metrics(ranks)[1],
        cited_evidence=share(
            [
                not found[q.question]["abstained"]
                and cited_evidence(found[q.question]["quotes"], q.evidence)
                for q in answerable
            ]
        ),
        first_quote_evidence=share(
            [
                not found[q.question]["abstained"]
                and cited_evidence(found[q.question]["quotes"][:1], q.evidence)
                for q in answerable
            ]
        ),
        false_abstention=share([found[q.question]["abstained"] for q in answerable]),
        unanswerable_caught=share([found[q.question]["abstained"] for q in unanswerable]),
        latency_p50_ms=round(latencies[len(latencies) // 2], 1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="git ref of the earlier version")
    parser.add_argument("--questions", type=Path, nargs="+", required=True)
    parser.add_argument(
        "--reader", choices=["off", "on"], help="both versions with the reader off (or on) only"
    )
    args = parser.parse_args()
    readers = [args.reader] if args.reader else ["off", "on"]

    sets = {path.name: load_questions(path) for path in args.questions}
    asked = list(dict.fromkeys(q.question for qs in sets.values() for q in qs))
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp) / "base"
        subprocess.run(["git", "worktree", "add", "-q", str(base), args.base], cwd=ROOT, check=True)
        try:
            before = answers(base / "src", Path(temp) / "base-index", asked, args.reader or "auto")
            runs = {
                reader: answers(ROOT / "src", Path(temp) / "now-index", asked, reader)
                for reader in readers
            }
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=True
            )
    for name, questions in sets.items():
        old = score(questions, before)
        new = {reader: score(questions, found) for reader, found in runs.items()}
        shown = " | ".join(f"reader {reader}" for reader in readers)
        print(f"\n{name} ({len(questions)} questions): {args.base} | this tree, {shown}")
        for metric, was in old.model_dump().items():
            cells = []
            for scores in new.values():
                value = getattr(scores, metric)
                cells.append(f"{value:<7} ({value / was:.2f}x)" if was else f"{value:<7} (-)")
            print(f"  {metric:22s} {was:>8} | {' | '.join(cells)}")


if __name__ == "__main__":
    main()
