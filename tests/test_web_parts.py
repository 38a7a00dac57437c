"""The UI's parts without a browser: escaping, grouping, follow-ups, uploads, feedback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.index.feedback import FeedbackLog
from askalign.ingest.adding import AddRefused, add_to_corpus
from askalign.web.render import (
    chat_markdown,
    conversation_markdown,
    example_questions,
    follow_ups,
    sources_html,
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
    markdown = conversation_markdown(
        [
            {
                "question": "What is impure consequentialism?",
                "answer": answer.model_dump(mode="json"),
            }
        ],
        assistant.documents,
    )
    assert markdown.startswith("# askalign conversation")
    assert all(f"[{c.n}] > " in markdown for c in answer.citations)


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
