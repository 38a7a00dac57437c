"""Escape codes never reach the terminal (issue 30, finding 10). A speaker's name from a
page, a title from front matter, a quote, a model's claim, a model id a server lists
and a thumbs-down anyone could send may all hold control characters; everything the
command line prints passes one function, `printable`, on its way out."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.cli.positions import print_map
from askalign.cli.terminal import (
    console,
    errors,
    print_answer,
    print_feedback,
    print_speakers,
    warn_if_unready,
)
from askalign.index.feedback import FeedbackLog
from askalign.llm.client import OpenAICompatibleClient

from .conftest import run_ingest
from .llm_server import FakeServer
from .test_positions import THREAD, TOPIC

CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
RED, TITLE, WIPE = "\x1b[31m", "\x1b]0;owned\x07", "\x1b[2K\r\x1b[1A\x9b2J"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    """The positions thread with escape codes in a commenter's name, and an essay with
    them in its title, author and text."""
    from askalign.retrieval.open import open_index
    from askalign.retrieval.search import Searcher

    root = tmp_path_factory.mktemp("controls")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    page = THREAD.read_text(encoding="utf-8").replace("Rhea Moss", "Rhea &#27;[31mMoss")
    (corpus / THREAD.name).write_text(page, encoding="utf-8")
    shutil.copy(THREAD, corpus / "unchanged.html")
    essay = (
        '---\ntitle: "Probes\\e]0;owned\\a and deception"\nauthor: "Ivo\\e[31m Lind"\n---\n'
        "Probes trained on one kind of deception\x1b[2K miss new kinds, Ivo argues.\n"
    )
    (corpus / "essay.md").write_text(essay, encoding="utf-8")
    run_ingest(corpus, index, embedder)
    loaded = open_index(index, embedder.model_id, embedder.dimension)
    return Assistant(Searcher(loaded, embedder))


def shown(*printing: object) -> str:
    with console.capture() as out, errors.capture() as err:
        for show in printing:
            show()  # type: ignore[operator]
    return out.get() + err.get()


def test_names_titles_and_quotes_print_without_control_characters(hostile: Assistant) -> None:
    speakers = hostile.speakers()
    # a name with control characters is refused at ingest (formats/base: the name check)
    assert not any(CONTROLS.search(info.name) for info in speakers)
    found = hostile.map(TOPIC)
    answer = hostile.ask("Do probes miss new kinds of deception?")
    claimed = answer.model_copy(update={"text": f"A claim{RED} the model wrote{WIPE}."})
    text = shown(
        lambda: print_speakers(speakers),
        lambda: print_map(found),
        lambda: print_answer(answer),
        lambda: print_answer(claimed),
    )
    assert not CONTROLS.search(text), repr(CONTROLS.search(text))
    assert "A claim[31m the model wrote" in text


def test_feedback_and_model_ids_print_without_control_characters(
    tmp_path: Path, fake: FakeServer
) -> None:
    log = FeedbackLog(tmp_path)
    log.add(f"why{WIPE} not", {"text": "x"}, liked=False)
    fake.models = json.dumps({"data": [{"id": f"evil{TITLE}{RED}"}]}).encode()
    client = OpenAICompatibleClient(fake.url, "scripted-model")
    text = shown(lambda: print_feedback(log.all()), lambda: warn_if_unready(client))
    assert not CONTROLS.search(text), repr(CONTROLS.search(text))
    assert "why[2K" in text and "lists evil]0;owned[31m, not 'scripted-model'" in text
