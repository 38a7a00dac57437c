"""Chunks follow passages, fit the model, and cut back to their text."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askalign import Document, Role, scan_corpus
from askalign.embedding import packaged_model_dir
from askalign.formats import essay, lesswrong
from askalign.formats.base import DocumentMeta, ReadContext
from askalign.ingest.chunking import Chunker
from askalign.text.tokens import TokenCounter

from .conftest import SHIPPED_CORPUS

MODEL_LIMIT = 254  # 256 positions less [CLS] and [SEP]


@pytest.fixture(scope="module")
def chunker() -> Chunker:
    return Chunker(TokenCounter(packaged_model_dir()), target_tokens=128)


def check_chunks(doc: Document, chunker: Chunker) -> None:
    chunks = chunker.chunk(doc)
    passages = {p.id: p for p in doc.passages}
    covered = set()
    for chunk in chunks:
        assert doc.source_text[chunk.start : chunk.end] == chunk.text
        assert chunker.counter.count(chunk.embed_text) <= MODEL_LIMIT
        owners = [passages[pid] for pid in chunk.passage_ids]
        assert len({(p.role, p.speaker, tuple(p.section)) for p in owners}) == 1
        if owners[0].role in (Role.COMMENT, Role.FOOTNOTE):
            [owner] = owners
            assert owner.start <= chunk.start and chunk.end <= owner.end
        covered.update(chunk.passage_ids)
    assert covered == set(passages)
    assert len({chunk.id for chunk in chunks}) == len(chunks)


def test_shipped_corpus_chunks(chunker: Chunker) -> None:
    for doc in scan_corpus(SHIPPED_CORPUS).documents:
        check_chunks(doc, chunker)


def test_chunk_ids_are_stable_across_runs(chunker: Chunker) -> None:
    first = [c.id for d in scan_corpus(SHIPPED_CORPUS).documents for c in chunker.chunk(d)]
    again = [c.id for d in scan_corpus(SHIPPED_CORPUS).documents for c in chunker.chunk(d)]
    assert first == again


def test_a_long_comment_splits_with_overlap_and_keeps_its_speaker(chunker: Chunker) -> None:
    doc = next(d for d in scan_corpus(SHIPPED_CORPUS).documents if d.id == "foom-and-doom-2")
    first_comment = next(p for p in doc.passages if p.role is Role.COMMENT)
    pieces = [c for c in chunker.chunk(doc) if c.passage_ids == [first_comment.id]]
    assert len(pieces) > 1
    assert all(c.speaker == "ryan_greenblatt" and c.comment_index == 1 for c in pieces)
    assert any(a.end > b.start for a, b in itertools.pairwise(pieces))


words = st.sampled_from(
    [
        "the",
        "agent",
        "reward",
        "model",
        "persona",
        "alignment",
        "oversight",
        "supercalifragilistic",
        "corrigibility",
        "ASI",
        "LLM",
        "deceptive-alignment",
        "RLHF",
        "2.3",
        "§5",
        "e.g.",
        "Dr.",
        "“quoted”",
        "it’s",
    ]
)
sentence = st.lists(words, min_size=1, max_size=90).map(lambda ws: " ".join(ws).capitalize() + ".")
paragraph = st.lists(sentence, min_size=1, max_size=12).map(" ".join)
body = st.lists(paragraph, min_size=1, max_size=4).map("\n\n".join)
names = st.sampled_from(["ann", "Bo Chen", "c_d", "Dee"])


def lesswrong_page(comments: list[tuple[str, str]], post: list[str]) -> str:
    index = "\n".join(f"1{name}" for name, _ in comments)
    threads = "\n".join(f"[-]{name}2d10\n\n{text}\n\nReply" for name, text in comments)
    post_text = "\n\n".join(f"1.{n + 1} Heading {n}\n\n{text}" for n, text in enumerate(post))
    return f"Title\n\nby Writer\n\nTitle\n{index}\nNew Comment\n{threads}\n\n{post_text}\n"


def context() -> ReadContext:
    return ReadContext("doc", "doc.txt", "hash", DocumentMeta(), [])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    comments=st.lists(st.tuples(names, body), min_size=1, max_size=5),
    post=st.lists(body, max_size=3),
)
def test_generated_pages_chunk_within_passages(comments, post, chunker: Chunker) -> None:
    doc = lesswrong.read(lesswrong_page(comments, post), context())
    assert sum(p.role is Role.COMMENT for p in doc.passages) == len(comments)
    check_chunks(doc, chunker)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(st.one_of(body, st.text(max_size=300)), min_size=1, max_size=6).map("\n\n".join)
)
def test_generated_essays_chunk_within_limits(text: str, chunker: Chunker) -> None:
    doc = essay.read(text, context())
    check_chunks(doc, chunker)
