"""LessWrong pages copied as text in the page's own order, with comment headers split over
lines (`[`, `-`, `]`, name, age, karma, agreement), as .txt and as .md under front matter;
and pages whose comments cannot be read, which must be reported, never put in the
author's mouth (issue 19, finding 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askalign import Role, scan_corpus
from askalign.documents import CorpusProblem, Document
from askalign.formats import DocumentMeta, read_documents
from askalign.formats.lesswrong_headers import find_headers
from askalign.text.spans import iter_lines

from .conftest import LESSWRONG_PAGE, SHIPPED_CORPUS

PAGE = Path(__file__).parent / "data" / "forum" / "lesswrong_split_headers.txt"
AUTHOR = "Mira Castellan"
CHROME = (
    "New to LessWrong?",
    "Mentioned in",
    "The Deference Ledger",
    "Getting Started",
    "comments, sorted by",
    "top scoring",
    "Click to highlight",
    "Moderation Log",
    "Frontpage",
)


def read(path: Path) -> tuple[Document, list[CorpusProblem]]:
    items = list(
        read_documents(
            path, doc_id="page", source_file=path.name, catalog=DocumentMeta(), max_bytes=10**7
        )
    )
    documents = [item for item in items if isinstance(item, Document)]
    assert len(documents) == 1
    return documents[0], [item for item in items if isinstance(item, CorpusProblem)]


def comments(doc: Document) -> list:
    return [p for p in doc.passages if p.role is Role.COMMENT]


def test_split_headers_give_each_comment_its_author_karma_and_place() -> None:
    doc, problems = read(PAGE)
    assert problems == []
    assert doc.format == "lesswrong"
    assert (doc.title, doc.author, str(doc.date)) == (
        "Corrigibility Is a Budget, Not a Switch",
        AUTHOR,
        "2024-03-14",
    )
    found = [
        (c.comment_index, c.speaker, c.age, c.karma, c.af_karma, c.agreement) for c in comments(doc)
    ]
    assert found == [
        (1, "quillon_ash", "2y", 17, 5, 6),
        (2, AUTHOR, "2y", 8, None, 2),
        (3, "Tobias Wren", "1y", -3, None, -4),
        (4, "Ines Okafor", "11mo", 2, None, None),
    ]
    texts = [c.text for c in comments(doc)]
    assert texts[0].startswith("I like the budget framing")
    assert (
        texts[2]
        == "This seems to prove too much: by the same logic every trained behaviour is a budget."
    )


def test_split_page_post_is_the_authors_and_holds_no_chrome_or_comment() -> None:
    doc, _ = read(PAGE)
    post = [p for p in doc.passages if p.role is Role.POST]
    assert [p.speaker for p in post] == [AUTHOR] * len(post)
    assert post[0].text.startswith("A corrigible system is usually described")
    assert post[-1].text.startswith("The practical upshot")
    everything = "\n".join(p.text for p in doc.passages)
    for chrome in CHROME:
        assert chrome not in everything, chrome
    authored = "\n".join(p.text for p in doc.passages if p.speaker == AUTHOR)
    assert "I like the budget framing" not in authored
    assert "prove too much" not in authored


def test_a_page_under_yaml_front_matter_is_read_as_a_page(tmp_path: Path) -> None:
    page = PAGE.read_text(encoding="utf-8")
    front = (
        "---\n"
        "title: Corrigibility budgets (saved copy)\n"
        "author: Mira Castellan\n"
        "url: https://www.lesswrong.com/posts/abc123/corrigibility-is-a-budget\n"
        "date: 2024-03-15\n"
        "---\n"
    )
    path = tmp_path / "budget.md"
    path.write_text(front + page, encoding="utf-8")
    doc, problems = read(path)
    assert problems == []
    assert doc.format == "lesswrong"
    assert doc.title == "Corrigibility budgets (saved copy)"  # front matter beats the page
    assert doc.url == "https://www.lesswrong.com/posts/abc123/corrigibility-is-a-budget"
    assert str(doc.date) == "2024-03-15"
    assert [c.speaker for c in comments(doc)] == [
        "quillon_ash",
        AUTHOR,
        "Tobias Wren",
        "Ines Okafor",
    ]
    assert doc.source_text == front + page
    for passage in doc.passages:
        assert passage.start >= len(front)
        assert doc.source_text[passage.start : passage.end] == passage.text
        assert "lesswrong.com/posts" not in passage.text


def _unreadable_comments(page: str) -> str:
    """The page with its comment headers in a layout no reader knows."""
    headers = [
        ("quillon_ash", "2y", "17"),
        (AUTHOR, "2y", "8"),
        ("Tobias Wren", "1y", "-3"),
        ("Ines Okafor", "11mo", "2"),
    ]
    for name, age, karma in headers:
        split = f"[\n-\n]\n{name}\n{age}\n"
        start = page.index(split)
        end = page.index("\n\n", start)
        page = page[:start] + f"{name} · {age} · {karma} points" + page[end:]
    return page


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_comments_that_cannot_be_read_are_reported_not_given_to_the_author(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"unknown-layout{suffix}"
    path.write_text(_unreadable_comments(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    doc, problems = read(path)
    assert len(problems) == 1
    assert problems[0].file == path.name
    assert "says it has 4 comments but 0 were read" in problems[0].reason
    assert comments(doc) == []
    everything = "\n".join(p.text for p in doc.passages)
    assert "I like the budget framing" not in everything
    assert "prove too much" not in everything
    assert "The practical upshot" in everything  # the post is still read, as the author's


def test_one_unreadable_header_costs_that_comment_only_and_is_reported(tmp_path: Path) -> None:
    page = PAGE.read_text(encoding="utf-8").replace(
        "[\n-\n]\nTobias Wren\n1y\n", "[\n-\n]\nTobias Wren\na year ago\n"
    )
    path = tmp_path / "one-bad-header.txt"
    path.write_text(page, encoding="utf-8")
    doc, problems = read(path)
    assert [c.speaker for c in comments(doc)] == ["quillon_ash", AUTHOR, "Ines Okafor"]
    assert comments(doc)[2].karma == 2
    assert len(problems) == 1
    assert "says it has 4 comments but 3 were read" in problems[0].reason
    authored = "\n".join(p.text for p in doc.passages if p.speaker == AUTHOR)
    assert "prove too much" not in authored
    assert any("follow no comment header" in note for note in doc.notes)


def test_scan_lists_the_shortfall_as_a_problem_of_the_file(tmp_path: Path) -> None:
    corpus = tmp_path / "texts"
    corpus.mkdir()
    page = _unreadable_comments(PAGE.read_text(encoding="utf-8"))
    (corpus / "budget.txt").write_text(page, encoding="utf-8")
    scan = scan_corpus(corpus)
    assert [doc.source_file for doc in scan.documents] == ["budget.txt"]
    assert [(p.file, p.line) for p in scan.problems] == [("budget.txt", None)]
    assert "4 comments but 0 were read" in scan.problems[0].reason


def test_the_shipped_one_line_layout_still_reads_every_comment() -> None:
    path = SHIPPED_CORPUS / "foom-and-doom-2-technical-alignment-is-hard.txt"
    doc, problems = read(path)
    assert problems == []
    assert len(comments(doc)) == 54
    assert comments(doc)[0].speaker == "ryan_greenblatt"


def test_the_comments_first_layout_ends_its_post_before_the_new_user_box(tmp_path: Path) -> None:
    footnotes = "  1. ^\n\n    Footnote text about corrigibility literature.\n"
    assert footnotes in LESSWRONG_PAGE
    box = "New to LessWrong?\nGetting Started\nFAQ\nLibrary\n"
    page = LESSWRONG_PAGE.replace(footnotes, box)
    path = tmp_path / "comments-first.txt"
    path.write_text(page, encoding="utf-8")
    doc, problems = read(path)
    assert problems == []
    assert [c.speaker for c in comments(doc)] == ["bob_b", "Carol C", "Dave"]
    post = [p for p in doc.passages if p.role is not Role.COMMENT]
    assert post and all(p.speaker == "Ada Author" for p in post)
    everything = "\n".join(p.text for p in doc.passages)
    sections = "\n".join(heading for p in doc.passages for heading in p.section)
    for chrome in ("New to LessWrong?", "Getting Started", "Library", "Another post"):
        assert chrome not in everything, chrome
        assert chrome not in sections, chrome


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("[|-|]|Ada|3d|Ω|4|12|5", ("Ada", "3d", 12, 4, 5)),
        ("[|+|]|Ada|3d|12|Ω 4|5", ("Ada", "3d", 12, 4, 5)),
        ("[|-|]||Ada Lovelace||2mo*||−2|", ("Ada Lovelace", "2mo", -2, None, None)),
        ("[|-|]|Ada|yesterday|12", None),
        ("[|x|]|Ada|3d|12", None),
    ],
)
def test_split_header_fields(lines: str, expected: tuple | None) -> None:
    text = "\n".join(lines.split("|")) + "\nThe comment itself."
    headers = find_headers(list(iter_lines(text)))
    if expected is None:
        assert headers == []
    else:
        [at] = headers
        assert at.header is not None
        assert tuple(at.header) == expected


REFUSAL = Path(__file__).parents[1] / "benchmarks" / "texts4" / "refusal-single-direction.txt"


def test_a_copy_with_folded_headers_and_collapsed_comments(corpus_dir: Path) -> None:
    """A real page (benchmarks/texts4/SOURCES.md): full comments open with `[-]` alone
    and `Zack_M_Davis2yΩ19` below it, collapsed ones are one line, `8Buck2y`. Before,
    none of its 95 comments was read. A name may end in a digit of its age
    (`lone171y`, `6Neel Nanda11mo`): the comment index settles which."""
    (corpus_dir / REFUSAL.name).write_bytes(REFUSAL.read_bytes())
    scan = scan_corpus(corpus_dir)
    assert scan.problems == []
    [doc] = scan.documents
    said = [p for p in doc.passages if p.role is Role.COMMENT]
    assert len(said) == 95
    speakers = {p.speaker for p in said}
    assert len(speakers) == 38 and None not in speakers
    assert "lone17" in speakers and "lone" not in speakers
    assert ("Neel Nanda", "11mo") in {(p.speaker, p.age) for p in said}
    assert (said[2].speaker, said[2].karma) == ("Buck", 8)


def test_each_co_author_answers_commenters_in_thread_order(corpus_dir: Path) -> None:
    """The refusal page's post speaks as its five authors ("Andy Arditi, Oscar Obeso,
    Aaquib111, wesg, Neel Nanda"); each of them answering the commenter above is the
    author answering. Before, no co-author's comment was linked by order, so "how did
    Neel Nanda answer Zack_M_Davis?" found no exchange. Two co-authors in a row stay
    unlinked: as often siblings under one comment."""
    (corpus_dir / REFUSAL.name).write_bytes(REFUSAL.read_bytes())
    [doc] = scan_corpus(corpus_dir).documents
    said = [p for p in doc.passages if p.role is Role.COMMENT]
    answered = {(p.speaker, p.replying_to_speaker) for p in said if p.reply_inferred_by == "order"}
    assert {("Neel Nanda", "Zack_M_Davis"), ("Andy Arditi", "lone17")} <= answered
    assert ("lone17", "Andy Arditi") in answered  # the back-and-forth goes on: A, B, A
    assert not {(a, b) for a, b in answered if {a, b} <= {"Andy Arditi", "Neel Nanda"}}


def test_a_comment_addressing_someone_by_name_answers_them(corpus_dir: Path) -> None:
    """Buck opens "Lawrence, how are these results any more grounded…": he answers
    LawrenceC, and LawrenceC's comment below answers him back (thread order, A B A)."""
    (corpus_dir / REFUSAL.name).write_bytes(REFUSAL.read_bytes())
    [doc] = scan_corpus(corpus_dir).documents
    said = [p for p in doc.passages if p.role is Role.COMMENT]
    [asking] = [p for p in said if p.text.startswith("Lawrence, how are these")]
    assert (asking.replying_to_speaker, asking.reply_inferred_by) == ("LawrenceC", "mention")
    [answering] = [p for p in said if p.text.startswith("To be clear: I don't think")]
    assert (answering.replying_to_speaker, answering.reply_to) == ("Buck", asking.id)
