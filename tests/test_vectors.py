"""FAISS keeps its contract, and agrees with a brute-force numpy answer on real vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from askalign.engines.vectors import IVF_FROM, FaissVectors


def unit_vectors(count: int, dimension: int = 16, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def exact_top_k(
    ids: np.ndarray,
    vectors: np.ndarray,
    query: np.ndarray,
    k: int,
    allowed: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every inner product computed, best first: slow at scale, obviously right."""
    keep = np.ones(len(ids), bool) if allowed is None else np.isin(ids, allowed)
    scores = vectors[keep].astype(np.float32) @ query.astype(np.float32)
    order = np.argsort(-scores, kind="stable")[:k]
    return scores[order], ids[keep][order]


def test_search_returns_best_first_and_survives_k_above_count() -> None:
    vectors = unit_vectors(10)
    ids = np.arange(100, 110)
    index = FaissVectors.build(ids, vectors)
    scores, found = index.search(vectors[3], k=50)
    assert len(found) == 10 and found[0] == 103
    assert np.all(np.diff(scores) <= 1e-6)


def test_filters_apply_inside_the_search() -> None:
    vectors = unit_vectors(50)
    index = FaissVectors.build(np.arange(50), vectors)
    allowed = np.array([7, 21, 33])
    _, found = index.search(vectors[0], k=5, allowed=allowed)
    assert sorted(found.tolist()) == [7, 21, 33]
    _, none = index.search(vectors[0], k=5, allowed=np.array([], dtype=np.int64))
    assert len(none) == 0


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    vectors = unit_vectors(20)
    index = FaissVectors.build(np.arange(20) * 3, vectors)
    index.save(tmp_path / "vectors")
    loaded = FaissVectors.load(tmp_path / "vectors")
    assert loaded.count == 20
    assert index.search(vectors[5], 4)[1].tolist() == loaded.search(vectors[5], 4)[1].tolist()


def test_empty_index() -> None:
    index = FaissVectors.build(np.zeros(0, np.int64), np.zeros((0, 16), np.float32))
    assert index.count == 0
    assert len(index.search(unit_vectors(1)[0], 5)[1]) == 0


def test_faiss_top_k_equals_numpy_on_the_shipped_index(loaded_shipped, embedder) -> None:
    batches = list(
        loaded_shipped.catalog.vector_batches("chunks", embedder.model_id, embedder.dimension)
    )
    ids = np.concatenate([rowids for rowids, _ in batches])
    vectors = np.vstack([found for _, found in batches])
    queries = [vectors[0], vectors[len(vectors) // 2], embedder.embed(["reward hacking"])[0]]
    for query in queries:
        faiss_scores, faiss_ids = loaded_shipped.engine.chunk_vectors.search(query, 10)
        numpy_scores, numpy_ids = exact_top_k(ids, vectors, query, 10)
        assert faiss_ids.tolist() == numpy_ids.tolist()
        assert np.allclose(faiss_scores, numpy_scores, atol=1e-5)


def clustered_vectors(count: int, dimension: int = 16, seed: int = 0) -> np.ndarray:
    """Unit vectors around 200 centres: shaped like sentence embeddings, which cluster."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(200, dimension))
    vectors = centres[rng.integers(0, 200, count)] + 0.3 * rng.normal(size=(count, dimension))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def test_past_ivf_from_the_index_is_approximate_and_still_finds_the_neighbours() -> None:
    vectors = clustered_vectors(IVF_FROM + 5_000)
    ids = np.arange(len(vectors)) * 2 + 7
    index = FaissVectors.build(ids, vectors)
    assert index.approximate and index.count == len(vectors)
    assert sorted(index.held_ids().tolist()) == ids.tolist()
    queries = clustered_vectors(50, seed=1)
    found = [set(index.search(q, 10)[1].tolist()) for q in queries]
    exact = [set(exact_top_k(ids, vectors, q, 10)[1].tolist()) for q in queries]
    recall = np.mean([len(a & b) / 10 for a, b in zip(found, exact, strict=True)])
    assert recall >= 0.9


def test_rows_are_added_and_removed_in_place(tmp_path: Path) -> None:
    vectors = clustered_vectors(IVF_FROM + 1_000)
    ids = np.arange(len(vectors))
    index = FaissVectors.build(ids[:-10], vectors[:-10])
    index.remove(ids[:5])
    index.add(ids[-10:], vectors[-10:])
    index.save(tmp_path / "vectors")
    loaded = FaissVectors.load(tmp_path / "vectors", mapped=True)
    held = set(loaded.held_ids().tolist())
    assert held == set(ids[5:].tolist())
    assert loaded.search(vectors[-1], 1)[1].tolist() == [ids[-1]]
    assert 3 not in loaded.search(vectors[3], 5)[1].tolist()


def test_a_narrow_scope_is_searched_exactly() -> None:
    vectors = clustered_vectors(IVF_FROM + 1_000)
    index = FaissVectors.build(np.arange(len(vectors)), vectors)
    allowed = np.arange(0, len(vectors), 97)
    scores, found = index.search(vectors[0], 5, allowed)
    exact = exact_top_k(np.arange(len(vectors)), vectors, vectors[0], 5, allowed)
    assert found.tolist() == exact[1].tolist()
    assert np.allclose(scores, exact[0], atol=1e-5)
