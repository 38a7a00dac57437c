"""The user's model server as an adversary (issue 30): a reply that trickles in a byte at
a time, one far too long, JSON nested 100,000 deep, a claim megabytes long, a server
that echoes the credentials it was sent. Each answer falls back with its reason by its
deadline, nothing crashes, and no secret is shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.cli.terminal import errors, warn_if_unready
from askalign.llm.client import LlmRefusedError, OpenAICompatibleClient
from askalign.retrieval.search import Searcher
from askalign.settings import Settings

from .conftest import SHIPPED_CORPUS
from .llm_server import ECHO, FakeServer, Reply, claims
from .servers import serving
from .test_llm import QUESTION

DEADLINE_S = 2.0
LATE_S = 4.0  # past the deadline: retrieval, the checks, a loaded machine
KEY = "sk-test-0123456789abcdef"
PASSWORD = "hunter2-correct-horse"
DEEP = b"[" * 100_000 + b"]" * 100_000


def completion(content: str) -> bytes:
    choice = {"index": 0, "message": {"content": content}, "finish_reason": "stop"}
    return json.dumps({"choices": [choice]}).encode()


def events(*pieces: str) -> bytes:
    chunks = [{"choices": [{"index": 0, "delta": {"content": p}}]} for p in pieces]
    return b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in chunks) + b"data: [DONE]\n\n"


def trickle(payload: bytes, **options: object) -> Reply:
    """A byte every 0.2 s: no single read ever waits long."""
    return Reply(raw=payload, chunk=1, pause_s=0.2, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hasty(loaded_shipped, embedder, llm_server: FakeServer) -> Assistant:
    client = OpenAICompatibleClient(llm_server.url, "scripted-model", timeout_s=DEADLINE_S)
    return Assistant(Searcher(loaded_shipped, embedder), llm=client)


def test_a_trickling_server_falls_back_at_the_deadline_for_the_whole_answer(
    hasty: Assistant, fake: FakeServer
) -> None:
    """The first form refused after most of the deadline, the next trickling in: the
    deadline is the answer's, not each call's, nor each read's."""
    fake.script += [
        lambda body: Reply(status=500, delay_s=1.2),
        lambda body: trickle(completion(claims())),
    ]
    started = time.monotonic()
    answer = hasty.ask(QUESTION)
    assert time.monotonic() - started < DEADLINE_S + LATE_S
    assert answer.fallback_reason == "timeout" and answer.mode == "extractive"
    fake.script.append(lambda body: trickle(events(*"abc" * 40), content_type="text/event-stream"))
    started = time.monotonic()
    *_, answer = hasty.chat_stream([{"role": "user", "content": QUESTION}])
    assert time.monotonic() - started < DEADLINE_S + LATE_S
    assert answer.fallback_reason == "timeout"


