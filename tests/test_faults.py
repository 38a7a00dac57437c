"""Faults of the disk under the index, on a real small filesystem: a full disk and a
read-only mount leave the last finished index readable, and say what happened."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.ingest.pipeline import IndexWriteError
from askalign.retrieval.open import open_index
from askalign.retrieval.search import Searcher

from .conftest import run_ingest

FIRST = "On oversight\n\nA human overseer checks the reasoning of the model step by step.\n"


@contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size`: a full disk without filling the real one."""
    path.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)])
    if mounted.returncode != 0:
        pytest.skip("mounting a small filesystem needs root (CAP_SYS_ADMIN)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def remount_read_only(path: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


def long_text() -> str:
    words = [
        "alignment",
        "agent",
        "model",
        "reward",
        "oversight",
        "human",
        "goal",
        "training",
        "policy",
        "value",
    ]
    rng = random.Random(7)
    return "A long essay\n\n" + "\n\n".join(
        " ".join(rng.choice(words) for _ in range(12)).capitalize() + f" number {n}."
        for n in range(150)
    )


def answers_from(index: Path, embedder, question: str) -> set[str]:
    loaded = open_index(index, embedder.model_id, embedder.dimension)
    answer = Assistant(Searcher(loaded, embedder)).ask(question)
    return {citation.doc_id for citation in answer.citations}


def test_a_full_disk_stops_ingest_with_a_message_and_keeps_the_last_index(
    corpus_dir: Path, tmp_path: Path, embedder
) -> None:
    (corpus_dir / "first.txt").write_text(FIRST, encoding="utf-8")
    with small_filesystem(tmp_path / "small", "600k") as disk:
        index = disk / "index"
        run_ingest(corpus_dir, index, embedder)
        (corpus_dir / "long.txt").write_text(long_text(), encoding="utf-8")
        with pytest.raises(IndexWriteError, match="the disk is full") as error:
            run_ingest(corpus_dir, index, embedder)
        assert "still holds what the last finished ingest wrote" in str(error.value)
        assert answers_from(index, embedder, "who checks the model's reasoning?") == {"first"}


def test_a_read_only_index_still_answers_and_ingest_says_why_it_cannot(
    corpus_dir: Path, tmp_path: Path, embedder
) -> None:
    (corpus_dir / "first.txt").write_text(FIRST, encoding="utf-8")
    with small_filesystem(tmp_path / "ro", "5m") as disk:
        index = disk / "index"
        run_ingest(corpus_dir, index, embedder)
        remount_read_only(disk)
        assert answers_from(index, embedder, "who checks the model's reasoning?") == {"first"}
        (corpus_dir / "second.txt").write_text("Second\n\nAnother text entirely.\n", "utf-8")
        with pytest.raises(IndexWriteError, match="cannot be written"):
            run_ingest(corpus_dir, index, embedder)
