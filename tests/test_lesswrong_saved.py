"""LessWrong pages saved as Markdown by a browser (tests/data/lesswrong_saved/README.md):
one speaker per person, checked against each page's own comment index; karma, the
comments' own addresses, no chrome, footnotes once, links read as their words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from askalign import Role, scan_corpus
from askalign.documents import Document, InferredBy, Passage
from askalign.formats import lesswrong_saved, reader_for
from askalign.text.readable import readable
from askalign.text.sentences import whole_sentences

DATA = Path(__file__).parent / "data" / "lesswrong_saved"
CAST = DATA / "_posts_NQK8KHSrZRF5erTba.md"  # 0. CAST: Corrigibility as Singular Target
FAUX = DATA / "_posts_t8nXfPLBCxsqhbipp.md"  # 3b. Formal (Faux) Corrigibility
HOST = "https://www.lesswrong.com"
# Shown only by the page around the post and the comments, never in what anyone wrote.
CHROME = [
    "This website requires javascript",
    "[LESSWRONG](/)",
    "min read",
    "\u2022",
    "comments, sorted by",
    "top scoring",
    "Click to highlight new comments",
    "Mentioned in",
    "New to LessWrong",
    "Moderation Log",
    "Curated and popular",
    "[-][",
]
CHROME_LINES = re.compile(r"^(?:Login|Reply|Review|#.*)$", re.MULTILINE)


TITLES = {
    CAST: "0\\. CAST: Corrigibility as Singular Target",
    FAUX: "3b. Formal (Faux) Corrigibility",
}


def page_index(path: Path) -> list[tuple[int, str]]:
    """The (karma, name) lines the page lists above "New Comment", read here without the
    reader's code: the lines after the page's title repeat."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines[: lines.index("New Comment")] if line]
    entries: list[tuple[int, str]] = []
    for line in reversed(lines):
        match = re.fullmatch(r"(\d+)(\D.*)", line)
        if not match or line == TITLES[path]:
            break
        entries.append((int(match[1]), match[2]))
    return entries[::-1]


def scan(corpus: Path, *paths: Path) -> list[Document]:
    for path in paths:
        (corpus / path.name).write_bytes(path.read_bytes())
    found = scan_corpus(corpus)
    assert found.problems == [], found.problems
    return sorted(found.documents, key=lambda doc: doc.source_file)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    cast, faux = scan(tmp_path_factory.mktemp("saved"), CAST, FAUX)
    return {"cast": cast, "faux": faux}


def comments(doc: Document) -> list[Passage]:
    return [p for p in doc.passages if p.role is Role.COMMENT]


@pytest.mark.parametrize(("key", "path"), [("cast", CAST), ("faux", FAUX)])
def test_one_speaker_per_person_with_the_karma_of_the_comment_index(
    pages: dict[str, Document], key: str, path: Path
) -> None:
    doc, index = pages[key], page_index(path)
    assert doc.format == lesswrong_saved.NAME
    read = comments(doc)
    assert len(read) == len(index) == int(re.search(r"(\d+) comments, sorted", doc.source_text)[1])
    named = [name if name != "[anonymous]" else None for _, name in index]
    assert [p.speaker for p in read] == named
    assert [p.karma for p in read] == [karma for karma, _ in index]
    assert {p.speaker for p in doc.passages} == {*named, "Max Harms"}
    assert [p.comment_index for p in read] == list(range(1, len(index) + 1))


def test_the_faux_page_has_five_commenters_and_the_cast_page_thirteen(pages) -> None:
    assert sorted({p.speaker for p in comments(pages["faux"])}) == [
        "FireStormOOO",
        "Max Harms",
        "Seth Herd",
        "Towards_Keeperhood",
        "Wei Dai",
    ]
    assert len({p.speaker for p in comments(pages["cast"]) if p.speaker}) == 13


def test_karma_af_karma_and_agreement_checked_by_hand(pages) -> None:
    faux, cast = comments(pages["faux"]), comments(pages["cast"])
    # [-][Wei Dai](…)[2y](…)Ω35, agreement 3: AF karma 3, karma 5
    assert (faux[0].speaker, faux[0].af_karma, faux[0].karma, faux[0].agreement) == (
        "Wei Dai", 3, 5, 3
    )  # fmt: skip
    # Ω1122, agreement 14; the index says 22Wei Dai
    assert (faux[3].af_karma, faux[3].karma, faux[3].agreement, faux[3].age) == (11, 22, 14, "2y")
    # [-][habryka](/users/habryka4)[1y](…)Ω615, agreement 0; the index says 15habryka
    assert (cast[0].speaker, cast[0].af_karma, cast[0].karma, cast[0].agreement) == (
        "habryka", 6, 15, 0
    )  # fmt: skip
    # [-][anonymous][2y](…)13: no profile link, so no one's words; karma 13, agreement 2
    assert (cast[2].speaker, cast[2].af_karma, cast[2].karma, cast[2].agreement) == (
        None, None, 13, 2
    )  # fmt: skip
    # [-][Marcello](…)[3mo*](…)Ω512 (edited); the index says 12Marcello
    assert (cast[4].speaker, cast[4].age, cast[4].af_karma, cast[4].karma) == (
        "Marcello", "3mo", 5, 12
    )  # fmt: skip


