"""Incremental, crash-safe ingest on real parts: the packaged model, FAISS, SQLite."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from askalign.documents import Chunk
from askalign.index.errors import IndexMismatchError
from askalign.index.lock import LOCK_FILE, IngestLock, no_ingest_running
from askalign.retrieval.llama import ChunkRetriever
from askalign.retrieval.open import OpenIndex, index_status, open_index
from askalign.retrieval.search import Filters, Searcher

from .conftest import LESSWRONG_PAGE, run_ingest

ESSAY_A = """On corrigibility

An agent is corrigible when it lets its overseers correct it, even against its goals.

A corrigible agent does not manipulate the people who oversee it.

Shutdown buttons are the simplest test of this property.
"""
ESSAY_B = """Reward hacking

Reward hacking is when a policy finds an unintended way to score well.

Specification gaming examples include boats that spin in circles for points.
"""


def loaded(index: Path, embedder) -> OpenIndex:
    return open_index(index, embedder.model_id, embedder.dimension)


def every_chunk(index: Path, embedder) -> list[Chunk]:
    catalog = loaded(index, embedder).catalog
    ids = catalog.chunk_ids_of(catalog.rowids("chunks"))
    return [catalog.chunk(chunk_id) for chunk_id in ids.values()]


def doc_ids(index: Path, embedder) -> set[str]:
    return {chunk.doc_id for chunk in every_chunk(index, embedder)}


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


def test_add_change_delete_rename(corpus_dir: Path, index_dir: Path, embedder) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    first = run_ingest(corpus_dir, index_dir, embedder)
    assert (first.documents.added, first.embedded) == (1, first.chunks.added)

    (corpus_dir / "b.txt").write_text(ESSAY_B, encoding="utf-8")
    before = embedder.texts_embedded
    added = run_ingest(corpus_dir, index_dir, embedder)
    assert (added.documents.added, added.documents.unchanged) == (1, 1)
    assert added.embedded == added.chunks.added
    assert added.embedded + added.embedded_sentences == embedder.texts_embedded - before

    changed_text = ESSAY_A.replace("Shutdown buttons are", "An off-switch is")
    (corpus_dir / "a.txt").write_text(changed_text, encoding="utf-8")
    changed = run_ingest(corpus_dir, index_dir, embedder)
    assert changed.documents.updated == 1
    assert 0 < changed.embedded <= changed.chunks.added < first.chunks.added + 1
    assert changed.chunks.removed == changed.chunks.added

    (corpus_dir / "b.txt").rename(corpus_dir / "b-renamed.txt")
    renamed = run_ingest(corpus_dir, index_dir, embedder)
    assert (renamed.documents.added, renamed.documents.removed, renamed.embedded) == (1, 1, 0)

    (corpus_dir / "b-renamed.txt").unlink()
    deleted = run_ingest(corpus_dir, index_dir, embedder)
    assert deleted.documents.removed == 1
    assert doc_ids(index_dir, embedder) == {"a"}
    texts = " ".join(c.text for c in every_chunk(index_dir, embedder))
    assert "off-switch" in texts and "Shutdown buttons" not in texts
    with sqlite3.connect(index_dir / "catalog.sqlite3") as db:  # vectors nobody uses are pruned
        cached = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
        used = db.execute(
            "SELECT COUNT(*) FROM"
            " (SELECT text_hash FROM chunks UNION SELECT text_hash FROM sentences)"
        ).fetchone()[0]
    assert cached == used


def test_noop_reingest_embeds_nothing_and_loads_no_model(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    from askalign.embedding import Embedder

    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    fresh = Embedder()
    report = run_ingest(corpus_dir, index_dir, fresh)
    assert report.embedded == 0 and report.documents.unchanged == 1
    assert "_model" not in fresh.__dict__
    assert index_status(index_dir).caches_in_sync


def test_failed_file_keeps_its_indexed_content(corpus_dir: Path, index_dir: Path, embedder) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    (corpus_dir / "b.txt").write_text(ESSAY_B, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    (corpus_dir / "b.txt").write_bytes(b"\x00\x01binary now")
    (corpus_dir / "c.pdf").write_bytes(b"%PDF")
    report = run_ingest(corpus_dir, index_dir, embedder)
    assert {problem.file for problem in report.failed} == {"b.txt", "c.pdf"}
    assert report.documents.removed == 0
    assert doc_ids(index_dir, embedder) == {"a", "b"}


def test_retriever_speaks_llama_index_and_filters_by_speaker(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    (corpus_dir / "page.txt").write_text(LESSWRONG_PAGE, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    searcher = Searcher(loaded(index_dir, embedder), embedder)
    nodes = ChunkRetriever(searcher, k=3).retrieve("what is corrigibility?")
    assert nodes and nodes[0].node.metadata["doc_id"] == "page"
    filtered = ChunkRetriever(searcher, k=5, filters=Filters(speaker="Carol C")).retrieve(
        "incentives"
    )
    assert filtered and {n.node.metadata["speaker"] for n in filtered} == {"Carol C"}


def ingest_subprocess(corpus: Path, index: Path, **env: str) -> subprocess.CompletedProcess:
    environment = (
        os.environ | {"ASKALIGN_CORPUS_DIR": str(corpus), "ASKALIGN_INDEX_DIR": str(index)} | env
    )
    return subprocess.run(
        [sys.executable, "-m", "askalign", "ingest", "--json"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize("stage", ["embedded", "committed", "cached"])
def test_kill_9_leaves_old_or_new_content_and_the_next_ingest_finishes(
    stage: str,
    corpus_dir: Path,
    index_dir: Path,
    embedder,
) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    (corpus_dir / "b.txt").write_text(ESSAY_B, encoding="utf-8")
    crashed = ingest_subprocess(corpus_dir, index_dir, ASKALIGN_TEST_CRASH_AT=stage)
    assert crashed.returncode == -9, crashed.stderr
    assert doc_ids(index_dir, embedder) in ({"a"}, {"a", "b"})
    hits = Searcher(loaded(index_dir, embedder), embedder).search("corrigible overseers", k=2)
    assert hits and hits[0].chunk.doc_id == "a"
    finished = run_ingest(corpus_dir, index_dir, embedder)
    assert doc_ids(index_dir, embedder) == {"a", "b"}
    assert finished.embedded == 0  # the crashed run's embeddings were kept
    assert index_status(index_dir).caches_in_sync


def test_a_second_ingest_waits_then_says_one_is_running(corpus_dir: Path, index_dir: Path) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    with IngestLock(index_dir, timeout_s=0):
        result = ingest_subprocess(corpus_dir, index_dir, ASKALIGN_LOCK_TIMEOUT_S="0.5")
    assert result.returncode == 2
    assert "another ingest" in result.stderr and "is running" in result.stderr


def test_corrupt_or_foreign_index_files_name_themselves(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    (index_dir / "vectors.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(IndexMismatchError, match=r"vectors\.faiss.*askalign ingest --rebuild"):
        loaded(index_dir, embedder)

    shutil.copy(corpus_dir / "a.txt", index_dir / "catalog.sqlite3")
    with pytest.raises(IndexMismatchError, match=r"catalog\.sqlite3.*askalign ingest --rebuild"):
        loaded(index_dir, embedder)

    report = run_ingest(corpus_dir, index_dir, embedder, rebuild=True)
    assert report.documents.added == 1
    assert doc_ids(index_dir, embedder) == {"a"}


def test_an_index_built_with_another_model_says_to_reingest(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    with sqlite3.connect(index_dir / "catalog.sqlite3") as db:
        db.execute("UPDATE meta SET value = 'some/other-model' WHERE key = 'model_id'")
    with pytest.raises(IndexMismatchError, match=r"some/other-model.*--rebuild"):
        loaded(index_dir, embedder)


def test_an_index_from_before_sentences_says_to_ingest_and_ingest_upgrades_it(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    with sqlite3.connect(index_dir / "catalog.sqlite3") as db:  # as schema 1 left it
        db.execute(
            "DELETE FROM embeddings WHERE text_hash IN (SELECT text_hash FROM sentences)"
            " AND text_hash NOT IN (SELECT text_hash FROM chunks)"
        )
        db.execute("DELETE FROM sentences")
        db.execute("UPDATE documents SET fingerprint = 'chunker 1', chunker = '1/192'")
    with pytest.raises(IndexMismatchError, match="run `askalign ingest`"):
        loaded(index_dir, embedder)
    upgraded = run_ingest(corpus_dir, index_dir, embedder)
    assert upgraded.documents.updated == 1
    assert upgraded.embedded == 0  # the chunk vectors are reused
    assert upgraded.embedded_sentences > 0
    assert loaded(index_dir, embedder).shelf.sentences.rows


def test_missing_caches_are_rebuilt_from_sqlite(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, embedder)
    (index_dir / "vectors.faiss").unlink()
    shutil.rmtree(index_dir / "bm25")
    assert loaded(index_dir, embedder).engine.count() > 0
    assert index_status(index_dir).caches_in_sync


def test_cli_ingest_and_status_json(corpus_dir: Path, index_dir: Path) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    first = ingest_subprocess(corpus_dir, index_dir)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["documents"]["added"] == 1
    status = subprocess.run(
        [sys.executable, "-m", "askalign", "status", "--json", "--index", str(index_dir)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    payload = json.loads(status.stdout)
    assert payload["documents"] == 1 and payload["caches_in_sync"] is True
    assert payload["model_id"].startswith("sentence-transformers/all-MiniLM-L6-v2")


def parsed_files(corpus_dir: Path, index_dir: Path, embedder) -> tuple[list[str], object]:
    from askalign.ingest.pipeline import IngestHooks

    parsed: list[str] = []
    hooks = IngestHooks(on_read=lambda document: parsed.append(document.source_file))
    return parsed, run_ingest(corpus_dir, index_dir, embedder, hooks=hooks)


def test_unchanged_files_are_not_parsed_again_and_changed_ones_are(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    (corpus_dir / "b.txt").write_text(ESSAY_B, encoding="utf-8")
    first, _ = parsed_files(corpus_dir, index_dir, embedder)
    assert first == ["a.txt", "b.txt"]
    later = (corpus_dir / "a.txt").stat().st_mtime_ns + 5 * 10**9
    os.utime(corpus_dir / "a.txt", ns=(later, later))  # touched, same bytes
    (corpus_dir / "b.txt").write_text(ESSAY_B + "\nReward models can be gamed.\n", "utf-8")
    parsed, report = parsed_files(corpus_dir, index_dir, embedder)
    assert parsed == ["b.txt"]
    assert (report.files_unchanged, report.documents.unchanged, report.documents.updated) == (
        1,
        1,
        1,
    )
    parsed, report = parsed_files(corpus_dir, index_dir, embedder)
    assert (parsed, report.files_unchanged, report.documents.unchanged) == ([], 2, 2)
    (corpus_dir / "catalog.toml").write_text(
        '[[document]]\nfile = "a.txt"\nauthor = "Ann Onymous"\n', "utf-8"
    )
    parsed, report = parsed_files(corpus_dir, index_dir, embedder)
    assert parsed == ["a.txt"]  # a new catalog entry is a new way of reading it
    assert doc_ids(index_dir, embedder) == {"a", "b"}


ESSAYS = [
    f"Essay {number}\n\n"
    + "\n\n".join(
        f"Paragraph {paragraph} of essay {number} says oversight scheme {number * 7 + paragraph}"
        " needs a human who can check the model's reasoning step by step."
        for paragraph in range(4)
    )
    for number in range(5)
]


def test_a_killed_ingest_keeps_its_committed_vectors_and_the_rerun_embeds_the_rest(
    corpus_dir: Path, index_dir: Path, embedder, tmp_path: Path
) -> None:
    for number, essay in enumerate(ESSAYS):
        (corpus_dir / f"essay-{number}.txt").write_text(essay, encoding="utf-8")
    crashed = ingest_subprocess(
        corpus_dir, index_dir, ASKALIGN_COMMIT_TEXTS="4", ASKALIGN_TEST_CRASH_AT="vectors-3"
    )
    assert crashed.returncode == -9, crashed.stderr
    before = embedder.texts_embedded
    resumed = run_ingest(corpus_dir, index_dir, embedder)
    embedded = resumed.embedded + resumed.embedded_sentences
    assert resumed.resumed == 12  # three committed slices of four
    assert embedder.texts_embedded - before == embedded
    fresh = run_ingest(corpus_dir, tmp_path / "fresh-index", embedder)
    assert fresh.embedded + fresh.embedded_sentences == embedded + 12
    assert doc_ids(index_dir, embedder) == {f"essay-{number}" for number in range(5)}


def test_an_ingest_killed_holding_the_lock_leaves_it_behind_and_the_next_ingest_copes(
    corpus_dir: Path, index_dir: Path, embedder
) -> None:
    """A SIGKILL runs no cleanup, so `ingest.lock` stays on disk naming a dead process.
    The lock is an flock, which the kernel drops with the process: the next ingest must
    take it at once rather than wait for, or trip on, the file."""
    for number in range(40):  # enough to embed that the kill lands mid-ingest
        essay = ESSAYS[number % len(ESSAYS)].replace("oversight", f"oversight plan {number}")
        (corpus_dir / f"essay-{number}.txt").write_text(essay, encoding="utf-8")
    (corpus_dir / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    environment = os.environ | {
        "ASKALIGN_CORPUS_DIR": str(corpus_dir),
        "ASKALIGN_INDEX_DIR": str(index_dir),
    }
    first = subprocess.Popen(
        [sys.executable, "-m", "askalign", "ingest", "--json"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment,
    )  # fmt: skip
    lock_file = index_dir / LOCK_FILE
    holding = False
    deadline = time.monotonic() + 120
    while not holding and first.poll() is None and time.monotonic() < deadline:
        if lock_file.exists() and lock_file.read_text() == f"pid {first.pid}\n":
            with no_ingest_running(index_dir) as quiet:  # the pid is written under the lock
                holding = not quiet
        time.sleep(0.01)
    first.kill()
    _, stderr = first.communicate(timeout=60)
    assert holding and first.returncode == -signal.SIGKILL, stderr
    assert lock_file.read_text() == f"pid {first.pid}\n"  # left behind by the dead ingest

    second = ingest_subprocess(corpus_dir, index_dir, ASKALIGN_LOCK_TIMEOUT_S="5")
    assert second.returncode == 0, second.stderr
    assert "another ingest" not in second.stderr  # it did not wait for the dead one
    assert doc_ids(index_dir, embedder) == {"a"} | {f"essay-{n}" for n in range(40)}
    assert index_status(index_dir).caches_in_sync
    hits = Searcher(loaded(index_dir, embedder), embedder).search("corrigible overseers", k=2)
    assert hits and hits[0].chunk.doc_id == "a"
