"""Bring your own LLM, against a real HTTP server on 127.0.0.1 that speaks OpenAI's
chat-completions protocol and answers from a script (tests/llm_server.py): each
scripted reply has its expected outcome (claims kept or dropped, the answer's mode,
the fallback's reason), and no quote shown is ever the model's copy: each is the
source text at its span."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from askalign.answer.answers import Answer
from askalign.assistant import Assistant
from askalign.llm.check import locate
from askalign.llm.client import OpenAICompatibleClient
from askalign.llm.parse import parse_reply
from askalign.retrieval.search import Searcher
from askalign.settings import Settings
from askalign.text.markdown_out import escape_markdown
from askalign.web.render import chat_markdown

from .conftest import LLM_TIMEOUT_S
from .llm_server import FakeServer, Reply, Script, claims, sources_in

QUESTION = "Who said that almost all possible 500 lines of python are bad too?"
INVENTED = "I agree entirely that alignment is easy and solved."


@pytest.fixture(scope="module")
def extractive(assistant: Assistant) -> Answer:
    return assistant.ask(QUESTION)


def good_claim(body: dict, assistant: Assistant, source_id: str = "S1") -> dict:
    """A true claim about one window: its first plain sentence, copied with curly
    quotes and doubled spaces (which the checks forgive), said of its speaker."""
    speaker, text = sources_in(body)[source_id]
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        words = sentence.split()
        if len(words) >= 6 and not assistant.directory.mentioned(sentence) and "[" not in sentence:
            quote = "  ".join(words).replace("'", "’")
            return {"text": f"{speaker} says: {sentence}", "source_id": source_id, "quote": quote}
    raise AssertionError(f"no plain sentence in {source_id}: {text!r}")


def assert_shown_quotes_are_the_source(assistant: Assistant, answer: Answer) -> None:
    for citation in answer.citations:
        document = assistant.documents[citation.doc_id]
        assert document.source_text[citation.start : citation.end] == citation.quote
        assert f"[{citation.n}]" in answer.text


def test_no_llm_answers_are_extractive_with_no_reason(assistant: Assistant, extractive) -> None:
    assert assistant.writer is None
    assert extractive.mode == "extractive"
    assert extractive.fallback_reason is None and extractive.llm is None
    assert not extractive.abstained


def test_good_claims_are_kept_with_quotes_cut_from_the_source(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    fake.script.append(
        lambda body: Reply(
            claims(good_claim(body, assistant, "S1"), good_claim(body, assistant, "S2"))
        )
    )
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "llm" and answer.fallback_reason is None
    assert answer.llm is not None and answer.llm.kept == 2 and answer.llm.dropped == []
    assert answer.llm.model == "scripted-model" and answer.llm.response_format == "json_schema"
    assert [c.n for c in answer.citations] == [1, 2]
    assert_shown_quotes_are_the_source(llm_assistant, answer)
    assert all("  " not in c.quote and "’" not in c.quote for c in answer.citations)
    schema = fake.requests[0]["response_format"]["json_schema"]["schema"]
    ids = schema["properties"]["claims"]["items"]["properties"]["source_id"]["enum"]
    assert ids == sorted(sources_in(fake.requests[0]), key=lambda i: int(i[1:]))
    shown = chat_markdown(answer)  # the web UI says whose words they are
    assert escape_markdown("Written by scripted-model from 2 verified claims") in shown


def _one_good_and(bad: Callable[[dict], dict], assistant: Assistant) -> Script:
    return lambda body: Reply(claims(good_claim(body, assistant), bad(body)))


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("invented id", "no source 'S99'"),
        ("invented quote", "quote not found in S1"),
        ("wrong speaker", "names "),
        ("wrong speaker in a reply", "names "),
        ("invented quotation", "quotes words not in S1: “I agree entirely"),
        ("negated quote", "negates its quote"),
    ],
)
def test_a_claim_that_fails_a_check_is_dropped_with_its_reason(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant, case: str, reason: str
) -> None:
    def bad(body: dict) -> dict:
        claim = good_claim(body, assistant)
        if case == "invented id":
            return {**claim, "source_id": "S99"}
        if case == "invented quote":
            return {**claim, "quote": "Alignment was solved in 2019 by a committee of ducks."}
        speaker = sources_in(body)["S1"][0]
        other = next(s for s in assistant.directory.speakers if s != speaker and len(s) > 3)
        said = claim["text"].removeprefix(f"{speaker} says: ")
        texts = {  # issue 28's repros: each quote is real and found at its span
            "wrong speaker": f"{other} says: {said}",
            "wrong speaker in a reply": f"{other}, replying to {speaker}, wrote: “{said}”",
            "invented quotation": f"{speaker} wrote “{INVENTED}” and also {said}",
            "negated quote": f"{speaker} does not believe that {said}",
        }
        return {**claim, "text": texts[case]}

    fake.script.append(_one_good_and(bad, assistant))
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "llm" and answer.llm is not None
    assert answer.llm.kept == 1
    [dropped] = answer.llm.dropped
    assert dropped.reason.startswith(reason), dropped.reason
    assert len(answer.citations) == 1
    assert_shown_quotes_are_the_source(llm_assistant, answer)


def test_truncated_json_is_repaired_once_then_falls_back(
    llm_assistant: Assistant, fake: FakeServer, extractive: Answer
) -> None:
    truncated = '{"answerable": true, "claims": [{"text": "Plex says'
    fake.script += [lambda body: Reply(truncated), lambda body: Reply(truncated)]
    answer = llm_assistant.ask(QUESTION)
    assert len(fake.requests) == 2  # the question, then one repair
    assert fake.requests[1]["messages"][-1]["role"] == "user"
    assert answer.mode == "extractive" and answer.fallback_reason == "unparseable"
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)


def test_an_http_error_on_the_repair_falls_back(
    llm_assistant: Assistant, fake: FakeServer, extractive: Answer
) -> None:
    fake.script += [lambda body: Reply("not json"), lambda body: Reply(status=500)]
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "http_error"
    assert answer.text == extractive.text


def test_a_repair_that_parses_is_used(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    fake.script += [
        lambda body: Reply("Sure! Here are the claims: {"),
        lambda body: Reply("```json\n" + claims(good_claim(body, assistant)) + "\n```"),
    ]
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "llm" and answer.llm is not None and answer.llm.kept == 1


def test_a_whitespace_loop_to_max_tokens_falls_back(
    llm_assistant: Assistant, fake: FakeServer, extractive: Answer
) -> None:
    fake.script.append(lambda body: Reply('{"claims": [' + " \n" * 1000, finish_reason="length"))
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "length"
    assert answer.text == extractive.text and answer.llm is not None


def test_http_500_on_json_schema_retries_with_json_object(
    llm_assistant: Assistant, fake: FakeServer, assistant: Assistant
) -> None:
    fake.script += [
        lambda body: Reply(status=500),
        lambda body: Reply(claims(good_claim(body, assistant))),
    ]
    answer = llm_assistant.ask(QUESTION)
    formats = [r.get("response_format", {}).get("type") for r in fake.requests]
    assert formats == ["json_schema", "json_object"]
    assert answer.mode == "llm" and answer.llm is not None
    assert answer.llm.response_format == "json_object" and answer.llm.kept == 1
    assert_shown_quotes_are_the_source(llm_assistant, answer)


def test_a_slow_model_times_out_and_falls_back(
    llm_assistant: Assistant, fake: FakeServer, extractive: Answer
) -> None:
    fake.script.append(lambda body: Reply(claims(), delay_s=LLM_TIMEOUT_S + 1.5))
    started = time.monotonic()
    answer = llm_assistant.ask(QUESTION)
    assert time.monotonic() - started < LLM_TIMEOUT_S + 5
    assert answer.mode == "extractive" and answer.fallback_reason == "timeout"
    assert len(fake.requests) == 1  # a timeout is not retried
    assert answer.text == extractive.text
    said = escape_markdown("Quoted, not written by scripted-model: timeout")
    assert said in chat_markdown(answer)  # the web UI says why the model's answer went


def test_not_in_the_sources_falls_back_to_the_extractive_decision(
    llm_assistant: Assistant, fake: FakeServer, extractive: Answer
) -> None:
    fake.script.append(lambda body: Reply(claims(answerable=False)))
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "not_answerable"
    assert (answer.text, answer.abstained) == (extractive.text, extractive.abstained)


def test_no_claim_verified_falls_back(
    llm_assistant: Assistant, fake: FakeServer, extractive: Answer
) -> None:
    invented = {"text": "Plex says so.", "source_id": "S1", "quote": "nothing like this is there"}
    fake.script.append(lambda body: Reply(claims(invented)))
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "no_verified_claims"
    assert answer.llm is not None and answer.llm.kept == 0 and len(answer.llm.dropped) == 1
    assert answer.text == extractive.text


def test_weak_evidence_abstains_without_asking_the_model(
    llm_assistant: Assistant, fake: FakeServer
) -> None:
    answer = llm_assistant.ask("How do I bake sourdough bread at home?")
    assert answer.abstained and answer.mode == "extractive"
    assert answer.fallback_reason == "weak_evidence" and fake.requests == []


def test_an_unreachable_server_falls_back(loaded_shipped, embedder) -> None:
    client = OpenAICompatibleClient("http://127.0.0.1:9/v1", "nothing-there", timeout_s=1.0)
    answer = Assistant(Searcher(loaded_shipped, embedder), llm=client).ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "unreachable"


def test_the_server_is_checked_once_before_serving(fake: FakeServer) -> None:
    assert OpenAICompatibleClient(fake.url, "scripted-model").problem() is None
    wrong = OpenAICompatibleClient(fake.url, "llama3.1:8b").problem()
    assert wrong is not None and "lists scripted-model, not 'llama3.1:8b'" in wrong
    gone = OpenAICompatibleClient("http://127.0.0.1:9/v1", "x").problem()
    assert gone is not None and gone.startswith("no reply from http://127.0.0.1:9/v1")
    assert fake.requests == []  # a check asks for no completion


def test_the_parser_forgives_prose_fences_and_a_list_given_as_a_string() -> None:
    listed = json.dumps([{"text": "t", "source_id": "S1", "quote": "q"}])
    for content in [
        'Here you go: {"answerable": true, "claims": ' + json.dumps(listed) + "} Hope it helps {",
        "```json\n" + claims({"text": "t", "source_id": "S1", "quote": "q"}) + "\n```",
    ]:
        reply = parse_reply(content)
        assert reply is not None and reply.claims[0].source_id == "S1"
    assert parse_reply('{"claims": [{"text": "t"') is None
    assert parse_reply("The sources do not say.") is None


def test_a_quote_is_located_after_quote_marks_and_whitespace_are_normalised() -> None:
    window = "He said “it’s  fine”\nand left. Then nothing."
    span = locate("it's fine\" and left", window)
    assert span is not None and window[span.start : span.end] == "it’s  fine”\nand left"
    assert locate("and left", window) is None  # too short to show anything
    span = locate("“and left. Then nothing.”", window)  # its closing stop kept
    assert span is not None and window[span.start : span.end] == "and left. Then nothing."
    assert locate("it is fine and left", window) is None


def test_with_no_model_configured_nothing_new_is_imported() -> None:
    code = (
        "import sys; from askalign.assistant import Assistant; from askalign.cli import app;"
        " print(sorted(m for m in sys.modules if m.startswith('askalign.llm')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_settings_build_a_client_only_when_a_url_is_set(monkeypatch) -> None:
    assert Settings().chat_model() is None
    monkeypatch.setenv("ASKALIGN_LLM_URL", "http://127.0.0.1:11434/v1/")
    with pytest.raises(ValueError, match="ASKALIGN_LLM_MODEL"):
        Settings().chat_model()
    monkeypatch.setenv("ASKALIGN_LLM_TIMEOUT_S", "5")
    client = Settings().chat_model(model="llama3.1:8b")
    assert isinstance(client, OpenAICompatibleClient)
    assert client.url == "http://127.0.0.1:11434/v1/chat/completions"
    assert client.model == "llama3.1:8b"


@pytest.mark.skipif(
    not os.environ.get("ASKALIGN_TEST_LLM_URL"),
    reason="set ASKALIGN_TEST_LLM_URL (and ASKALIGN_TEST_LLM_MODEL) to try a real model",
)
def test_a_real_model_shows_only_verified_quotes(loaded_shipped, embedder) -> None:
    """Whatever a real model writes, every quote shown is the source at its span."""
    client = OpenAICompatibleClient(
        os.environ["ASKALIGN_TEST_LLM_URL"],
        os.environ.get("ASKALIGN_TEST_LLM_MODEL", "llama3.1:8b"),
        timeout_s=float(os.environ.get("ASKALIGN_TEST_LLM_TIMEOUT_S", "120")),
    )
    real = Assistant(Searcher(loaded_shipped, embedder), llm=client)
    for question in [QUESTION, "Why does Steven Byrnes think technical alignment is hard?"]:
        answer = real.ask(question)
        print(answer.model_dump_json(indent=2, exclude={"hits"}))
        assert answer.llm is not None
        assert answer.mode == "llm" or answer.fallback_reason
        assert_shown_quotes_are_the_source(real, answer)
