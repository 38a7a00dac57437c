"""The Alignment Research Dataset's JSON Lines: one document per line, bad lines named
and skipped, streamed, and re-embedded per article."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from askalign.formats.jsonl import read_lines
from askalign.index.catalog import Catalog
from askalign.ingest.corpus import scan_corpus

from .conftest import run_ingest


def article(record_id: str, text: str, **fields: object) -> str:
    base = {
        "id": record_id,
        "source": "alignmentforum",
        "title": f"Article {record_id}",
        "text": text,
        "url": f"https://www.alignmentforum.org/posts/{record_id}",
        "date_published": "2022-11-03T00:00:00Z",
        "authors": ["Paula Quill"],
        "summary": [],
    }
    return json.dumps(base | fields)


ARTICLES = [
    article("a1", "Mesa-optimisers are learned optimisers inside a trained model."),
    article(
        "b2",
        "Deceptive alignment is when a model behaves well only while it is watched.\n\n"
        "It then pursues its own objective once deployed.",
        authors=["Ravi Stone", "Tess Lane"],
        url="n/a",
        date_published="n/a",
    ),
    article("c3", "Interpretability tools read a network's internal features."),
]


def test_each_line_is_a_document_with_its_authors_url_and_date(corpus_dir: Path) -> None:
    (corpus_dir / "ard.jsonl").write_text("\n".join(ARTICLES) + "\n", encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    assert not scan.problems
    by_record = {doc.record: doc for doc in scan.documents}
    first, second = by_record["a1"], by_record["b2"]
    assert (first.title, first.author, str(first.date)) == (
        "Article a1",
        "Paula Quill",
        "2022-11-03",
    )
    assert first.url == "https://www.alignmentforum.org/posts/a1"
    assert (second.author, second.url, second.date) == ("Ravi Stone and Tess Lane", None, None)
    assert [p.speaker for p in second.passages] == ["Ravi Stone and Tess Lane"] * 2
    assert second.source_text.startswith("Deceptive alignment")  # spans point into the line's text
    assert len({doc.id for doc in scan.documents}) == 3


def test_bad_lines_are_named_and_skipped_and_the_rest_load(corpus_dir: Path) -> None:
    lines = [
        ARTICLES[0],
        "{not json",
        json.dumps({"id": "x", "title": "no text"}),
        json.dumps({"id": "y", "text": "   "}),
        "[1, 2]",
        ARTICLES[0],  # the same id again
        ARTICLES[2],
    ]
    (corpus_dir / "ard.jsonl").write_text("\n".join(lines), encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    assert [doc.record for doc in scan.documents] == ["a1", "c3"]
    reasons = {problem.line: problem.reason for problem in scan.problems}
    assert sorted(reasons) == [2, 3, 4, 5, 6]
    assert "not JSON" in reasons[2] and "text" in reasons[3] and "empty" in reasons[4]
    assert "repeats" in reasons[6]
    assert all(problem.file == "ard.jsonl" for problem in scan.problems)


def test_a_large_file_streams_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    paragraph = "Alignment research needs careful arguments about training. " * 60
    with path.open("w", encoding="utf-8") as handle:
        for number in range(6000):
            handle.write(article(f"n{number}", paragraph) + "\n")
    size = path.stat().st_size
    assert size > 20 * 2**20
    tracemalloc.start()
    count = sum(
        1 for _ in read_lines(path, source_file="big.jsonl", id_prefix="big", max_line_bytes=2**20)
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 6000
    assert peak < size / 10  # one article at a time, never the whole file


def test_changing_one_line_re_embeds_only_that_article(corpus_dir: Path, embedder) -> None:
    path = corpus_dir / "ard.jsonl"
    index = corpus_dir.parent / "index"
    path.write_text("\n".join(ARTICLES), encoding="utf-8")
    first = run_ingest(corpus_dir, index, embedder)
    assert first.documents.added == 3
    changed = [ARTICLES[0], article("b2", "Deceptive alignment hides a model's goal."), ARTICLES[2]]
    path.write_text("\n".join(changed), encoding="utf-8")
    second = run_ingest(corpus_dir, index, embedder)
    assert (second.documents.updated, second.documents.unchanged) == (1, 2)
    assert second.embedded == 1  # one chunk: the changed article's
    path.write_text("\n".join([ARTICLES[0], ARTICLES[2]]), encoding="utf-8")
    third = run_ingest(corpus_dir, index, embedder)
    assert third.documents.removed == 1
    catalog = Catalog.open(index, create=False)
    try:
        assert sorted(doc.record or "" for doc in catalog.documents()) == ["a1", "c3"]
    finally:
        catalog.close()
