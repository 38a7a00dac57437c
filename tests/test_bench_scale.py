"""`askalign bench scale` end to end at a tiny size: every measurement present and sane.
Timings are never asserted, since they depend on the machine."""

from __future__ import annotations

import json
import random
from pathlib import Path

from typer.testing import CliRunner

from askalign.bench.scale import CHUNKS_PER_TEXT, RandomEmbedder, synthetic_text
from askalign.cli import app
from askalign.embedding import Embedder
from askalign.ingest.chunking import Chunker
from askalign.ingest.corpus import scan_corpus
from askalign.text.tokens import TokenCounter


def test_a_synthetic_text_is_one_chunk_per_part(corpus_dir: Path) -> None:
    (corpus_dir / "one.txt").write_text(synthetic_text(7, random.Random(0)), "utf-8")
    embedder = Embedder()
    [document] = scan_corpus(corpus_dir).documents
    chunks = Chunker(TokenCounter(embedder.model_dir), 192).chunk(document)
    assert len(chunks) == CHUNKS_PER_TEXT
    assert all(100 <= chunk.token_count <= 192 for chunk in chunks)


def test_random_vectors_pose_as_the_real_model() -> None:
    real, fake = Embedder(), RandomEmbedder()
    vectors = fake.embed(["a", "b", "c"])
    assert (fake.model_id, fake.dimension) == (real.model_id, real.dimension)
    assert vectors.shape == (3, real.dimension)
    assert abs(float((vectors**2).sum(axis=1).mean()) - 1.0) < 1e-5
    assert fake.texts_embedded == 3


def test_bench_scale_json_end_to_end(tmp_path: Path) -> None:
    args = ["bench", "scale", "--sizes", "200", "--real-up-to", "0", "--questions", "2"]
    workdir = tmp_path / "scale"
    workdir.mkdir()
    result = CliRunner().invoke(app, [*args, "--workdir", str(workdir), "--json"])
    assert result.exit_code == 0, result.output
    bench = json.loads(result.stdout)
    [row] = bench["rows"]
    assert bench["questions"] == 2
    assert "never for quality" in bench["note"]
    assert row["target_chunks"] == 200
    assert row["chunks"] == 200
    assert row["texts"] == 200 // CHUNKS_PER_TEXT
    assert row["sentences"] > row["chunks"]
    assert row["random_vectors"] is True
    assert row["add_chunks"] == CHUNKS_PER_TEXT
    assert row["index_mb"] > 0
    for field in ("build", "noop", "add", "ask", "cold_ask"):
        assert row[f"{field}_peak_rss_mb"] > 10
    assert 0 < row["warm_ask_p50_ms"] <= row["warm_ask_p95_ms"]
    assert row["add_embed_seconds"] > 0
    assert row["cold_ask_wall"] > 0 and row["noop_wall"] > 0
    assert list(workdir.iterdir()) == []  # scratch removed without --keep
