"""The llama-index path: a llama-index `LLM` handed to the Assistant writes the answer
through the same checks and fallbacks as a server. llama-index's own MockLLM, replying
from a script, stands in for the user's model."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llama_index.core.llms import ChatMessage, ChatResponse, MockLLM
from pydantic import Field

from askalign.assistant import Assistant
from askalign.llm.prompt import STANDALONE
from askalign.retrieval.search import Searcher

from .test_llm import QUESTION, assert_shown_quotes_are_the_source, claims, good_claim


class ScriptedLLM(MockLLM):
    """MockLLM answering each chat from the next scripted function of what it was sent."""

    script: list[Callable[[dict], object]] = Field(default_factory=list)
    seen: list[dict] = Field(default_factory=list)

    def chat(self, messages: list[ChatMessage], **kwargs) -> ChatResponse:
        body = {"messages": [{"role": m.role.value, "content": m.content} for m in messages]}
        self.seen.append(body)
        reply = self.script.pop(0)(body)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, ChatResponse):
            return reply
        return ChatResponse(message=ChatMessage(role="assistant", content=reply))


@pytest.fixture
def scripted() -> ScriptedLLM:
    return ScriptedLLM()


@pytest.fixture
def llama_assistant(loaded_shipped, embedder, scripted: ScriptedLLM) -> Assistant:
    return Assistant(Searcher(loaded_shipped, embedder), llm=scripted)


def test_a_llama_index_llm_writes_verified_claims(
    llama_assistant: Assistant, scripted: ScriptedLLM, assistant: Assistant
) -> None:
    scripted.script.append(
        lambda body: "Here you go:\n```json\n" + claims(good_claim(body, assistant)) + "\n```"
    )
    answer = llama_assistant.ask(QUESTION)
    assert answer.mode == "llm" and answer.fallback_reason is None
    assert answer.llm is not None and answer.llm.model == "ScriptedLLM"
    assert answer.llm.response_format == "text"  # llama-index's chat takes no output form
    assert answer.llm.kept == 1 and len(answer.citations) == 1
    assert_shown_quotes_are_the_source(llama_assistant, answer)
    assert len(scripted.seen) == 1


def test_an_invented_quote_from_a_llama_index_llm_is_dropped(
    llama_assistant: Assistant, scripted: ScriptedLLM
) -> None:
    invented = {"text": "Plex says so.", "source_id": "S1", "quote": "nothing like this is there"}
    scripted.script.append(lambda body: claims(invented))
    answer = llama_assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "no_verified_claims"
    assert answer.llm is not None and [d.source_id for d in answer.llm.dropped] == ["S1"]


def test_a_llama_index_llm_that_cannot_connect_falls_back(
    llama_assistant: Assistant, scripted: ScriptedLLM
) -> None:
    scripted.script.append(lambda body: ConnectionError("connection refused"))
    answer = llama_assistant.ask(QUESTION)
    assert answer.mode == "extractive" and answer.fallback_reason == "unreachable"
    assert answer.citations and not answer.abstained


def test_a_follow_up_is_rewritten_by_the_model_to_stand_alone(
    llama_assistant: Assistant, scripted: ScriptedLLM, assistant: Assistant
) -> None:
    rewritten = "Who said that almost all possible 500 lines of python are bad?"
    scripted.script += [
        lambda body: f"Rewritten question: {rewritten}\n",
        lambda body: claims(good_claim(body, assistant)),
    ]
    turns = [
        {"role": "user", "content": "What did nostream want to discuss?"},
        {"role": "assistant", "content": "nostream writes: …"},
        {"role": "user", "content": "And what about the python reward functions?"},
    ]
    answer = llama_assistant.chat(turns)
    asked_to_rewrite = scripted.seen[0]["messages"]
    assert asked_to_rewrite[0]["content"] == STANDALONE
    assert "What did nostream want to discuss?" in asked_to_rewrite[1]["content"]
    assert f"Question: {rewritten}" in scripted.seen[1]["messages"][1]["content"]
    assert answer.question == "And what about the python reward functions?"
    assert answer.mode == "llm" and "plex" in {c.speaker for c in answer.citations}


def test_without_a_rewrite_a_follow_up_joins_the_turns_as_before(
    llama_assistant: Assistant, scripted: ScriptedLLM, assistant: Assistant
) -> None:
    turns = [
        {"role": "user", "content": "Who said almost all possible 500 lines of python are bad?"},
        {"role": "assistant", "content": "plex writes: …"},
        {"role": "user", "content": "And why?"},
    ]
    scripted.script += [lambda body: ConnectionError("refused"), lambda body: TimeoutError()]
    answer = llama_assistant.chat(turns)
    expected = assistant.chat(turns)  # no model: the turns joined
    assert (answer.text, answer.fallback_reason) == (expected.text, "timeout")


TRUNCATED = '{"answerable": true, "claims": [{"text": "Plex says'


def _scripts(case: str, assistant: Assistant) -> list[Callable[[dict], object]]:
    """The server suite's scripted replies, as a llama-index LLM would give them."""

    def good(body: dict) -> dict:
        return good_claim(body, assistant)

    def named_wrongly(body: dict) -> dict:
        claim = good(body)
        speaker = claim["text"].split(" says")[0]
        other = next(s for s in assistant.directory.speakers if s != speaker and len(s) > 3)
        return {**claim, "text": claim["text"].replace(f"{speaker} says", f"{other} says")}

    length = ChatResponse(
        message=ChatMessage(role="assistant", content='{"claims": [' + " \n" * 300),
        raw={"choices": [{"finish_reason": "length"}]},
    )
    return {
        "invented id": [lambda body: claims(good(body), {**good(body), "source_id": "S99"})],
        "wrong speaker": [lambda body: claims(good(body), named_wrongly(body))],
        "truncated twice": [lambda body: TRUNCATED, lambda body: TRUNCATED],
        "repaired": [lambda body: "Sure! Here are the claims: {", lambda body: claims(good(body))],
        "not in the sources": [lambda body: claims(answerable=False)],
        "whitespace to the token limit": [lambda body: length],
        "too slow": [lambda body: TimeoutError("read timed out")],
    }[case]


@pytest.mark.parametrize(
    ("case", "mode", "reason", "dropped"),
    [
        ("invented id", "llm", None, "no source 'S99'"),
        ("wrong speaker", "llm", None, "names "),
        ("truncated twice", "extractive", "unparseable", None),
        ("repaired", "llm", None, None),
        ("not in the sources", "extractive", "not_answerable", None),
        ("whitespace to the token limit", "extractive", "length", None),
        ("too slow", "extractive", "timeout", None),
    ],
)
def test_every_scripted_case_has_its_outcome_through_llama_index(
    llama_assistant: Assistant,
    scripted: ScriptedLLM,
    assistant: Assistant,
    case: str,
    mode: str,
    reason: str | None,
    dropped: str | None,
) -> None:
    scripted.script += _scripts(case, assistant)
    answer = llama_assistant.ask(QUESTION)
    assert (answer.mode, answer.fallback_reason) == (mode, reason)
    assert answer.llm is not None
    if dropped is not None:
        assert answer.llm.kept == 1
        assert [d.reason[: len(dropped)] for d in answer.llm.dropped] == [dropped]
    assert_shown_quotes_are_the_source(llama_assistant, answer)
    assert scripted.script == []  # a repair asked once, no more
