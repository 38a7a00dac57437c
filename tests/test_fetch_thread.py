"""`askalign add URL`: a thread fetched from a local server that answers GraphQL as a
ForumMagnum site does (tests/forum_server.py, invented posts and names; no real site
is ever called), saved as one file, and ingested offline with its exact reply tree."""

from __future__ import annotations

import json
import time
from email.message import Message
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from askalign.cli import app
from askalign.documents import Document, InferredBy, Passage, Role
from askalign.formats.forum_api import ForumComment, ForumPost, ForumThread
from askalign.ingest.adding import AddRefused
from askalign.ingest.corpus import scan_corpus
from askalign.ingest.fetching import add_thread, fetch_thread, parse_address
from askalign.ingest.graphql import FetchError, Limits, wait_before_retry

from .forum_server import AUTHOR, POST_ID, Fault, comment, forum_site, thread_forum
from .servers import free_port

FAST = Limits(timeout_s=5, first_wait_s=0.01)
MAX_BYTES = 2**20


def add(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["add", *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def last_paragraph(raw: dict) -> str:
    if raw["deleted"]:
        return "[deleted]"
    return BeautifulSoup(raw["htmlBody"], "lxml").find_all("p")[-1].get_text()


def assert_exact_tree(document: Document, raw_comments: list[dict], by_karma: bool = False) -> None:
    """Every comment's passage replies to its parent's passage and its parent's author;
    a top-level comment replies to no one, whatever it quotes or mentions. A passage is
    found by its words, or (`by_karma`) by a karma unique to its comment."""
    comments = [p for p in document.passages if p.role is Role.COMMENT]
    assert len(comments) == len(raw_comments)
    by_id: dict[str, Passage] = {}
    for raw in raw_comments:
        [passage] = [
            p
            for p in comments
            if (p.karma == raw["baseScore"] if by_karma else p.text.endswith(last_paragraph(raw)))
        ]
        by_id[raw["_id"]] = passage
    for raw in raw_comments:
        passage = by_id[raw["_id"]]
        hidden = raw["deleted"] or raw.get("hideAuthor")
        author = None if hidden else raw["user"]["displayName"]
        assert passage.speaker == author
        parent = by_id.get(raw["parentCommentId"] or "")
        if parent is None:
            assert (passage.reply_to, passage.replying_to_speaker) == (None, None)
            continue
        assert passage.reply_to == parent.id
        assert passage.replying_to_speaker == parent.speaker
        assert passage.reply_inferred_by is InferredBy.SITE
        assert parent.comment_index < passage.comment_index


def test_a_thread_by_its_address_is_saved_and_ingested_offline_with_its_reply_tree(
    corpus_dir: Path, tmp_path: Path
) -> None:
    forum = thread_forum()
    with forum_site(forum):
        url = f"{forum.url}/posts/{POST_ID}/corrigible-gardens"
        code, out, err = add(url, "--json")
    assert code == 0, err
    port = url.split(":")[2].split("/")[0]
    [saved] = corpus_dir.iterdir()
    assert saved.name == f"127.0.0.1-{port}-{POST_ID}-corrigible-gardens.json"
    # One request at a time: the post, then the comments over two capped pages.
    offsets = [r["body"]["variables"].get("offset") for r in forum.requests]
    assert offsets == [None, 0, 30]
    assert all(r["headers"]["User-Agent"].startswith("askalign/") for r in forum.requests)
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert (record["format"], record["source_url"]) == ("askalign-forum-thread", url)
    assert record["endpoint"] == f"{forum.url}/graphql" and record["fetched_at"]
    assert len(record["comments"]) == 45 and "Secret Sam" not in saved.read_text()
    [row] = json.loads(out)["files"]
    assert (row["reader"], row["author"], row["comments"]) == ("forum-api", AUTHOR, 45)

    # The site is gone: ingest reads the saved file alone.
    result = CliRunner().invoke(app, ["ingest", "--rebuild", "--json"])
    assert result.exit_code == 0, result.stderr
    [document] = scan_corpus(corpus_dir).documents
    assert (document.title, document.author, document.karma) == ("Corrigible Gardens", AUTHOR, 88)
    assert document.url == f"https://forum.invalid/posts/{POST_ID}/corrigible-gardens"
    assert_exact_tree(document, forum.comments[POST_ID])
    comments = [p for p in document.passages if p.role is Role.COMMENT]
    first, quoting = comments[0], next(p for p in comments if p.speaker == "Noor Haddad")
    assert (first.karma, first.af_karma, first.agreement, first.age) == (1, 1, -1, "2025-03-01")
    assert [q.source_speaker for q in first.pasted] == [AUTHOR]  # the blockquote of the post
    assert [q.source_speaker for q in quoting.pasted] == ["Tobias Wren"]
    assert quoting.reply_to is None  # a quote is marked, never made a reply
    assert first.url == f"{document.url}?commentId={forum.comments[POST_ID][0]['_id']}"
    assert document.passages[0].section == ["Shears"]
    assert any("1 deleted comment(s) kept as [deleted]" in note for note in document.notes)


def test_a_redirect_is_followed_and_a_429_and_a_503_are_waited_out(corpus_dir: Path) -> None:
    forum = thread_forum()
    with forum_site(forum):
        moved = Fault(308, {"Location": f"{forum.url}/graphql"})
        forum.faults = [moved, Fault(429, {"Retry-After": "0"}), Fault(503)]
        thread = fetch_thread(parse_address(f"{forum.url}/posts/{POST_ID}"), FAST)
    assert len(thread.comments) == 45
    assert len(forum.requests) == 6  # the post four times, then two pages


def test_a_site_that_keeps_refusing_is_reported_after_a_few_tries(corpus_dir: Path) -> None:
    forum = thread_forum()
    forum.faults = [Fault(429)] * 10
    with forum_site(forum), pytest.raises(FetchError, match=r"slow down \(429\) 4 times"):
        fetch_thread(parse_address(f"{forum.url}/posts/{POST_ID}"), FAST)
    assert len(forum.requests) == 4


@pytest.mark.parametrize(
    "fault", [Fault(stall_s=3), Fault(trickle_s=0.05)], ids=["stalls", "trickles"]
)
def test_the_whole_request_is_bounded_in_time(fault: Fault) -> None:
    """A trickle of one byte every 50 ms never trips a per-read timeout; it must still
    end within the limit on the whole request."""
    forum = thread_forum()
    forum.faults = [fault]
    started = time.monotonic()
    with forum_site(forum):
        with pytest.raises(FetchError, match=r"did not answer within 0.5 s"):
            fetch_thread(parse_address(f"{forum.url}/posts/{POST_ID}"), Limits(timeout_s=0.5))
        assert time.monotonic() - started < 2


def refusal(url: str, corpus_dir: Path) -> str:
    with pytest.raises(AddRefused) as refused:
        add_thread(url, corpus_dir, MAX_BYTES, FAST)
    assert list(corpus_dir.iterdir()) == []
    return refused.value.problem.reason


def test_errors_say_what_happened(corpus_dir: Path) -> None:
    forum = thread_forum()
    with forum_site(forum):
        assert "is not a post's address" in refusal(f"{forum.url}/tag/gardens", corpus_dir)
        assert "has no post nOsUcHpOsT" in refusal(f"{forum.url}/posts/nOsUcHpOsT/x", corpus_dir)
        forum.faults = [Fault(404)]
        assert "not a LessWrong" in refusal(f"{forum.url}/posts/{POST_ID}", corpus_dir)
    offline = f"http://127.0.0.1:{free_port()}/posts/{POST_ID}"
    assert "connection was refused" in refusal(offline, corpus_dir)


def test_an_address_is_fetched_again_only_when_asked(corpus_dir: Path) -> None:
    forum = thread_forum()
    with forum_site(forum):
        url = f"{forum.url}/posts/{POST_ID}/corrigible-gardens"
        name = add_thread(url, corpus_dir, MAX_BYTES, FAST)
        with pytest.raises(AddRefused, match="in the corpus already"):
            add_thread(url.removesuffix("/corrigible-gardens"), corpus_dir, MAX_BYTES, FAST)
        forum.comments[POST_ID].append(comment(46, "Pia Lindqvist", "<p>A late word.</p>", 45))
        assert add_thread(url, corpus_dir, MAX_BYTES, FAST, refresh=True) == name
    assert [path.name for path in corpus_dir.iterdir()] == [name]
    [document] = scan_corpus(corpus_dir).documents
    assert_exact_tree(document, forum.comments[POST_ID])


def test_a_question_brings_its_answers_and_their_replies(corpus_dir: Path) -> None:
    forum = thread_forum()
    forum.posts[POST_ID]["question"] = True
    forum.comments[POST_ID] = [
        comment(1, "Ilse Varga", "<p>An answer: prune in winter.</p>", answer=True),
        comment(2, AUTHOR, "<p>Why winter rather than autumn?</p>", 1, parentAnswerId="c01"),
        comment(3, "Noor Haddad", "<p>A plain comment on the question.</p>"),
    ]
    with forum_site(forum):
        add_thread(f"{forum.url}/posts/{POST_ID}", corpus_dir, MAX_BYTES, FAST)
    [document] = scan_corpus(corpus_dir).documents
    assert_exact_tree(document, forum.comments[POST_ID])


def write_thread(
    corpus_dir: Path, comments: list[ForumComment], post_html: str = "<p>The post.</p>"
) -> None:
    """A thread file, as `add URL` writes it."""
    thread = ForumThread(
        source_url=f"https://forum.invalid/posts/{POST_ID}",
        endpoint="https://forum.invalid/graphql",
        fetched_at="2026-12-07T19:30:00Z",
        post=ForumPost(id=POST_ID, title="T", authors=[AUTHOR], html=post_html),
        comments=comments,
    )
    (corpus_dir / "thread.json").write_text(thread.model_dump_json(), encoding="utf-8")


def saved(corpus_dir: Path, comments: list[ForumComment]) -> Document:
    """A thread file read back as ingest reads it."""
    write_thread(corpus_dir, comments)
    scan = scan_corpus(corpus_dir)
    assert scan.problems == []
    return scan.documents[0]


def as_raw(comment: ForumComment) -> dict:
    """The fields assert_exact_tree reads, as the site would send them; a comment with
    no words reads as a deleted one."""
    return {
        "_id": comment.id,
        "parentCommentId": comment.parent_id,
        "deleted": comment.deleted or not comment.html,
        "baseScore": comment.karma,
        "user": {"displayName": comment.author},
    }


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-2, max_value=30),  # a parent: none, missing, or earlier
            st.sampled_from(["Ada", "Bo", "Cy", AUTHOR]),
            st.sampled_from(["words", "deleted", "empty"]),
        ),
        min_size=1,
        max_size=25,
    )
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_tree_of_replies_is_read_exactly(corpus_dir: Path, shape: list) -> None:
    comments = []
    for n, (parent, author, state) in enumerate(shape):
        parent_id = f"k{parent}" if 0 <= parent < n else None if parent == -2 else "gone"
        comments.append(
            ForumComment(
                id=f"k{n}",
                parent_id=parent_id,
                author=author,
                karma=n,
                html="" if state == "empty" else f"<p>Words number {n} from {author}.</p>",
                deleted=state == "deleted",
            )
        )
    document = saved(corpus_dir, comments)
    assert_exact_tree(document, [as_raw(comment) for comment in comments], by_karma=True)
    assert {p.text for p in document.passages if p.speaker is None} <= {"[deleted]"}


