"""Which questions can only be answered by a year or a number."""

from __future__ import annotations

import pytest

from askalign.answer.expects import Expected, expected_answer, holds


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("In what year did the post appear?", Expected.YEAR),
        ("How many commenters replied?", Expected.NUMBER),
        ("What exact percentage does the essay give?", Expected.NUMBER),
        ("What benchmark scores did the RL model reach?", Expected.NUMBER),
        ("Which accuracy figures were reported for it?", Expected.NUMBER),
        ("What does the essay say about the probability of doom?", None),
        ("What did the commenters say about human values?", None),
        ("Why is alignment hard?", None),
    ],
)
def test_expected_answer(question: str, expected: Expected | None) -> None:
    assert expected_answer(question) is expected


def test_holds_needs_the_kind_of_answer_asked_for() -> None:
    assert holds("It was written in 2025.", Expected.YEAR)
    assert not holds("It was written recently.", Expected.YEAR)
    assert holds("About 35% of the time.", Expected.NUMBER)
    assert not holds("Rarely, if ever.", Expected.NUMBER)


def test_footnote_markers_and_the_pronoun_one_are_not_quantities() -> None:
    assert not holds("as the post argues.[14] It would be nice", Expected.NUMBER)
    assert not holds("a branch that is also one that the persona would take", Expected.NUMBER)
    assert holds("a two-post series", Expected.NUMBER)
