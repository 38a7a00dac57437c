"""Fuzz: whatever a page puts where a name goes, no reader stores it as a person (issue 27)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import assume, given
from hypothesis import strategies as st

from askalign.ingest.corpus import scan_corpus

from .fuzzing import load_profile

load_profile()

# Issue 27's class: whatever a page puts where a name goes (header-shaped garbage, a
# Markdown link, an address), no reader stores a speaker that cannot be a person's name,
# and a comment so named is no one's, never the author's.
NAME_GARBAGE = [
    "[Zoe Z](/users/zoe-z)",
    "[Zoe Z](/users/zoe-z)[2y](/posts/p/s?commentId=c1)\u03a91225",
    "[-]bob_b2d\u03a94125",
    "https://www.lesswrong.com/users/zoe",
    "zoe?commentId=abc",
    "/users/zoe",
    "[x](y)",
    "Zoe\nC",
    "Zoe\x85C",
    "Zoe\x00C",
    "Zoe\u2028C",
    "C" * 101,
]
garbage_name = st.one_of(
    st.sampled_from(NAME_GARBAGE),
    st.builds(
        lambda before, mark, after: f"{before}{mark}{after}",
        st.text(alphabet="ab []()-/", max_size=8),
        st.sampled_from(["](", "/users/", "://", "commentId=", "\n", "\x07", "\x9b"]),
        st.text(alphabet="ab []()-/", max_size=8),
    ),
)
FORUM_DATA = Path(__file__).parent / "data" / "forum"


def named_pages(name: str) -> dict[str, str]:
    """One page per reader with `name` in each of its name positions."""
    from html import escape

    from .conftest import LESSWRONG_PAGE

    one_line = LESSWRONG_PAGE.replace("bob_b", name).replace("by Ada Author", f"by {name}")
    split = (FORUM_DATA / "lesswrong_split_headers.txt").read_text(encoding="utf-8")
    post = (FORUM_DATA / "lesswrong_post.html").read_text(encoding="utf-8")
    greater = (FORUM_DATA / "greaterwrong_post.html").read_text(encoding="utf-8")
    saved = (
        "[LESSWRONG](/)\n\n# 3\n\n# [A Post](/posts/p1/a-post)\n\nby [Ada Author](/users/ada)\n\n"
        "Corrigibility is the property that an agent lets its overseers correct it.\n\n"
        "2 comments, sorted by \n\n"
        f"[-][{name}](/users/x)[2y](/posts/p1/a?commentId=c1)12\n\n0\n\nFirst words.\n\nReply\n\n"
        f"[-][Bob](/users/bob)[1y](/posts/p1/a?commentId=c2){name}\n\n1\n\n@{name} yes.\n\nReply\n"
    )
    return {
        "one_line.txt": one_line,
        "split.txt": re.sub(r"(?m)^Mira Castellan$|^by Mira Castellan$", name, split),
        "forum.html": post.replace(">bob_b</a>", f">{escape(name)}</a>").replace(
            ">Ada Author</a>", f">{escape(name)}</a>"
        ),
        "greater.html": greater.replace(">Hal Page</a>", f">{escape(name)}</a>"),
        "saved.md": saved,
        "saved_author.md": saved.replace("[Ada Author](/users/ada)", f"[{name}](/users/ada)"),
        "front.md": f"---\nauthor: {json.dumps(name)}\n---\nThe body of the text.\n",
        "set.jsonl": json.dumps({"id": "a", "text": "Some text.", "authors": [name]}) + "\n",
    }


def authors_comments(corpus: Path, name: str) -> dict[str, set[str]]:
    """Per file, the comments the pages put in their author's mouth."""
    for file_name, text in named_pages(name).items():
        (corpus / file_name).write_text(text, encoding="utf-8")
    return {
        document.source_file: {
            p.id for p in document.passages if p.role.value == "comment" and p.speaker
            and p.speaker == document.author
        }
        for document in scan_corpus(corpus).documents
    }  # fmt: skip


@given(name=garbage_name)
def test_no_reader_stores_a_name_that_cannot_be_a_persons(tmp_path_factory, name: str) -> None:
    from askalign.documents import name_flaw

    assume(name_flaw(name) is not None)
    corpus = tmp_path_factory.mktemp("garbage")
    for file_name, text in named_pages(name).items():
        (corpus / file_name).write_text(text, encoding="utf-8")
    scan = scan_corpus(corpus)
    assert all("failed to read" not in problem.reason for problem in scan.problems)
    read = {doc.source_file for doc in scan.documents} | {p.file for p in scan.problems}
    assert read == set(named_pages(name))
    for document in scan.documents:
        names = [document.author] + [
            name
            for passage in document.passages
            for name in (passage.speaker, passage.speaker_as_written, passage.replying_to_speaker)
        ]
        flawed = [name for name in names if name is not None and name_flaw(name)]
        assert flawed == [], document.source_file
    plain = authors_comments(tmp_path_factory.mktemp("plain"), "Zed Q")
    for file_name, ids in authors_comments(corpus, name).items():
        assert ids <= plain[file_name], file_name  # no one's, never the author's
