"""Time reading a GreaterWrong page of N comments (issue 19, finding 10): parse time
and peak memory of `read_document` alone, the step before chunking and embedding.

The page is made up: threads of random depth (up to 60), two paragraphs a comment from
a 5,000-word vocabulary with Zipf frequencies, 300 commenters.

    .venv/bin/python benchmarks/forum_thread.py 20000
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import tempfile
import time
from pathlib import Path

MAX_DEPTH = 60
VOCABULARY = 5000
COMMENTERS = 300


def thread_page(comments: int, seed: int = 7) -> str:
    """The HTML of a GreaterWrong post page with `comments` nested comments."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 9)))
        for _ in range(VOCABULARY)
    ]
    weights = [1 / (rank + 1) for rank in range(VOCABULARY)]

    def comment(number: int) -> str:
        paragraphs = "".join(
            f"<p>{' '.join(rng.choices(words, weights, k=25)).capitalize()} number {number}.</p>"
            for _ in range(2)
        )
        user = number % COMMENTERS
        return (
            f'<li id="comment-c{number}" class="comment-item"><div class="comment">'
            f'<div class="comment-meta"><a class="author" href="/users/u{user}">User {user}</a>'
            f'<a class="date" href="#" data-js-date="1709121600000">28 Feb 2024</a>'
            f'<div class="karma voting-controls"><span class="karma-value">{number % 17} points'
            f'</span></div><div class="agreement voting-controls"><span class="karma-value">'
            f'{number % 5}</span></div></div><div class="body-text comment-body">{paragraphs}'
            "</div></div>"
        )

    parts = ['<ul class="comment-thread">']
    depth = 0
    for number in range(comments):
        parts.append(comment(number))
        roll = rng.random()
        if roll < 0.5 and depth < MAX_DEPTH:
            parts.append('<ul class="comment-thread">')
            depth += 1
            continue
        parts.append("</li>")
        if roll < 0.8 and depth > 0:
            parts.append("</ul></li>")
            depth -= 1
    parts.append("</ul></li>" * depth + "</ul>")
    return (
        '<!DOCTYPE html><html lang="en-US"><head><meta charset="utf-8">'
        "<title>A long thread - GreaterWrong</title></head><body>"
        '<div id="content" class="post-page comment-thread-page"><main class="post">'
        '<h1 class="post-title">A long thread</h1><div class="post-meta">'
        '<a class="author" href="/users/a">Ada Poster</a></div>'
        '<div class="body-text post-body"><p>The post says one thing.</p></div></main>'
        f'<div id="comments" class="comments">{"".join(parts)}</div></div></body></html>'
    )


def main() -> None:
    from askalign.formats import DocumentMeta, read_document

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("comments", type=int, nargs="?", default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "thread.html"
        page = thread_page(args.comments)
        path.write_text(page, encoding="utf-8")
        wall, cpu = time.perf_counter(), time.process_time()
        document = read_document(
            path, doc_id="thread", source_file=path.name, catalog=DocumentMeta(), max_bytes=2**30
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{args.comments} comments ({len(page) / 1e6:.1f} MB of HTML):"
        f" {len(document.passages)} passages in {wall:.1f} s ({cpu:.1f} s CPU),"
        f" peak RSS {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
