"""What an answer is shaped like, read by the reader on our own questions: a reply
question leads with the reply, a list is quoted with its items, the unanswerable is
said plainly, and no answer quotes a question's premise before the reply it asks for."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from askalign.assistant import ABSTAIN_TEXT, Assistant
from askalign.documents import Passage, Role

from .conftest import SHIPPED_CORPUS


def test_a_reply_question_leads_with_the_reply(reading_assistant: Assistant) -> None:
    answer = reading_assistant.ask(
        "How did Byrnes respond when McAleese listed spam filters and hard-to-jailbreak"
        " chatbots as learned judges that work?"
    )
    assert not answer.abstained
    first = answer.citations[0]
    assert first.speaker == "Steven Byrnes" and first.replying_to_speaker == "Stephen McAleese"
    premise = [c.n for c in answer.citations if c.speaker == "Stephen McAleese"]
    assert all(n > first.n for n in premise)
    assert len(premise) <= 1  # the premise once, after the reply


def test_a_list_is_quoted_with_its_items(reading_assistant: Assistant) -> None:
    answer = reading_assistant.ask(
        "What reasons did McAleese give for feeling more optimistic that reward learning"
        " could work?"
    )
    listed = next(c for c in answer.citations if "Here are some reasons:" in c.quote)
    for item in ("evaluation is easier than generation", "just as smart as the generator",
                 "spam classifier"):  # fmt: skip
        assert item in listed.quote
    assert re.search(rf"\[{listed.n}\] \((?:the first \d+ of )?\d+ items\)", answer.text)


def test_an_unanswerable_question_says_so_and_marks_the_nearest(
    reading_assistant: Assistant,
) -> None:
    answer = reading_assistant.ask(
        "Which sourdough starter does the persona post recommend for beginners?"
    )
    assert answer.abstained and answer.text.startswith(ABSTAIN_TEXT)
    assert "(not an answer)" in answer.text
    assert answer.citations  # the nearest material, shown as such


def _exchanges() -> list[tuple[Passage, Passage]]:
    """(comment, a named reply to it by someone else) across the shipped threads."""
    from askalign.ingest.corpus import scan_corpus

    pairs = []
    for document in scan_corpus(SHIPPED_CORPUS).documents:
        by_id = {p.id: p for p in document.passages}
        for reply in document.passages:
            point = by_id.get(reply.reply_to or "")
            if (
                point is not None
                and reply.role is Role.COMMENT
                and reply.speaker
                and point.speaker
                and reply.speaker != point.speaker
                and len(point.text.split()) >= 12
            ):
                pairs.append((point, reply))
    return pairs


EXCHANGES = _exchanges()


@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(exchange=st.sampled_from(EXCHANGES))
def test_no_answer_quotes_the_premise_before_the_reply(
    reading_assistant: Assistant, exchange: tuple[Passage, Passage]
) -> None:
    point, reply = exchange
    gist = " ".join(point.text.split()[:14])
    answer = reading_assistant.ask(f"How did {reply.speaker} reply to {point.speaker} on “{gist}”?")
    order = [c.passage_id for c in answer.citations]
    if point.id in order and not answer.abstained:
        before = order[: order.index(point.id)]
        replies = [c for c in answer.citations if c.speaker == reply.speaker]
        assert replies and replies[0].passage_id in before, answer.text


@pytest.mark.parametrize(
    ("question", "asks_reply", "replier", "subject"),
    [
        ("How did Byrnes reply to Greenblatt's objection?", True, "Steven Byrnes", "Steven Byrnes"),
        (
            "What was Ryan Greenblatt's response to Byrnes?",
            True,
            "ryan_greenblatt",
            "ryan_greenblatt",
        ),
        ("How did Byrnes answer Greenblatt?", True, "Steven Byrnes", "Steven Byrnes"),
        # "answer" as the thing a model gets right asks for no reply
        (
            "What chance of a correct answer does Byrnes give after RLHF?",
            False,
            None,
            "Steven Byrnes",
        ),
        # two questions in one: the first part's answer comes first, not the reply
        ("What did another commenter suggest, and how did Ryan respond?", False, None, None),
        (
            "What evidence did Byrnes bring, and did Hallgren keep arguing?",
            False,
            None,
            "Steven Byrnes",
        ),
        # a model's answers are not anyone's reply
        ("What did Byrnes think of o1's answers?", False, None, "Steven Byrnes"),
        # the one who raised the point, in a sentence of its own, is not the one answering
        ("Hallgren asked about culture. What was the answer?", True, None, "Jonas Hallgren"),
    ],
)
def test_who_a_question_asks_about(
    question: str, asks_reply: bool, replier: str | None, subject: str | None
) -> None:
    from askalign.retrieval.intent import SpeakerDirectory, read_intent

    directory = SpeakerDirectory(["Steven Byrnes", "ryan_greenblatt", "Jonas Hallgren"])
    intent = read_intent(question, directory)
    assert (intent.asks_reply, intent.replier, intent.subject) == (asks_reply, replier, subject)


def test_a_full_name_is_found_before_a_question_mark() -> None:
    """Names whose parts are shared with a co-authored byline are found whole only:
    "…with Andy Arditi?" was not, so the exchange it asks about was never looked for."""
    from askalign.retrieval.intent import Shape, SpeakerDirectory, read_intent

    directory = SpeakerDirectory(["Andy Arditi", "Andy Arditi, Neel Nanda", "Neel Nanda", "lone17"])
    intent = read_intent("What came out of lone17's back-and-forth with Andy Arditi?", directory)
    assert set(intent.speakers) == {"Andy Arditi", "lone17"}
    assert intent.shape is Shape.THREAD


@pytest.mark.parametrize(
    ("question", "asks_thing"),
    [
        ("Hallgren objected. What example did Byrnes give in reply?", True),
        ("What evidence came up in that thread?", True),
        ("Hallgren objected. What was the answer?", False),
        ("What reply did Byrnes give?", False),
        ("How did Byrnes respond?", False),
        ("What did Byrnes say to that?", False),
    ],
)
def test_a_thing_asked_for_is_not_the_whole_reply(question: str, asks_thing: bool) -> None:
    from askalign.retrieval.intent import SpeakerDirectory, read_intent

    intent = read_intent(question, SpeakerDirectory(["Steven Byrnes", "Jonas Hallgren"]))
    assert intent.asks_thing is asks_thing


def test_a_point_stated_first_is_answered_by_what_followed_it(assistant: Assistant) -> None:
    """ "X argued… What came of that?": the first sentence is the premise, the answer is
    the reply to it. Before, the answer quoted Hallgren's own comment back first."""
    question = (
        "Jonas Hallgren argued that infants pick up object permanence from cultural"
        " exposure. What came of that?"
    )
    answer = assistant.ask(question)
    assert not answer.abstained
    first = answer.citations[0]
    assert (first.speaker, first.replying_to_speaker) == ("Steven Byrnes", "Jonas Hallgren")


def test_the_point_makers_own_later_words_are_not_the_reply() -> None:
    """ "McAleese said X. What was the reply?": his answer back to Byrnes replies to a
    quoted passage too, but it is the premise's author talking, not the reply asked for."""
    from askalign.answer.selection import is_asked_reply
    from askalign.retrieval.intent import SpeakerDirectory, read_intent

    directory = SpeakerDirectory(["Stephen McAleese", "Steven Byrnes"])
    intent = read_intent(
        "Stephen McAleese said rewards can be learned. What was the reply?", directory
    )

    def comment(speaker: str, to: str) -> Passage:
        return Passage(
            id=f"d#{speaker[:3]}", role=Role.COMMENT, speaker=speaker, start=0, end=1, text="x",
            reply_to="d#c1", replying_to_speaker=to,
        )  # fmt: skip

    assert is_asked_reply(comment("Steven Byrnes", "Stephen McAleese"), {"d#c1"}, intent)
    assert not is_asked_reply(comment("Stephen McAleese", "Steven Byrnes"), {"d#c1"}, intent)
