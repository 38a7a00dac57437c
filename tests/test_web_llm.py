"""The web UI with the user's own model, in real Chromium against a real `askalign
serve` and a scripted OpenAI-compatible server: each claim appears in the chat as soon
as it is verified, while the model is still writing, and a claim that fails its check
is never on the page, not even for a moment."""

from __future__ import annotations

import json
import threading

import pytest

from askalign.assistant import Assistant

from .conftest import SHIPPED_CORPUS
from .llm_server import FakeServer, Reply, claims
from .servers import serving
from .test_llm import QUESTION, good_claim
from .test_llm_stream import DUCKS, in_pieces
from .test_web import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
RECORD_CHAT = """() => {
  window.__chatSeen = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => window.__chatSeen.push(chat.innerText))
    .observe(chat, {subtree: true, childList: true, characterData: true});
}"""
CHAT_HAS = "t => document.querySelector('#chat').innerText.includes(t)"


@pytest.fixture(scope="module")
def page(llm_server: FakeServer, shipped_index):
    from playwright.sync_api import sync_playwright

    model = {
        "ASKALIGN_LLM_URL": llm_server.url,
        "ASKALIGN_LLM_MODEL": "scripted-model",
        "ASKALIGN_LLM_TIMEOUT_S": "60",  # longer than the test holds the stream
    }
    with serving(SHIPPED_CORPUS, shipped_index, env=model) as served, sync_playwright() as run:
        browser = run.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(served["url"])
        page.wait_for_selector("#question textarea", timeout=60_000)
        yield page
        browser.close()


def test_claims_appear_as_they_are_verified_and_a_failed_one_never(
    page, fake: FakeServer, assistant: Assistant
) -> None:
    release = threading.Event()
    written: dict[str, str] = {}

    def script(body: dict) -> Reply:
        first, third = good_claim(body, assistant, "S1"), good_claim(body, assistant, "S3")
        invented = {**good_claim(body, assistant, "S2"), "quote": DUCKS}
        written.update(first=first["text"], invented=invented["text"], third=third["text"])
        text = claims(first, invented, third)
        pieces = in_pieces(text, json.dumps(invented), json.dumps(third))
        return Reply(text, pieces=pieces, hold=release)

    fake.script.append(script)
    page.evaluate(RECORD_CHAT)
    page.fill("#question textarea", QUESTION)
    page.keyboard.press("Enter")
    deadline_ms = 60_000
    for _ in range(600):  # the script runs in this process, when the server asks the model
        if written:
            break
        page.wait_for_timeout(100)
    assert written, "the model was never asked"
    page.wait_for_function(CHAT_HAS, arg=written["first"][:40], timeout=deadline_ms)
    page.wait_for_function(CHAT_HAS, arg="scripted-model is writing: 1 claim", timeout=10_000)
    assert not release.is_set()  # on the page while the model still writes
    chat = page.inner_text("#chat")
    assert written["third"][:40] not in chat
    release.set()
    written_by = "Written by scripted-model from 2 verified claims, 1 claim dropped."
    page.wait_for_function(CHAT_HAS, arg=written_by, timeout=deadline_ms)
    page.wait_for_function(CHAT_HAS, arg=written["third"][:40], timeout=deadline_ms)
    seen = page.evaluate("() => window.__chatSeen")
    assert seen, "the chat never changed"
    for text in seen:
        assert "ducks" not in text and written["invented"][:40] not in text
    assert page.locator("#sources .source").count() == 2
