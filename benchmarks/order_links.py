"""Precision and recall of replies read from thread order (formats/order_links.py), on
the threads whose reply tree is known: the fetched thread of tests/forum_server.py
(the site's parent ids) and the saved HTML pages of tests/data/forum/ (their nesting).
Each is laid out depth-first with its tree hidden, relinked, and compared with the tree
(askalign/bench/order_links.py). The shipped corpus holds no such thread: the reply
links of corpus/foom-and-doom-2 are all inferred from quotes, not given by the site.

    PYTHONPATH=src .venv/bin/python benchmarks/order_links.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests/forum_server.py, the fetched thread

from askalign.bench.order_links import LinkScore, score  # noqa: E402
from askalign.documents import Document  # noqa: E402
from askalign.formats import read_document  # noqa: E402
from askalign.formats.base import DocumentMeta  # noqa: E402
from askalign.formats.forum_api import ForumThread  # noqa: E402
from askalign.ingest.fetching import forum_comment, forum_post  # noqa: E402
from tests.forum_server import POST_ID, thread_forum  # noqa: E402

HTML_PAGES = ["greaterwrong_post", "lesswrong_post", "positions_thread", "stance_thread"]


def read(path: Path) -> Document:
    return read_document(
        path, doc_id=path.stem, source_file=path.name, catalog=DocumentMeta(), max_bytes=10**7
    )


def fetched_thread(folder: Path) -> Document:
    """The fixture's thread saved as `askalign add` saves it, and read back."""
    forum = thread_forum()
    thread = ForumThread(
        source_url=f"https://forum.invalid/posts/{POST_ID}",
        endpoint="https://forum.invalid/graphql",
        fetched_at="2026-12-07T19:30:00Z",
        post=forum_post(forum.posts[POST_ID]),
        comments=[forum_comment(raw) for raw in forum.comments[POST_ID]],
    )
    path = folder / "fetched-thread.json"
    path.write_text(thread.model_dump_json(), encoding="utf-8")
    return read(path)


def known_trees() -> list[Document]:
    with tempfile.TemporaryDirectory() as folder:
        fetched = fetched_thread(Path(folder))
    pages = [read(REPO / "tests" / "data" / "forum" / f"{name}.html") for name in HTML_PAGES]
    return [fetched, *pages]


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def main() -> None:
    total = LinkScore(comments=0)
    print("thread                 comments replies order right/wrong  linked: before after")
    for document in known_trees():
        found = score(document)
        total += found
        print(
            f"{document.id:22} {found.comments:8} {found.replies:7}"
            f" {found.order_right:11}/{found.order_wrong:<5}"
            f" {found.found_without_order:15} {found.found_with_order:5}"
        )
    print(
        f"all: {total.order_right + total.order_wrong} order links, precision"
        f" {percent(total.precision)}, recall {percent(total.recall)} of {total.replies}"
        f" true replies; linked rightly before {total.found_without_order},"
        f" after {total.found_with_order}"
    )


if __name__ == "__main__":
    main()
