"""Kill `askalign ingest` with SIGKILL at random moments; count what survives.

Each round starts an ingest of the corpus into one index (new texts each round, so
there is always work to interrupt), kills it after a random delay, and checks that the
index still opens: the old content, or the new. A last run must finish, index every
text and leave the caches in sync. A second part kills a first ingest at 60 % of its
measured length and reports the share of texts the re-run still had to embed.

    .venv/bin/python benchmarks/kill_ingest.py --rounds 20
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def askalign(*args: str, index: Path, corpus: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"ASKALIGN_INDEX_DIR": str(index), "ASKALIGN_CORPUS_DIR": str(corpus)}
    return subprocess.run(
        [sys.executable, "-m", "askalign", *args], capture_output=True, text=True, env=env
    )


def killed_ingest(index: Path, corpus: Path, after_s: float) -> None:
    env = os.environ | {"ASKALIGN_INDEX_DIR": str(index), "ASKALIGN_CORPUS_DIR": str(corpus)}
    process = subprocess.Popen(
        [sys.executable, "-m", "askalign", "ingest", "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(after_s)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


def opens(index: Path, corpus: Path) -> bool:
    """`status` reads the catalog; a torn index would fail to."""
    status = askalign("status", "--json", index=index, corpus=corpus)
    return status.returncode == 0 or "no index" in status.stderr


def add_round_text(corpus: Path, round_number: int) -> None:
    source = sorted(CORPUS.glob("*.txt"))[round_number % 3].read_text(encoding="utf-8")
    changed = source.replace(". ", f". (round {round_number}) ", 40)
    (corpus / f"round-{round_number}.txt").write_text(changed, encoding="utf-8")


def random_kills(rounds: int, max_delay_s: float, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        corpus, index = Path(scratch) / "corpus", Path(scratch) / "index"
        shutil.copytree(CORPUS, corpus)
        survived = 0
        for round_number in range(rounds):
            add_round_text(corpus, round_number)
            killed_ingest(index, corpus, rng.uniform(0.5, max_delay_s))
            survived += opens(index, corpus)
        final = askalign("ingest", "--json", index=index, corpus=corpus)
        report = json.loads(final.stdout)
        status = json.loads(askalign("status", "--json", index=index, corpus=corpus).stdout)
        texts = len([p for p in corpus.iterdir() if p.suffix == ".txt"])
    return {
        "kills": rounds,
        "index_opened_after_kill": survived,
        "final_ingest_exit": final.returncode,
        "documents": status["documents"],
        "texts": texts,
        "caches_in_sync": status["caches_in_sync"],
        "final_embedded": report["embedded"] + report["embedded_sentences"],
    }


def kill_at_share(share: float) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus"
        shutil.copytree(CORPUS, corpus)
        started = time.perf_counter()
        full = json.loads(
            askalign("ingest", "--json", index=Path(scratch) / "a", corpus=corpus).stdout
        )
        full_s = time.perf_counter() - started
        total = full["embedded"] + full["embedded_sentences"]
        index = Path(scratch) / "b"
        killed_ingest(index, corpus, share * full_s)
        rerun = json.loads(askalign("ingest", "--json", index=index, corpus=corpus).stdout)
        left = rerun["embedded"] + rerun["embedded_sentences"]
    return {
        "full_ingest_s": round(full_s, 1),
        "killed_at_s": round(share * full_s, 1),
        "texts_to_embed": total,
        "rerun_embedded": left,
        "rerun_share": round(left / total, 3),
        "resumed": rerun["resumed"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--max-delay", type=float, default=20.0, help="seconds")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    result = {
        "random_kills": random_kills(arguments.rounds, arguments.max_delay, arguments.seed),
        "kill_at_60_percent": kill_at_share(0.6),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
