"""Markdown as clipping tools save it: front matter aliases, editor comments, footnotes,
and quotes that read as words while their spans stay exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from askalign.documents import Role
from askalign.ingest.corpus import scan_corpus
from askalign.text.readable import readable

from .conftest import read_one

CLIPPED = """---
title: "Shutdown and the off-switch game"
source_url: "https://www.lesswrong.com/posts/zz/off-switch"
author:
  - "[[Grace Hopperton]]"
  - "[[Ivan Ortega]]"
published: 2024-03-09T10:00:00.000Z
created: 2025-01-02
description: "clipped for later"
tags:
  - "clippings"
---
# Shutdown and the off-switch game

%%
Editor note: reread the second half before citing it.
%%

An agent that is [uncertain about its objective](https://example.org/cirl) defers to a human
who reaches for the off switch.[^1] Certainty removes that reason to defer. <!-- check -->

## Why certainty breaks deference

- An agent certain of its goal gains nothing by
  letting a human switch it off.
- A %%quick aside%% human error then looks like noise to it.

> Quoted words from
> another author.

```python
%%timeit  # code keeps its percent signs
```

[^1]: The off-switch game paper
    makes this argument formally.
"""


def test_clipped_post_reads_with_its_facts_author_and_footnotes(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "clip.md", CLIPPED)
    assert doc.title == "Shutdown and the off-switch game"
    assert doc.author == "Grace Hopperton and Ivan Ortega"
    assert doc.url == "https://www.lesswrong.com/posts/zz/off-switch"
    assert str(doc.date) == "2024-03-09"  # `published` wins over `created`
    assert "front matter keys not used: description, tags" in doc.notes
    assert {p.speaker for p in doc.passages} == {"Grace Hopperton and Ivan Ortega"}
    footnotes = [p for p in doc.passages if p.role is Role.FOOTNOTE]
    assert [(p.footnote, p.text.split()[:3]) for p in footnotes] == [
        ("1", ["The", "off-switch", "game"])
    ]


def test_comments_are_gone_but_code_keeps_its_percent_signs(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "clip.md", CLIPPED)
    body = " ".join(p.text for p in doc.passages)
    assert "Editor note" not in body and "quick aside" not in body and "check" not in body
    assert "%%timeit" in body
    assert len(doc.source_text) == len(CLIPPED)  # comments blanked, offsets unchanged
    for passage in doc.passages:
        assert doc.source_text[passage.start : passage.end] == passage.text
        assert CLIPPED[passage.start : passage.end].split() == passage.text.split() or (
            "%%" in CLIPPED[passage.start : passage.end]
        )


def test_passages_start_after_list_and_footnote_markers(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "clip.md", CLIPPED)
    starts = [p.text[:12] for p in doc.passages]
    assert "An agent cer" in starts  # not "- An agent"
    assert "Quoted words" in starts  # not "> Quoted"
    assert "The off-swit" in starts  # not "[^1]: The"
    assert doc.passages[1].section == [
        "Shutdown and the off-switch game",
        "Why certainty breaks deference",
    ]


def test_quotes_read_as_words_while_the_span_stays_exact(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "clip.md", CLIPPED)
    first = doc.passages[0]
    assert "](https://" in first.text
    shown = readable(first.text, doc.format)
    assert shown.startswith("An agent that is uncertain about its objective defers to a human")
    assert "https://" not in shown and "[^1]" not in shown
    quote = next(p for p in doc.passages if p.text.startswith("Quoted"))
    assert readable(quote.text, doc.format) == "Quoted words from another author."
    assert readable("plain *text* stays", "essay") == "plain *text* stays"


@pytest.mark.parametrize(
    ("front", "field", "expected"),
    [
        ("authors: [A. One, B. Two, C. Three]", "author", "A. One, B. Two and C. Three"),
        ("author: Solo Writer", "author", "Solo Writer"),
        ("url: https://a.example", "url", "https://a.example"),
        ("source: https://b.example", "url", "https://b.example"),
        ("link: https://c.example", "url", "https://c.example"),
        ("canonical_url: https://d.example", "url", "https://d.example"),
        ("date_published: '2021-07-01'", "date", "2021-07-01"),
        ("created: 2020-02-02", "date", "2020-02-02"),
        ("date: 2019-01-01\npublished: 2018-01-01", "date", "2019-01-01"),
        ("karma: 42", "karma", "42"),
    ],
)
def test_front_matter_key_aliases(corpus_dir: Path, front: str, field: str, expected: str) -> None:
    doc = read_one(corpus_dir, "a.md", f"---\n{front}\n---\n\nA paragraph of body text.\n")
    assert str(getattr(doc, field)) == expected


def test_a_title_heading_stays_a_heading_and_is_not_body(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "a.md", "---\ntitle: T\n---\n# T\n\nBody words here.\n")
    assert [p.text for p in doc.passages] == ["Body words here."]
    assert doc.passages[0].section == ["T"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("---\ntitle: [unclosed\n---\n\nBody.\n", ["not valid YAML", "line 2"]),
        ("---\ntitle: x\n\nBody that never closes the block.\n", ["never closes", "line 1"]),
        ("---\n- a\n- b\n---\n\nBody.\n", ["key: value"]),
    ],
)
def test_bad_front_matter_names_the_file_and_line_and_the_rest_loads(
    corpus_dir: Path, content: str, words: list[str]
) -> None:
    (corpus_dir / "good.md").write_text("# Good\n\nA fine paragraph.\n", encoding="utf-8")
    (corpus_dir / "bad.md").write_text(content, encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    assert [doc.source_file for doc in scan.documents] == ["good.md"]
    [problem] = scan.problems
    assert problem.file == "bad.md"
    assert all(word in problem.reason for word in words), problem.reason
    assert "front matter" in problem.hint or "---" in problem.hint


OTHER_ESSAY = """On interpretability

By Mona Field

Interpretability research reads the features inside a trained network.

Probing classifiers test whether a concept is linearly represented.
"""


def test_asking_for_the_author_cites_their_text_under_their_name(
    corpus_dir: Path, embedder
) -> None:
    from askalign.assistant import Assistant
    from askalign.retrieval.open import open_index
    from askalign.retrieval.search import Searcher

    from .conftest import run_ingest

    single_author = CLIPPED.replace('  - "[[Ivan Ortega]]"\n', "")
    (corpus_dir / "clip.md").write_text(single_author, encoding="utf-8")
    (corpus_dir / "interp.txt").write_text(OTHER_ESSAY, encoding="utf-8")
    index = corpus_dir.parent / "index"
    run_ingest(corpus_dir, index, embedder)
    loaded = open_index(index, embedder.model_id, embedder.dimension)
    answer = Assistant(Searcher(loaded, embedder)).ask(
        "What does Hopperton say about an agent deferring to the off switch?"
    )
    assert not answer.abstained, answer.text
    assert {c.speaker for c in answer.citations} == {"Grace Hopperton"}
    assert "Grace Hopperton writes" in answer.text
    assert "](https://" not in answer.text  # quotes read as words
    assert all(c.quote != c.display or "](" not in c.quote for c in answer.citations)
