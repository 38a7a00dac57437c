"""The Positions view in real Chromium: the picture renders, every reply drawn, clicking
a person shows their verified quotes at little cost, and markup written in a comment
shows as text and never runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_ingest
from .servers import serving
from .test_web import CHROMIUM, CHROMIUM_ARGS, GRAPH, needs_chromium, speakers_drawn, tap_person

THREAD = Path(__file__).parent / "data" / "forum" / "positions_thread.html"
TOPIC = "whether probes catch new kinds of deception"
LIKE_AN_EDGE = "e0"  # Tess Ibarra's name in this copy: the first edge's id once
MAX_HEAP_BYTES = 200 * 10**6

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("web-positions")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    thread = THREAD.read_text(encoding="utf-8").replace("Tess Ibarra", LIKE_AN_EDGE)
    (corpus / THREAD.name).write_text(thread, encoding="utf-8")
    run_ingest(corpus, index, embedder)
    with serving(corpus, index) as server:
        yield server


@pytest.fixture(scope="module")
def page(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[*CHROMIUM_ARGS, "--enable-precise-memory-info"],
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
    names = speakers_drawn(page)
    assert {"Quinn Adair", "Rhea Moss", "Sam Ortiz"} <= set(names)
    assert "Uma Reyes" not in names
    edges = page.evaluate(
        f"() => {GRAPH}.edges().map(e =>"
        " [e.source().data('speaker'), e.target().data('speaker'), e.data('colour')])"
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


def test_a_speaker_named_like_an_edge_keeps_every_reply_drawn(page, served, embedder) -> None:
    from askalign.assistant import Assistant
    from askalign.retrieval.open import open_index
    from askalign.retrieval.search import Searcher
    from askalign.web.positions import graph_data

    loaded = open_index(served["index"], embedder.model_id, embedder.dimension)
    expected = graph_data(Assistant(Searcher(loaded, embedder)).map(TOPIC))
    ids = {node["id"] for node in expected["nodes"]} | {edge["id"] for edge in expected["edges"]}
    assert len(ids) == len(expected["nodes"]) + len(expected["edges"])
    assert LIKE_AN_EDGE in speakers_drawn(page)
    drawn = page.evaluate(
        f"() => {GRAPH}.edges().map(e => [e.source().data('speaker'), e.target().data('speaker')])"
    )
    assert len(drawn) == len(expected["edges"]) > 1
    assert [LIKE_AN_EDGE, "Quinn Adair"] in drawn  # Tess's reply, once the first edge


def test_clicking_three_people_keeps_the_heap_small(page) -> None:
    """The page's heap, sampled every 20 ms while three people are clicked, stays under
    200 MB (a tap once cost 2.7 GB and a minute: see `tap_person`)."""
    page.evaluate(
        "() => { window.__heap = 0; window.__sampler = setInterval(() => { window.__heap ="
        " Math.max(window.__heap, performance.memory.usedJSHeapSize); }, 20); }"
    )
    for person in ("Rhea Moss", "Quinn Adair", "Sam Ortiz"):
        assert person in tap_person(page, person)
    peak = page.evaluate("() => { clearInterval(window.__sampler); return window.__heap; }")
    assert 0 < peak < MAX_HEAP_BYTES
