"""The web UI, served for real and driven by a real browser (Debian's Chromium through
Playwright) and by gradio_client over HTTP."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import SHIPPED_CORPUS, run_ingest
from .forum_server import AUTHOR, POST_ID, forum_site, thread_forum
from .servers import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INJECTION = """A note on prompt injection

Some saved pages carry markup such as <script>window.__pwned = 1</script> inside their
text, which a careful reader shows and never runs.
"""
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "images"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("ASKALIGN_REQUIRE_BROWSER"),
    reason="needs Debian's chromium (make browser); CI sets ASKALIGN_REQUIRE_BROWSER=1",
)
pytestmark = needs_chromium
GRAPH = "document.querySelector('#map-picture .positions-graph')?.graph"  # the map's picture
EXPORTS_PER_MINUTE = 2


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("web")
    corpus, index = root / "corpus", root / "index"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    (corpus / "injection.txt").write_text(INJECTION, encoding="utf-8")
    run_ingest(corpus, index, embedder)
    scratch = root / "scratch"  # the server's temporary folders: an export leaves nothing
    (scratch / "gradio").mkdir(parents=True)
    env = {
        "TMPDIR": str(scratch),
        "GRADIO_TEMP_DIR": str(scratch / "gradio"),
        "ASKALIGN_EXPORTS_PER_MINUTE": str(EXPORTS_PER_MINUTE),
    }
    with serving(corpus, index, env=env) as server:
        yield server | {"scratch": scratch}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(served["url"])
    page.wait_for_selector("#question textarea", timeout=60_000)
    yield page
    context.close()


def ask(page, question: str) -> None:
    before = page.locator("#chat .message").count()
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .message').length >= n + 2",
        arg=before,
        timeout=60_000,
    )
    page.wait_for_function(  # the reply's bubble can show before its text on a busy machine
        "() => { const m = document.querySelectorAll('#chat .message');"
        " return m.length && m[m.length - 1].innerText.trim().length > 0; }",
        timeout=60_000,
    )
    page.wait_for_selector("#sources .source", timeout=60_000)


def screenshot(page, name: str, tmp_path: Path) -> None:
    target = SCREENSHOTS if os.environ.get("ASKALIGN_UPDATE_SCREENSHOTS") else tmp_path
    target.mkdir(exist_ok=True)
    page.screenshot(path=str(target / name), full_page=True)


def test_ask_and_see_cited_speakers(page, tmp_path: Path) -> None:
    ask(page, "What did ryan_greenblatt say about MuZero and LLMs?")
    speakers = page.locator("#sources .source .speaker").all_inner_texts()
    assert "ryan_greenblatt" in speakers
    assert "[1]" in page.locator("#chat").inner_text()
    assert page.locator("#sources mark").count() >= 1
    screenshot(page, "answer.png", tmp_path)
    page.reload()
    page.wait_for_selector("#sources .source", timeout=60_000)
    assert "MuZero" in page.locator("#chat").inner_text()


def _source_numbers(page) -> list[int]:
    found = page.eval_on_selector_all("#sources mark[data-n]", "ms => ms.map(m => m.dataset.n)")
    return sorted({int(n) for n in found})


def test_citation_numbers_hold_across_a_conversation(page) -> None:
    ask(page, "What did ryan_greenblatt say about MuZero and LLMs?")
    first = _source_numbers(page)
    ask(page, "What does plex say about 500 lines of python?")
    second = _source_numbers(page)
    assert first and first[0] == 1 and second
    assert min(second) > max(first)  # new quotes go on from the first answer's numbers
    assert f"[{min(second)}]" in page.locator("#chat .message").last.inner_text()


def test_speaker_filter_narrows_the_sources(page) -> None:
    page.click("#speaker-filter input")
    page.fill("#speaker-filter input", "Seth Herd")
    page.get_by_role("option", name="Seth Herd").click()
    ask(page, "What is wrong with training on behavior?")
    cited = page.locator("#sources .source").evaluate_all(
        "cards => cards.map(c => c.dataset.speaker)"
    )
    assert cited and set(cited) == {"Seth Herd"}


def test_off_topic_question_looks_abstained(page, tmp_path: Path) -> None:
    ask(page, "How do I bake sourdough bread at home?")
    assert page.locator("#sources .sources.abstained").count() == 1
    assert "Not found in the corpus" in page.locator("#chat").inner_text()
    screenshot(page, "abstained.png", tmp_path)


def test_script_in_a_passage_shows_as_text(page) -> None:
    ask(page, "What does the note on prompt injection say about markup in saved pages?")
    assert "<script>window.__pwned = 1</script>" in page.locator("#sources").inner_text()
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#sources script").count() == 0


def test_the_positions_tab_maps_a_real_thread(page, tmp_path: Path) -> None:
    page.get_by_role("tab", name="Positions").click()
    page.fill(
        "#map-topic textarea",
        "whether humans pick up prosocial behaviour from culture rather than through reward",
    )
    page.click("#map-go")
    page.wait_for_function(f"() => {GRAPH} && {GRAPH}.nodes().length > 1", timeout=60_000)
    assert {"Steven Byrnes", "Jonas Hallgren"} <= set(speakers_drawn(page))
    assert "karma" in tap_person(page, "Jonas Hallgren")
    screenshot(page, "positions.png", tmp_path)


def tap_person(page, name: str) -> str:
    """Click a person in the map's picture with the mouse, as a user does; the panel's
    text once it shows them. Only numbers come back from the page: a Cytoscape element
    handed back to Playwright is serialised whole through its graph (gigabytes of heap,
    a minute a tap, and once "Target crashed" in CI)."""
    picture = page.locator("#map-picture .positions-graph")
    picture.scroll_into_view_if_needed()
    x, y = page.evaluate(
        f"name => {{ const at = {GRAPH}.nodes().filter(n => n.data('speaker') === name)"
        "[0].renderedPosition(); return [at.x, at.y]; }",
        name,
    )
    box = picture.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function(
        "name => document.querySelector('#map-detail').innerText.includes(name)",
        arg=name,
        timeout=30_000,
    )
    return page.locator("#map-detail").inner_text()


def speakers_drawn(page) -> list[str]:
    return page.evaluate(f"() => {GRAPH}.nodes().map(n => n.data('speaker'))")


def test_thumbs_up_is_stored_locally(page, served) -> None:
    from askalign.index.feedback import FeedbackLog

    ask(page, "What is impure consequentialism?")
    page.locator("#chat button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not FeedbackLog(served["index"]).all():
        time.sleep(0.2)
    [stored] = FeedbackLog(served["index"]).all()
    assert stored.liked and stored.question == "What is impure consequentialism?"


def verified(answer: dict, corpus: Path) -> bool:
    from askalign.formats.decode import read_source

    files = {p.name: p for p in corpus.iterdir()}
    for citation in answer["citations"]:
        matches = [
            p for p in files.values()
            if read_source(p, 2**24).text[citation["start"] : citation["end"]] == citation["quote"]
        ]  # fmt: skip
        if not matches:
            return False
    return True


def test_gradio_client_gets_the_same_answer_as_json(served) -> None:
    from gradio_client import Client

    client = Client(served["url"], verbose=False)
    answer = client.predict(
        "Who said almost all possible 500 lines of python are bad?", "", "", api_name="/ask"
    )
    assert {"text", "citations", "abstained", "hits"} <= set(answer)
    assert any(c["speaker"] == "plex" for c in answer["citations"])
    assert verified(answer, served["corpus"])


def test_eight_parallel_questions_all_come_back_verified(served) -> None:
    from gradio_client import Client

    questions = [
        ("What did Seth Herd think about self-other overlap?", "Seth Herd"),
        ("What did nostream want to discuss about reward functions?", "nostream"),
        ("What did ryan_greenblatt say about MuZero?", "ryan_greenblatt"),
        ("Which commenter said most 500-line Python reward functions would be bad?", "plex"),
        ("What is the Persona Selection Model?", "J Bostock"),
        ("How did Jonas Hallgren engage with section 2.3?", "Jonas Hallgren"),
        ("What does Byrnes think about amplified oversight?", "Steven Byrnes"),
        ("What did Jeremy Gillen say about consequentialist preferences?", "Jeremy Gillen"),
    ]

    def one(item: tuple[str, str]) -> tuple[dict, str]:
        client = Client(served["url"], verbose=False)
        return client.predict(item[0], "", "", api_name="/ask"), item[1]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, questions))
    for answer, speaker in results:
        assert not answer["abstained"]
        assert speaker in {c["speaker"] for c in answer["citations"]}
        assert verified(answer, served["corpus"])


def upload_through_the_page(page, path: Path) -> str:
    page.get_by_text("Index: what the answers come from").click()
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_timeout(500)
    page.click("#add-text")
    page.wait_for_function(
        "() => /Added|Nothing was changed/"
        ".test(document.querySelector('#upload-message').innerText)",
        timeout=120_000,
    )
    return page.locator("#upload-message").inner_text()


def test_a_bad_upload_changes_nothing(page, served, tmp_path: Path) -> None:
    before = sorted(p.name for p in served["corpus"].iterdir())
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    assert "Nothing was changed" in upload_through_the_page(page, binary)
    assert sorted(p.name for p in served["corpus"].iterdir()) == before


def test_an_added_text_is_ingested_and_answerable(page, served, tmp_path: Path) -> None:
    text = tmp_path / "off-switch.md"
    text.write_text(
        "# The off-switch game\n\nAn agent that is uncertain about its objective lets a human"
        " switch it off, because the human's choice is evidence about what it should want.\n",
        encoding="utf-8",
    )
    message = upload_through_the_page(page, text)
    assert "Added off-switch.md" in message
    assert (served["corpus"] / "off-switch.md").exists()
    summary = page.locator("#upload-message table").inner_text()  # what the file became
    assert "markdown" in summary and "The off-switch game" in summary
    assert "⚠️ missing" in summary  # the file names no author
    ask(page, "Why would an agent uncertain about its objective let a human switch it off?")
    assert "The off-switch game" in page.locator("#sources").inner_text()


def test_a_thread_added_by_its_address_is_answerable(page, served) -> None:
    page.get_by_text("Index: what the answers come from").click()
    with forum_site(thread_forum()) as forum:
        page.fill("#address textarea", f"{forum.url}/posts/{POST_ID}/corrigible-gardens")
        page.click("#add-address")
        page.wait_for_function(
            "() => /Added|Nothing was changed/"
            ".test(document.querySelector('#upload-message').innerText)",
            timeout=120_000,
        )
    assert f"{POST_ID}-corrigible-gardens.json" in page.locator("#upload-message").inner_text()
    summary = page.locator("#upload-message table").inner_text()
    assert "forum-api" in summary and "Corrigible Gardens" in summary and AUTHOR in summary
    ask(page, "What did Tobias Wren say about rustling as a channel?")
    assert "Tobias Wren" in page.locator("#sources").inner_text()


def test_readable_at_phone_width(browser, served, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.goto(served["url"])
    phone.wait_for_selector("#question textarea", timeout=60_000)
    ask(phone, "What is the Persona Selection Model?")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways at phone width ({width}px)"
    screenshot(phone, "phone.png", tmp_path)
    context.close()


def test_exports_are_saved_by_the_browser_and_leave_nothing_behind(page, served) -> None:
    """The conversation and the map download, escaped; the server writes no file for
    them (no temporary folder, no copy in Gradio's cache), and a third export within
    seconds is turned away (the bucket holds two and gains one each 30 s)."""
    ask(page, "What is impure consequentialism?")
    page.get_by_role("tab", name="Positions").click()
    page.fill("#map-topic textarea", "whether humans absorb prosocial behaviour from culture")
    page.click("#map-go")
    page.wait_for_function(f"() => {GRAPH} && {GRAPH}.nodes().length > 1", timeout=60_000)
    before = sorted(served["scratch"].rglob("*"))
    assert download(page, "#export-positions").startswith("# Positions on")
    page.get_by_role("tab", name="Ask").click()
    conversation = download(page, "#export-askalign-conversation")
    assert conversation.startswith("# askalign conversation")
    assert "## Q: What is impure consequentialism?" in conversation
    page.click("#export-askalign-conversation")
    page.get_by_text("Too many exports in the last minute").wait_for(timeout=30_000)
    assert sorted(served["scratch"].rglob("*")) == before


def download(page, button: str) -> str:
    with page.expect_download(timeout=60_000) as started:
        page.click(button)
    return Path(started.value.path()).read_text(encoding="utf-8")
