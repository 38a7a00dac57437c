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

    script: list[Callable[[dict], str]] = Field(default_factory=list)
    seen: list[dict] = Field(default_factory=list)

    def chat(self, messages: list[ChatMessage], **kwargs) -> ChatResponse:
        body = {"messages": [{"role": m.role.value, "content": m.content} for m in messages]}
        self.seen.append(body)
        reply = self.script.pop(0)(body)
        if isinstance(reply, Exception):
            raise reply
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
