"""Answers that finish the thought (issue 31), on small texts of our own, real model and
real index: a set-up sentence brings the sentences that pay it off, a sentence that only
says the question back never opens the answer, and an exchange between two named
people is told in thread order, from the point to its last turn."""

from __future__ import annotations

import pytest

from askalign.answer.scoring import pasted
from askalign.assistant import Assistant
from askalign.documents import Passage, PastedSpan, Role
from askalign.retrieval.open import open_index
from askalign.retrieval.search import Searcher
from askalign.text.courtesy import says_something
from askalign.text.readable import only_names
from askalign.text.spans import Span

from .conftest import run_ingest

SET_UP = "There are ways of addressing this problem."
PAYOFF = (
    "Sealed hardware keeps the sensor physically out of reach.",
    "Myopic training removes any later gain from meddling.",
)
RESTATED = "Designers ask how to stop an agent tampering with its reward sensor."
ANSWER = "Sealing the sensor inside tamper-proof hardware removes the opportunity entirely."
BYLINE = "Sealed Sensor Group, Tamper Hardware Lab, and Reward Tampering Institute"
OPENING = "A learned agent may tamper with the sensor that measures its reward."
ESSAY = f"""Reward tampering

{" ".join([OPENING, SET_UP, *PAYOFF])}

Lighthouse keepers on rocky coasts kept careful logs of every passing ship and storm.

{RESTATED} {ANSWER}

Tide tables were printed each winter for the harbour pilots of the northern coast.

Next up: [Sealed sensors and tamper-proof hardware for reward tampering](/posts/abc/part-two)

“[Tamper-proof hardware against reward tampering, a survey](/posts/def/survey).” 2021.

{BYLINE}
"""
THREAD = """LESSWRONG
LW

AI
Frontpage

42

Buttons And Their Keepers

by Ada Author
3rd Feb 2024
AI Alignment Forum
5 min read
4

42

Buttons And Their Keepers
12bob_b
3Carol C
-1Dave
New Comment
5 comments, sorted by
top scoring
Click to highlight new comments since: Today at 8:42 AM
[-]bob_b2dΩ4125

A shutdown button fails because a capable agent learns to guard the button against its keepers.
Reply
[-]Carol C1d30

@bob_b Guarding pays only when the agent expects a press to cost it reward.
Reply1
[-]bob_b1d20

@Carol C Then the press must leave expected reward untouched, which nobody can arrange.
Reply
[-]Carol C1d10

@bob_b We agree reward-neutral presses are the crux; we differ on whether they can be built.
Reply
[-]Erin2h30

The post is only about hand-written ferry timetables, so the harbour problem is all outer alignment.
Reply
[-]Frank1h20

Thanks, great comment!
@Erin That is not quite my position.
I hold that both the timetable and the captains' habits can fail.
Ferry timetables written by hand for a harbour still drift with the outer tides.
Reply
[-]Dave5h-1-3

Lighthouses on rocky coasts were once kept by families who lived inside them.
Reply
Moderation Log
Curated and popular this week
5Comments
some tag

1.1 Introduction

Keepers of an off switch want it pressed only when needed.

tag one
Mentioned in
99Another post
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    corpus = tmp_path_factory.mktemp("finish") / "corpus"
    corpus.mkdir()
    (corpus / "tampering.txt").write_text(ESSAY, encoding="utf-8")
    (corpus / "buttons.txt").write_text(THREAD, encoding="utf-8")
    index = corpus.parent / "index"
    run_ingest(corpus, index, embedder)
    return Assistant(Searcher(open_index(index, embedder.model_id, embedder.dimension), embedder))


def quoted(answer) -> str:
    return " ".join(" ".join(c.quote.split()) for c in answer.citations)


def test_a_set_up_brings_the_sentences_that_pay_it_off(small: Assistant) -> None:
    answer = small.ask("What ways of addressing reward tampering does the text give?")
    assert SET_UP in quoted(answer), answer.text
    assert all(payoff in quoted(answer) for payoff in PAYOFF), answer.text


def test_a_sentence_that_restates_the_question_never_opens_the_answer(small: Assistant) -> None:
    answer = small.ask("How can a designer stop an agent from tampering with its reward sensor?")
    assert not answer.abstained
    assert answer.citations[0].quote.startswith(ANSWER), answer.text
    assert RESTATED not in quoted(answer)


def test_a_bare_link_or_a_list_of_names_is_not_quoted_as_an_answer(small: Assistant) -> None:
    answer = small.ask("What does the text say about tamper-proof hardware and sealed sensors?")
    assert "Sealed hardware keeps the sensor" in quoted(answer), answer.text
    assert "/posts/" not in answer.text, answer.text
    assert BYLINE not in answer.text


def test_a_reply_is_told_from_its_opening(small: Assistant) -> None:
    """The reply's nearest sentence to the question is its last one; its answer to
    the point is its first after the thanks."""
    answer = small.ask(
        "How did Frank answer Erin's reading that the post is about hand-written ferry "
        "timetables and outer tides?"
    )
    first = answer.citations[0]
    assert first.speaker == "Frank", answer.text
    assert first.quote.removeprefix("@Erin ").startswith("That is not quite my position.")


def test_an_exchange_asked_where_it_landed_leads_with_its_last_turn(small: Assistant) -> None:
    """Where they ended up is the answer, so it comes first; then the exchange in thread
    order, to show how they got there."""
    answer = small.ask("Where did bob_b and Carol C end up on guarding the shutdown button?")
    order = [c.passage_id.split("#")[1] for c in answer.citations]
    assert order == ["c4", "c1", "c2", "c3"], answer.text
    assert "Carol C, replying to bob_b, writes" in answer.text
    assert "bob_b, replying to Carol C, writes" in answer.text


def test_an_asked_reply_leads_then_the_exchange_runs_to_its_end(small: Assistant) -> None:
    answer = small.ask("How did Carol C reply to bob_b's point about guarding the shutdown button?")
    order = [c.passage_id.split("#")[1] for c in answer.citations]
    assert order == ["c2", "c1", "c3", "c4"], answer.text


def test_a_sentence_opening_on_quote_marks_before_pasted_words_is_pasted() -> None:
    """A saved page puts "> " before the words a reply pastes; the sentence the splitter
    cuts starts on those marks, and is still the quoted person's, not the replier's."""
    text = "Thanks.\n\n> > agents can be money-pumped\n\nYou are correct."
    passage = Passage(
        id="d#c2",
        role=Role.COMMENT,
        start=100,
        end=100 + len(text),
        text=text,
        pasted=[
            PastedSpan(
                start=113, end=139, source_passage_id="d#c1", source_speaker="Ann", exact=True
            )
        ],
    )
    assert pasted(passage, Span(109, 139))  # "> > agents can be money-pumped"
    assert not pasted(passage, Span(100, 107))  # "Thanks."
    assert not pasted(passage, Span(141, 157))  # "You are correct."


@pytest.mark.parametrize(
    ("text", "names_only"),
    [
        ("Dylan Hadfield-Menell, Anca Dragan, Pieter Abbeel, and Stuart Russell", True),
        ("[Soares](/users/so8res), Fallenstein, and Yudkowsky", True),
        ("Paul Christiano and Eliezer Yudkowsky disagree about this.", False),
        ("Corrigibility As Singular Target", False),  # a title, not a list of names
    ],
)
def test_a_byline_names_people_without_saying_anything(text: str, names_only: bool) -> None:
    assert only_names(text) is names_only


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Excellent response. Thank you. :)", False),
        ("You're welcome! I'm glad you're enjoying it. ^_^", False),
        ("I'll start with some basic responses, and will respond later when I have time.", False),
        ("Thanks for noticing the typo.", True),
        ("I agree.", True),
        ("That's not quite my position.", True),
    ],
)
def test_courtesy_alone_says_nothing_of_the_point(text: str, said: bool) -> None:
    assert says_something(text) is said
