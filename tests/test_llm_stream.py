"""The user's model streamed: each claim is shown as soon as it is verified, never
before, and the answer that ends the stream is the one `ask` would give. And citation
numbers that hold across a conversation, with or without a model."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from itertools import pairwise

from askalign.answer.answers import Answer, Citation
from askalign.answer.numbering import renumbered
from askalign.assistant import Assistant
from askalign.documents import Role

from .llm_server import FakeServer, Reply, claims
from .test_llm import QUESTION, assert_shown_quotes_are_the_source, good_claim

OTHER_QUESTION = "Why does Steven Byrnes think technical alignment is hard?"
DUCKS = "Alignment was solved in 2019 by a committee of ducks."


def asked(*questions: str) -> list[dict]:
    return [{"role": "user", "content": q} for q in questions]


def in_pieces(text: str, *starts: str) -> list[str]:
    """`text` cut just before each of `starts`."""
    cuts = [0, *(text.index(start) for start in starts), len(text)]
    return [text[a:b] for a, b in pairwise(cuts)]


def test_each_claim_is_shown_once_verified_while_the_model_still_writes(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    release = threading.Event()

    def script(body: dict) -> Reply:
        first, third = good_claim(body, assistant, "S1"), good_claim(body, assistant, "S3")
        invented = {**good_claim(body, assistant, "S2"), "quote": DUCKS}
        text = claims(first, invented, third)
        pieces = in_pieces(text, json.dumps(invented), json.dumps(third))
        return Reply(text, pieces=pieces, hold=release)

    fake.script.append(script)
    answers = llm_assistant.chat_stream(asked(QUESTION))
    first = next(answers)  # the stream is held after its first claim
    assert not release.is_set(), "the first claim waited for the whole reply"
    assert first.mode == "llm" and first.llm is not None and first.llm.kept == 1
    assert len(first.citations) == 1 and first.writing
    assert first.authorship() == "scripted-model is writing: 1 claim verified so far…"
    release.set()
    shown = [first, *answers]
    final = shown[-1]
    assert final.mode == "llm" and final.llm is not None and not final.writing
    assert final.llm.kept == 2 and [d.reason for d in final.llm.dropped] == [
        "quote not found in S2"
    ]
    invented = good_claim(fake.requests[0], assistant, "S2")["text"]
    for answer in shown:  # the invented claim's words are never shown
        assert "ducks" not in answer.text and invented.rstrip(".!?") not in answer.text
        assert_shown_quotes_are_the_source(llm_assistant, answer)
    assert final.text.startswith(first.text.rstrip(".")[:40])
    assert fake.requests[0]["stream"] is True


def test_a_stream_cut_at_max_tokens_shows_only_verified_claims_then_falls_back(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    def script(body: dict) -> Reply:
        good = json.dumps(good_claim(body, assistant, "S1"))
        start = '{"answerable": true, "claims": [' + good + ", "
        return Reply(start, pieces=[start, " \n" * 200], finish_reason="length")

    fake.script.append(script)
    shown = list(llm_assistant.chat_stream(asked(QUESTION)))
    assert [a.mode for a in shown] == ["llm", "extractive"]
    assert shown[-1].fallback_reason == "length"
    extractive = llm_assistant.ask(QUESTION)  # no model reply scripted: unreachable -> quotes
    assert shown[-1].text == extractive.text


def test_a_server_that_answers_a_stream_whole_is_read_whole(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    fake.streams = False
    fake.script.append(lambda body: Reply(claims(good_claim(body, assistant, "S1"))))
    final = list(llm_assistant.chat_stream(asked(QUESTION)))[-1]
    assert final.mode == "llm" and final.llm is not None and final.llm.kept == 1


def test_a_refused_json_schema_stream_is_asked_again_as_json_object(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    fake.script += [
        lambda body: Reply(status=500),
        lambda body: Reply(claims(good_claim(body, assistant, "S1"))),
    ]
    final = list(llm_assistant.chat_stream(asked(QUESTION)))[-1]
    assert [r["response_format"]["type"] for r in fake.requests] == ["json_schema", "json_object"]
    assert fake.requests[1]["response_format"]["schema"]["required"] == ["answerable", "claims"]
    assert final.mode == "llm" and final.llm is not None
    assert final.llm.response_format == "json_object"


def _numbers_in(answer: Answer) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}


def _spans(answer: Answer) -> dict[tuple[str, int, int], int]:
    return {(c.doc_id, c.start, c.end): c.n for c in answer.citations}


def test_a_quote_cited_again_keeps_its_number_across_a_conversation(
    assistant: Assistant,
) -> None:
    first = assistant.chat(asked(QUESTION))
    said = {"role": "assistant", "content": first.text, "citations": first.citations}
    second = assistant.chat([*asked(QUESTION), said, *asked(OTHER_QUESTION)])
    before = _spans(first)
    following = iter(range(max(before.values()) + 1, 100))
    for span, n in _spans(second).items():
        assert n == before[span] if span in before else n == next(following)
    assert _numbers_in(second) == {c.n for c in second.citations}
    alone = assistant.ask(OTHER_QUESTION)  # the same quotes, only their numbers moved
    assert [c.quote for c in second.citations] == [c.quote for c in alone.citations]
    said_too = {"role": "assistant", "content": second.text, "citations": second.citations}
    again = assistant.chat(
        [*asked(QUESTION), said, *asked(OTHER_QUESTION), said_too, *asked(QUESTION)]
    )
    assert (again.text, _spans(again)) == (first.text, before)


def test_the_users_model_keeps_numbers_across_a_conversation_too(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    def two(body: dict) -> Reply:
        return Reply(claims(good_claim(body, assistant, "S1"), good_claim(body, assistant, "S2")))

    fake.script += [two, lambda body: Reply(claims(good_claim(body, assistant, "S2")))]
    first = llm_assistant.chat(asked(QUESTION))
    assert [c.n for c in first.citations] == [1, 2]
    said = {"role": "assistant", "content": first.text, "citations": first.citations}
    second = llm_assistant.chat([*asked(QUESTION), said, *asked(QUESTION)])
    assert second.mode == "llm" and [c.n for c in second.citations] == [2]
    assert second.citations[0].quote == first.citations[1].quote
    assert _numbers_in(second) == {2}


def _citation(n: int, start: int, display: str) -> Citation:
    return Citation(
        n=n, doc_id="d", doc_title="T [1]", speaker="A", role=Role.COMMENT, quote=display,
        display=display, start=start, end=start + len(display), passage_id="p",
    )  # fmt: skip


def test_renumbering_leaves_brackets_inside_quotes_and_titles_alone() -> None:
    earlier = [_citation(1, 0, "an older quote")]
    quoted = _citation(1, 50, "as footnote [1] says")
    answer = Answer(
        question="q",
        text="A, in a comment on “T [1]”, writes: “as footnote [1] says” [1]",
        citations=[quoted],
    )
    moved = renumbered(answer, earlier)
    assert moved.text == "A, in a comment on “T [1]”, writes: “as footnote [1] says” [2]"
    assert [c.n for c in moved.citations] == [2]
    assert renumbered(answer, []) == answer


def test_cli_chat_streams_and_keeps_numbers(
    fake: FakeServer, assistant: Assistant, shipped_index
) -> None:
    def two(body: dict) -> Reply:
        return Reply(claims(good_claim(body, assistant, "S1"), good_claim(body, assistant, "S2")))

    fake.script += [two, lambda body: Reply(claims(good_claim(body, assistant, "S2")))]
    env = os.environ | {
        "ASKALIGN_INDEX_DIR": str(shipped_index),
        "ASKALIGN_LLM_URL": fake.url,
        "ASKALIGN_LLM_MODEL": "scripted-model",
    }
    done = subprocess.run(
        [sys.executable, "-m", "askalign", "chat"],
        input=f"{QUESTION}\n{QUESTION}\n\n", capture_output=True, text=True, env=env,
        check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr  # the server lists the model asked for
    first, second = done.stdout.split("\n> ")[1:3]
    assert "Written by scripted-model from 2 verified claims" in first
    assert "Written by scripted-model from 1 verified claim." in second
    assert all(r["stream"] for r in fake.requests)
    cited = re.findall(r"^\[(\d+)\] ", second, re.M)
    assert cited == ["2"]  # the quote the first answer numbered 2 keeps its number
