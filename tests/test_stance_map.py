"""The map and the chat answers on a thread whose replies hold the false stances of
issue 28 (tests/data/forum/stance_thread.html): Ally Chen's post and her comment
restating it; Bo Park, whom Ally agrees with; replies to Ally's comment that report
others' disagreement, quote a critic's "I disagree", disagree in the past, or only
rhetorically, impersonally or in agreement with a third person; Ivy Stone, who
disagrees. Only Ivy's disagreement and Cass Dunn's agreement are stated, and only they
get a side."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from askalign.assistant import Assistant
from askalign.positions import PositionMap, Relation

from .conftest import run_ingest

THREAD = Path(__file__).parent / "data" / "forum" / "stance_thread.html"
TOPIC = "whether strong policies game reward models"
NO_STANCE = ["Dev Rao", "Eve Moss", "Fay Lin", "Gil Ortega", "Hal Brook", "Bo Park"]
_STATED = re.compile(r"^(?P<from>.+?), replying to (?P<to>.+?), (?P<relation>disagrees|agrees):")


@pytest.fixture(scope="module")
def stance_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    from askalign.retrieval.open import open_index
    from askalign.retrieval.search import Searcher

    root = tmp_path_factory.mktemp("stances")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    shutil.copy(THREAD, corpus / THREAD.name)
    run_ingest(corpus, index, embedder)
    return Assistant(Searcher(open_index(index, embedder.model_id, embedder.dimension), embedder))


@pytest.fixture(scope="module")
def stance_map(stance_assistant: Assistant) -> PositionMap:
    return stance_assistant.map(TOPIC)


def test_only_stated_stances_reach_the_map(stance_map: PositionMap) -> None:
    said = {e.from_speaker: e for e in stance_map.exchanges if e.to == "Ally Chen"}
    assert said["Ivy Stone"].relation is Relation.DISAGREES
    assert said["Cass Dunn"].relation is Relation.AGREES  # "I find your case … convincing"
    for person in NO_STANCE[:-1]:  # quoted, rhetorical, past, a third person's, impersonal
        assert said[person].relation is Relation.RESPONDS, person
        assert said[person].marker is None


def test_a_side_is_stated_only_by_its_holder(stance_map: PositionMap) -> None:
    """Ally agreed with Bo, who never addressed her: Bo has no side."""
    assert any(e.from_speaker == "Ally Chen" and e.to == "Bo Park" for e in stance_map.exchanges)
    sides = {p.speaker: p.side for p in stance_map.positions}
    assert sides["Ally Chen"] == "leads"
    assert sides["Ivy Stone"] == "disagrees with Ally Chen"
    for person in NO_STANCE:
        assert sides.get(person) is None, person


def test_no_chat_answer_states_a_stance_the_map_does_not(
    stance_assistant: Assistant, stance_map: PositionMap
) -> None:
    answer = stance_assistant.ask(
        "Who disagreed with Ally Chen that any policy strong enough to search a learned"
        " reward model will game its blind spots?"
    )
    assert not answer.abstained
    on_map = {(e.from_speaker, e.to, e.relation.value) for e in stance_map.exchanges}
    stated = [m for line in answer.text.split("\n\n") if (m := _STATED.match(line))]
    assert stated, answer.text
    for match in stated:
        assert (match["from"], match["to"], match["relation"]) in on_map
    for line in answer.text.split("\n\n"):
        if re.search(r"\b(?:dis)?agree", line.split(":")[0]):
            assert _STATED.match(line), line  # a stance is only ever said as the map says it
    assert answer.text.startswith("Ivy Stone, replying to Ally Chen, disagrees")
    for person in NO_STANCE:
        assert f"{person}, replying to Ally Chen, disagrees" not in answer.text
