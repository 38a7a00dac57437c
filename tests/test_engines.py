"""One contract for every search engine (the local FAISS + BM25 files, Milvus Lite),
run over the shipped index: an engine holds what the catalog holds, follows the
catalog's changes, and answers as brute force over the catalog's own rows.

Milvus Lite runs here and in CI; where it cannot start, its tests skip and say why."""

from __future__ import annotations

import json
import shutil
import signal
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from askalign.documents import Role
from askalign.engines import MissingExtraError, Scope, SearchEngine, SyncReport
from askalign.engines.local import LocalEngine
from askalign.index.catalog import Catalog
from askalign.index.errors import IndexMismatchError, IndexProblem
from askalign.text.terms import terms

from .conftest import REPO
from .test_ingest import ESSAY_A, ESSAY_B, ingest_subprocess

DIMENSION = 384
QUESTIONS = [
    "Why would an agent resist being corrected?",
    "How fast could AI capabilities take off?",
    "Do language models simulate personas?",
]


@dataclass
class Rows:
    """The catalog's chunks and sentences, to search by brute force."""

    chunk_ids: list[str]
    chunk_fields: list[tuple[str, str, str]]  # speaker, role, doc id
    chunk_vectors: np.ndarray
    chunk_texts: list[str]
    sentence_chunks: list[list[str]]
    sentence_fields: list[tuple[str, str, str]]
    sentence_vectors: np.ndarray

    def dense(self, vector: np.ndarray, k: int, scope: Scope) -> list[tuple[str, float]]:
        scores = self.chunk_vectors @ vector
        order = [i for i in np.argsort(-scores) if _admits(scope, self.chunk_fields[i])]
        return [(self.chunk_ids[i], float(scores[i])) for i in order[:k]]

    def by_sentence(self, vector: np.ndarray, k: int, scope: Scope) -> list[tuple[str, float]]:
        scores = self.sentence_vectors @ vector
        order = [i for i in np.argsort(-scores) if _admits(scope, self.sentence_fields[i])]
        best: dict[str, float] = {}
        for i in order[:200]:
            for chunk_id in self.sentence_chunks[i]:
                best.setdefault(chunk_id, float(scores[i]))
        return sorted(best.items(), key=lambda pair: -pair[1])[:k]

    def fields(self, chunk_id: str) -> tuple[str, str, str]:
        return self.chunk_fields[self.chunk_ids.index(chunk_id)]


def _admits(scope: Scope, fields: tuple[str, str, str]) -> bool:
    speaker, role, doc_id = fields
    return (
        (scope.speakers is None or speaker in scope.speakers)
        and (scope.roles is None or role in scope.roles)
        and (scope.docs is None or doc_id in scope.docs)
    )


class Killed(Exception):
    pass


BACKENDS = ["local", "milvus"]


def open_engine(
    backend: str, place: Path, model_id: str, collection: str = "askalign"
) -> SearchEngine:
    """An engine keeping its data under `place`; for Milvus Lite, a skip that says why
    it could not start."""
    if backend == "local":
        place.mkdir(parents=True, exist_ok=True)
        return LocalEngine(place / collection, model_id, DIMENSION)
    try:
        from askalign.engines.milvus import MilvusEngine

        return MilvusEngine(
            str(place / "engine.db"), dimension=DIMENSION, model_id=model_id, collection=collection
        )
    except (MissingExtraError, IndexProblem) as error:
        pytest.skip(f"Milvus Lite cannot start: {error}")


def synced(engine: SearchEngine, catalog: Catalog) -> SearchEngine:
    engine.sync(catalog)
    return engine.open(catalog)


@pytest.fixture(scope="module")
def catalog(shipped_index: Path) -> Iterator[Catalog]:
    catalog = Catalog.open(shipped_index, create=False)
    yield catalog
    catalog.close()


@pytest.fixture(scope="module")
def model_id(catalog: Catalog) -> str:
    return catalog.get_meta("model_id") or ""


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    return tmp_path_factory.mktemp(backend)


