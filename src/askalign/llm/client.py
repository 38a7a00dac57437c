"""Talking to the user's model: any server that speaks OpenAI's chat-completions
protocol (Ollama, llama.cpp's server, vLLM, a hosted API). Only this module knows the
wire format, so another kind of model (a llama-index `LLM`, say) needs only an object
with the same `model` and `complete`.

The server is not trusted: each call reads at most `max_reply_bytes` within `timeout_s`
in all (not per read: a byte a second would never trip a per-read timeout), JSON
nested too deeply to parse is a bad reply rather than a crash, and the credentials
never appear in what it raises or says."""

from __future__ import annotations

import base64
import codecs
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

import httpx
from pydantic import BaseModel

from askalign.llm.secrets import redacted, without_credentials

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MAX_REPLY_BYTES = 2**20  # a reply is a few claims: ~2-20 kB
CHECK_TIMEOUT_S = 5.0
MAX_LISTED = 8  # model names a warning lists
MAX_DETAIL_CHARS = 200  # of a server's error body, in an error


class ChatReply(BaseModel):
    content: str
    finish_reason: str | None = None


class LlmUnavailableError(Exception):
    """The model gave no usable reply: it timed out, could not be reached, or sent more
    than the cap. Not retried: a second wait would only double the user's."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


class LlmRefusedError(Exception):
    """The server answered with an HTTP error: often it refuses the output form asked
    for (llama.cpp's server answers 500 to a `json_schema`), so a plainer form may work."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail[:MAX_DETAIL_CHARS]}")
        self.status = status


class ChatModel(Protocol):
    """What the writer needs of a model: its name, for the audit, and one completion.
    A model may also have `stream(messages, response_format)`, yielding the reply piece
    by piece as it is written, each ChatReply holding the new text only (the last one
    why the model stopped; OpenAICompatibleClient does): the web UI then shows each
    claim once it is verified; without it the answer comes whole."""

    model: str

    def complete(self, messages: list[dict[str, str]], response_format: dict | None) -> ChatReply:
        """Raises LlmUnavailableError or LlmRefusedError rather than returning a partial reply."""
        ...


class OpenAICompatibleClient:
    """POST {base_url}/chat/completions. `base_url` ends in /v1 for Ollama, llama.cpp
    and vLLM alike (http://127.0.0.1:11434/v1, http://127.0.0.1:8080/v1). A user name
    and password in it are sent as HTTP Basic authentication, unless `api_key` is given:
    that is sent as a Bearer token instead (one Authorization header has room for one)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_tokens: int = 1024,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
    ) -> None:
        try:
            given = httpx.URL(base_url.rstrip("/"))
        except httpx.InvalidURL as error:
            raise ValueError(f"not a model URL: {redacted(base_url)} ({error})") from None
        self.base = without_credentials(str(given))  # what is shown and asked
        self.url = self.base + "/chat/completions"
        self.model = model
        self.max_tokens = max_tokens
        self.timeout_s = timeout_s
        self.max_reply_bytes = max_reply_bytes
        user, password = given.username, given.password
        sent = base64.b64encode(f"{user}:{password}".encode()).decode()  # as Basic sends them
        alone = user if not password else ""  # a key given as the user name
        credentials = (password, alone, sent) if user or password else ()
        self.secrets = tuple(s for s in (api_key, *credentials) if s)
        headers = {"Accept-Encoding": "identity"}  # the cap counts the bytes as sent
        auth: httpx.Auth | None = None
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
            self.authentication = "ASKALIGN_LLM_API_KEY, sent as a Bearer token"
            if user or password:
                self.authentication += "; the user name and password in the URL are not sent"
        elif user or password:
            auth = httpx.BasicAuth(user, password)
            self.authentication = "the user name and password in the URL (HTTP Basic)"
        else:
            self.authentication = "none"
        self._http = httpx.Client(timeout=timeout_s, headers=headers, auth=auth)

    def complete(self, messages: list[dict[str, str]], response_format: dict | None) -> ChatReply:
        deadline = time.monotonic() + self.timeout_s
        body = self._body(messages, response_format)
        with self._sent("POST", self.url, json=body) as response:
            text = self._text(response, deadline)
            if response.status_code >= 400:
                raise self._refused(response.status_code, text)
            return self._whole_reply(response.status_code, text)

    def stream(
        self, messages: list[dict[str, str]], response_format: dict | None
    ) -> Iterator[ChatReply]:
        """Server-sent events, as OpenAI's `stream: true` sends them, one ChatReply a
        piece. A server that answers in one piece instead is read as one piece."""
        deadline = time.monotonic() + self.timeout_s
        body = {**self._body(messages, response_format), "stream": True}
        with self._sent("POST", self.url, json=body) as response:
            status = response.status_code
            if status >= 400:
                raise self._refused(status, self._text(response, deadline))
            if "text/event-stream" not in response.headers.get("content-type", ""):
                yield self._whole_reply(status, self._text(response, deadline))
                return
            for line in _lines(self._chunks(response, deadline)):
                data = line.removeprefix("data:").strip() if line.startswith("data:") else ""
                if data and data != "[DONE]":
                    yield self._delta(status, data)

    def problem(self) -> str | None:
        """What is wrong with the server, asked once before serving (GET /models), so a
        wrong URL or model name is said at the start rather than under every answer;
        None when it answers and lists the model, or cannot list models at all."""
        deadline = time.monotonic() + CHECK_TIMEOUT_S
        try:
            with self._sent("GET", f"{self.base}/models", timeout=CHECK_TIMEOUT_S) as response:
                status, text = response.status_code, self._text(response, deadline)
        except LlmUnavailableError as error:
            return f"no reply from {self.base} ({error}): answers are quoted until it answers"
        if status in (401, 403):
            return f"{self.base} refused the credentials (HTTP {status}): check them"
        try:
            listed = [str(m["id"]) for m in json.loads(text)["data"]]
        except (ValueError, KeyError, TypeError, RecursionError):
            return None  # a server without a model list: the first question will tell
        if listed and self.model not in listed:
            named = ", ".join(listed[:MAX_LISTED]) + (", …" if len(listed) > MAX_LISTED else "")
            return self._redacted(
                f"{self.base} lists {named}, not {self.model!r}: if answers fall back"
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

    @contextmanager
    def _sent(self, method: str, url: str, **options: object) -> Iterator[httpx.Response]:
        """The response, its body still to be read; httpx's errors as LlmUnavailableError."""
        try:
            with self._http.stream(method, url, **options) as response:  # type: ignore[arg-type]
                yield response
        except httpx.TimeoutException as error:
            detail = self._redacted(str(error) or "no reply in time")
            raise LlmUnavailableError("timeout", detail) from None
        except httpx.HTTPError as error:
            detail = self._redacted(str(error) or type(error).__name__)
            raise LlmUnavailableError("unreachable", detail) from None

    def _chunks(self, response: httpx.Response, deadline: float) -> Iterator[bytes]:
        """The body as it arrives, until the deadline for the whole call or the cap."""
        read = 0
        for chunk in response.iter_bytes():
            read += len(chunk)
            if read > self.max_reply_bytes:
                raise LlmUnavailableError(
                    "too_large",
                    f"the reply passed {self.max_reply_bytes:,} bytes"
                    " (ASKALIGN_LLM_MAX_REPLY_BYTES)",
                )
            if time.monotonic() > deadline:
                raise LlmUnavailableError("timeout", f"no whole reply in {self.timeout_s:g} s")
            yield chunk

    def _text(self, response: httpx.Response, deadline: float) -> str:
        return b"".join(self._chunks(response, deadline)).decode(errors="replace")

    def _whole_reply(self, status: int, body: str) -> ChatReply:
        try:
            choice = json.loads(body)["choices"][0]
            return ChatReply(
                content=choice["message"].get("content") or "",
                finish_reason=choice.get("finish_reason"),
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            raise self._refused(status, f"not a chat completion: {error}") from None
        except RecursionError:
            raise self._refused(status, "not a chat completion: nested too deeply") from None

    def _delta(self, status: int, data: str) -> ChatReply:
        """One streamed chunk's new text and, on the last, why the model stopped."""
        try:
            choice = json.loads(data)["choices"][0]
            piece = (choice.get("delta") or {}).get("content") or ""
            return ChatReply(content=piece, finish_reason=choice.get("finish_reason"))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            raise self._refused(status, f"not a chat completion chunk: {error}") from None
        except RecursionError:
            raise self._refused(status, "not a chat completion chunk: nested too deeply") from None

    def _refused(self, status: int, detail: str) -> LlmRefusedError:
        return LlmRefusedError(status, self._redacted(detail))

    def _redacted(self, text: str) -> str:
        return redacted(text, self.secrets)

    def close(self) -> None:
        self._http.close()


def _lines(chunks: Iterator[bytes]) -> Iterator[str]:
    """The lines of a body arriving in chunks, each read once (a UTF-8 character or a
    line split between two chunks is joined)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    pending: list[str] = []
    for chunk in chunks:
        *ended, rest = decoder.decode(chunk).split("\n")
        for line in ended:
            pending.append(line)
            yield "".join(pending).removesuffix("\r")
            pending.clear()
        pending.append(rest)
    pending.append(decoder.decode(b"", final=True))
    if any(pending):
        yield "".join(pending).removesuffix("\r")
