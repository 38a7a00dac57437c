"""Talking to the user's model: any server that speaks OpenAI's chat-completions
protocol (Ollama, llama.cpp's server, vLLM, a hosted API). Only this module knows the
wire format, so another kind of model (a llama-index `LLM`, say) needs only an object
with the same `model` and `complete`."""

from __future__ import annotations

from typing import Protocol

import httpx
from pydantic import BaseModel


class ChatReply(BaseModel):
    content: str
    finish_reason: str | None = None


class LlmUnavailableError(Exception):
    """The model gave no reply: it timed out or could not be reached. Not retried: a
    second wait would only double the user's."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class LlmRefusedError(Exception):
    """The server answered with an HTTP error: often it refuses the output form asked
    for (llama.cpp's server answers 500 to a `json_schema`), so a plainer form may work."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail[:200]}")
        self.status = status


class ChatModel(Protocol):
    """What the writer needs of a model: its name, for the audit, and one completion."""

    model: str

    def complete(self, messages: list[dict[str, str]], response_format: dict | None) -> ChatReply:
        """Raises LlmUnavailableError or LlmRefusedError rather than returning a partial reply."""
        ...


class OpenAICompatibleClient:
    """POST {base_url}/chat/completions. `base_url` ends in /v1 for Ollama, llama.cpp
    and vLLM alike (http://127.0.0.1:11434/v1, http://127.0.0.1:8080/v1)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        max_tokens: int = 1024,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.max_tokens = max_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(timeout=timeout_s, headers=headers)

    def complete(self, messages: list[dict[str, str]], response_format: dict | None) -> ChatReply:
        body: dict = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,  # the same question, the same claims, as far as the server allows
            "max_tokens": self.max_tokens,
        }
        if response_format is not None:
            body["response_format"] = response_format
        try:
            response = self._http.post(self.url, json=body)
        except httpx.TimeoutException as error:
            raise LlmUnavailableError("timeout", str(error) or "no reply in time") from error
        except httpx.HTTPError as error:
            raise LlmUnavailableError("unreachable", str(error) or type(error).__name__) from error
        if response.status_code >= 400:
            raise LlmRefusedError(response.status_code, response.text)
        try:
            choice = response.json()["choices"][0]
            return ChatReply(
                content=choice["message"].get("content") or "",
                finish_reason=choice.get("finish_reason"),
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            raise LlmRefusedError(response.status_code, f"not a chat completion: {error}") from None

    def close(self) -> None:
        self._http.close()