def test_without_the_comment_index_a_split_that_is_not_knowable_is_left_unset(
    corpus_dir: Path,
) -> None:
    text = FAUX.read_text(encoding="utf-8")
    first, last = text.index("\n5Wei Dai\n"), text.index("\n4Max Harms\n")
    (corpus_dir / "page.md").write_text(text[:first] + text[last + 11 :], encoding="utf-8")
    [doc] = scan_corpus(corpus_dir).documents
    read = comments(doc)
    assert (read[0].af_karma, read[0].karma) == (3, 5)  # Ω35: one digit each
    assert (read[3].af_karma, read[3].karma) == (None, None)  # Ω1122: 1|122, 11|22, 112|2
    assert read[4].karma == 2  # no Ω: the digits are the karma


def test_each_comment_links_to_its_own_address(pages) -> None:
    faux = comments(pages["faux"])
    assert faux[0].url == (
        f"{HOST}/posts/t8nXfPLBCxsqhbipp/3b-formal-faux-corrigibility?commentId=DHNqJquL7K297qkmF"
    )
    for doc in pages.values():
        urls = [p.url for p in comments(doc)]
        assert all(url and url.startswith(f"{HOST}/posts/") for url in urls)
        assert len(set(urls)) == len(urls)
        assert all(p.url is None for p in doc.passages if p.role is not Role.COMMENT)


def test_the_page_facts_come_from_its_title_block(pages) -> None:
    faux = pages["faux"]
    assert faux.title == "3b. Formal (Faux) Corrigibility"
    assert pages["cast"].title == "0. CAST: Corrigibility as Singular Target"
    assert (faux.author, str(faux.date), faux.karma) == ("Max Harms", "2024-06-09", 26)
    assert faux.url == f"{HOST}/posts/t8nXfPLBCxsqhbipp/3b-formal-faux-corrigibility"
    assert faux.crossposted_to == ["AI Alignment Forum"]


@pytest.mark.parametrize(("key", "path"), [("cast", CAST), ("faux", FAUX)])
def test_no_chrome_reaches_a_passage(pages, key: str, path: Path) -> None:
    doc = pages[key]
    index_lines = {f"{karma}{name}" for karma, name in page_index(path)}
    for passage in doc.passages:
        assert not [mark for mark in CHROME if mark in passage.text], passage
        assert not CHROME_LINES.search(passage.text), passage
        assert not index_lines & set(passage.text.splitlines()), passage
    words = " ".join(p.text for p in doc.passages)
    assert "Load More" not in words and "Log in to save" not in words


def test_headings_are_sections_without_their_marks_and_the_post_opens_with_its_text(
    pages,
) -> None:
    post = [p for p in pages["faux"].passages if p.role is Role.POST]
    assert post[0].text.startswith("(Part 3b of [the CAST sequence]")
    sections = {" / ".join(p.section) for p in post}
    assert "Measuring Power" in sections
    assert "Measuring Power / Examples of Local Power" in sections
    assert not any(part.startswith("#") for p in post for part in p.section)
    cast_post = [p for p in pages["cast"].passages if p.role is Role.POST]
    assert cast_post[0].text.startswith("What the heck is up with")
    assert cast_post[-1].text.startswith("\u201c[Corrigibility, Much more detail")


def test_footnotes_are_stored_once(pages) -> None:
    notes = [p for p in pages["faux"].passages if p.role is Role.FOOTNOTE]
    assert [p.footnote for p in notes] == [str(n) for n in range(1, 9)]
    assert notes[5].text.startswith("An example of one such function is exp(-D(X,X")
    assert all(p.speaker == "Max Harms" for p in notes)
    texts = [p.text for p in pages["faux"].passages]
    assert all(texts.count(p.text) == 1 for p in notes)
    [cast_note] = [p for p in pages["cast"].passages if p.role is Role.FOOTNOTE]
    assert cast_note.text.startswith("E.g. E(u(actions|values))")


