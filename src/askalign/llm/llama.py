"""A llama-index `LLM` as the writer's model: for users who already configure their
model through llama-index (Ollama, OpenAI, vLLM, a local LlamaCPP, …).

llama-index's generic `chat` has no output-form parameter, so this adapter declines the
JSON forms and the writer asks in plain text, with the claims' structure in the prompt
and the forgiving parser reading the reply. Everything else (the checks, the fallback)
is the same as for a server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from askalign.llm.client import ChatReply, LlmRefusedError, LlmUnavailableError

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

NOT_A_FORM = 501  # what a server answers to an output form it does not implement


class LlamaIndexModel:
    def __init__(self, llm: LLM) -> None:
        self.llm = llm
        name = getattr(llm.metadata, "model_name", None)
        self.model = name if name and name != "unknown" else type(llm).__name__

    def complete(self, messages: list[dict[str, str]], response_format: dict | None) -> ChatReply:
        from llama_index.core.llms import ChatMessage

        if response_format is not None:
            raise LlmRefusedError(NOT_A_FORM, "a llama-index LLM takes the form from the prompt")
        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        try:
            response = self.llm.chat(chat)
        except TimeoutError as error:
            raise LlmUnavailableError("timeout", str(error) or "no reply in time") from error
        except (ConnectionError, OSError) as error:
            raise LlmUnavailableError("unreachable", str(error) or type(error).__name__) from error
        raw = response.raw if isinstance(response.raw, dict) else {}
        choices = raw.get("choices") or [{}]
        finish = choices[0].get("finish_reason") if isinstance(choices[0], dict) else None
        return ChatReply(content=response.message.content or "", finish_reason=finish)


def as_chat_model(llm: object) -> object:
    """`llm` as the writer needs it: a llama-index `LLM` wrapped, anything else as given
    (an object with `model` and `complete(messages, response_format)`)."""
    try:
        from llama_index.core.llms import LLM
    except ImportError:
        return llm
    return LlamaIndexModel(llm) if isinstance(llm, LLM) else llm