@pytest.fixture(scope="module")
def engine(backend: str, place: Path, catalog: Catalog, model_id: str) -> Iterator[SearchEngine]:
    engine = synced(open_engine(backend, place, model_id), catalog)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def rows(catalog: Catalog, model_id: str) -> Rows:
    chunks = [row for batch in catalog.chunk_rows(model_id, DIMENSION) for row in batch]
    sentences = [row for batch in catalog.sentence_rows(model_id, DIMENSION) for row in batch]
    return Rows(
        chunk_ids=[row.id for row in chunks],
        chunk_fields=[(row.speaker or "", row.role, row.doc_id) for row in chunks],
        chunk_vectors=np.stack([row.vector for row in chunks]),
        chunk_texts=[row.text for row in chunks],
        sentence_chunks=[row.chunk_ids for row in sentences],
        sentence_fields=[(row.speaker or "", row.role, row.doc_id) for row in sentences],
        sentence_vectors=np.stack([row.vector for row in sentences]),
    )


@pytest.fixture(scope="module")
def questions(embedder) -> np.ndarray:
    return embedder.embed(QUESTIONS)


def _common(rows: Rows, field: int, n: int = 1) -> tuple[str, ...]:
    """The n most frequent values of a chunk field (speaker, role, doc id), blanks aside."""
    counts = Counter(fields[field] for fields in rows.chunk_fields if fields[field])
    return tuple(value for value, _ in counts.most_common(n))


SCOPES: dict[str, Callable[[Rows], Scope]] = {
    "speakers": lambda rows: Scope(speakers=_common(rows, 0, 2)),
    "roles": lambda rows: Scope(roles=(Role.COMMENT, Role.FOOTNOTE)),
    "doc": lambda rows: Scope(docs=_common(rows, 2)),
    "speaker and role": lambda rows: Scope(
        speakers=_common(rows, 0), roles=tuple(Role(role) for role in _common(rows, 1))
    ),
    "a quote in a name": lambda rows: Scope(speakers=('Ada "the" Author\\',)),
}


