"""Forum pages saved from the browser as HTML: ForumMagnum (LessWrong, AF, EA Forum) and
GreaterWrong markup, read into a post, footnotes and a reply tree of comments."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from askalign import Role, scan_corpus
from askalign.documents import Document, InferredBy, Passage
from askalign.formats import forum, html, reader_for
from askalign.formats.base import DocumentMeta, ReadContext
from askalign.formats.decode import ReadError

DATA = Path(__file__).parent / "data" / "forum"
LESSWRONG = DATA / "lesswrong_post.html"
GREATERWRONG = DATA / "greaterwrong_post.html"
FRONTPAGE = DATA / "lesswrong_frontpage.html"


def read_page(path: Path) -> Document:
    ctx = ReadContext("page", path.name, "hash", DocumentMeta(), [])
    return forum.read(path.read_text(encoding="utf-8"), ctx)


def comments(doc: Document) -> dict[str, Passage]:
    return {p.speaker or "?": p for p in doc.passages if p.role is Role.COMMENT}


@pytest.fixture(scope="module")
def lesswrong() -> Document:
    return read_page(LESSWRONG)


@pytest.fixture(scope="module")
def greaterwrong() -> Document:
    return read_page(GREATERWRONG)


def test_forum_pages_are_sniffed_before_generic_html() -> None:
    for path in (LESSWRONG, GREATERWRONG, FRONTPAGE):
        assert reader_for(".html", path.read_text(encoding="utf-8")) is forum
    generic = "<!doctype html><html><body><p>See comment-item on greaterwrong.com</p></body></html>"
    assert reader_for(".html", generic) is html
    assert not forum.sniff("[-]bob_b2dΩ4125\nCommentsItem-root\nReply\n")  # not HTML


def test_saved_page_with_a_long_head_and_a_leading_comment_is_sniffed() -> None:
    page = (
        "<!-- saved from url=(0041)https://www.lesswrong.com/posts/abc/title -->\n"
        f"<!DOCTYPE html><html><head><style>{'a{color:red}' * 500}</style></head><body>"
        '<h1 class="PostsPageTitle-root">T</h1><div id="postContent"><p>Text.</p></div>'
        "</body></html>"
    )
    assert not html.sniff(page)  # the generic test looks only at the first 1000 chars
    assert reader_for(".html", page) is forum


def test_jss_names_match_with_or_without_a_counter() -> None:
    match = forum.jss("CommentsItem-root")
    assert match("CommentsItem-root") and match("CommentsItem-root-12")
    assert not match("CommentsItem-rootWrapper") and not match("XCommentsItem-root")
    assert forum.jss("TableOfContents")("TableOfContents-rowWrapper")


def test_lesswrong_post_metadata(lesswrong: Document) -> None:
    assert lesswrong.format == "forum"
    assert (lesswrong.title, lesswrong.author, str(lesswrong.date), lesswrong.karma) == (
        "Corrigibility Without Tears",
        "Ada Author",
        "2024-02-03",
        87,
    )
    assert lesswrong.url == "https://www.lesswrong.com/posts/xk3Tq9abcd/corrigibility-without-tears"


def test_lesswrong_post_body_under_its_headings(lesswrong: Document) -> None:
    post = [p for p in lesswrong.passages if p.role is Role.POST]
    assert [(p.text[:24], p.section) for p in post] == [
        ("Corrigibility is the pro", []),
        ("An agent that prefers it", ["Why shutdown is hard"]),
        ("It may disable the butto", ["Why shutdown is hard"]),
        ("It may hide what it is d", ["Why shutdown is hard"]),
        ("One proposal makes the a", ["Why shutdown is hard", "Utility indifference"]),
        ("An indifferent agent nei", ["Why shutdown is hard", "Utility indifference"]),
    ]
    assert all(p.speaker == "Ada Author" for p in post)


def test_post_footnotes_are_footnote_passages_spoken_by_the_author(lesswrong: Document) -> None:
    footnotes = [p for p in lesswrong.passages if p.role is Role.FOOTNOTE]
    assert [(f.footnote, f.speaker, f.section) for f in footnotes] == [
        ("1", "Ada Author", ["Footnotes"]),
        ("2", "Ada Author", ["Footnotes"]),
    ]
    assert footnotes[0].text == "Soares et al. coined the term in 2015."
    assert footnotes[1].text == (
        "Armstrong's proposal; see the later critiques.\n\n"
        "Indifference is fragile under self-modification."
    )
    post_text = " ".join(p.text for p in lesswrong.passages if p.role is Role.POST)
    assert "Soares" not in post_text and "^" not in lesswrong.source_text


def test_comments_speakers_votes_and_page_order(lesswrong: Document) -> None:
    found = [p for p in lesswrong.passages if p.role is Role.COMMENT]
    assert [
        (c.id, c.speaker, c.comment_index, c.age, c.karma, c.af_karma, c.agreement) for c in found
    ] == [
        ("page#c1", "bob_b", 1, "2d", 12, 4, 5),
        ("page#c2", "Carol C", 2, "1d", 3, None, 0),
        ("page#c3", "Dave", 3, "5h", -1, None, -3),
        ("page#c4", "Erin", 4, "2h", 2, None, None),
        ("page#c5", "Frank", 6, "1d", 1, None, None),  # the deleted comment was 5th
        ("page#c6", "Grace Hopper-Lee", 7, "3d", 8, None, 2),
    ]
    assert found[0].text == (
        "I think this definition misses the point about incentives entirely.\n\n"
        "Indifference just moves the problem into the utility function."
    )


def test_reply_tree_follows_the_nesting_four_levels_deep(lesswrong: Document) -> None:
    by = comments(lesswrong)
    bob, carol, dave, erin = by["bob_b"], by["Carol C"], by["Dave"], by["Erin"]
    assert bob.reply_to is None and bob.replying_to_speaker is None
    assert (carol.reply_to, carol.replying_to_speaker) == (bob.id, "bob_b")
    assert (dave.reply_to, dave.replying_to_speaker) == (carol.id, "Carol C")
    assert (erin.reply_to, erin.replying_to_speaker) == (dave.id, "Dave")
    assert {c.reply_inferred_by for c in (carol, dave, erin)} == {InferredBy.HTML}
    assert by["Grace Hopper-Lee"].reply_to is None


def test_deleted_comment_is_skipped_and_its_reply_becomes_top_level(lesswrong: Document) -> None:
    frank = comments(lesswrong)["Frank"]
    assert (frank.reply_to, frank.replying_to_speaker, frank.reply_inferred_by) == (None,) * 3
    assert "comment deleted" not in lesswrong.source_text
    assert "Moderator Mo" not in lesswrong.source_text
    assert any("deleted" in note for note in lesswrong.notes)


def test_comment_footnote_stays_in_its_comment(lesswrong: Document) -> None:
    grace = comments(lesswrong)["Grace Hopper-Lee"]
    assert grace.text == (
        "Shutdown buttons have a long history in control theory. [1]\n\n"
        "Dead-man switches on trains are the classic case."
    )
    footnotes = [p.text for p in lesswrong.passages if p.role is Role.FOOTNOTE]
    assert not any("Dead-man" in text for text in footnotes)


def test_site_chrome_and_table_of_contents_are_left_out(lesswrong: Document) -> None:
    text = lesswrong.source_text
    for chrome in (
        "LESSWRONG",
        "Library",
        "Login",
        "Reply",
        "Upvote",
        "7 comments",
        "top scoring",
        "New Comment",
        "Corrigibility Without Tears",  # the title (and ToC heading) is metadata, not body
        "Side comments",
        "Curated and popular",
        "__APOLLO_STATE__",
        "6 min read",
        "Ω",
    ):
        assert chrome not in text, chrome
    assert text.count("Why shutdown is hard") == 1  # the heading, not its ToC row too
    assert text.count("Utility indifference") == 1


@pytest.mark.parametrize("path", [LESSWRONG, GREATERWRONG], ids=["lesswrong", "greaterwrong"])
def test_every_passage_is_its_span_of_the_source_text(path: Path) -> None:
    doc = read_page(path)
    assert doc.passages
    for passage in doc.passages:
        assert doc.cut(passage.start, passage.end) == passage.text
        assert passage.text == passage.text.strip() and passage.text


def test_greaterwrong_page(greaterwrong: Document) -> None:
    doc = greaterwrong
    assert (doc.title, doc.author, str(doc.date), doc.karma) == (
        "Mesa-Optimizers Are Not Magic",
        "Hal Page",
        "2024-02-27",
        54,
    )
    assert doc.url == "https://www.lesswrong.com/posts/pQ7mesa/mesa-optimizers-are-not-magic"
    assert [p.section for p in doc.passages if p.role is Role.POST] == [
        [],
        ["Inner alignment"],
        ["Deception"],
    ]
    [footnote] = [p for p in doc.passages if p.role is Role.FOOTNOTE]
    assert (footnote.footnote, footnote.speaker) == ("1", "Hal Page")
    found = [p for p in doc.passages if p.role is Role.COMMENT]
    assert [(c.speaker, c.comment_index, c.karma, c.agreement) for c in found] == [
        ("Ivy", 1, 15, 6),
        ("Jon", 2, -2, -1),
        ("Kim", 3, 4, None),
        (None, 5, 1, None),  # a deleted account's comment keeps its words, not a name
    ]
    ivy, jon, kim, orphan = found
    assert found[0].age == "28 Feb 2024 12:00 UTC"
    assert (jon.reply_to, kim.reply_to, kim.replying_to_speaker) == (ivy.id, jon.id, "Jon")
    assert kim.reply_inferred_by is InferredBy.HTML and orphan.reply_to is None
    for chrome in ("Contents", "prettyDate", "Reply", "Parent", "points", "[deleted]", "Home"):
        assert chrome not in doc.source_text, chrome


def test_generic_html_is_still_read_by_the_html_reader(corpus_dir: Path) -> None:
    (corpus_dir / "blog.html").write_text(
        "<!doctype html><html><head><title>Shard theory</title></head><body>"
        "<nav>Home</nav><h1>Shard theory</h1><p>Values are contextual shards.</p>"
        "<div class='comments'><p>A reader comment.</p></div></body></html>",
        encoding="utf-8",
    )
    [doc] = scan_corpus(corpus_dir).documents
    assert doc.format == "html"
    assert [p.text for p in doc.passages] == ["Values are contextual shards.", "A reader comment."]


def test_forum_page_without_a_post_is_a_read_error(corpus_dir: Path) -> None:
    with pytest.raises(ReadError) as error:
        read_page(FRONTPAGE)
    assert "no post title or body" in error.value.reason
    assert "#postContent" in error.value.reason and "/posts/" in error.value.hint
    shutil.copy(FRONTPAGE, corpus_dir / "frontpage.html")
    [problem] = scan_corpus(corpus_dir).problems
    assert problem.file == "frontpage.html" and "no post" in problem.reason


def test_scan_corpus_reads_a_forum_page_beside_other_files(corpus_dir: Path) -> None:
    shutil.copy(LESSWRONG, corpus_dir / "corrigibility.html")
    shutil.copy(GREATERWRONG, corpus_dir / "mesa.htm")
    (corpus_dir / "notes.md").write_text("# Notes\n\nA plain note.\n", encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    assert scan.problems == []
    by_file = {doc.source_file: doc for doc in scan.documents}
    assert {name: doc.format for name, doc in by_file.items()} == {
        "corrigibility.html": "forum",
        "mesa.htm": "forum",
        "notes.md": "markdown",
    }
    doc = by_file["corrigibility.html"]
    assert doc.id == "corrigibility" and doc.content_hash
    dave = next(p for p in doc.passages if p.speaker == "Dave")
    assert dave.reply_to == "corrigibility#c2"
    for passage in doc.passages:
        assert doc.cut(passage.start, passage.end) == passage.text


def test_older_build_names_and_alignment_forum_karma() -> None:
    """Older ForumMagnum builds append a counter to each JSS name and name users with
    `UsersNameDisplay-userName`; the Alignment Forum shows LW karma as the second score."""
    comment = (
        '<div class="comments-node comments-node-root" id="x1"><div class="CommentsItem-root-41">'
        '<div class="CommentsItem-meta-44"><span class="UsersNameDisplay-userName-90">'
        '<a href="/users/paul">paulfchristiano</a></span>'
        '<span class="CommentsItemDate-root-60"><a><time datetime="2019-05-02">5y</time></a></span>'
        '<span class="OverallVoteAxis-secondaryScore-3">'
        '<span class="OverallVoteAxis-secondarySymbol-4">LW</span>'
        '<span class="OverallVoteAxis-secondaryScoreNumber-5">31</span></span>'
        '<span class="OverallVoteAxis-voteScore-7">17</span></div>'
        '<div class="CommentBody-root-12 content"><p>Iterated amplification keeps a human '
        "in the loop.</p></div></div></div>"
    )
    page = (
        '<!DOCTYPE html><html><head><meta property="article:published_time" '
        'content="2019-04-30T00:00:00Z"></head><body>'
        '<h1 class="PostsPageTitle-root-8">Amplification</h1>'
        '<span class="PostsAuthors-authorName-9"><a href="/users/ajeya">Ajeya</a></span>'
        '<div id="postContent"><p>Amplification decomposes tasks.</p></div>'
        f"{comment}</body></html>"
    )
    doc = forum.read(page, ReadContext("af", "af.html", "hash", DocumentMeta(), []))
    assert (doc.title, doc.author, str(doc.date)) == ("Amplification", "Ajeya", "2019-04-30")
    [paul] = [p for p in doc.passages if p.role is Role.COMMENT]
    assert (paul.speaker, paul.age, paul.karma, paul.af_karma) == ("paulfchristiano", "5y", 31, 17)
    assert paul.text == "Iterated amplification keeps a human in the loop."


def test_a_long_thread_reads_in_linear_time(tmp_path: Path) -> None:
    """Eight times the comments take about eight times the work (issue 19, finding 10).
    Looking every paragraph up against every earlier one for quotes made it 64 times."""
    from benchmarks.forum_thread import thread_page

    def cpu_seconds(comments: int) -> float:
        path = tmp_path / f"thread-{comments}.html"
        path.write_text(thread_page(comments), encoding="utf-8")
        start = time.process_time()
        doc = read_page(path)
        spent = time.process_time() - start
        found = [p for p in doc.passages if p.role is Role.COMMENT]
        assert len(found) == comments
        assert sum(p.reply_to is not None for p in found) > comments // 2
        return spent

    cpu_seconds(50)  # parser and model code warmed up
    # the least of a few runs: a busy machine only ever adds time, and a stray pause in
    # the small run once made 8x the work look like 21x
    small = min(cpu_seconds(400) for _ in range(3))
    large = min(cpu_seconds(3200) for _ in range(2))
    assert large < 20 * small, (small, large)


def test_a_comment_count_that_disagrees_is_reported_with_both_numbers(corpus_dir: Path) -> None:
    """Issue 27: every layout that states its count is checked against what was read."""
    page = LESSWRONG.read_text(encoding="utf-8")
    assert ">7 comments, sorted by" in page
    (corpus_dir / "page.html").write_text(page.replace(">7 comments", ">9 comments"), "utf-8")
    [problem] = scan_corpus(corpus_dir).problems
    assert "the page says it has 9 comments but 7 were read" in problem.reason
    (corpus_dir / "page.html").write_text(page, "utf-8")
    assert scan_corpus(corpus_dir).problems == []
