"""Composer v2 on the shipped corpus: properties over our own questions, answer shapes,
windows, threads and conversations. Questions come from tests/data (ours, none resting
on the evaluation set's evidence)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askalign.answer.answers import Answer
from askalign.assistant import Assistant
from askalign.documents import Role
from askalign.evaluation import EvalQuestion, cited_evidence
from askalign.retrieval.intent import Shape

PARAPHRASED = Path(__file__).parent / "data" / "paraphrase_questions.jsonl"
OURS = [
    EvalQuestion.model_validate(json.loads(line))
    for line in PARAPHRASED.read_text(encoding="utf-8").splitlines()
]
BY_ID = {q.id: q for q in OURS}


def quotes_of(answer: Answer) -> list[str]:
    return [c.quote for c in answer.citations]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(OURS))
def test_answer_properties_over_our_questions(assistant: Assistant, question) -> None:
    answer = assistant.ask(question.question)
    spans: list[tuple[str, int, int]] = []
    for citation in answer.citations:
        document = assistant.documents[citation.doc_id]
        assert document.source_text[citation.start : citation.end] == citation.quote
        assert not any(
            doc == citation.doc_id and start < citation.end and citation.start < end
            for doc, start, end in spans
        ), "a sentence is quoted twice"
        spans.append((citation.doc_id, citation.start, citation.end))
    if answer.citations and not answer.abstained:
        assert not answer.citations[0].quote.rstrip().endswith(":"), "opens on a lead-in"
        for speaker in assistant.intent(question.question).speakers:
            said = [h for h in answer.hits if h.speaker == speaker]
            if said:
                assert speaker in answer.text


def test_an_example_brings_the_sentences_that_tell_it(assistant: Assistant) -> None:
    answer = assistant.ask("What went wrong with the AI that learned to race boats?")
    text = " ".join(quotes_of(answer))
    assert "boat-racing game" in text and "circle around a single checkpoint" in text


def test_a_back_reference_brings_the_sentence_it_leans_on(assistant: Assistant) -> None:
    composer = assistant.composer
    table = assistant.searcher.index.shelf.sentences
    for rowid, sentence in table.rows.items():
        text = sentence.span.cut(assistant.documents[sentence.doc_id].source_text)
        before, _ = table.neighbours(rowid)
        if before is not None and re.match(r"That[’']s not", text):
            assert composer.windows.window(rowid, 0.0, {})[0] == before
            return
    pytest.fail("the corpus has a sentence that opens on a back-reference")


@pytest.mark.parametrize(
    ("question_id", "shape"),
    [
        ("p011", Shape.WHY),  # why …: the reason
        ("p012", Shape.YESNO),  # does Byrnes think …: the stance
        ("p023", Shape.WHO),  # who defended …: the person
        ("p029", Shape.THREAD),  # the exchange, both sides
        ("p034", Shape.WHO),
        ("p089", Shape.WHY),
    ],
)
def test_each_shape_quotes_the_evidence(
    assistant: Assistant, question_id: str, shape: Shape
) -> None:
    question = BY_ID[question_id]
    assert assistant.intent(question.question).shape is shape
    answer = assistant.ask(question.question)
    assert not answer.abstained
    assert cited_evidence(quotes_of(answer), question.evidence)


def test_a_who_answer_leads_with_the_person(assistant: Assistant) -> None:
    answer = assistant.ask(BY_ID["p023"].question)
    first = answer.citations[0]
    assert first.role is Role.COMMENT and answer.text.startswith(first.speaker or "A commenter")


def test_a_thread_is_told_in_page_order_led_by_whom_it_asks_about(
    assistant: Assistant,
) -> None:
    """ "What evidence did Byrnes bring, and did Hallgren keep arguing?": Byrnes's words
    first, then the exchange in page order."""
    question = BY_ID["p029"].question
    answer = assistant.ask(question)
    assert answer.citations[0].speaker == assistant.intent(question).subject == "Steven Byrnes"
    passages = {p.id: p for d in assistant.documents.values() for p in d.passages}
    order = [passages[c.passage_id].comment_index or 0 for c in answer.citations[1:]]
    assert order == sorted(order)
    assert len({c.speaker for c in answer.citations}) >= 2, "both sides of the exchange"


def test_one_sentence_where_one_suffices(assistant: Assistant) -> None:
    answer = assistant.ask(BY_ID["p023"].question)
    assert 1 <= len(answer.citations) <= 3


def test_a_follow_up_about_a_reply_keeps_the_person_just_discussed(
    assistant: Assistant,
) -> None:
    first_question = "What did ryan_greenblatt say about MuZero?"
    first = assistant.ask(first_question)
    follow = assistant.chat(
        [
            {"role": "user", "content": first_question},
            {"role": "assistant", "content": first.text},
            {"role": "user", "content": "And how did Byrnes reply to him?"},
        ]
    )
    assert not follow.abstained
    assert "MuZero" in " ".join(quotes_of(follow))
    assert {"ryan_greenblatt", "Steven Byrnes"} & {c.speaker for c in follow.citations}


def test_does_anyone_disagree_quotes_commenters(assistant: Assistant) -> None:
    answer = assistant.ask(
        "Does anyone in the comments disagree with the post's account of how RL shapes values?"
    )
    assert not answer.abstained
    assert any(c.role is Role.COMMENT for c in answer.citations)


@pytest.mark.parametrize(
    ("who", "said"),
    [
        ("Andy Arditi, Oscar Obeso, Neel Nanda", "Andy Arditi, Oscar Obeso, Neel Nanda go on"),
        ("Max Harms and Jeremy Gillen", "Max Harms and Jeremy Gillen go on"),
        ("Steven Byrnes", "Steven Byrnes goes on"),
    ],
)
def test_a_byline_of_several_authors_takes_the_plural(who: str, said: str) -> None:
    """A copied page's byline lists its authors with commas only ("A, B, C")."""
    from askalign.answer.prose import _says

    assert _says(who, "goes on") == said
