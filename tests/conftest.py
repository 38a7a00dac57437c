"""Every test gets its own corpus and index directories, so none touches the repo's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SHIPPED_CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    monkeypatch.setenv("ASKALIGN_CORPUS_DIR", str(corpus))
    monkeypatch.setenv("ASKALIGN_INDEX_DIR", str(tmp_path / "index"))
    return corpus


@pytest.fixture
def corpus_dir(isolated_dirs: Path) -> Path:
    return isolated_dirs


LESSWRONG_PAGE = """LESSWRONG
LW

AI
Frontpage

42

A Small Test Post

by Ada Author
3rd Feb 2024
AI Alignment Forum
5 min read
3

42

A Small Test Post
12bob_b
3Carol C
-1Dave
New Comment
3 comments, sorted by
top scoring
Click to highlight new comments since: Today at 8:42 AM
[-]bob_b2dΩ4125

Corrigibility is the property that an agent lets its overseers correct it.

I think this definition misses the point about incentives entirely.
Reply
[-]Carol C1d30

I think this definition misses the point about incentives entirely.

Bob, incentives are exactly what the second section discusses at length.
Reply1
[-]Dave5h-1-3

@Carol C is right, and the post is too long anyway.
Reply
Moderation Log
Curated and popular this week
3Comments
some tag
some tag

1.1 Introduction

Corrigibility is the property that an agent lets its overseers correct it.[1]

1.2 Incentives matter

An agent that prefers its goal will resist correction unless it is built not to.

  1. ^

    Footnote text about corrigibility literature.

tag one
tag two
Mentioned in
99Another post
"""


def read_one(corpus_dir: Path, name: str, content: str):
    """The one document a text written into the corpus becomes; no problems allowed."""
    from askalign.ingest.corpus import scan_corpus

    (corpus_dir / name).write_text(content, encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    assert scan.problems == [], scan.problems
    [document] = scan.documents
    return document


LLM_TIMEOUT_S = 5.0  # the scripted model's slow reply waits longer than this


@pytest.fixture(scope="session")
def embedder():
    """One real model for the whole run: loading it is the slow part."""
    from askalign.embedding import Embedder

    return Embedder()


def run_ingest(corpus: Path, index: Path, embedder, **options):
    from askalign.ingest.pipeline import ingest
    from askalign.settings import Settings

    chunk_tokens = Settings().chunk_tokens
    return ingest(
        corpus, index, embedder=embedder, chunk_tokens=chunk_tokens, max_file_bytes=2**22, **options
    )


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    """The shipped corpus, ingested once per test run."""
    index = tmp_path_factory.mktemp("shipped") / "index"
    run_ingest(SHIPPED_CORPUS, index, embedder)
    return index


@pytest.fixture(scope="session")
def loaded_shipped(shipped_index: Path, embedder):
    from askalign.retrieval.open import open_index

    return open_index(shipped_index, embedder.model_id, embedder.dimension)


@pytest.fixture(scope="session")
def assistant(loaded_shipped, embedder):  # the shipped corpus behind the Python API
    from askalign.assistant import Assistant
    from askalign.retrieval.search import Searcher

    return Assistant(Searcher(loaded_shipped, embedder))


@pytest.fixture(scope="session")
def reader():
    """The packaged reader model (Gemma 3 270M on llama.cpp), loaded once."""
    from askalign.reader import Reader
    from askalign.settings import Settings

    loaded = Reader(Settings().model_cache)
    loaded.load()
    return loaded


@pytest.fixture(scope="session")
def reading_assistant(loaded_shipped, embedder, reader):  # the shipped corpus, reader on
    from askalign.assistant import Assistant
    from askalign.retrieval.search import Searcher

    return Assistant(Searcher(loaded_shipped, embedder), reader=reader)


@pytest.fixture(scope="module")
def llm_server():
    """A scripted OpenAI-compatible server on 127.0.0.1 (tests/llm_server.py)."""
    from .llm_server import scripted_server

    with scripted_server() as server:
        yield server


@pytest.fixture
def fake(llm_server):
    """The scripted server, its script and its log of requests emptied."""
    llm_server.script.clear()
    llm_server.requests.clear()
    llm_server.authorizations.clear()
    llm_server.streams = True
    llm_server.models = None
    return llm_server


@pytest.fixture(scope="module")
def llm_assistant(loaded_shipped, embedder, llm_server):
    """The shipped corpus with the scripted server as the user's model."""
    from askalign.assistant import Assistant
    from askalign.llm.client import OpenAICompatibleClient
    from askalign.retrieval.search import Searcher

    client = OpenAICompatibleClient(llm_server.url, "scripted-model", timeout_s=LLM_TIMEOUT_S)
    return Assistant(Searcher(loaded_shipped, embedder), llm=client)
