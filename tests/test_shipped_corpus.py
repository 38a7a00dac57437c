"""The shipped corpus parses into the structure its pages really have."""

from __future__ import annotations

import re

import pytest

from askalign import Document, Role, scan_corpus
from askalign.formats.decode import read_source
from askalign.settings import Settings

from .conftest import SHIPPED_CORPUS

FOOM_COMMENTERS = [
    "ryan_greenblatt", "Aprillion", "ryan_greenblatt", "Aprillion", "ryan_greenblatt",
    "Jeremy Gillen", "Steven Byrnes", "Jeremy Gillen", "Steven Byrnes", "Jeremy Gillen",
    "Steven Byrnes", "ryan_greenblatt", "Jeremy Gillen", "ryan_greenblatt", "Jeremy Gillen",
    "Eli Tyre", "Daniel Kokotajlo", "Steven Byrnes", "nostream", "Steven Byrnes", "plex",
    "Charlie Steiner", "plex", "Stephen McAleese", "Steven Byrnes", "Stephen McAleese",
    "Steven Byrnes", "Eli Tyre", "jessicata", "Eli Tyre", "Steven Byrnes", "Jonas Hallgren",
    "Steven Byrnes", "Jonas Hallgren", "Eli Tyre", "Eli Tyre", "Eli Tyre", "AnthonyC",
    "Steven Byrnes", "AnthonyC", "Joel Burget", "Steven Byrnes", "Akradantous Adoxastous",
    "Expertium", "Steven Byrnes", "Seth Herd", "Expertium", "Seth Herd", "Seth Herd",
    "Joey Marcellino", "Steven Byrnes", "S. Alex Bradt", "Steven Byrnes", "S. Alex Bradt",
]  # fmt: skip

CHROME_LINES = {
    "LESSWRONG", "LW", "Reply", "Reply1", "New Comment", "top scoring", "Moderation Log",
    "Curated and popular this week", "Mentioned in", "No comments.", "54Comments", "cite",
    "AI", "Frontpage", "treacherous turns", "alignment tax", "“alignment tax”",
}  # fmt: skip
CHROME_FRAGMENTS = ["54 comments, sorted by", "Click to highlight new comments since", "[-]"]


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    scan = scan_corpus(SHIPPED_CORPUS)
    assert scan.problems == []
    return {doc.id: doc for doc in scan.documents}


def comments(doc: Document):
    return [p for p in doc.passages if p.role is Role.COMMENT]


def test_three_documents_with_catalog_metadata(docs: dict[str, Document]) -> None:
    assert set(docs) == {"foom-and-doom-2", "bearish-on-personas", "why-asi-alignment-is-hard"}
    foom = docs["foom-and-doom-2"]
    assert (foom.title, foom.author, str(foom.date)) == (
        "Foom & Doom 2: Technical alignment is hard",
        "Steven Byrnes",
        "2025-06-23",
    )
    assert foom.crossposted_to == ["AI Alignment Forum"]
    assert foom.karma == 147
    assert docs["bearish-on-personas"].author == "J Bostock"
    assert docs["bearish-on-personas"].date is None
    assert docs["why-asi-alignment-is-hard"].author is None
    assert all(
        doc.url and doc.url.startswith("https://www.lesswrong.com/posts/") for doc in docs.values()
    )


def test_foom_has_54_comments_by_the_right_authors_in_order(docs: dict[str, Document]) -> None:
    found = comments(docs["foom-and-doom-2"])
    assert [c.speaker for c in found] == FOOM_COMMENTERS
    assert [c.comment_index for c in found] == list(range(1, 55))


def test_comment_header_digits_are_settled_by_the_index(docs: dict[str, Document]) -> None:
    found = comments(docs["foom-and-doom-2"])
    first, akradantous = found[0], found[42]
    assert (first.age, first.af_karma, first.karma, first.agreement) == ("19d", 4, 12, 5)
    assert (akradantous.speaker, akradantous.karma, akradantous.agreement) == (
        "Akradantous Adoxastous",
        1,
        -2,
    )
    assert all(c.karma is not None and c.agreement is not None for c in found)


def test_foom_post_has_21_numbered_headings_and_20_footnotes(docs: dict[str, Document]) -> None:
    foom = docs["foom-and-doom-2"]
    headings = {h for p in foom.passages for h in p.section if re.match(r"^2\.\d", h)}
    assert len(headings) == 21
    assert "2.3 On the origins of egregious scheming" in headings
    footnotes = [p for p in foom.passages if p.role is Role.FOOTNOTE]
    assert [f.footnote for f in footnotes] == [str(n) for n in range(1, 21)]
    assert all(f.speaker == "Steven Byrnes" for f in footnotes)
    first_post = next(p for p in foom.passages if p.role is Role.POST)
    assert first_post.text.startswith("This is the second of a two-post series")
    assert first_post.section == ["2.1 Summary & Table of contents"]


