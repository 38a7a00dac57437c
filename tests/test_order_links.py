"""Replies read from thread order (formats/order_links.py) on pages that list comments
depth-first with no nesting marks: the exchanges of the saved-Markdown pages in
tests/data/lesswrong_saved, what must stay unlinked, and the precision measured on
threads whose reply tree is known (benchmarks/order_links.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askalign import Role, scan_corpus
from askalign.bench.order_links import LinkScore, score
from askalign.documents import Document, InferredBy, Passage
from benchmarks.order_links import known_trees

DATA = Path(__file__).parent / "data" / "lesswrong_saved"
CAST = DATA / "_posts_NQK8KHSrZRF5erTba.md"  # 0. CAST: Corrigibility as Singular Target
FAUX = DATA / "_posts_t8nXfPLBCxsqhbipp.md"  # 3b. Formal (Faux) Corrigibility
# (reply, the comment above it it answers), by comment_index, read by hand on the pages.
ORDER_LINKS = {
    CAST: {(6, 5), (11, 10), (14, 13), (15, 14), (16, 15), (19, 18), (20, 19)},
    FAUX: {
        (2, 1), (5, 4), (7, 6), (8, 7), (9, 8), (12, 11), (13, 12),
        (15, 14), (16, 15), (17, 16), (18, 17), (19, 18),
    },
}  # fmt: skip
MEASURED_PRECISION = 1.0  # benchmarks/order_links.py: 3 of 3 order links right
MEASURED_RIGHT = 3  # and 4 right in all: one is now read from its opening address


def read(corpus: Path, path: Path) -> Document:
    (corpus / path.name).write_bytes(path.read_bytes())
    [document] = scan_corpus(corpus).documents
    return document


def comments(document: Document) -> list[Passage]:
    return [p for p in document.passages if p.role is Role.COMMENT]


def order_links(document: Document) -> set[tuple[int, int]]:
    by_id = {p.id: p for p in document.passages}
    return {
        (c.comment_index, by_id[c.reply_to].comment_index)
        for c in comments(document)
        if c.reply_inferred_by is InferredBy.ORDER
    }


def test_the_author_answering_wei_dai_replies_to_him(corpus_dir: Path) -> None:
    faux = comments(read(corpus_dir, FAUX))
    wei_dai, max_harms = faux[0], faux[1]
    assert (wei_dai.speaker, max_harms.speaker) == ("Wei Dai", "Max Harms")
    assert max_harms.reply_to == wei_dai.id
    assert max_harms.replying_to_speaker == "Wei Dai"
    assert max_harms.reply_inferred_by == "order"


@pytest.mark.parametrize("path", [CAST, FAUX], ids=["cast", "faux"])
def test_exchanges_are_followed_and_nothing_else_is_linked(corpus_dir: Path, path: Path) -> None:
    """Every order link is to the comment above, by someone else; a new thread, a second
    comment by the same person, and a link a quote made stay as they were."""
    document = read(corpus_dir, path)
    assert order_links(document) == ORDER_LINKS[path]
    by_id = {p.id: p for p in document.passages}
    for comment in comments(document):
        if comment.reply_inferred_by is InferredBy.ORDER:
            assert by_id[comment.reply_to].speaker == comment.replying_to_speaker
            assert comment.replying_to_speaker != comment.speaker
    faux = comments(document)
    if path == FAUX:  # Seth Herd quotes Max Harms: the quote's link wins
        assert (faux[9].reply_inferred_by, faux[9].reply_to) == (InferredBy.QUOTE, faux[8].id)
        assert faux[2].reply_to is None  # Max Harms again, right below himself


def saved_page(comments: list[tuple[str, str, str]]) -> str:
    """The Faux page with its comments replaced by (name, age, body) ones."""
    text = FAUX.read_text(encoding="utf-8")
    head = text[: text.index("[-][Wei Dai]")].replace("19 comments", f"{len(comments)} comments")
    link = "/posts/t8nXfPLBCxsqhbipp/3b-formal-faux-corrigibility?commentId="
    shown = [
        f"[-][{name}](/users/{name.lower().replace(' ', '-')})[{age}]({link}c{n})1\n\n0\n\n"
        f"{body}\n\nReply\n\n"
        for n, (name, age, body) in enumerate(comments, 1)
    ]
    return head + "".join(shown)


def test_a_quote_of_the_post_an_older_comment_and_oneself_start_no_reply(
    corpus_dir: Path,
) -> None:
    text = FAUX.read_text(encoding="utf-8")
    start = text.index("> Additional work is surely needed")
    post_words = text[start : text.index("\n", start)]  # Wei Dai quoting the post
    page = saved_page(
        [
            ("Ada", "1y", "A first remark on the post, in words of my own."),
            ("Max Harms", "1y", f"{post_words}\n\nTo add to what I wrote there: less so."),
            ("Bea", "1y", "A separate thought about shutdown, on its own."),
            ("Max Harms", "1y", "Thanks, that is a fair point about shutdown."),
            ("Bea", "2y", "Older than the answer above, so not a reply to it."),
            ("Cy", "1mo", "One more thought."),
            ("Cy", "1mo", "And a second one, right below my first."),
            ("Max Harms", "1mo", "Both fair."),
            ("Max Harms", "1mo", "And one more word from me."),
        ]
    )
    (corpus_dir / "page.md").write_text(page, encoding="utf-8")
    [document] = scan_corpus(corpus_dir).documents
    found = comments(document)
    assert [c.speaker for c in found][:3] == ["Ada", "Max Harms", "Bea"]
    assert found[1].quoted or found[1].pasted  # the author's words, quoted from the post
    assert order_links(document) == {(4, 3), (8, 7)}
    assert [c.reply_to for c in found if c.comment_index not in (4, 8)] == [None] * 7


def test_the_precision_measured_on_known_trees_holds() -> None:
    """The fetched thread's parent ids and the HTML pages' nesting, hidden and inferred
    again from their depth-first order: no order link may be wrong."""
    total = LinkScore(comments=0)
    for document in known_trees():
        total += score(document)
    assert total.precision is not None and total.precision >= MEASURED_PRECISION
    assert total.order_right >= MEASURED_RIGHT
    assert total.found_with_order >= MEASURED_RIGHT + 1
