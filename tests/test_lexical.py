"""BM25 kept as term frequencies scores as bm25s does, and updates in place to the same
index a fresh build gives."""

from __future__ import annotations

import random
from pathlib import Path

import bm25s
import numpy as np

from askalign.bench.scale import questions_for, synthetic_text
from askalign.engines.bm25 import LexicalIndex, terms


def paragraphs(texts: int) -> list[str]:
    rng = random.Random(3)
    found: list[str] = []
    for number in range(texts):
        found += [p for p in synthetic_text(number, rng).split("\n\n") if p.strip()]
    return found


def test_scores_match_bm25s() -> None:
    texts = paragraphs(40)
    index = LexicalIndex.build(np.arange(len(texts)), texts)
    reference = bm25s.BM25()
    reference.index(terms(texts), show_progress=False)
    for question in [*questions_for(40, 15), "overseer rewards the careful learner"]:
        scores, _ = index.search(question, 10)
        _, expected = reference.retrieve(terms([question]), k=10, show_progress=False)
        assert np.allclose(scores, expected[0], rtol=1e-5)


def test_an_update_equals_a_fresh_build(tmp_path: Path) -> None:
    texts = paragraphs(30)
    ids = np.arange(len(texts)) * 3
    before = LexicalIndex.build(ids[:-20], texts[:-20])
    before.save(tmp_path / "bm25")
    removed = ids[:15]
    updated = LexicalIndex.load(tmp_path / "bm25").updated(
        removed, [(ids[-20:], terms(texts[-20:]))]
    )
    fresh = LexicalIndex.build(ids[15:], texts[15:])
    assert sorted(updated.ids.tolist()) == sorted(fresh.ids.tolist())
    for question in questions_for(30, 10):
        got, expected = updated.search(question, 10), fresh.search(question, 10)
        assert np.allclose(got[0], expected[0], rtol=1e-5)
        assert not set(got[1].tolist()) & set(removed.tolist())


def test_a_scope_and_stop_words() -> None:
    texts = paragraphs(10)
    index = LexicalIndex.build(np.arange(len(texts)), texts)
    allowed = np.arange(0, len(texts), 7)
    _, found = index.search("overseer reward policy", 50, allowed)
    assert found.size and set(found.tolist()) <= set(allowed.tolist())
    assert index.search("the and of it", 5)[1].size == 0
