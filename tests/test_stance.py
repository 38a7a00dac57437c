"""Stances read from a reply's own words, on a labelled table of sentences
(tests/data/stance_sentences.jsonl: the sentence, its speaker, whom it answers, the
post's author, the stance toward the one answered, and whom its stated stance is
about). A stance that is not there is worse than one missed, so most rows are frames
that state none: reported, past, modal, rhetorical, impersonal, quoted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from askalign.documents import Document, Passage, Role
from askalign.formats import read_document
from askalign.formats.base import DocumentMeta
from askalign.positions import Relation
from askalign.positions.sides import LEADS, sides
from askalign.positions.stance import Stance, stance
from askalign.positions.unquoted import own_text

TABLE = Path(__file__).parent / "data" / "stance_sentences.jsonl"
ROWS = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines()]


def reply_stance(text: str, to: str, author: str) -> Stance:
    """The stance of a reply that is the whole of its page."""
    reply = Passage(id="r", role=Role.COMMENT, start=0, end=len(text), text=text)
    page = Document(
        id="d", title="t", source_file="d.txt", format="essay", content_hash="h",
        passages=[reply], source_text=text,
    )  # fmt: skip
    return stance(page, reply, to, author)


def test_the_table_is_large_enough() -> None:
    assert len(ROWS) >= 80
    assert {row["stance"] for row in ROWS} == {"agrees", "disagrees", "responds"}


@pytest.mark.parametrize("row", ROWS, ids=[row["sentence"][:60] for row in ROWS])
def test_a_reply_states_the_labelled_stance(row: dict) -> None:
    found = reply_stance(row["sentence"], row["addressee"], row["author"])
    assert found.relation.value == row["stance"], row["why"]
    if found.relation is not Relation.RESPONDS:
        assert row["target"] == "addressee"
        assert found.marker and found.marker in row["sentence"]  # the reply's own words
        assert found.sentence is not None and found.marker in found.sentence.cut(row["sentence"])
    elif row["target"] is None:
        assert found.marker is None and found.target is None
    else:  # a stance stated about someone else is none toward the one answered
        assert found.marker is None
        assert found.target is not None and row["target"] in found.target


def test_a_side_is_only_a_persons_own_stance_toward_the_lead() -> None:
    """Ally leads; she agreed with Poster Person, who never addressed her: Poster Person
    gets no side. Critic disagreed with Ally in a reply to her: "disagrees with Ally"."""
    exchanges = [
        ("Ally", "Poster Person", Relation.AGREES),
        ("Ally", "Bystander", Relation.DISAGREES),
        ("Critic", "Ally", Relation.DISAGREES),
        ("Friend", "Critic", Relation.AGREES),  # with the critic, not with Ally
        ("Waverer", "Ally", Relation.AGREES),
        ("Waverer", "Ally", Relation.DISAGREES),
    ]
    assert sides("Ally", exchanges) == {"Ally": LEADS, "Critic": "disagrees with Ally"}
    assert sides("Ally", exchanges[:2]) == {}


@pytest.mark.parametrize(
    ("page", "quoted", "own"),
    [
        (  # a `>` block quote of another post, in a saved LessWrong page
            "tests/data/lesswrong_saved/_posts_NQK8KHSrZRF5erTba.md",
            "What I propose here is to reconceptualize what we mean by AI alignment.",
            "In particular, I strongly disagree with this opening bit:",
        ),
        (  # a line the parser found pasted from the comment replied to
            "corpus/bearish-on-personas-for-asi-safety.txt",
            "there is no reason for these to have much to do with the circuits (traders)",
            "I agree that there's no reliable reason",
        ),
    ],
)
def test_quoted_words_are_not_the_replys_own(page: str, quoted: str, own: str) -> None:
    path = Path(__file__).resolve().parents[1] / page
    document = read_document(
        path, doc_id="page", source_file=path.name, catalog=DocumentMeta(), max_bytes=2**24
    )
    text = document.source_text
    passage = next(
        p for p in document.passages if p.role is Role.COMMENT and own in text[p.start : p.end]
    )
    blanked = own_text(text, passage)
    assert quoted in text[passage.start : passage.end] and quoted not in blanked
    assert own in blanked
