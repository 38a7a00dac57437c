"""Which questions can only be answered by a year or a number."""

from __future__ import annotations

import pytest

from askalign.answer.expects import Expected, expected_answer, holds


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("In what year did the post appear?", Expected.YEAR),
        ("When did Anthropic publish its study of hidden reasoning?", Expected.YEAR),
        ("How many commenters replied?", Expected.NUMBER),
        ("How much compute would a brain-like AGI need to train?", Expected.NUMBER),
        ("How long was he on the team before writing?", Expected.NUMBER),
        ("What rough chance of success does the author give each stage?", Expected.NUMBER),
        ("Which episode number of the podcast features the idea?", Expected.NUMBER),
        ("Which university ran the object permanence study?", Expected.NAME),
        ("Which organization does the commenter work for?", Expected.NAME),
        ("What does the essay say about the probability of doom?", None),
        ("What did the commenters say about human values?", None),
        ("When someone raised hallucinations, how did the author reply?", None),
        ("Which commenter compared RL to selective breeding?", None),
        ("Why is alignment hard?", None),
    ],
)
def test_expected_answer(question: str, expected: Expected | None) -> None:
    assert expected_answer(question) is expected


def test_a_name_must_be_one_the_question_does_not_give() -> None:
    question = "Which university ran the chick study Byrnes mentions?"
    assert holds("The study was run at Cambridge by two researchers.", Expected.NAME, question)
    assert not holds("As Byrnes mentions, chicks track hidden objects.", Expected.NAME, question)


def test_holds_needs_the_kind_of_answer_asked_for() -> None:
    assert holds("It was written in 2025.", Expected.YEAR)
    assert not holds("It was written recently.", Expected.YEAR)
    assert holds("About 35% of the time.", Expected.NUMBER)
    assert not holds("Rarely, if ever.", Expected.NUMBER)


def test_footnote_markers_and_the_pronoun_one_are_not_quantities() -> None:
    assert not holds("as the post argues.[14] It would be nice", Expected.NUMBER)
    assert not holds("a branch that is also one that the persona would take", Expected.NUMBER)
    assert holds("a two-post series", Expected.NUMBER)
