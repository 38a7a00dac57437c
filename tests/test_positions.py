"""The disagreement map, on a thread whose stances are known (a copied GreaterWrong page:
Quinn doubts the post's probes, Rhea disagrees with Quinn, Sam agrees, Tess and Wren
answer without a stated stance, Xan concedes a point and rebuts, Uma is off topic) and
on the shipped corpus: who is on it, who answered whom, and every quote read back from
the source at its offsets."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.positions import PositionMap, Relation
from askalign.positions.markdown import to_markdown

from .conftest import run_ingest
from .test_answers import cli
from .test_web_parts import rendered

THREAD = Path(__file__).parent / "data" / "forum" / "positions_thread.html"
TOPIC = "whether probes catch new kinds of deception"


@pytest.fixture(scope="module")
def thread_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:
    root = tmp_path_factory.mktemp("positions")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    shutil.copy(THREAD, corpus / THREAD.name)
    run_ingest(corpus, index, embedder)
    return index


@pytest.fixture(scope="module")
def thread_assistant(thread_index: Path, embedder) -> Assistant:
    from askalign.retrieval.open import open_index
    from askalign.retrieval.search import Searcher

    loaded = open_index(thread_index, embedder.model_id, embedder.dimension)
    return Assistant(Searcher(loaded, embedder))


@pytest.fixture(scope="module")
def thread_map(thread_assistant: Assistant) -> PositionMap:
    return thread_assistant.map(TOPIC)


def assert_quotes_verified(assistant: Assistant, found: PositionMap) -> None:
    sources = found.sources()
    assert sources, "a map with people on it cites them"
    for quote in sources:
        text = assistant.documents[quote.document].source_text
        assert text[quote.start : quote.end] == quote.quote
    for exchange in found.exchanges:
        assert exchange.quote == exchange.source.display
        if exchange.marker:
            assert exchange.marker in exchange.quote  # the source's words, as written


def test_the_map_lists_who_addressed_the_topic(thread_map: PositionMap) -> None:
    speakers = [p.speaker for p in thread_map.positions]
    for person in ("Pat Lowe", "Quinn Adair", "Rhea Moss", "Sam Ortiz", "Tess Ibarra"):
        assert person in speakers
    assert "Uma Reyes" not in speakers  # the sourdough comment is not on the topic
    karma = {p.speaker: p.karma for p in thread_map.positions}
    assert karma["Quinn Adair"] == 21 and karma["Rhea Moss"] == 7


def test_stances_come_only_from_the_replies_own_words(thread_map: PositionMap) -> None:
    said = {(e.from_speaker, e.to): e for e in thread_map.exchanges}
    assert said["Rhea Moss", "Quinn Adair"].relation is Relation.DISAGREES
    assert said["Rhea Moss", "Quinn Adair"].marker == "I disagree"
    assert said["Sam Ortiz", "Quinn Adair"].relation is Relation.AGREES
    assert said["Tess Ibarra", "Quinn Adair"].relation is Relation.RESPONDS
    assert said["Tess Ibarra", "Quinn Adair"].marker is None
    # "I agree that X. My issue is …" concedes a point on the way to a rebuttal
    assert said["Xan Pell", "Quinn Adair"].relation is Relation.RESPONDS
    order = [e.from_speaker for e in thread_map.exchanges]
    assert order.index("Rhea Moss") < order.index("Sam Ortiz") < order.index("Tess Ibarra")


def test_every_quote_in_the_map_is_verified(
    thread_assistant: Assistant, thread_map: PositionMap
) -> None:
    assert_quotes_verified(thread_assistant, thread_map)
    numbers = [q.n for q in thread_map.sources()]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_speaker_filter_keeps_their_exchanges(thread_assistant: Assistant) -> None:
    found = thread_assistant.map(TOPIC, speakers=["rhea moss"])
    assert [p.speaker for p in found.positions] == ["Rhea Moss"]
    assert all("Rhea Moss" in (e.from_speaker, e.to) for e in found.exchanges)


def test_a_disagreement_question_is_answered_from_the_map(thread_assistant: Assistant) -> None:
    answer = thread_assistant.ask(
        "Does anyone disagree with Quinn that a model deceiving in a new way slips past the probes?"
    )
    assert not answer.abstained
    assert answer.text.startswith("Rhea Moss, replying to Quinn Adair, disagrees")
    cited = [c.speaker for c in answer.citations]
    assert cited[0] == "Rhea Moss" and "Quinn Adair" not in cited[:1]
    for citation in answer.citations:
        text = thread_assistant.documents[citation.doc_id].source_text
        assert text[citation.start : citation.end] == citation.quote


def test_one_persons_view_is_not_a_map_question(thread_assistant: Assistant) -> None:
    intent = thread_assistant.intent("What are Quinn's objections to the probes?")
    assert not intent.asks_positions


def test_the_markdown_export_holds_every_quote_and_link(thread_map: PositionMap) -> None:
    shown = rendered(to_markdown(thread_map))  # as a reader sees it, escapes resolved
    text = " ".join(shown.get_text(" ").split())
    for quote in thread_map.sources():
        assert " ".join(quote.display.split()) in text
    links = {a["href"] for a in shown.find_all("a")}
    assert any(link.startswith("https://www.lesswrong.com/posts/zZ9probe") for link in links)


def test_a_map_of_the_shipped_corpus_is_verified(assistant: Assistant) -> None:
    found = assistant.map("whether humans absorb prosocial behaviour from culture")
    speakers = {p.speaker for p in found.positions}
    assert {"Steven Byrnes", "Jonas Hallgren"} <= speakers
    assert_quotes_verified(assistant, found)
    for exchange in found.exchanges:
        assert exchange.relation is Relation.RESPONDS or exchange.marker


def test_the_cli_map_json_follows_its_schema(
    shipped_index: Path, assistant: Assistant, tmp_path: Path
) -> None:
    topic, written = "whether reward functions can be written safely", tmp_path / "map.md"
    result = cli("map", topic, "--json", "--markdown", str(written), index=shipped_index)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert written.read_text(encoding="utf-8") == to_markdown(PositionMap.model_validate(found))
    assert found["topic"] == "whether reward functions can be written safely"
    assert found["positions"]
    for position in found["positions"]:
        assert {"speaker", "role", "document", "karma", "quotes"} <= set(position)
        for quote in position["quotes"]:
            assert {"quote", "document", "start", "end", "url"} <= set(quote)
            source = assistant.documents[quote["document"]].source_text
            assert source[quote["start"] : quote["end"]] == quote["quote"]
    for exchange in found["exchanges"]:
        assert {"from", "to", "quote", "relation"} <= set(exchange)
        assert exchange["relation"] in {"disagrees", "agrees", "responds"}


def test_the_cli_map_prints_people_and_sources(shipped_index: Path) -> None:
    result = cli("map", "whether reward functions can be written safely", index=shipped_index)
    assert result.returncode == 0, result.stderr
    assert "Positions on" in result.stdout and "Sources:" in result.stdout
    assert "Steven Byrnes" in result.stdout


def test_the_cli_map_refuses_an_unknown_document(shipped_index: Path) -> None:
    result = cli("map", "reward functions", "--doc", "no-such-text", index=shipped_index)
    assert result.returncode == 2
    assert "no-such-text" in result.stderr + result.stdout
