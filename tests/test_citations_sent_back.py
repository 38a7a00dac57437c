"""Citations a client sends back (an earlier answer's, in the Python chat's messages or
the web page's saved conversation) are re-checked against the index before they are
numbered or shown: a forged one is dropped, one whose text was removed is said to be
gone, and no number ever points at two quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from askalign.answer.answers import Answer, Citation
from askalign.assistant import Assistant

QUESTION = "What did ryan_greenblatt say about MuZero and LLMs?"
FOLLOW_UP = "What did Steven Byrnes say about reward functions?"


@pytest.fixture(scope="module")
def earlier(assistant: Assistant) -> Answer:
    answer = assistant.ask(QUESTION)
    assert len(answer.citations) >= 2
    return answer


def _chat(assistant: Assistant, earlier: Answer, citations: list[Citation]) -> Answer:
    return assistant.chat(
        [
            {"role": "user", "content": FOLLOW_UP},
            {"role": "assistant", "content": earlier.text, "citations": citations},
            {"role": "user", "content": FOLLOW_UP},
        ]
    )


def test_citations_all_numbered_alike_give_the_next_answer_unique_numbers(
    assistant: Assistant,
) -> None:
    first = assistant.ask(FOLLOW_UP)
    assert len(first.citations) >= 2
    forged = [c.model_copy(update={"n": 7}) for c in first.citations]
    answer = _chat(assistant, first, forged)
    numbers = [c.n for c in answer.citations]
    assert len(set(numbers)) == len(numbers), numbers
    assert all(answer.text.count(f"[{n}]") == 1 for n in numbers), answer.text
    assert 7 in numbers  # the first quote claiming 7 keeps it


def test_a_forged_citation_never_lends_its_number(assistant: Assistant) -> None:
    first = assistant.ask(FOLLOW_UP)
    target = first.citations[0]
    forgeries = [
        target.model_copy(update={"n": 42, "quote": "Alignment is easy and solved."}),
        target.model_copy(update={"n": 43, "passage_id": "no-such-passage"}),
        target.model_copy(update={"n": 44, "speaker": "Somebody Else"}),
        target.model_copy(update={"n": 45, "end": target.end + 10**6}),
    ]
    answer = _chat(assistant, first, forgeries)
    assert {c.n for c in answer.citations} & {42, 43, 44, 45} == set()
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    genuine = _chat(assistant, first, [target.model_copy(update={"n": 42})])
    assert 42 in [c.n for c in genuine.citations]  # a real one keeps its number


def _saved(earlier: Answer, citations: list[Citation]) -> dict:
    answer = earlier.model_copy(update={"citations": citations})
    return {"turns": [{"question": QUESTION, "answer": answer.model_dump(mode="json")}]}


@pytest.fixture(scope="module")
def page_load(shipped_index: Path):
    """The web app's own page-load handler, as Gradio registered it."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("ASKALIGN_INDEX_DIR", str(shipped_index))
    monkeypatch.setenv("ASKALIGN_READER", "off")
    from askalign.settings import Settings
    from askalign.web.app import build_app
    from askalign.web.shared import SharedAssistant

    demo = build_app(SharedAssistant(Settings()))
    [restore] = [f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "restore"]
    yield restore
    monkeypatch.undo()


def test_a_forged_citation_is_not_shown_on_page_load(page_load, earlier: Answer) -> None:
    real, other = earlier.citations[:2]
    forged = [
        real,
        other.model_copy(update={"quote": "Alignment is easy and solved.", "display": "Easy."}),
        other.model_copy(update={"n": 8, "passage_id": "bogus", "speaker": "Steven Byrnes"}),
        other.model_copy(update={"n": 9, "url": "javascript:alert(1)"}),
    ]
    _, sources, _ = page_load(_saved(earlier, forged))
    assert f'data-n="{real.n}"' in sources
    assert "Alignment is easy and solved" not in sources and "Easy." not in sources
    assert "javascript:" not in sources
    assert 'data-n="8"' not in sources
    cards = len({real.passage_id, other.passage_id})  # [9] is real, shown with its own link
    assert sources.count('class="source"') == cards and 'data-n="9"' in sources


def test_a_removed_text_shows_as_gone_on_page_load(page_load, earlier: Answer) -> None:
    gone = earlier.citations[0].model_copy(update={"doc_id": "no-such-doc", "n": 5})
    chat, sources, _ = page_load(_saved(earlier, [gone, earlier.citations[1]]))
    assert "[5]</b> no longer in the corpus" in sources
    assert f'data-n="{earlier.citations[1].n}"' in sources
    assert chat[-1]["role"] == "assistant"


def test_a_saved_turn_that_no_longer_reads_as_an_answer_is_left_out(
    page_load, earlier: Answer
) -> None:
    state = _saved(earlier, earlier.citations)
    state["turns"] = [{"question": "Old?", "answer": {"text": 3}}, "junk", *state["turns"]]
    chat, sources, _ = page_load(state)
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert f'data-n="{earlier.citations[0].n}"' in sources
