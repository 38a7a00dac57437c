"""Talking to the user's model: any server that speaks OpenAI's chat-completions
protocol (Ollama, llama.cpp's server, vLLM, a hosted API). Only this module knows the
wire format, so another kind of model (a llama-index `LLM`, say) needs only an object
with the same `model` and `complete`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import httpx
from pydantic import BaseModel

CHECK_TIMEOUT_S = 5.0


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
    """What the writer needs of a model: its name, for the audit, and one completion.
    A model may also have `stream(messages, response_format)`, yielding the reply so far
    each time it grows (OpenAICompatibleClient does): the web UI then shows each claim
    once it is verified; without it the answer comes whole."""

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
        with _unavailable_as_error():
            response = self._http.post(self.url, json=self._body(messages, response_format))
        if response.status_code >= 400:
            raise LlmRefusedError(response.status_code, response.text)
        return _whole_reply(response.status_code, response.text)

    def stream(
        self, messages: list[dict[str, str]], response_format: dict | None
    ) -> Iterator[ChatReply]:
        """Server-sent events, as OpenAI's `stream: true` sends them. A server that
        answers in one piece instead is read as one piece."""
        body = {**self._body(messages, response_format), "stream": True}
        with _unavailable_as_error(), self._http.stream("POST", self.url, json=body) as response:
            if response.status_code >= 400:
                raise LlmRefusedError(response.status_code, _text(response))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                yield _whole_reply(response.status_code, _text(response))
                return
            content = ""
            for line in response.iter_lines():
                data = line.removeprefix("data:").strip() if line.startswith("data:") else ""
                if not data or data == "[DONE]":
                    continue
                piece, finish_reason = _delta(response.status_code, data)
                content += piece
                yield ChatReply(content=content, finish_reason=finish_reason)

    def problem(self) -> str | None:
        """What is wrong with the server, asked once before serving (GET /models), so a
        wrong URL or model name is said at the start rather than under every answer;
        None when it answers and lists the model, or cannot list models at all."""
        base = self.url.removesuffix("/chat/completions")
        try:
            response = self._http.get(f"{base}/models", timeout=CHECK_TIMEOUT_S)
        except httpx.HTTPError as error:
            reason = str(error) or type(error).__name__
            return f"no reply from {base} ({reason}): answers are quoted until it answers"
        if response.status_code in (401, 403):
            return f"{base} refused the API key (HTTP {response.status_code}): check it"
        try:
            listed = [m["id"] for m in response.json()["data"]]
        except (ValueError, KeyError, TypeError):
            return None  # a server without a model list: the first question will tell
        if listed and self.model not in listed:
            return (
                f"{base} lists {', '.join(listed)}, not {self.model!r}: if answers fall back"
                " with http_error, name one of those (ASKALIGN_LLM_MODEL, --llm-model)"
            )
        return None

    def _body(self, messages: list[dict[str, str]], response_format: dict | None) -> dict:
        body: dict = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,  # the same question, the same claims, as far as the server allows
            "max_tokens": self.max_tokens,
        }
        if response_format is not None:
            body["response_format"] = response_format
        return body

    def close(self) -> None:
        self._http.close()


@contextmanager
def _unavailable_as_error() -> Iterator[None]:
    try:
        yield
    except httpx.TimeoutException as error:
        raise LlmUnavailableError("timeout", str(error) or "no reply in time") from error
    except httpx.HTTPError as error:
        raise LlmUnavailableError("unreachable", str(error) or type(error).__name__) from error


def _text(response: httpx.Response) -> str:
    return response.read().decode(errors="replace")


def _whole_reply(status: int, body: str) -> ChatReply:
    try:
        choice = json.loads(body)["choices"][0]
        return ChatReply(
            content=choice["message"].get("content") or "",
            finish_reason=choice.get("finish_reason"),
        )
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise LlmRefusedError(status, f"not a chat completion: {error}") from None


def _delta(status: int, data: str) -> tuple[str, str | None]:
    """One streamed chunk's new text and, on the last, why the model stopped."""
    try:
        choice = json.loads(data)["choices"][0]
        return (choice.get("delta") or {}).get("content") or "", choice.get("finish_reason")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise LlmRefusedError(status, f"not a chat completion chunk: {error}") from None
