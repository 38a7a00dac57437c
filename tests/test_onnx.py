"""The ONNX backend: same vectors as torch, exported once, and a query path without torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from askalign.embedding import Backend, Embedder

from .conftest import LESSWRONG_PAGE, SHIPPED_CORPUS, run_ingest

HEAVY = ("torch", "sentence_transformers", "transformers", "llama_index")
QUESTION = "what is corrigibility?"


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return Embedder(backend=Backend.TORCH)


@pytest.fixture
def page_index(corpus_dir: Path, tmp_path: Path, embedder) -> Path:
    (corpus_dir / "page.txt").write_text(LESSWRONG_PAGE, encoding="utf-8")
    index = tmp_path / "page-index"
    run_ingest(corpus_dir, index, embedder)
    return index


def shipped_texts(count: int = 48) -> list[str]:
    """Paragraphs of the shipped corpus, short and long: some run past the 256 word
    pieces the model reads, so that truncation is compared too."""
    paragraphs = [
        paragraph.strip()
        for path in sorted(SHIPPED_CORPUS.glob("*.txt"))
        for paragraph in path.read_text(encoding="utf-8").split("\n\n")
        if len(paragraph.strip()) > 20
    ]
    by_length = sorted(paragraphs, key=len)
    step = max(len(by_length) // count, 1)
    return [*by_length[::step][: count - 1], " ".join(by_length[-3:])]


def test_onnx_and_torch_vectors_agree(embedder, torch_embedder: Embedder) -> None:
    texts = shipped_texts()
    onnx = embedder.embed(texts)
    reference = torch_embedder.embed(texts)
    assert embedder.backend is Backend.ONNX
    assert embedder.model_id == torch_embedder.model_id
    assert onnx.dtype == np.float32 and onnx.shape == (len(texts), embedder.dimension)
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)
    assert (onnx * reference).sum(axis=1).min() >= 0.9999


def test_export_is_cached_and_reused(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from askalign.cli import app
    from askalign.embedding.onnx_backend import cached_model

    first = Embedder(cache_dir=tmp_path)
    model = cached_model(first.model_dir, tmp_path)
    assert not model.exists()
    first.embed(["exported on first use"])
    written = model.stat().st_mtime_ns
    again = Embedder(cache_dir=tmp_path)
    again.embed(["read from the cache"])
    result = CliRunner().invoke(
        app, ["model", "export"], env={"ASKALIGN_MODEL_CACHE": str(tmp_path)}
    )
    assert result.exit_code == 0 and "cached" in result.output
    assert model.stat().st_mtime_ns == written
    assert [path.name for path in model.parent.iterdir()] == [model.name]  # no temp files


def test_index_built_with_torch_answers_with_onnx(
    corpus_dir: Path, tmp_path: Path, embedder, torch_embedder: Embedder
) -> None:
    from askalign.assistant import Assistant
    from askalign.retrieval.search import open_searcher

    index_dir = tmp_path / "torch-index"
    (corpus_dir / "page.txt").write_text(LESSWRONG_PAGE, encoding="utf-8")
    run_ingest(corpus_dir, index_dir, torch_embedder)
    by_torch = open_searcher(index_dir, torch_embedder).search(QUESTION, k=3)
    by_onnx = open_searcher(index_dir, embedder).search(QUESTION, k=3)
    assert [hit.chunk.id for hit in by_onnx] == [hit.chunk.id for hit in by_torch]
    answer = Assistant(open_searcher(index_dir, embedder)).ask(QUESTION)
    assert answer.hits and answer.hits[0].doc_id == "page"


@pytest.mark.parametrize(
    "code",
    [
        "from askalign.assistant import Assistant\n"
        "answer = Assistant.open(sys.argv[1]).ask(sys.argv[2])\n"
        "assert answer.hits, answer",
        "from askalign.cli import app\n"
        "try:\n"
        "    app(['ask', sys.argv[2], '--index', sys.argv[1], '--json'])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code",
    ],
    ids=["python-api", "cli"],
)
def test_query_path_imports_no_torch(page_index: Path, code: str, embedder) -> None:
    """A question is answered on ONNX Runtime alone: neither torch nor llama-index load
    (together they are most of a cold start's seconds and memory)."""
    check = f"import sys\n{code}\nloaded = [m for m in {HEAVY!r} if m in sys.modules]\n"
    check += "assert not loaded, f'the query path imported {loaded}'\n"
    environment = os.environ | {
        "ASKALIGN_EMBED_BACKEND": "onnx",
        "ASKALIGN_MODEL_CACHE": str(embedder.cache_dir),  # exported there by the ingest
    }
    done = subprocess.run(
        [sys.executable, "-c", check, str(page_index), QUESTION],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