def test_post_author_comments_are_comments_not_post(docs: dict[str, Document]) -> None:
    foom = docs["foom-and-doom-2"]
    byrnes_comments = [c for c in comments(foom) if c.speaker == "Steven Byrnes"]
    assert len(byrnes_comments) == FOOM_COMMENTERS.count("Steven Byrnes")
    post_text = " ".join(p.text for p in foom.passages if p.role is Role.POST)
    assert byrnes_comments[0].text[:60] not in post_text


@pytest.mark.parametrize(
    "doc_id", ["foom-and-doom-2", "bearish-on-personas", "why-asi-alignment-is-hard"]
)
def test_no_page_chrome_in_any_passage(docs: dict[str, Document], doc_id: str) -> None:
    for passage in docs[doc_id].passages:
        lines = {line.strip() for line in passage.text.split("\n")}
        assert not lines & CHROME_LINES, (passage.id, lines & CHROME_LINES)
        assert not any(fragment in passage.text for fragment in CHROME_FRAGMENTS), passage.id
        assert not re.search(
            r"^-?\d+(ryan_greenblatt|Aprillion|Jeremy Gillen)$", passage.text, re.M
        )


@pytest.mark.parametrize(
    "doc_id", ["foom-and-doom-2", "bearish-on-personas", "why-asi-alignment-is-hard"]
)
def test_every_span_cuts_back_to_its_text_from_the_file(
    docs: dict[str, Document], doc_id: str
) -> None:
    doc = docs[doc_id]
    source = read_source(SHIPPED_CORPUS / doc.source_file, Settings().max_file_bytes).text
    for passage in doc.passages:
        assert source[passage.start : passage.end] == passage.text
        assert passage.text == passage.text.strip() and passage.text
        for quote in passage.pasted:
            assert passage.start <= quote.start < quote.end <= passage.end


def test_bearish_splits_into_post_and_anonymous_comments(docs: dict[str, Document]) -> None:
    bearish = docs["bearish-on-personas"]
    found = comments(bearish)
    assert len(found) >= 5
    assert all(c.speaker is None for c in found)
    post = [p for p in bearish.passages if p.role is Role.POST]
    assert post[0].section == ["TL;DR"]
    assert all(p.speaker == "J Bostock" for p in post)
    sections = {p.section[-1] for p in post}
    assert {"Intro", "Gears of Personas", "Final Thoughts"} <= sections
    footnotes = [p for p in bearish.passages if p.role is Role.FOOTNOTE]
    assert footnotes and all(f.text.rstrip().endswith(("↩", "↩︎")) for f in footnotes)
    assert not any(f.text in p.text for f in footnotes for p in post)


def test_bearish_quotes_point_at_what_they_repeat(docs: dict[str, Document]) -> None:
    bearish = docs["bearish-on-personas"]
    by_id = {p.id: p for p in bearish.passages}
    quoted = [(c, q) for c in comments(bearish) for q in c.pasted]
    assert len(quoted) >= 8
    assert any(by_id[q.source_passage_id].role is Role.POST for _, q in quoted)
    for comment, quote in quoted:
        assert by_id[quote.source_passage_id] is not comment
    post_repliers = [c for c in comments(bearish) if c.replying_to_speaker == "J Bostock"]
    assert post_repliers and all(by_id[c.reply_to].role is Role.POST for c in post_repliers)


def test_foom_replies_are_inferred_from_quotes_then_thread_order(
    docs: dict[str, Document],
) -> None:
    """The text page shows no nesting: a reply is read from a quote, or else from the
    comment right above it (formats/order_links.py)."""
    foom = docs["foom-and-doom-2"]
    found = comments(foom)
    by_id = {p.id: p for p in foom.passages}
    assert found[4].speaker == "ryan_greenblatt"
    assert found[4].replying_to_speaker == "Aprillion"
    assert found[4].reply_to == found[3].id
    replies = [c for c in found if c.reply_to]
    assert {c.reply_inferred_by.value for c in replies} == {"quote", "order"}
    for reply in replies:
        assert by_id[reply.reply_to].speaker == reply.replying_to_speaker != reply.speaker
        if reply.reply_inferred_by.value == "order":
            assert by_id[reply.reply_to].comment_index == reply.comment_index - 1
    assert found[1].reply_to is None  # Aprillion's answer quotes nothing: no invented parent
    # Steven Byrnes, the author, answers Jeremy Gillen's comment right above his.
    assert (found[6].speaker, found[6].reply_to) == ("Steven Byrnes", found[5].id)


def test_essay_is_plain_sections_without_comments(docs: dict[str, Document]) -> None:
    essay = docs["why-asi-alignment-is-hard"]
    assert essay.title == "Why ASI Alignment Is Hard (an overview)"
    assert {p.role for p in essay.passages} == {Role.ESSAY}
    sections = {p.section[-1] for p in essay.passages if p.section}
    assert {"What makes this hard?", "Instrumental Convergence"} <= sections
    assert not any(essay.title == p.text for p in essay.passages)
