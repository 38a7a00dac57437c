"""A real HTTP server on 127.0.0.1 that speaks OpenAI's chat-completions protocol and
answers from a script, whole or streamed as server-sent events, for the tests of the
user's-own-model path (Python API, CLI and web UI alike)."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_BLOCK = re.compile(
    r"^\[(S\d+)\] (.+?) \((\w+)[^\n]*:\n(.*?)(?=\n\n\[S\d+\] |\n\nQuestion: )", re.M | re.S
)
HOLD_S = 30.0  # the longest a held stream waits for the test to release it


ECHO = b"{authorization}"  # in a raw body: the Authorization header the request came with


@dataclass
class Reply:
    """One scripted reply: a chat completion, or an HTTP error, after a delay. Streamed
    (when asked for) in `pieces`, or whole; after the first piece it waits for `hold`.

    Or, for a hostile server, `raw`: these bytes as the body, whatever was asked, with
    ECHO replaced by the request's Authorization header; written `chunk` bytes at a
    time, `pause_s` apart (0: at once); `cut`: the connection closes halfway through
    the length announced."""

    content: str = ""
    finish_reason: str = "stop"
    status: int = 200
    delay_s: float = 0.0
    pieces: list[str] | None = None
    hold: threading.Event | None = None
    raw: bytes | None = None
    content_type: str = "application/json"
    chunk: int = 0
    pause_s: float = 0.0
    cut: bool = False


Script = Callable[[dict], Reply]  # the request's body -> the reply


@dataclass
class FakeServer:
    url: str
    script: list[Script] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)  # each request's header
    streams: bool = True  # False: answers a `stream: true` request whole, as some servers do
    models: bytes | None = None  # the body of GET /models; None: a list naming scripted-model


def sources_in(body: dict) -> dict[str, tuple[str, str]]:
    """The windows the model was shown: id -> (speaker, text)."""
    prompt = body["messages"][1]["content"]
    return {m.group(1): (m.group(2), m.group(4)) for m in _BLOCK.finditer(prompt)}


def claims(*items: dict, answerable: bool = True) -> str:
    return json.dumps({"answerable": answerable, "claims": list(items)})


def _completion(reply: Reply) -> bytes:
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": reply.content},
        "finish_reason": reply.finish_reason,
    }
    return json.dumps({"id": "x", "object": "chat.completion", "choices": [choice]}).encode()


def _event(piece: str, finish_reason: str | None) -> bytes:
    choice = {"index": 0, "delta": {"content": piece}, "finish_reason": finish_reason}
    chunk = {"id": "x", "object": "chat.completion.chunk", "choices": [choice]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


@contextmanager
def scripted_server() -> Iterator[FakeServer]:
    fake = FakeServer(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            fake.authorizations.append(self.headers.get("Authorization", ""))
            reply = fake.script.pop(0)(body) if fake.script else Reply(status=503)
            time.sleep(reply.delay_s)
            try:
                if reply.raw is not None:
                    self._raw(reply)
                elif reply.status == 200 and body.get("stream") and fake.streams:
                    self._stream(reply)
                else:
                    self._whole(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                pass

        def do_GET(self) -> None:
            """The model list, as OpenAI-compatible servers give it at /v1/models."""
            listed = {"object": "list", "data": [{"id": "scripted-model", "object": "model"}]}
            payload = json.dumps(listed).encode() if fake.models is None else fake.models
            status = 200 if self.path.rstrip("/").endswith("/models") else 404
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _whole(self, reply: Reply) -> None:
            if reply.status != 200:
                payload = json.dumps({"error": {"message": "scripted failure"}}).encode()
            else:
                payload = _completion(reply)
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _raw(self, reply: Reply) -> None:
            assert reply.raw is not None
            payload = reply.raw.replace(ECHO, self.headers.get("Authorization", "").encode())
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")  # said, so no client reuses it
            self.end_headers()
            sent = payload[: len(payload) // 2] if reply.cut else payload
            step = reply.chunk or len(sent) or 1
            for at in range(0, len(sent), step):
                self.wfile.write(sent[at : at + step])
                self.wfile.flush()
                time.sleep(reply.pause_s)
            self.close_connection = True

        def _stream(self, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = reply.pieces or [reply.content]
            for at, piece in enumerate(pieces):
                last = at == len(pieces) - 1
                self.wfile.write(_event(piece, reply.finish_reason if last else None))
                self.wfile.flush()
                if at == 0 and reply.hold is not None:
                    reply.hold.wait(HOLD_S)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        httpd.shutdown()
        httpd.server_close()
