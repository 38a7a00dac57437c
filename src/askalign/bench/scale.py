"""`askalign bench scale`: ingest and `ask` on generated corpora of 10^3 to 10^5 chunks.

The texts are synthetic (random words from a small vocabulary, numbered topics), shaped
so that every paragraph is one chunk: what grows is the index, not the realism. Each
measurement runs in a fresh process, through the public API or the CLI only, so peak
memory is its own and the harness outlives rewrites of ingest and of the embedder.

Embedding 10^5 chunks and their sentences takes about an hour on two CPU cores, so
beyond `real_up_to` chunks the index is built from seeded random unit vectors under
the real model's id: random vectors are fine for measuring the index, never for
quality. Questions are always embedded by the real model.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

if TYPE_CHECKING:
    from askalign.embedding import Embedder

QUICK_SIZES = (1_000, 10_000)
REAL_VECTORS_UP_TO = 1_000
QUESTIONS = 20
CHUNKS_PER_TEXT = 20
SENTENCES_PER_CHUNK = 5
WORDS_PER_SENTENCE = 26  # five sentences make about 150 word pieces
SEED = 1234
RANDOM_NOTE = "random vectors are fine for measuring the index, never for quality"
ADDED_TEXT = "scale-added-text.txt"
WORDS = """agent model reward policy overseer goal value training data world plan action
    human system risk safety mind belief learner signal feedback market future power
    control tool search memory theory proof test question answer problem method
    argument example case error update gradient network layer feature circuit concept
    strong weak slow fast large small early late hidden open stable simple careful
    honest clever narrow general learns predicts changes follows builds finds keeps
    shows breaks trusts guides limits checks explains rewards ignores protects"""
VOCABULARY = tuple(WORDS.split())


class ScaleRow(BaseModel):
    """One corpus size. Times in seconds unless named _ms; `_wall` includes the process
    start and imports, which is what a user waits for."""

    target_chunks: int
    engine: str = "local"
    texts: int
    chunks: int
    sentences: int
    random_vectors: bool
    build_wall: float
    build_embed_seconds: float
    build_peak_rss_mb: float
    index_mb: float
    noop_wall: float
    noop_peak_rss_mb: float
    add_wall: float
    add_embed_seconds: float  # the new text's chunks and sentences; includes model load
    add_chunks: int
    add_peak_rss_mb: float
    open_seconds: float
    warm_ask_p50_ms: float
    warm_ask_p95_ms: float
    ask_peak_rss_mb: float
    cold_ask_wall: float
    cold_ask_peak_rss_mb: float
    load_averages: list[float]  # before each step: other work on the machine skews the times


class ScaleBench(BaseModel):
    rows: list[ScaleRow]
    questions: int
    cpus: int
    note: str = RANDOM_NOTE


class RandomEmbedder:
    """Seeded random unit vectors under the real model's id and dimension, so the index
    they build loads and answers like a real one (the question is embedded for real).
    For measuring the index only: its answers mean nothing."""

    def __init__(self, seed: int = SEED) -> None:
        from askalign.embedding import Embedder

        real = Embedder()
        self.model_dir = real.model_dir
        self.model_id = real.model_id
        self.dimension = real.dimension
        self.texts_embedded = 0
        self._rng = np.random.default_rng(seed)

    def embed(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        vectors = self._rng.standard_normal((len(texts), self.dimension), dtype=np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        self.texts_embedded += len(texts)
        if on_batch:
            on_batch(len(texts))
        return vectors


class TimedEmbedder:
    """Wraps an embedder to time its embed() calls, so the embedding of a new text can
    be told apart from the rest of its ingest (a first call also loads the model)."""

    def __init__(self, inner: Embedder | RandomEmbedder) -> None:
        self.inner = inner
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def embed(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        started = time.perf_counter()
        try:
            return self.inner.embed(texts, on_batch)
        finally:
            self.seconds += time.perf_counter() - started


def _sentence(rng: random.Random, topic: int | None) -> str:
    words = rng.choices(VOCABULARY, k=WORDS_PER_SENTENCE)
    if topic is not None:
        words[2:4] = ["topic", str(topic)]
    return " ".join(words).capitalize() + "."


def synthetic_text(number: int, rng: random.Random) -> str:
    """A title, a by-line and CHUNKS_PER_TEXT headed parts of one paragraph each: a
    heading closes the section, so no chunk packs two paragraphs together."""
    lines = [f"Synthetic scale text {number}", "by Scale Bench", ""]
    for part in range(1, CHUNKS_PER_TEXT + 1):
        sentences = [_sentence(rng, number if s == 0 else None) for s in range(SENTENCES_PER_CHUNK)]
        lines += [f"Part {part} of topic {number}", "", " ".join(sentences), ""]
    return "\n".join(lines)


def write_corpus(corpus: Path, chunks: int, seed: int = SEED) -> int:
    """One .txt file per CHUNKS_PER_TEXT chunks; returns the number of files."""
    corpus.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    texts = max(1, round(chunks / CHUNKS_PER_TEXT))
    for number in range(1, texts + 1):
        (corpus / f"scale-{number:05d}.txt").write_text(synthetic_text(number, rng), "utf-8")
    return texts


def questions_for(texts: int, count: int, seed: int = SEED) -> list[str]:
    rng = random.Random(seed + 1)
    return [
        f"What does topic {rng.randint(1, texts)} say about the"
        f" {rng.choice(VOCABULARY)} and the {rng.choice(VOCABULARY)}?"
        for _ in range(count)
    ]


# Workers: each runs in its own process and prints one JSON object last.


def worker_ingest(corpus: Path, index: Path, random_vectors: bool) -> dict[str, float]:
    from askalign.embedding import Embedder
    from askalign.ingest.pipeline import ingest_with
    from askalign.settings import Settings

    settings = Settings().model_copy(update={"corpus_dir": corpus, "index_dir": index})
    embedder = TimedEmbedder(RandomEmbedder() if random_vectors else Embedder())
    report = ingest_with(settings, embedder=embedder)  # type: ignore[arg-type]  # duck-typed
    return {
        "chunks": report.chunks.added + report.chunks.unchanged,
        "added_chunks": report.chunks.added,
        "sentences": report.embedded_sentences,
        "embed_seconds": embedder.seconds,
    }


def worker_ask(index: Path, questions_file: Path) -> dict[str, float]:
    """Warm latency: the index is opened and one question asked before the clock runs."""
    from askalign.assistant import Assistant

    questions = questions_file.read_text("utf-8").splitlines()
    started = time.perf_counter()
    assistant = Assistant.open(index)
    opened = time.perf_counter()
    assistant.ask(questions[0])
    times = []
    for question in questions:
        before = time.perf_counter()
        assistant.ask(question)
        times.append((time.perf_counter() - before) * 1000)
    p50, p95 = np.percentile(times, [50, 95])
    return {"open_seconds": opened - started, "p50_ms": float(p50), "p95_ms": float(p95)}


class Run(BaseModel):
    wall: float
    peak_rss_mb: float
    stdout: str


def run_process(args: list[str], engine_spec: str = "local") -> Run:
    """A fresh process, its wall time and its own peak RSS (wait4 reports this one
    child, where RUSAGE_CHILDREN would keep the largest of all children so far)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        environment = os.environ | {"ASKALIGN_STORE": engine_spec}
        process = subprocess.Popen(args, stdout=out, stderr=err, env=environment)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            tail = err.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(args[:4])} … exited {process.returncode}: {tail}")
        return Run(wall=wall, peak_rss_mb=usage.ru_maxrss / 1024, stdout=out.read().decode())


