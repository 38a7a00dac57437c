"""The reader's cost, side by side with the answers before it, in one run: warm `ask`
latency with the reader on and off over the same questions and index, the reader's own
seconds a question at 4, 8 and 16 candidates, and a cold `askalign ask` (a new process:
wall seconds and peak memory) each way."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from askalign.assistant import Assistant
from askalign.evaluation.metrics import load_questions

CANDIDATE_COUNTS = (4, 8, 16)
COLD_RUNS = 3


class LatencyRow(BaseModel):
    setting: str
    p50_ms: float
    p95_ms: float
    questions: int


class ColdRow(BaseModel):
    setting: str
    wall_s: list[float]
    peak_rss_mb: float


class ReaderBench(BaseModel):
    warm: list[LatencyRow]
    reader_seconds: dict[int, float]  # candidates -> mean seconds a question
    cold: list[ColdRow]


def _latency(assistant: Assistant, questions: list[str], setting: str) -> LatencyRow:
    assistant.ask(questions[0])  # the first question loads what is loaded lazily
    spent = []
    for question in questions:
        started = time.perf_counter()
        assistant.ask(question)
        spent.append((time.perf_counter() - started) * 1000)
    return LatencyRow(
        setting=setting,
        p50_ms=round(statistics.median(spent), 1),
        p95_ms=round(float(np.percentile(spent, 95)), 1),
        questions=len(questions),
    )


def _reader_seconds(assistant: Assistant, questions: list[str], size: int) -> float:
    """The reader alone, on the `size` best candidates of each question."""
    composer = assistant.composer
    spent = []
    for text in questions:
        question, hits = assistant._evidence(text, assistant.intent(text), _no_filter(), 5)
        texts = composer.pool(question, hits).texts[:size]
        started = time.perf_counter()
        assistant.reader.score(text, texts)
        spent.append(time.perf_counter() - started)
    return round(statistics.mean(spent), 3)


def _no_filter():
    from askalign.retrieval.search import Filters

    return Filters()


# A cold `askalign ask` that reports its own peak memory on its last stderr line.
_COLD = """
import resource, sys
from askalign.cli import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _cold(index: Path, question: str, reader: str) -> ColdRow:
    walls, peaks = [], []
    for _ in range(COLD_RUNS):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _COLD, "ask", question, "--index", str(index), reader],
            capture_output=True,
            text=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
            check=True,
        )
        walls.append(round(time.perf_counter() - started, 2))
        peaks.append(int(done.stderr.strip().splitlines()[-1]) / 1024)
    return ColdRow(setting=reader.lstrip("-"), wall_s=walls, peak_rss_mb=round(max(peaks), 1))


def bench_reader(index: Path, questions_file: Path, limit: int = 40) -> ReaderBench:
    questions = [q.question for q in load_questions(questions_file)][:limit]
    reading = Assistant.open(index, reader="on")
    plain = Assistant.open(index, reader="off")
    warm = [_latency(plain, questions, "reader off"), _latency(reading, questions, "reader on")]
    seconds = {n: _reader_seconds(reading, questions[:10], n) for n in CANDIDATE_COUNTS}
    cold = [_cold(index, questions[0], "--no-reader"), _cold(index, questions[0], "--reader")]
    return ReaderBench(warm=warm, reader_seconds=seconds, cold=cold)