def test_links_read_as_their_words_and_a_quote_marks_whose_words_it_repeats(pages) -> None:
    faux = pages["faux"]
    wei = comments(faux)[0]
    shown = readable(wei.text, faux.format)
    assert "I flagged a similar problem in a slightly different context" in shown
    assert "](/posts" not in shown
    [quote, *_] = wei.pasted
    assert faux.source_text[quote.start : quote.end].startswith("Additional work is surely")
    assert quote.source_speaker == "Max Harms"
    assert (wei.replying_to_speaker, wei.reply_inferred_by) == ("Max Harms", InferredBy.QUOTE)
    # Max Harms answers Wei Dai without quoting or naming him: the reply is read from
    # the thread's order (tests/test_order_links.py), never from a quote or a name.
    assert comments(faux)[1].reply_inferred_by is InferredBy.ORDER


@pytest.mark.parametrize("key", ["cast", "faux"])
def test_every_sentence_an_answer_may_quote_reads_without_link_markup(pages, key: str) -> None:
    doc = pages[key]
    for passage in doc.passages:
        for span in whole_sentences(doc.source_text, passage.start, passage.end):
            shown = readable(span.cut(doc.source_text), doc.format)
            assert "](" not in shown and not shown.startswith(">"), shown


def test_the_reader_is_chosen_by_content_whatever_the_extension() -> None:
    text = FAUX.read_text(encoding="utf-8")
    assert reader_for(".md", text) is lesswrong_saved
    assert reader_for(".txt", text) is lesswrong_saved
    assert reader_for(".md", "# A note\n\nby [x](/users/x)\n") is not lesswrong_saved


def test_a_page_saved_without_comments_is_still_this_layout(corpus_dir: Path) -> None:
    text = FAUX.read_text(encoding="utf-8")
    (corpus_dir / "page.md").write_text(text[: text.index("Mentioned in")], encoding="utf-8")
    [doc] = scan_corpus(corpus_dir).documents
    assert (doc.format, doc.author) == (lesswrong_saved.NAME, "Max Harms")
    assert {p.role for p in doc.passages} == {Role.POST, Role.FOOTNOTE}
    assert not [p for p in doc.passages if "min read" in p.text or "\u2022" in p.text]


def test_a_comment_count_that_disagrees_is_reported_with_both_numbers(corpus_dir: Path) -> None:
    text = FAUX.read_text(encoding="utf-8")
    header = text.index("[-][Max Harms](/users/max-harms)[2y]")
    (corpus_dir / "page.md").write_text(text[:header] + "x" + text[header:], encoding="utf-8")
    [problem] = scan_corpus(corpus_dir).problems
    assert "says it has 19 comments but 18 were read" in problem.reason
    (corpus_dir / "page.md").write_text(
        text.replace("19 comments, sorted by", "17 comments, sorted by"), encoding="utf-8"
    )
    [problem] = scan_corpus(corpus_dir).problems
    assert "says it has 17 comments but 19 were read" in problem.reason


BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
ESCAPED = BENCHMARKS / "texts2" / "o1-technical-primer.md"
PLAIN_AGE = BENCHMARKS / "texts3" / "interpreting-gpt-the-logit-lens.md"


def test_a_page_saved_with_escaped_headers_and_whole_addresses(corpus_dir: Path) -> None:
    """Another saving tool writes `\\[-\\][Kei](https://…/users/kei-1)5mo\\*14`: brackets
    escaped, the age plain, whole addresses, reactions after `Reply` (a real Alignment
    Forum page, benchmarks/texts2/SOURCES.md); before, all 8 comments had no speaker."""
    [doc] = scan(corpus_dir, ESCAPED)
    assert (doc.title, doc.author) == ("o1: A Technical Primer", "Jesse Hoogland")
    assert doc.url == "https://www.alignmentforum.org/posts/byNYzsfFmb2TpYFPW/o1-a-technical-primer"
    said = [p for p in comments(doc)]
    assert len(said) == 8
    assert {p.speaker for p in said} == {
        "Kei",
        "Jesse Hoogland",
        "Kaj Sotala",
        "Abhimanyu Pallavi Sudhir",
    }
    assert (said[0].speaker, said[0].karma, said[0].agreement) == ("Kei", 14, 6)
    assert not [p for p in doc.passages if "Reply![]" in p.text or "\\[-\\]" in p.text]


def test_a_page_saved_with_whole_addresses_and_a_plain_age(corpus_dir: Path) -> None:
    """`[-][gwern](https://www.lesswrong.com/users/gwern)6yΩ818` (a real page,
    benchmarks/texts3/SOURCES.md): before, its 38 comments had no speaker."""
    [doc] = scan(corpus_dir, PLAIN_AGE)
    assert (doc.title, doc.author) == ("interpreting GPT: the logit lens", "nostalgebraist")
    said = comments(doc)
    assert len(said) == 38
    assert len({p.speaker for p in said}) == 17 and None not in {p.speaker for p in said}
    assert not [p for p in doc.passages if "[-][" in p.text]