def _worker(engine_spec: str, *args: str) -> tuple[Run, dict[str, float]]:
    run = run_process([sys.executable, "-m", "askalign.bench.scale", *args], engine_spec)
    return run, json.loads(run.stdout.strip().splitlines()[-1])


def _cli(engine_spec: str, *args: str) -> Run:
    return run_process([sys.executable, "-m", "askalign", *args], engine_spec)


def _size_mb(directory: Path) -> float:
    return sum(f.stat().st_size for f in directory.rglob("*") if f.is_file()) / 2**20


def measure_size(
    work: Path,
    target: int,
    real_up_to: int,
    questions: int,
    on_step: Callable[[str], None],
    engine: str = "local",
) -> ScaleRow:
    corpus, index = work / "corpus", work / "index"
    engine_spec = "local" if engine == "local" else f"milvus:{work / 'milvus.db'}"
    texts = write_corpus(corpus, target)
    questions_file = work / "questions.txt"
    asked = questions_for(texts, questions)
    questions_file.write_text("\n".join(asked), "utf-8")
    random_vectors = target > real_up_to
    vectors = "random" if random_vectors else "real"
    loads: list[float] = []

    def step(name: str) -> None:
        loads.append(round(os.getloadavg()[0], 2))
        on_step(f"{target:,} chunks: {name} (load average {loads[-1]})")

    step(f"building the index from {texts} texts ({vectors} vectors)")
    build, built = _worker(engine_spec, "ingest", str(corpus), str(index), str(int(random_vectors)))
    index_mb = _size_mb(index)
    step("no-op re-ingest")
    noop = _cli(engine_spec, "ingest", "--corpus", str(corpus), "--index", str(index), "--json")
    step(f"{questions} warm questions")
    ask, warm = _worker(engine_spec, "ask", str(index), str(questions_file))
    step("one cold question")
    cold = _cli(engine_spec, "ask", asked[0], "--index", str(index), "--json")
    step(f"adding one {CHUNKS_PER_TEXT}-chunk text")
    (corpus / ADDED_TEXT).write_text(synthetic_text(texts + 1, random.Random(SEED - 1)), "utf-8")
    add, added = _worker(engine_spec, "ingest", str(corpus), str(index), "0")
    return ScaleRow(
        target_chunks=target,
        engine=engine,
        texts=texts,
        chunks=int(built["chunks"]),
        sentences=int(built["sentences"]),
        random_vectors=random_vectors,
        build_wall=build.wall,
        build_embed_seconds=built["embed_seconds"],
        build_peak_rss_mb=build.peak_rss_mb,
        index_mb=index_mb,
        noop_wall=noop.wall,
        noop_peak_rss_mb=noop.peak_rss_mb,
        add_wall=add.wall,
        add_embed_seconds=added["embed_seconds"],
        add_chunks=int(added["added_chunks"]),
        add_peak_rss_mb=add.peak_rss_mb,
        open_seconds=warm["open_seconds"],
        warm_ask_p50_ms=warm["p50_ms"],
        warm_ask_p95_ms=warm["p95_ms"],
        ask_peak_rss_mb=ask.peak_rss_mb,
        cold_ask_wall=cold.wall,
        cold_ask_peak_rss_mb=cold.peak_rss_mb,
        load_averages=loads,
    )


def bench_scale(
    sizes: list[int],
    *,
    real_up_to: int = REAL_VECTORS_UP_TO,
    questions: int = QUESTIONS,
    workdir: Path | None = None,
    keep: bool = False,
    on_step: Callable[[str], None] = lambda _: None,
    engine: str = "local",
) -> ScaleBench:
    """Each size in its own scratch folder under workdir (a temp dir by default),
    removed afterwards unless keep. `engine`: local, or milvus (a Milvus Lite file per
    size)."""
    scratch = Path(tempfile.mkdtemp(prefix="askalign-scale-", dir=workdir))
    try:
        rows = [
            measure_size(scratch / f"chunks-{size}", size, real_up_to, questions, on_step, engine)
            for size in sizes
        ]
    finally:
        if keep:
            on_step(f"kept the corpora and indexes in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return ScaleBench(rows=rows, questions=questions, cpus=os.cpu_count() or 0)


def main(argv: list[str]) -> None:
    name, *args = argv
    if name == "ingest":
        result = worker_ingest(Path(args[0]), Path(args[1]), random_vectors=args[2] == "1")
    else:
        result = worker_ask(Path(args[0]), Path(args[1]))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