def test_askalign_ask_falls_back_at_the_deadline(fake: FakeServer, shipped_index: Path) -> None:
    fake.script.append(lambda body: trickle(completion(claims()) + b" " * 400))  # ~2 min
    env = os.environ | {
        "ASKALIGN_INDEX_DIR": str(shipped_index),
        "ASKALIGN_READER": "off",
        "ASKALIGN_LLM_URL": fake.url,
        "ASKALIGN_LLM_MODEL": "scripted-model",
        "ASKALIGN_LLM_TIMEOUT_S": str(DEADLINE_S),
    }
    done = subprocess.run(
        [sys.executable, "-m", "askalign", "ask", QUESTION, "--json"],
        capture_output=True, text=True, env=env, check=False, timeout=90,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["fallback_reason"] == "timeout"


@contextmanager
def count_lines(path_end: str, budget: int) -> Iterator[list[int]]:
    """Counts the lines run in the module whose path ends with `path_end` (the work it
    does, whatever the machine's speed); over `budget`, the traced code fails."""
    count = [0]

    def local(frame, event, arg):
        if event == "line":
            count[0] += 1
            if count[0] > budget:
                raise AssertionError(f"more than {budget:,} lines run in {path_end}")
        return local

    def on_call(frame, event, arg):
        return local if frame.f_code.co_filename.endswith(path_end) else None

    sys.settrace(on_call)
    try:
        yield count
    finally:
        sys.settrace(None)


def test_a_long_claim_in_small_pieces_is_read_in_linear_work(
    llm_assistant: Assistant, fake: FakeServer
) -> None:
    """A 32 kB claim in 8-byte pieces (4,000 events, half the cap): each piece is read
    once. Re-reading the open claim at every piece ran thousands of times as many lines
    (quadratic in the claim)."""
    claim = {"text": "x" * 32_768, "source_id": "S1", "quote": "not in any source at all"}
    content = claims(claim)
    pieces = [content[at : at + 8] for at in range(0, len(content), 8)]
    fake.script.append(lambda body: Reply(content, pieces=pieces))
    budget = 30 * len(pieces)  # lines a piece may cost, whatever the claim's length
    with count_lines("askalign/llm/parse.py", budget) as lines:
        *_, answer = llm_assistant.chat_stream([{"role": "user", "content": QUESTION}])
    assert answer.fallback_reason == "no_verified_claims", answer.llm
    assert answer.llm is not None and answer.llm.dropped[0].text == claim["text"]
    assert 0 < lines[0] <= budget


def test_a_reply_past_the_cap_is_not_read_on(
    fake: FakeServer, loaded_shipped, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASKALIGN_LLM_MAX_REPLY_BYTES", str(2**20))
    model = Settings().chat_model(fake.url, "scripted-model")
    capped = Assistant(Searcher(loaded_shipped, embedder), llm=model)
    huge = completion("x" * 10 * 2**20)
    fake.script.append(lambda body: Reply(raw=huge))
    tracemalloc.start()  # the server runs in this process too: it sends `huge` as it is
    try:
        answer = capped.ask(QUESTION)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.fallback_reason == "too_large" and answer.mode == "extractive"
    assert "ASKALIGN_LLM_MAX_REPLY_BYTES" in (answer.llm.error or "")  # type: ignore[union-attr]
    assert len(fake.requests) == 1  # not asked again: it would only say as much again
    assert peak < 8 * 2**20, f"{peak / 2**20:.0f} MB"  # not the 10 MB reply, nor copies
    streamed = events(*["y" * 1000] * 1100)  # 1.1 MB of pieces
    fake.script.append(lambda body: Reply(raw=streamed, content_type="text/event-stream"))
    *_, answer = capped.chat_stream([{"role": "user", "content": QUESTION}])
    assert answer.fallback_reason == "too_large"


def test_json_nested_100000_deep_is_a_bad_reply_not_a_crash(
    llm_assistant: Assistant, fake: FakeServer
) -> None:
    fake.script += [lambda body: Reply(raw=DEEP)] * 3  # the reply body, in each form
    answer = llm_assistant.ask(QUESTION)
    assert answer.fallback_reason == "http_error" and "nested too deeply" in answer.llm.error  # type: ignore[union-attr,operator]
    deep_claims = '{"claims": ' + DEEP.decode() + "}"
    fake.script += [lambda body: Reply(raw=completion(deep_claims))] * 2  # and the repair
    assert llm_assistant.ask(QUESTION).fallback_reason == "unparseable"
    fake.script += [
        lambda body: Reply(raw=b"data: " + DEEP + b"\n\n", content_type="text/event-stream")
    ] * 3
    *_, answer = llm_assistant.chat_stream([{"role": "user", "content": QUESTION}])
    assert answer.fallback_reason == "http_error"
    fake.models = DEEP
    assert OpenAICompatibleClient(fake.url, "scripted-model").problem() is None
    with errors.capture():
        warn_if_unready(OpenAICompatibleClient(fake.url, "scripted-model"))  # chat starts


def test_credentials_are_never_shown_and_the_key_is_still_sent(fake: FakeServer) -> None:
    url = fake.url.replace("http://", f"http://alice:{PASSWORD}@")
    both = OpenAICompatibleClient(url, "nothing-listed", api_key=KEY)
    assert "Bearer" in both.authentication and "URL are not sent" in both.authentication
    fake.script.append(lambda body: Reply(raw=b'{"error": "no: ' + ECHO + b'"}', status=401))
    with pytest.raises(LlmRefusedError) as refused:
        both.complete([{"role": "user", "content": "hi"}], None)
    assert fake.authorizations == [f"Bearer {KEY}"]  # the key, though the URL has a password
    assert KEY not in str(refused.value) and "[redacted]" in str(refused.value)
    basic = OpenAICompatibleClient(url, "nothing-listed")
    assert basic.authentication == "the user name and password in the URL (HTTP Basic)"
    fake.script.append(
        lambda body: Reply(raw=b"echo " + ECHO + f" {PASSWORD}".encode(), status=500)
    )
    with pytest.raises(LlmRefusedError) as refused:
        basic.complete([{"role": "user", "content": "hi"}], None)
    assert fake.authorizations[-1].startswith("Basic ")
    assert fake.authorizations[-1].split()[1] not in str(refused.value)
    assert PASSWORD not in str(refused.value)
    with errors.capture() as said:
        warn_if_unready(basic)
    assert "lists scripted-model, not 'nothing-listed'" in said.get()
    assert PASSWORD not in said.get() and "alice" not in said.get()
    assert PASSWORD not in basic.url + basic.base
    with pytest.raises(ValueError, match="no model name") as unnamed:
        Settings().chat_model(url)
    assert PASSWORD not in str(unnamed.value)


@pytest.fixture(scope="module")
def served(llm_server: FakeServer, shipped_index: Path) -> Iterator[dict]:
    """`askalign serve` with a model whose /models is 100,000 deep, behind a URL with a
    password in it, a key set as well, and a short deadline."""
    llm_server.models = DEEP
    model = {
        "ASKALIGN_LLM_URL": llm_server.url.replace("http://", f"http://alice:{PASSWORD}@"),
        "ASKALIGN_LLM_MODEL": "scripted-model",
        "ASKALIGN_LLM_API_KEY": KEY,
        "ASKALIGN_LLM_TIMEOUT_S": str(DEADLINE_S),
        "ASKALIGN_READER": "off",
    }
    with serving(SHIPPED_CORPUS, shipped_index, env=model) as server:
        llm_server.models = None
        yield server


def test_serve_starts_shows_no_secret_and_frees_its_answer_slots_at_the_deadline(
    served: dict, fake: FakeServer
) -> None:
    from gradio_client import Client

    said = Path(served["log"]).read_text()
    assert "authentication: ASKALIGN_LLM_API_KEY, sent as a Bearer token" in said
    assert PASSWORD not in said and KEY not in said
    client = Client(served["url"], verbose=False)
    slots = 5  # one more than a server answers at once
    fake.script += [lambda body: trickle(completion(claims()) + b" " * 400)] * slots
    started = time.monotonic()
    jobs = [client.submit(QUESTION, "", "", api_name="/ask") for _ in range(slots)]
    answers = [job.result(timeout=60) for job in jobs]
    assert time.monotonic() - started < 2 * DEADLINE_S + 3 * LATE_S  # not a slot held
    assert [a["fallback_reason"] for a in answers] == ["timeout"] * slots
    echo = b'{"error": {"message": "bad key: ' + ECHO + b'"}}'
    fake.script += [lambda body: Reply(raw=echo, status=401)] * 3
    answer = client.predict(QUESTION, "", "", api_name="/ask")
    assert answer["fallback_reason"] == "http_error" and "[redacted]" in answer["llm"]["error"]
    assert KEY not in json.dumps(answer) and fake.authorizations[-1] == f"Bearer {KEY}"


def test_threads_left_by_a_deadline_end(hasty: Assistant, fake: FakeServer) -> None:
    """The worker a deadline leaves behind stops at its next piece."""
    fake.script.append(lambda body: trickle(completion(claims()) + b" " * 400))
    assert hasty.ask(QUESTION).fallback_reason == "timeout"
    for _ in range(100):
        if not any(t.name == "askalign-model" for t in threading.enumerate()):
            break
        time.sleep(0.1)
    assert not any(t.name == "askalign-model" for t in threading.enumerate())
