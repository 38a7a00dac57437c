"""The UI's parts without a browser: escaping, grouping, follow-ups, uploads, feedback,
exports (hostile text in every field, bounds) and the map's element ids."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from askalign.answer.answers import Answer, Citation
from askalign.assistant import Assistant
from askalign.documents import Role
from askalign.index.feedback import FeedbackLog
from askalign.ingest.adding import AddRefused, add_to_corpus
from askalign.positions.map import Exchange, MapQuote, Position, PositionMap, Relation
from askalign.positions.markdown import to_markdown
from askalign.web.exports import MAX_CHARS, MAX_TURNS, ExportRefused, checked_turns
from askalign.web.positions import graph_data, speaker_html
from askalign.web.render import (
    chat_markdown,
    conversation_markdown,
    example_questions,
    follow_ups,
    source_markdown,
    sources_html,
)

# What a file, page or model could hold, in every field an export writes
NAME = '\x1b[31m<img src=x onerror="alert(1)"> **Eve**'
TITLE = "Doc](javascript:alert(1)) ![tracker](http://t.example/pixel.png"
QUOTE = "See (http://t.example/leak.png)\n# Heading\n- item\n1. item\n<script>x()</script>"
MODEL = (
    "\x9b2K\r![pix](http://t.example/pix.png) [doc](javascript:alert(1)) <b>bold</b> a@t.example"
)
SAFE = "https://example.org/a_(b)?q=1&r=<2>"
SAFE_AS_SENT = "https://example.org/a_%28b%29?q=1&r=%3C2%3E"


def rendered(markdown: str) -> BeautifulSoup:
    """The Markdown as a CommonMark renderer with raw HTML on (as GitHub's) shows it."""
    return BeautifulSoup(MarkdownIt("commonmark").render(markdown), "html.parser")


def assert_inert(markdown: str, *shown: str) -> None:
    """No element but text and our own structure; links only to http(s); no control
    character for a terminal to obey; each of `shown` readable as written."""
    assert [c for c in markdown if unicodedata.category(c) == "Cc" and c not in "\n\t"] == []
    page = rendered(markdown)
    assert not page.find_all(["img", "script", "b", "table", "code"])
    assert all(a["href"].startswith(("http://", "https://")) for a in page.find_all("a"))
    assert all(a["href"] == SAFE_AS_SENT for a in page.find_all("a")), page.find_all("a")
    text = "".join(page.get_text().split())  # spacing aside: a name is put on one line
    for field in shown:
        printable = "".join(c for c in field if unicodedata.category(c) != "Cc")
        assert "".join(printable.split()) in text, field


def hostile_citation(n: int, url: str | None) -> Citation:
    return Citation(
        n=n,
        doc_id="d",
        doc_title=TITLE,
        speaker=NAME,
        role=Role.COMMENT,
        section=["## [x](javascript:y)"],
        quote=QUOTE,
        display=QUOTE,
        start=0,
        end=len(QUOTE),
        url=url,
        passage_id=f"p{n}",
    )


def test_sources_group_by_passage_and_escape(assistant: Assistant) -> None:
    answer = assistant.ask("What did ryan_greenblatt say about MuZero and LLMs?")
    html = sources_html(answer, assistant.documents)
    passages = {c.passage_id for c in answer.citations}
    assert html.count('class="source"') == len(passages)
    assert all(f'data-n="{c.n}"' in html for c in answer.citations)
    assert "<script" not in html


def test_source_cards_show_karma(assistant: Assistant) -> None:
    answer = assistant.ask("What did ryan_greenblatt say about MuZero and LLMs?")
    scored = [c for c in answer.citations if c.karma is not None]
    assert scored, "comments on a copied LessWrong page carry their karma"
    passage = assistant.documents[scored[0].doc_id]
    own = next(p for p in passage.passages if p.id == scored[0].passage_id)
    assert scored[0].karma == own.karma
    html = sources_html(answer, assistant.documents)
    assert f'<span class="karma">karma {scored[0].karma}</span>' in html


def test_chat_text_is_shown_literally() -> None:
    from askalign.answer.answers import Answer

    answer = Answer(question="q", text="ryan_greenblatt writes: “<b>*x*</b>” [1]")
    rendered = chat_markdown(answer)
    assert "<b>" not in rendered and r"ryan\_greenblatt" in rendered and r"\[1\]" in rendered


def test_follow_ups_come_from_the_thread(assistant: Assistant) -> None:
    answer = assistant.ask("What did Stephen McAleese say about reward learning like RLHF?")
    suggestions = follow_ups(answer, assistant.documents)
    assert any("Stephen McAleese" in s for s in suggestions)
    assert len(example_questions(assistant.documents)) == 4


def test_conversation_exports_with_sources(assistant: Assistant) -> None:
    answer = assistant.ask("What is impure consequentialism?")
    state = {"turns": [{"question": "What is impure consequentialism?", "answer": answer}]}
    saved = checked_turns(json.loads(json.dumps(state, default=dump)))
    markdown = conversation_markdown(saved, assistant.documents)
    assert markdown.startswith("# askalign conversation")
    assert all(f"[{c.n}] > " in markdown for c in answer.citations)


def dump(model: Answer) -> dict:
    return model.model_dump(mode="json")


def test_every_exported_field_is_text_and_links_are_http() -> None:
    """Conversation export, "Copy as Markdown" and the map's export (`askalign map
    --markdown`, "Export map"): names, titles, URLs, quotes and model text as written."""
    citations = [hostile_citation(1, SAFE), hostile_citation(2, "javascript:alert(1)")]
    answer = Answer(question=NAME, text=MODEL, citations=citations)
    # no index confirms these citations: the export shows them as gone, never as sent
    conversation = conversation_markdown([(f"{NAME}\n# {TITLE}", answer)], {})
    assert_inert(conversation, NAME, TITLE, MODEL)
    assert QUOTE not in conversation and "[2] (no longer in the corpus)" in conversation
    assert_inert(source_markdown(citations[1]), NAME, TITLE, QUOTE)
    assert_inert(to_markdown(hostile_map()), NAME, TITLE, QUOTE, MODEL)


def hostile_map() -> PositionMap:
    quote = MapQuote(
        n=1, quote=QUOTE, display=QUOTE, document=TITLE, start=0, end=9, url=SAFE, speaker=NAME
    )
    bad = quote.model_copy(update={"n": 2, "url": "javascript:alert(1)"})
    position = Position(
        speaker=NAME,
        role=Role.COMMENT,
        document=TITLE,
        karma=3,
        engagement=1.0,
        quotes=[quote, bad],
    )
    reply = Exchange(
        **{"from": NAME, "to": MODEL},
        quote=QUOTE,
        relation=Relation.DISAGREES,
        marker=MODEL,
        relevance=0.5,
        source=bad,
    )
    return PositionMap(topic=TITLE, positions=[position], exchanges=[reply])


def test_links_on_the_page_are_http_only(assistant: Assistant) -> None:
    answer = assistant.ask("What is impure consequentialism?")
    assert answer.citations
    bad = [c.model_copy(update={"url": "javascript:alert(1)"}) for c in answer.citations]
    shown = sources_html(answer.model_copy(update={"citations": bad}), assistant.documents)
    page = BeautifulSoup(shown, "html.parser")
    # the link is the index's own (re-checked), never the one the browser sent
    assert all(a["href"].startswith(("http://", "https://")) for a in page.find_all("a"))
    assert "javascript" not in shown
    assert all("javascript" not in button["data-md"] for button in page.select(".copy-source"))
    person = hostile_map().positions[0]
    panel = BeautifulSoup(speaker_html(hostile_map(), person.speaker), "html.parser")
    assert [a["href"] for a in panel.find_all("a")] == [SAFE_AS_SENT]


def test_an_export_is_bounded() -> None:
    turn = {"question": "Why?", "answer": {"question": "Why?", "text": "Because."}}
    assert checked_turns({"turns": [turn] * MAX_TURNS})[0][1].text == "Because."
    with pytest.raises(ExportRefused, match="turns"):
        checked_turns({"turns": [turn] * (MAX_TURNS + 1)})
    big = {"question": "Why?", "answer": {"question": "Why?", "text": "x" * MAX_CHARS}}
    with pytest.raises(ExportRefused, match="characters"):
        checked_turns({"turns": [big]})
    deep: list = []
    for _ in range(100_000):  # deeper than any parser's recursion
        deep = [deep]
    for malformed in (None, {"turns": "x"}, {"turns": [{"question": "q"}]}, {"turns": [deep]}):
        with pytest.raises(ExportRefused):
            checked_turns(malformed)


def test_map_ids_never_collide_with_names() -> None:
    """A speaker named like an edge id (`e0` once) took the edge's id, and Cytoscape
    dropped that edge."""
    names = ["e0", "e:0", "n:1", "Quinn"]
    quote = MapQuote(n=1, quote="q", display="q", document="d", start=0, end=1, speaker="e0")
    found = PositionMap(
        topic="t",
        positions=[
            Position(
                speaker=name,
                role=Role.COMMENT,
                document="d",
                karma=None,
                engagement=1.0,
                quotes=[quote],
            )
            for name in names
        ],
        exchanges=[
            Exchange(
                **{"from": name, "to": "Quinn"},
                quote="q",
                relation=Relation.AGREES,
                relevance=0.5,
                source=quote,
            )
            for name in names[:3]
        ],
    )
    drawn = graph_data(found)
    ids = [element["id"] for element in drawn["nodes"] + drawn["edges"]]
    assert len(set(ids)) == len(ids) == 7
    assert [node["speaker"] for node in drawn["nodes"]] == names


def test_bad_uploads_change_nothing(tmp_path: Path, corpus_dir: Path) -> None:
    upload = tmp_path / "paper.txt"
    upload.write_bytes(b"\x00\x01\x02 binary")
    with pytest.raises(AddRefused, match="binary"):
        add_to_corpus(upload, "paper.txt", corpus_dir, 2**20)
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(AddRefused, match=r"\.txt, \.md, \.html or \.jsonl"):
        add_to_corpus(pdf, "paper.pdf", corpus_dir, 2**20)
    assert list(corpus_dir.iterdir()) == []
    good = tmp_path / "good.md"
    good.write_text("# Title\n\nSome text about corrigibility.\n", encoding="utf-8")
    added = add_to_corpus(good, "My Notes (v2).md", corpus_dir, 2**20)
    assert added.name == "My-Notes-v2.md" and added.exists()
    with pytest.raises(AddRefused, match="already in the corpus"):
        add_to_corpus(good, "My Notes (v2).md", corpus_dir, 2**20)


def test_feedback_is_listed_by_the_cli(tmp_path: Path) -> None:
    index = tmp_path / "index"
    FeedbackLog(index).add(
        "Why?", {"text": "Because [1]", "abstained": False, "citations": [{"n": 1}]}, liked=False
    )
    env = os.environ | {"ASKALIGN_INDEX_DIR": str(index)}
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "feedback", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    [item] = json.loads(result.stdout)
    assert item["question"] == "Why?" and item["liked"] is False and item["citations"] == [{"n": 1}]
