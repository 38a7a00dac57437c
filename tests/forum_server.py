"""A real HTTP server on 127.0.0.1 that answers GraphQL POSTs at /graphql the way a
ForumMagnum site (LessWrong, the Alignment Forum, the EA Forum) does, from invented
posts and comments: `{"data": {"post": {"result": …}}}` and
`{"data": {"comments": {"results": […], "totalCount": n}}}`. It caps a page as a site
does, and can be told to fail the next requests (a 429, a 503, a 404, a stall, a
trickle), so the fetcher's politeness and its errors are tested over real sockets."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

POST_ID = "gArDeNs0000000001"
AUTHOR = "Marguerite Okafor"
FILLERS = ["Quentin Abara", "Ilse Varga", "Noor Haddad", "Tobias Wren", "Pia Lindqvist"]
POST_HTML = (
    "<h2>Shears</h2><p>Corrigible gardens let the gardener prune any branch without the"
    " tree resisting the shears.</p><p>A second paragraph about soil and oversight, with"
    " enough words to stand on its own.</p>"
)


@dataclass
class Fault:
    """What the server does instead of answering one request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    stall_s: float = 0.0  # before anything is sent
    trickle_s: float = 0.0  # between bytes of a real answer, sent after the headers


@dataclass
class Forum:
    posts: dict[str, dict] = field(default_factory=dict)
    comments: dict[str, list[dict]] = field(default_factory=dict)  # by post id
    page_cap: int = 30  # the most comments one answer holds, whatever was asked
    faults: list[Fault] = field(default_factory=list)  # for the next requests, in order
    requests: list[dict] = field(default_factory=list)  # {"headers", "body"} as received
    url: str = ""

    def answer(self, body: dict) -> dict:
        query, variables = body["query"], body.get("variables") or {}
        if "comments(" in query:
            [(view, terms)] = variables["selector"].items()
            found = self.view(view, terms)
            limit = min(variables.get("limit") or self.page_cap, self.page_cap)
            offset = variables.get("offset") or 0
            page = found[offset : offset + limit]
            return {"data": {"comments": {"results": page, "totalCount": len(found)}}}
        post = self.posts.get(variables.get("id"))
        return {"data": {"post": {"result": post}}}

    def view(self, view: str, terms: dict) -> list[dict]:
        """ForumMagnum's two views: comments oldest first with deleted ones last, and a
        question's answers and their replies."""
        every = self.comments.get(terms["postId"], [])
        if view == "postCommentsOld":
            chosen = [c for c in every if not c.get("answer") and not c.get("parentAnswerId")]
            return sorted(chosen, key=lambda c: (c.get("deleted", False), c["postedAt"]))
        if view == "answersAndReplies":
            chosen = [c for c in every if c.get("answer") or c.get("parentAnswerId")]
            return sorted(chosen, key=lambda c: c["postedAt"])
        raise AssertionError(f"unknown view {view}")


def handler_for(forum: Forum) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet tests
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            forum.requests.append({"headers": dict(self.headers), "body": body})
            fault = forum.faults.pop(0) if forum.faults else Fault()
            try:
                self.reply(body, fault)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up: fine
                return

        def reply(self, body: dict, fault: Fault) -> None:
            time.sleep(fault.stall_s)
            if self.path != "/graphql":
                fault = Fault(status=404)
            if fault.status != 200:
                self.send_response(fault.status)
                for name, value in fault.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = json.dumps(forum.answer(body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not fault.trickle_s:
                self.wfile.write(data)
                return
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(fault.trickle_s)

    return Handler


@contextmanager
def forum_site(forum: Forum) -> Iterator[Forum]:
    """The site, up on a free port of 127.0.0.1 until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(forum))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    forum.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield forum
    finally:
        server.shutdown()
        server.server_close()


def comment(n: int, author: str, html: str, parent: int | None = None, **extra: object) -> dict:
    return {
        "_id": f"c{n:02d}",
        "parentCommentId": f"c{parent:02d}" if parent else None,
        "postedAt": f"2025-03-{1 + n // 24:02d}T{n % 24:02d}:00:00.000Z",
        "baseScore": float(n % 7),  # karma is a Float in ForumMagnum's schema
        "afBaseScore": float(n % 3),
        "extendedScore": {"agreement": n % 5 - 2},
        "deleted": False,
        "hideAuthor": False,
        "htmlBody": html,
        "user": {"displayName": author},
        **extra,
    }


def thread_comments() -> list[dict]:
    """45 comments: a quote of the post, the author answering, a reply to a reply, a
    deleted comment with a reply, a quote of a comment, an @mention, then fillers (one
    with its author hidden, and a reply to it)."""
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
            hideAuthor=n == 19,  # shown as "[anonymous]" on the site
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
        "baseScore": 88.0,
        "afBaseScore": 31.0,
        "commentCount": 45,
        "question": False,
        "htmlBody": POST_HTML,
        "user": {"displayName": AUTHOR},
        "coauthors": [],
    }
    return Forum(posts={POST_ID: post}, comments={POST_ID: thread_comments()}, page_cap=30)