def test_a_loop_of_parents_or_a_foreign_json_file_is_read_safely(corpus_dir: Path) -> None:
    looped = [
        ForumComment(id="a", parent_id="b", author="Ada", html="<p>First words.</p>"),
        ForumComment(id="b", parent_id="a", author="Bo", html="<p>Second words.</p>"),
    ]
    comments = [p for p in saved(corpus_dir, looped).passages if p.role is Role.COMMENT]
    assert [c.speaker for c in comments] == ["Ada", "Bo"]
    assert (comments[0].reply_to, comments[1].replying_to_speaker) == (None, "Ada")
    (corpus_dir / "thread.json").write_text('{"posts": []}', encoding="utf-8")
    [problem] = scan_corpus(corpus_dir).problems
    assert "thread saved by `askalign add URL`" in problem.reason


def test_the_help_of_add_names_the_address_form() -> None:
    result = CliRunner().invoke(app, ["add", "--help"], terminal_width=100)
    assert result.exit_code == 0, result.output
    assert "http(s)://HOST/posts/ID" in result.output and "--refresh" in result.output


@pytest.mark.parametrize(
    ("asked", "attempt", "wait"),
    [
        ("3", 1, 3.0),
        ("9999", 1, 60.0),
        ("-5", 1, 0.0),
        (None, 1, 1.0),
        (None, 3, 4.0),
        ("nan", 2, 2.0),
        ("soon", 2, 2.0),
    ],
)
def test_a_retry_waits_as_the_server_asks_within_a_cap(
    asked: str | None, attempt: int, wait: float
) -> None:
    headers = Message()
    if asked is not None:
        headers["Retry-After"] = asked
    assert wait_before_retry(headers, attempt, Limits(first_wait_s=1.0)) == wait


@given(
    st.text(max_size=200),
    st.lists(st.tuples(st.text(max_size=30), st.text(max_size=200)), max_size=6),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_any_names_and_markup_read_with_exact_spans(
    corpus_dir: Path, post_html: str, comments: list[tuple[str, str]]
) -> None:
    replies = [
        ForumComment(id=f"k{n}", parent_id=f"k{n - 1}", author=name or None, html=html)
        for n, (name, html) in enumerate(comments)
    ]
    write_thread(corpus_dir, replies, post_html)
    scan = scan_corpus(corpus_dir)
    assert not any("failed to read it" in problem.reason for problem in scan.problems)
    for document in scan.documents:
        for passage in document.passages:
            assert document.cut(passage.start, passage.end) == passage.text
