"""A text with no paragraph breaks and no capital after its full stops (issue 19, finding
11): its sentences are still found, an answer about its last sentence quotes that
sentence, and no citation is more than a few sentences long. Real model, real index."""

from __future__ import annotations

import random
from pathlib import Path

from askalign.assistant import Assistant
from askalign.retrieval.open import open_index
from askalign.retrieval.search import Searcher
from askalign.text.sentences import MAX_SENTENCE_CHARS, whole_sentences

from .conftest import run_ingest

TEXT_CHARS = 200_000
LAST = "the lighthouse keeper counted exactly forty-two gulls on the northern breakwater at dawn."
VOCABULARY = (
    "the overseer reward model policy agent training gradient objective proxy value goal"
    " human feedback deception shutdown button corrigible mesa optimiser oversight weights"
    " benchmark capability evaluation interpretability circuit feature sparse probe"
)


def one_paragraph(chars: int) -> str:
    """Lower-case sentences on one line: the sentence pattern sees none of their ends."""
    rng = random.Random(19)
    words = VOCABULARY.split()
    sentences: list[str] = []
    size = 0
    while size < chars:
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 24))) + "."
        sentences.append(sentence)
        size += len(sentence) + 1
    return " ".join([*sentences, LAST])


def test_every_stretch_of_a_long_paragraph_is_cut_into_short_sentences() -> None:
    text = one_paragraph(TEXT_CHARS)
    spans = whole_sentences(text, 0, len(text))
    assert len(spans) > TEXT_CHARS // 400
    assert max(span.end - span.start for span in spans) <= MAX_SENTENCE_CHARS
    assert spans[-1].cut(text) == LAST
    unbroken = "x" * 5000 + " and then some words with no full stop" * 100
    pieces = whole_sentences(unbroken, 0, len(unbroken))
    assert max(span.end - span.start for span in pieces) <= MAX_SENTENCE_CHARS
    assert "".join(span.cut(unbroken) for span in pieces).replace(" ", "") == unbroken.replace(
        " ", ""
    )


def test_a_question_about_the_last_sentence_quotes_it_and_nothing_long(
    corpus_dir: Path, tmp_path: Path, embedder
) -> None:
    (corpus_dir / "one-paragraph.txt").write_text(one_paragraph(TEXT_CHARS), encoding="utf-8")
    report = run_ingest(corpus_dir, tmp_path / "index", embedder)
    assert report.embedded_sentences > TEXT_CHARS // 400
    loaded = open_index(tmp_path / "index", embedder.model_id, embedder.dimension)
    answer = Assistant(Searcher(loaded, embedder)).ask(
        "How many gulls did the lighthouse keeper count on the northern breakwater?"
    )
    assert not answer.abstained
    assert any(LAST in citation.quote for citation in answer.citations)
    assert all(len(citation.quote) <= 2000 for citation in answer.citations)
    assert all(citation.end - citation.start <= 2000 for citation in answer.citations)
