"""The Positions view in real Chromium: the picture renders, clicking a person shows
their verified quotes, and markup written in a comment shows as text and never runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_ingest
from .servers import serving
from .test_web import CHROMIUM, CHROMIUM_ARGS, GRAPH, needs_chromium, tap_person

THREAD = Path(__file__).parent / "data" / "forum" / "positions_thread.html"
TOPIC = "whether probes catch new kinds of deception"

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("web-positions")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    shutil.copy(THREAD, corpus / THREAD.name)
    run_ingest(corpus, index, embedder)
    with serving(corpus, index) as server:
        yield server


@pytest.fixture(scope="module")
def page(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(served["url"])
        page.wait_for_selector("#question textarea", timeout=60_000)
        page.get_by_role("tab", name="Positions").click()
        page.fill("#map-topic textarea", TOPIC)
        page.click("#map-go")
        page.wait_for_function(
            f"() => {GRAPH} && {GRAPH}.nodes().length > 0",
            timeout=60_000,
        )
        yield page
        browser.close()


def test_the_picture_draws_people_and_replies(page) -> None:
    names = page.evaluate(f"() => {GRAPH}.nodes().map(n => n.id())")
    assert {"Quinn Adair", "Rhea Moss", "Sam Ortiz"} <= set(names)
    assert "Uma Reyes" not in names
    edges = page.evaluate(
        f"() => {GRAPH}.edges().map(e => [e.source().id(), e.target().id(), e.data('colour')])"
    )
    assert ["Rhea Moss", "Quinn Adair", "#cf222e"] in edges  # disagreement drawn red
    assert page.locator("#map-picture canvas").count() >= 1
    assert "people on" in page.locator("#map-summary").inner_text()


def test_clicking_a_person_shows_their_quotes(page) -> None:
    detail = tap_person(page, "Rhea Moss")
    assert "A probe for the truth value of a statement generalises" in detail
    assert "disagrees" in detail and "Quinn Adair" in detail


def test_markup_in_a_comment_is_text_and_never_runs(page) -> None:
    detail = tap_person(page, "Wren Hale")
    assert "<script>window.__pwned=2</script>" in detail
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#map-detail script, #map-detail img").count() == 0