def _close(found: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    """Same scores in the same order; ids may differ only between equal scores."""
    assert [score for _, score in found] == pytest.approx([s for _, s in expected], abs=1e-5)
    expected_ids = dict(expected)
    for chunk_id, score in found:
        if chunk_id not in expected_ids:  # a tie at the cut: an equal score stands in
            assert score == pytest.approx(expected[-1][1], abs=1e-5)


def test_it_answers_the_contract(engine: SearchEngine) -> None:
    assert isinstance(engine, SearchEngine)


def test_sync_fills_it_with_the_catalog(engine: SearchEngine, catalog: Catalog) -> None:
    assert engine.count() == catalog.counts()[1]
    assert engine.in_sync(catalog)


def test_a_second_sync_changes_nothing(engine: SearchEngine, catalog: Catalog) -> None:
    assert engine.sync(catalog) == SyncReport()
    assert engine.in_sync(catalog)


def test_dense_matches_brute_force(engine: SearchEngine, rows: Rows, questions: np.ndarray) -> None:
    for question in questions:
        _close(engine.dense(question, 5, Scope()), rows.dense(question, 5, Scope()))


@pytest.mark.parametrize("scope_of", SCOPES.values(), ids=SCOPES.keys())
def test_a_scope_admits_only_its_chunks(
    engine: SearchEngine, rows: Rows, questions: np.ndarray, scope_of: Callable[[Rows], Scope]
) -> None:
    scope = scope_of(rows)
    for question, words in zip(questions, QUESTIONS, strict=True):
        _close(engine.dense(question, 10, scope), rows.dense(question, 10, scope))
        _close(engine.by_sentence(question, 10, scope), rows.by_sentence(question, 10, scope))
        for chunk_id, _ in engine.lexical(words, 10, scope):
            assert _admits(scope, rows.fields(chunk_id))


def test_an_empty_scope_finds_nothing(engine: SearchEngine, questions: np.ndarray) -> None:
    for scope in (Scope(speakers=()), Scope(roles=()), Scope(docs=())):
        assert engine.dense(questions[0], 5, scope) == []
        assert engine.lexical(QUESTIONS[0], 5, scope) == []
        assert engine.by_sentence(questions[0], 5, scope) == []


def test_lexical_finds_a_rare_word_first(engine: SearchEngine, rows: Rows) -> None:
    chunk_terms = terms(rows.chunk_texts)
    counts = Counter(term for found in chunk_terms for term in set(found))
    position, word = next(
        (position, word)
        for position, text in enumerate(rows.chunk_texts)
        for word in text.split()
        if (found := terms([word])[0]) and len(found) == 1 and counts[found[0]] == 1
    )
    ranked = engine.lexical(word, 5, Scope())
    assert ranked[0][0] == rows.chunk_ids[position]
    assert ranked[0][1] > 0


def test_stop_words_alone_find_nothing(engine: SearchEngine) -> None:
    assert engine.lexical("it is the and of a", 5, Scope()) == []
    assert engine.lexical("", 5, Scope()) == []


def test_by_sentence_ranks_chunks_by_their_best_sentence(
    engine: SearchEngine, rows: Rows, questions: np.ndarray
) -> None:
    for question in questions:
        found = engine.by_sentence(question, 8, Scope())
        assert len(found) == 8
        assert set(dict(found)) <= set(rows.chunk_ids)
        _close(found, rows.by_sentence(question, 8, Scope()))


def test_a_new_engine_on_the_same_data_is_in_sync(
    engine: SearchEngine, backend: str, place: Path, catalog: Catalog, model_id: str
) -> None:
    again = open_engine(backend, place, model_id)
    assert again.in_sync(catalog)
    assert again.open(catalog).count() == engine.count()


def test_another_model_is_refused(
    engine: SearchEngine, backend: str, place: Path, catalog: Catalog
) -> None:
    other = open_engine(backend, place, "another/model", collection="other")
    with pytest.raises(IndexMismatchError):
        other.sync(catalog)
    assert not other.in_sync(catalog)


def test_removing_a_document_removes_exactly_its_rows(
    shipped_index: Path, tmp_path: Path, model_id: str, backend: str
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(shipped_index, copy)
    catalog = Catalog.open(copy, create=False)
    engine = synced(open_engine(backend, tmp_path / "engine", model_id), catalog)
    doc_id, chunks = catalog.db.execute(
        "SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id ORDER BY 2 LIMIT 1"
    ).fetchone()
    [sentences] = catalog.db.execute(
        "SELECT COUNT(*) FROM sentences WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    with catalog.transaction():
        catalog.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        catalog.set_meta("generation", str(catalog.generation + 1))
    assert not engine.in_sync(catalog)

    report = engine.sync(catalog)

    assert report == SyncReport(chunks_removed=chunks, sentences_removed=sentences)
    assert engine.in_sync(catalog)
    engine.open(catalog)
    assert engine.count() == catalog.counts()[1]
    only_it = Scope(docs=(doc_id,))
    assert engine.dense(np.ones(DIMENSION) / DIMENSION**0.5, 5, only_it) == []
    assert engine.by_sentence(np.ones(DIMENSION) / DIMENSION**0.5, 5, only_it) == []
    engine.close()
    catalog.close()


def test_a_sync_killed_midway_converges(
    tmp_path: Path, catalog: Catalog, model_id: str, backend: str
) -> None:
    engine = open_engine(backend, tmp_path, model_id)

    def killed(what: str, done: int, total: int) -> None:
        if what == "sentences":
            raise Killed

    with pytest.raises(Killed):
        engine.sync(catalog, killed)
    assert not engine.in_sync(catalog)

    report = engine.sync(catalog)

    assert report.chunks_added == 0  # kept from the killed run
    assert 0 < report.sentences_added <= catalog.count_sentences()
    assert engine.in_sync(catalog)
    assert engine.open(catalog).count() == catalog.counts()[1]


# --- whole ingests and answers through each engine -------------------------------------


def _engine_ingest(corpus: Path, index: Path, engine: SearchEngine, embedder):
    from askalign.ingest.pipeline import ingest

    return ingest(
        corpus, index, embedder=embedder, chunk_tokens=192, max_file_bytes=2**22, engine=engine
    )


def _doc_ids_found(engine: SearchEngine, catalog: Catalog, vector: np.ndarray) -> set[str]:
    engine.open(catalog)
    return {catalog.chunk(chunk_id).doc_id for chunk_id, _ in engine.dense(vector, 50, Scope())}


def test_ingest_keeps_the_engine_in_line_with_the_corpus(
    backend: str, tmp_path: Path, embedder, model_id: str
) -> None:
    """Add, no-op, rename and delete, each through a whole ingest."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    (corpus / "b.txt").write_text(ESSAY_B, encoding="utf-8")
    engine = open_engine(backend, tmp_path / "engine", model_id)
    _engine_ingest(corpus, index, engine, embedder)
    catalog = Catalog.open(index, create=False)
    vector = embedder.embed(["reward hacking"])[0]
    assert engine.in_sync(catalog) and _doc_ids_found(engine, catalog, vector) == {"a", "b"}

    again = _engine_ingest(corpus, index, engine, embedder)
    assert (again.embedded, again.embedded_sentences) == (0, 0)

    (corpus / "b.txt").rename(corpus / "renamed.txt")
    renamed = _engine_ingest(corpus, index, engine, embedder)
    assert renamed.embedded == 0 and engine.in_sync(catalog)
    assert _doc_ids_found(engine, catalog, vector) == {"a", "renamed"}

    (corpus / "a.txt").unlink()
    _engine_ingest(corpus, index, engine, embedder)
    assert _doc_ids_found(engine, catalog, vector) == {"renamed"}
    assert engine.open(catalog).count() == catalog.counts()[1]
    catalog.close()


def test_an_ingest_killed_before_the_engine_synced_recovers(
    backend: str, tmp_path: Path, model_id: str
) -> None:
    """SIGKILL after the catalog committed, before the engine took it in: the next
    ingest embeds nothing and brings the engine in line."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir(exist_ok=True)
    (corpus / "a.txt").write_text(ESSAY_A, encoding="utf-8")
    store = "local" if backend == "local" else f"milvus:{tmp_path / 'engine.db'}"
    killed = ingest_subprocess(
        corpus, index, ASKALIGN_STORE=store, ASKALIGN_TEST_CRASH_AT="committed"
    )
    assert killed.returncode == -signal.SIGKILL
    rerun = ingest_subprocess(corpus, index, ASKALIGN_STORE=store)
    assert rerun.returncode == 0, rerun.stderr
    assert json.loads(rerun.stdout)["embedded"] == 0
    catalog = Catalog.open(index, create=False)
    engine = (
        LocalEngine(index, model_id, DIMENSION)
        if backend == "local"
        else open_engine(backend, tmp_path, model_id)
    )
    assert engine.in_sync(catalog)
    assert engine.open(catalog).count() == catalog.counts()[1] > 0
    catalog.close()


def test_the_same_answers_on_our_own_questions(
    engine: SearchEngine, shipped_index: Path, catalog: Catalog, loaded_shipped, embedder
) -> None:
    """Fusion is askalign's whatever the engine: the top hits and the decision to answer
    agree with the local index on our own development questions."""
    from askalign.assistant import Assistant
    from askalign.retrieval.open import OpenIndex
    from askalign.retrieval.search import Searcher

    questions = [
        json.loads(line)["question"]
        for line in (REPO / "tests" / "data" / "dev_questions.jsonl")
        .read_text("utf-8")
        .splitlines()[:12]
    ]
    index = OpenIndex(shipped_index, catalog, engine, loaded_shipped.shelf.model_id, DIMENSION)
    theirs = Assistant(Searcher(index, embedder))
    ours = Assistant(Searcher(loaded_shipped, embedder))
    same_top = same_decision = 0
    for question in questions:
        answer, reference = theirs.ask(question), ours.ask(question)
        same_top += answer.hits[0].chunk_id == reference.hits[0].chunk_id
        same_decision += answer.abstained == reference.abstained
    assert same_top >= 0.9 * len(questions)
    assert same_decision >= 0.9 * len(questions)
