"""Outside text in Gradio's own chat renderer, in real Chromium: a quote or a model's
words show as the characters they are, with no stray backslash, no link, no image and
no markup, whatever Markdown or HTML they hold."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from askalign.answer.answers import Answer
from askalign.web.render import chat_markdown

from .servers import free_port
from .test_web import CHROMIUM, CHROMIUM_ARGS, needs_chromium

pytestmark = needs_chromium
BUBBLE = '#chat [data-testid="bot"] .message-content'  # one answer, rendered
TEXTS = [
    "He posted the plot (http://example.org/leak.png) under the essay [1]",
    "The model wrote ![pix](http://example.org/pix.png) and [doc](javascript:alert(1)) [2]",
    'Raw <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=2</script> [3]',
    "Mail a@example.org, see www.example.org or <https://example.org/a> [4]",
    "# not a heading\n- not a list\n1. not a list either\n| a | b |\n`not code` **not bold**",
]


@pytest.fixture(scope="module")
def bubbles() -> Iterator[list]:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from playwright.sync_api import sync_playwright

    messages = [
        {"role": "assistant", "content": chat_markdown(Answer(question="q", text=text))}
        for text in TEXTS
    ]
    with gr.Blocks() as demo:
        gr.Chatbot(messages, elem_id="chat", buttons=["copy"])  # as the app's
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function(
                f"n => document.querySelectorAll('{BUBBLE}').length >= n",
                arg=len(TEXTS),
                timeout=60_000,
            )
            yield [page, page.locator(BUBBLE)]
            browser.close()
    finally:
        demo.close()


@pytest.mark.parametrize("number", range(len(TEXTS)))
def test_outside_text_shows_as_written(bubbles, number: int) -> None:
    page, shown = bubbles
    bubble = shown.nth(number)
    assert " ".join(bubble.inner_text().split()) == " ".join(TEXTS[number].split())
    assert bubble.locator("a, img, script, h1, li, table, code, strong").count() == 0
    assert page.evaluate("() => window.__pwned") is None
