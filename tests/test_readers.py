"""Each reader on small texts written here: the structure each format promises."""

from __future__ import annotations

from pathlib import Path

from askalign import Role, load_corpus

from .conftest import LESSWRONG_PAGE, read_one


def test_lesswrong_page_comments_post_footnotes_and_metadata(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "small.txt", LESSWRONG_PAGE)
    assert doc.format == "lesswrong"
    assert (doc.title, doc.author, str(doc.date), doc.karma) == (
        "A Small Test Post",
        "Ada Author",
        "2024-02-03",
        42,
    )
    comments = [p for p in doc.passages if p.role is Role.COMMENT]
    assert [(c.speaker, c.karma, c.af_karma, c.agreement) for c in comments] == [
        ("bob_b", 12, 4, 5),
        ("Carol C", 3, None, 0),
        ("Dave", -1, None, -3),
    ]
    post = [p for p in doc.passages if p.role is Role.POST]
    assert [p.section for p in post] == [["1.1 Introduction"], ["1.2 Incentives matter"]]
    assert all(p.speaker == "Ada Author" for p in post)
    [footnote] = [p for p in doc.passages if p.role is Role.FOOTNOTE]
    assert footnote.text == "Footnote text about corrigibility literature."
    every_text = "\n".join(p.text for p in doc.passages)
    for chrome in ("some tag", "tag one", "Another post", "Moderation Log", "12bob_b"):
        assert chrome not in every_text


def test_lesswrong_quotes_and_mentions_become_replies(corpus_dir: Path) -> None:
    doc = read_one(corpus_dir, "small.txt", LESSWRONG_PAGE)
    post_intro = next(p for p in doc.passages if p.role is Role.POST)
    bob, carol, dave = (p for p in doc.passages if p.role is Role.COMMENT)
    assert bob.reply_to == post_intro.id and bob.replying_to_speaker == "Ada Author"
    assert bob.reply_inferred_by.value == "quote"
    [quote] = bob.pasted
    assert doc.cut(quote.start, quote.end).startswith("Corrigibility is the property")
    assert carol.reply_to == bob.id and carol.replying_to_speaker == "bob_b"
    assert carol.pasted[0].source_speaker == "bob_b"
    assert dave.reply_to == carol.id and dave.replying_to_speaker == "Carol C"
    assert dave.reply_inferred_by.value == "mention"


def test_flat_page_quotes_open_replies(corpus_dir: Path) -> None:
    lines = [
        "I think the post underrates how much fiction shapes a model's sense of itself.",
        "Fiction is full of benevolent machines, and they are in the training data.",
        "Fiction is full of benevolent machines, and they are in the training data.",
        "Those machines are written by humans, so they are human-level at best.",
        "TL;DR",
        "Personas will not survive the jump to superintelligence.",
        "Intro",
        "Every persona we train is drawn from human text about human-level minds.[1]",
        "A footnote about what counts as a persona here. ↩︎",
    ]
    doc = read_one(corpus_dir, "flat.txt", "\n".join(lines) + "\n")
    assert doc.format == "lesswrong-flat"
    comments = [p for p in doc.passages if p.role is Role.COMMENT]
    assert [c.text.split("\n")[0][:20] for c in comments] == [
        "I think the post und",
        "Fiction is full of b",
    ]
    assert comments[1].reply_to == comments[0].id
    assert all(c.speaker is None for c in comments)
    assert [p.role for p in doc.passages if p.role is not Role.COMMENT] == [
        Role.POST,
        Role.POST,
        Role.FOOTNOTE,
    ]


def test_markdown_front_matter_and_nested_headings(corpus_dir: Path) -> None:
    content = """---
title: "Notes on corrigibility"
author: Grace Writer
date: 2024-05-01
---

# Notes on corrigibility

Opening paragraph about why corrigibility matters.

## Incentives

An agent resists shutdown when shutdown costs it reward.

```
# not a heading inside code
```

### Utility indifference

One proposal makes the agent indifferent to the button.
"""
    doc = read_one(corpus_dir, "notes.md", content)
    assert doc.format == "markdown"
    assert (doc.title, doc.author, str(doc.date)) == (
        "Notes on corrigibility",
        "Grace Writer",
        "2024-05-01",
    )
    sections = [p.section for p in doc.passages]
    assert sections[0] == ["Notes on corrigibility"]
    assert sections[1] == ["Notes on corrigibility", "Incentives"]
    assert ["Notes on corrigibility", "Incentives", "Utility indifference"] in sections
    assert any("# not a heading" in p.text for p in doc.passages)
    assert all(p.speaker == "Grace Writer" for p in doc.passages)


