"""`askalign add URL`: a thread fetched from a local server that answers GraphQL as a
ForumMagnum site does (tests/forum_server.py, invented posts and names; no real site
is ever called), saved as one file, and ingested offline with its exact reply tree."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from askalign.cli import app
from askalign.documents import Document, InferredBy, Passage, Role
from askalign.ingest.adding import AddRefused
from askalign.ingest.corpus import scan_corpus
from askalign.ingest.fetching import add_thread, fetch_thread, parse_address
from askalign.ingest.graphql import FetchError, Limits

from .forum_server import Fault, Forum, forum_site
from .servers import free_port

POST_ID = "gArDeNs0000000001"
AUTHOR = "Marguerite Okafor"
FILLERS = ["Quentin Abara", "Ilse Varga", "Noor Haddad", "Tobias Wren", "Pia Lindqvist"]
POST_HTML = (
    "<h2>Shears</h2><p>Corrigible gardens let the gardener prune any branch without the"
    " tree resisting the shears.</p><p>A second paragraph about soil and oversight, with"
    " enough words to stand on its own.</p>"
)
FAST = Limits(timeout_s=5, first_wait_s=0.01)
MAX_BYTES = 2**20


def comment(n: int, author: str, html: str, parent: int | None = None, **extra: object) -> dict:
    return {
        "_id": f"c{n:02d}",
        "parentCommentId": f"c{parent:02d}" if parent else None,
        "postedAt": f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.000Z",
        "baseScore": n % 7,
        "afBaseScore": n % 3,
        "extendedScore": {"agreement": n % 5 - 2},
        "deleted": False,
        "hideAuthor": False,
        "htmlBody": html,
        "user": {"displayName": author},
        **extra,
    }


def thread_comments() -> list[dict]:
    """45 comments: a quote of the post, the author answering, a reply to a reply, a
    deleted comment with a reply, a quote of a comment, an @mention, then fillers."""
    named = [
        comment(
            1,
            "Tobias Wren",
            "<blockquote><p>Corrigible gardens let the gardener prune any branch without the"
            " tree resisting the shears.</p></blockquote><p>But a tree that cannot resist"
            " also cannot tell you the shears are blunt.</p>",
        ),
        comment(2, AUTHOR, "<p>Telling is not resisting: the tree may rustle, I decide.</p>", 1),
        comment(3, "Tobias Wren", "<p>Then rustling is a channel you must keep open.</p>", 2),
        comment(4, "Secret Sam", "<p>Something regrettable.</p>", deleted=True, htmlBody=None),
        comment(5, "Ilse Varga", "<p>Whatever was said there, pruning is pruning.</p>", 4),
        comment(
            6,
            "Noor Haddad",
            "<blockquote><p>But a tree that cannot resist also cannot tell you the shears"
            " are blunt.</p></blockquote><p>This is the crux for me as well.</p>",
        ),
        comment(7, AUTHOR, "<p>Noor, the strong version is the one I reject.</p>", 6),
        comment(8, "Quentin Abara", "<p>@Tobias Wren made the same point upthread.</p>", 7),
    ]
    fillers = [
        comment(
            n,
            FILLERS[n % len(FILLERS)],
            f"<p>Filler remark {n} about hedges, trellises and pruning schedule {n}.</p>",
            None if n % 3 == 0 else n - 1,
        )
        for n in range(9, 46)
    ]
    return named + fillers


def thread_forum() -> Forum:
    post = {
        "_id": POST_ID,
        "title": "Corrigible Gardens",
        "slug": "corrigible-gardens",
        "pageUrl": f"https://forum.invalid/posts/{POST_ID}/corrigible-gardens",
        "postedAt": "2025-02-27T10:00:00.000Z",
        "baseScore": 88,
        "afBaseScore": 31,
        "commentCount": 45,
        "question": False,
        "htmlBody": POST_HTML,
        "user": {"displayName": AUTHOR},
        "coauthors": [],
    }
    return Forum(posts={POST_ID: post}, comments={POST_ID: thread_comments()}, page_cap=30)


def add(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["add", *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def last_paragraph(raw: dict) -> str:
    if raw["deleted"]:
        return "[deleted]"
    return BeautifulSoup(raw["htmlBody"], "lxml").find_all("p")[-1].get_text()


def assert_exact_tree(document: Document, raw_comments: list[dict]) -> None:
    """Every comment's passage replies to its parent's passage and its parent's author;
    a top-level comment replies to no one, whatever it quotes or mentions."""
    comments = [p for p in document.passages if p.role is Role.COMMENT]
    assert len(comments) == len(raw_comments)
    by_id: dict[str, Passage] = {}
    for raw in raw_comments:
        [passage] = [p for p in comments if p.text.endswith(last_paragraph(raw))]
        by_id[raw["_id"]] = passage
    for raw in raw_comments:
        passage = by_id[raw["_id"]]
        author = None if raw["deleted"] else raw["user"]["displayName"]
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
    assert document.passages[0].section == ["Shears"]
    assert any("1 comment(s) deleted" in note for note in document.notes)


def test_a_429_and_a_503_are_waited_out(corpus_dir: Path) -> None:
    forum = thread_forum()
    forum.faults = [Fault(429, {"Retry-After": "0"}), Fault(503)]
    with forum_site(forum):
        thread = fetch_thread(parse_address(f"{forum.url}/posts/{POST_ID}"), FAST)
    assert len(thread.comments) == 45
    assert len(forum.requests) == 5  # the post three times, then two pages


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
