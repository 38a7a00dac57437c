"""Fuzz: the user's model server cannot crash, delay or leak (issue 30)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from .fuzzing import load_profile

load_profile()

# Issue 30's classes for the user's model: a scripted server whose replies are generated
# (sizes, depths, encodings, timings, cuts, the credentials it was sent echoed back).
# Pass: no exception, no answer past its deadline, no secret in the answer or on screen.
FUZZ_DEADLINE_S = 0.5  # short: a trickling reply costs each example no more
LATE_S = 2.0  # the checks and printing after the model, on a loaded machine
FUZZ_CAP = 64 * 1024
FUZZ_KEY, FUZZ_PASSWORD = "sk-fuzz-5f3c9a1e7d24", "pw-fuzz-8b2e6c0a"
ECHOED = "{authorization}"  # tests/llm_server.py puts the header it was sent here
contents = st.one_of(
    st.text(max_size=300),
    st.builds(lambda text, source, quote: json.dumps({"claims": [{"text": text,
              "source_id": source, "quote": quote}]}), st.text(max_size=80) | st.just(ECHOED),
              st.sampled_from(["S1", "[S2]", ECHOED, ""]), st.text(max_size=80)),
    st.builds(lambda depth, o: '{"claims": ' + o * depth, st.integers(0, 100_000),
              st.sampled_from(["[", "{", '{"a":', '"\\'])),
    st.builds(lambda n: "x" * n, st.integers(0, 2 * FUZZ_CAP)),
    st.just(f"Bearer {ECHOED} {FUZZ_PASSWORD}"),
)  # fmt: skip


sometimes = st.sampled_from([False, False, False, False, True])


@st.composite
def hostile_reply(draw: st.DrawFn) -> object:
    from .llm_server import Reply

    content = draw(contents)
    shape = draw(st.sampled_from(["whole", "events", "error", "bytes"]))
    if shape == "events":
        cuts = sorted(draw(st.lists(st.integers(0, len(content)), max_size=8)))
        pieces = [content[a:b] for a, b in zip([0, *cuts], [*cuts, len(content)], strict=True)]
        ending = draw(st.sampled_from(["data: [DONE]\n\n", "", "data: {"]))
        deltas = [json.dumps({"choices": [{"delta": {"content": p}}]}) for p in pieces]
        body = "".join(f"data: {delta}\n\n" for delta in deltas) + ending
    elif shape == "whole":
        body = json.dumps({"choices": [{"message": {"content": content}, "finish_reason":
                          draw(st.sampled_from(["stop", "length", None]))}]})  # fmt: skip
    else:
        body = content
    raw = body.encode(draw(st.sampled_from(["utf-8", "utf-16", "latin-1"])), "replace")
    raw = raw[: draw(st.integers(0, len(raw)))] if draw(sometimes) else raw  # cut short
    return Reply(
        raw=raw + draw(st.binary(max_size=16)),
        status=draw(st.sampled_from([200, 200, 401, 500])) if shape == "error" else 200,
        content_type="text/event-stream" if shape == "events" else "application/json",
        delay_s=FUZZ_DEADLINE_S + 0.1 if draw(sometimes) else 0.0,
        chunk=draw(st.sampled_from([0, 1, 7, 512])),
        pause_s=draw(st.sampled_from([0.0, 0.0, 0.0, 0.001, 0.05])),
        cut=draw(sometimes),  # the connection closes halfway
    )


@pytest.fixture(scope="module")
def hostile_writers(loaded_shipped, embedder, llm_server):
    """Two clients of the scripted server, one sending a key and one a URL's password,
    and the extractive answer and pool to write from (retrieved once: the writer is
    what is fuzzed)."""
    from askalign.assistant import Assistant
    from askalign.llm.client import OpenAICompatibleClient
    from askalign.retrieval.search import Filters, Searcher

    url = llm_server.url.replace("http://", f"http://alice:{FUZZ_PASSWORD}@")
    writers = []
    for key in (FUZZ_KEY, None):
        client = OpenAICompatibleClient(
            url, "scripted-model", api_key=key, timeout_s=FUZZ_DEADLINE_S, max_reply_bytes=FUZZ_CAP
        )
        assistant = Assistant(Searcher(loaded_shipped, embedder), llm=client)
        writers.append(assistant.writer)
    question = "Who said that almost all possible 500 lines of python are bad too?"
    answer, pool = assistant._composed(question, assistant.intent(question), Filters(), 5)
    assert pool is not None
    return writers, question, answer, pool


@given(replies=st.lists(hostile_reply(), min_size=1, max_size=4), keyed=st.booleans(),
       live=st.booleans(), models=contents)  # fmt: skip
def test_the_users_model_server_cannot_crash_delay_or_leak(
    hostile_writers, llm_server, replies: list, keyed: bool, live: bool, models: str
) -> None:
    import base64

    from askalign.cli.terminal import console, errors, print_answer, warn_if_unready

    writers, question, extractive, pool = hostile_writers
    writer = writers[0 if keyed else 1]
    llm_server.script[:] = [lambda body, reply=reply: reply for reply in replies]
    llm_server.models = models.encode()
    started = time.monotonic()
    *_, answer = writer.answers(question, pool, extractive, live)
    late = time.monotonic() - started - FUZZ_DEADLINE_S
    assert late < LATE_S, f"{late:.1f} s past the deadline"
    assert answer.mode == "llm" or answer.fallback_reason, answer
    event(f"outcome: {answer.fallback_reason or answer.mode}")
    with console.capture() as out, errors.capture() as err:
        print_answer(answer)
        warn_if_unready(writer.model)
    basic = base64.b64encode(f"alice:{FUZZ_PASSWORD}".encode()).decode()
    shown = answer.model_dump_json() + out.get() + err.get()
    for secret in (FUZZ_KEY, FUZZ_PASSWORD, basic):
        assert secret not in shown
