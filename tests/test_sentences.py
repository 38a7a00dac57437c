"""Sentences embedded at ingest: stored per passage, cached like chunks, searched for
the third ranking. Real model, real FAISS, real SQLite."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from askalign.engines import Scope
from askalign.retrieval.open import open_index
from askalign.retrieval.search import Filters
from askalign.text.sentences import document_sentences, whole_sentences

from .conftest import run_ingest

ESSAY = """Shutdown and reward

Shutdown buttons are hard to keep working. A capable agent has reasons to avoid them.

Reward hacking is when a policy finds an unintended way to score well. It happened (a lot).
"""


def test_every_passage_is_cut_into_sentences_that_give_back_its_text(loaded_shipped) -> None:
    for document in loaded_shipped.catalog.documents():
        sentences = document_sentences(document)
        passages = {p.id: p for p in document.passages}
        for sentence in sentences:
            passage = passages[sentence.passage_id]
            assert passage.start <= sentence.start < sentence.end <= passage.end
            text = document.source_text[sentence.start : sentence.end]
            assert text == text.strip() and text


def test_a_short_tail_stays_on_the_sentence_it_closes() -> None:
    text = "The policy found a trick to score well. (See above.) Then the agent stopped trying."
    spans = [span.cut(text) for span in whole_sentences(text, 0, len(text))]
    assert spans == [
        "The policy found a trick to score well. (See above.)",
        "Then the agent stopped trying.",
    ]


def test_sentences_are_embedded_once_and_cached(corpus_dir: Path, tmp_path: Path, embedder) -> None:
    (corpus_dir / "a.txt").write_text(ESSAY, encoding="utf-8")
    index = tmp_path / "index"
    first = run_ingest(corpus_dir, index, embedder)
    assert first.embedded_sentences > 0
    again = run_ingest(corpus_dir, index, embedder)
    assert (again.embedded, again.embedded_sentences) == (0, 0)
    loaded = open_index(index, embedder.model_id, embedder.dimension)
    table = loaded.shelf.sentences
    assert loaded.engine.sentence_vectors.count == len(table.rows) == 3
    wanted = "A capable agent has reasons to avoid them."
    document = loaded.catalog.document("a")
    [rowid] = [r for r, s in table.rows.items() if s.span.cut(document.source_text) == wanted]
    stored = table.vectors_of([rowid])[0]
    assert float(stored @ embedder.embed([wanted])[0]) > 0.999


def test_the_best_sentence_ranking_finds_the_chunk_of_a_paraphrased_sentence(
    loaded_shipped, embedder
) -> None:
    vector = embedder.embed(["an AI racing boats went round one checkpoint forever"])[0]
    ranking = loaded_shipped.engine.by_sentence(vector, 5, Scope())
    top_chunk = loaded_shipped.shelf.chunk(ranking[0][0])
    assert "checkpoint" in top_chunk.text
    inside = loaded_shipped.shelf.sentences.overlapping(
        top_chunk.doc_id, top_chunk.start, top_chunk.end
    )
    assert max(float(v @ vector) for v in loaded_shipped.shelf.sentences.vectors_of(inside)) == (
        pytest.approx(ranking[0][1], abs=1e-5)
    )


def test_the_best_sentence_ranking_respects_filters(loaded_shipped, embedder) -> None:
    vector = embedder.embed(["reward functions written in Python"])[0]
    scope = Filters(speaker="Stephen McAleese").scope
    ranking = loaded_shipped.engine.by_sentence(vector, 10, scope)
    assert ranking
    assert all(loaded_shipped.shelf.chunk(r).speaker == "Stephen McAleese" for r, _ in ranking)
    scores = [score for _, score in ranking]
    assert scores == sorted(scores, reverse=True) and np.isfinite(scores).all()