def test_html_page_is_extracted_by_elements(corpus_dir: Path) -> None:
    content = """<!doctype html><html><head><title>Mesa-optimisers</title>
<meta name="author" content="Hal Page"><script>alert('x')</script><style>p{}</style></head>
<body><nav><a href="/">Home</a></nav>
<h1>Mesa-optimisers</h1><p>A learned optimiser may pursue <em>its own</em> objective.</p>
<h2>Deception</h2><ul><li>It may hide that objective.</li><li>Training cannot see it.</li></ul>
<footer>Copyright</footer></body></html>"""
    doc = read_one(corpus_dir, "page.html", content)
    assert doc.format == "html"
    assert (doc.title, doc.author) == ("Mesa-optimisers", "Hal Page")
    texts = [p.text for p in doc.passages]
    assert texts == [
        "A learned optimiser may pursue its own objective.",
        "It may hide that objective.",
        "Training cannot see it.",
    ]
    assert doc.passages[1].section == ["Mesa-optimisers", "Deception"]
    assert not any(word in doc.source_text for word in ("alert", "Home", "Copyright"))
    for passage in doc.passages:
        assert doc.cut(passage.start, passage.end) == passage.text


def test_reader_is_chosen_by_content_too(corpus_dir: Path) -> None:
    doc = read_one(
        corpus_dir, "saved.txt", "<html><body><h1>T</h1><p>Body text here.</p></body></html>"
    )
    assert doc.format == "html"


def test_plain_text_falls_back_to_the_essay_reader(corpus_dir: Path) -> None:
    content = (
        "On Goodhart\n\nby Ivy Essayist\n\nWhat goes wrong\n\n"
        "Measures stop measuring when they become targets.\n"
    )
    doc = read_one(corpus_dir, "goodhart.txt", content)
    assert (doc.format, doc.title, doc.author) == ("essay", "On Goodhart", "Ivy Essayist")
    [passage] = doc.passages
    assert passage.section == ["What goes wrong"] and passage.speaker == "Ivy Essayist"


def test_catalog_wins_over_the_text_and_a_missing_entry_still_loads(corpus_dir: Path) -> None:
    (corpus_dir / "catalog.toml").write_text(
        '[[document]]\nfile = "small.txt"\nid = "tiny"\nauthor = "Catalog Author"\n',
        encoding="utf-8",
    )
    (corpus_dir / "small.txt").write_text(LESSWRONG_PAGE, encoding="utf-8")
    (corpus_dir / "other.txt").write_text(
        "An essay\n\nSome text that says something.\n", encoding="utf-8"
    )
    docs = {doc.id: doc for doc in load_corpus(corpus_dir)}
    assert set(docs) == {"tiny", "other"}
    assert docs["tiny"].author == "Catalog Author"
    assert docs["tiny"].title == "A Small Test Post"
    assert all(p.speaker == "Catalog Author" for p in docs["tiny"].passages if p.role is Role.POST)


def test_html_keeps_a_list_items_own_text_and_loose_div_text(corpus_dir: Path) -> None:
    content = """<html><body><article>
<div>A paragraph written straight into a div, as many blogs do.</div>
<ul><li>First point about deception
  <ul><li>A sub-point under it.</li></ul>
</li><li>Second point.</li></ul>
<!-- a comment is not text -->
</article></body></html>"""
    doc = read_one(corpus_dir, "page.html", content)
    assert [p.text for p in doc.passages] == [
        "A paragraph written straight into a div, as many blogs do.",
        "First point about deception",
        "A sub-point under it.",
        "Second point.",
    ]
