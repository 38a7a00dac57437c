"""Words a speaker quotes are never shown as their own (issue 28, part 3): a `>` block
quote, an HTML <blockquote>, or a paragraph a lead-in announces ("Quote from the
DeepSeek R1 paper:") is credited to the source the text names ("Max Example quotes
Paula Quill: …"), or to no one ("… quotes: …"), in answers, in source cards and the
CLI, in what a user's model is shown and may claim, and never makes a map position or
stance. Real pages: the shipped corpus and the saved CAST pages in ../shared/texts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from askalign.answer.answers import Answer
from askalign.answer.prose import compose_text
from askalign.assistant import Assistant
from askalign.cli.terminal import print_answer
from askalign.documents import Passage, Role
from askalign.formats.pasted import paragraph_spans
from askalign.formats.quoted import mark_quoted
from askalign.llm.check import ClaimChecker
from askalign.llm.parse import Claim
from askalign.llm.prompt import Source, messages
from askalign.positions import Relation
from askalign.web.render import source_markdown, sources_html

from .conftest import LESSWRONG_PAGE, read_one, run_ingest

SAVED = Path("/work/shared/texts/lesswrong-saved-markdown")
if not SAVED.is_dir():
    SAVED = Path(__file__).resolve().parents[2] / "shared" / "texts" / "lesswrong-saved-markdown"

ESSAY = """---
title: Keepers of the lamp
author: Max Example
---
# Keepers of the lamp

A lighthouse keeper who cannot be relieved of duty is a hazard to every ship.

As Paula Quill put it in her 2019 talk:

> A keeper must always let the harbour master relight the lamp,
> even when the keeper is sure the lamp is fine.

I think the harbour master analogy carries over to corrigible machines directly.

> The lamp that guards itself guards nothing worth keeping.
>
> — Elias Yarrow, 2008

In particular, I strongly disagree with this opening bit:

> Keepers should decide for themselves when the lamp needs relighting at all.

My own view is that the harbour master must always be able to relight the lamp.
"""

THREAD = LESSWRONG_PAGE.replace(
    "Bob, incentives are exactly what the second section discusses at length.",
    "> I disagree with this whole framing of corrigibility as deference to overseers.\n\n"
    "That is what a critic wrote elsewhere. I find the post convincing: overseers"
    " correcting an agent is exactly the property that matters.",
)


def quoted_texts(document) -> list[tuple[str, str | None]]:
    return [
        (" ".join(document.source_text[q.start : q.end].split()[:5]), q.source)
        for passage in document.passages
        for q in passage.quoted
    ]


def test_block_quotes_carry_the_source_their_lead_in_or_signature_names(
    corpus_dir: Path,
) -> None:
    document = read_one(corpus_dir, "keepers.md", ESSAY)
    assert quoted_texts(document) == [
        ("A keeper must always let", "Paula Quill"),
        ("The lamp that guards itself", "Elias Yarrow"),
        ("— Elias Yarrow, 2008", "Elias Yarrow"),
        ("Keepers should decide for themselves", None),
    ]
    lead_in = next(p for p in document.passages if p.text.startswith("As Paula Quill"))
    assert lead_in.quoted == []  # the lead-in is the speaker's own words


def test_an_html_blockquote_is_a_quote(corpus_dir: Path) -> None:
    page = (
        "<html><head><title>Lamps</title><meta name='author' content='Max Example'></head>"
        "<body><p>As Elias Yarrow wrote:</p><blockquote><p>The lamp that guards itself"
        " guards nothing worth keeping.</p></blockquote><p>I agree with him about lamps"
        " and their keepers.</p></body></html>"
    )
    document = read_one(corpus_dir, "lamps.html", page)
    assert quoted_texts(document) == [("The lamp that guards itself", "Elias Yarrow")]


LAMP = "The lamp that guards itself"


@pytest.mark.parametrize(
    ("lead_in", "source"),
    [
        ("As Elias Yarrow wrote in 2008:", "Elias Yarrow"),
        ("As Paula Quill put it:", "Paula Quill"),
        ("Here is what Paula said back in 2018:", "Paula"),
        ("@pquill wrote in 2023:", "pquill"),
        ("He put it this way:", None),
        ("Quote from the harbour charter:", "the harbour charter"),
        ("Quoting from wikipedia:", "wikipedia"),
        ("According to the [charter](https://example.org/charter):", "the charter"),
        ("As I wrote last year:", "own"),  # the speaker's own earlier words
        ("In my post I argued:", "own"),
        ("Here are my reasons:", "own"),  # a lead-in, but to the speaker's own words
        ("There are two claims:", "own"),  # "claims" is a noun here
        ("Some notes:", "own"),
    ],
)
def test_without_markup_a_lead_in_quotes_only_the_paragraph_after_it(
    corpus_dir: Path, lead_in: str, source: str | None
) -> None:
    expected = [] if source == "own" else [(LAMP, source)]
    text = (
        "Keepers and their lamps\n\nKeepers tend lamps on rocky coasts for a living.\n\n"
        f"{lead_in}\n\nThe lamp that guards itself guards nothing worth keeping.\n\n"
        "That is why every keeper answers to a harbour master, and always has.\n"
    )
    assert quoted_texts(read_one(corpus_dir, "keepers.txt", text)) == expected


def test_the_shipped_corpus_marks_its_two_introduced_quotes() -> None:
    from askalign.ingest.corpus import scan_corpus

    from .conftest import SHIPPED_CORPUS

    found = {
        (d.id, p.speaker, q.source, " ".join(d.source_text[q.start : q.end].split()[:5]))
        for d in scan_corpus(SHIPPED_CORPUS).documents
        for p in d.passages
        for q in p.quoted
    }
    assert found == {
        ("foom-and-doom-2", "Stephen McAleese", "the DeepSeek R1 paper", "We do not apply the"),
        ("bearish-on-personas", None, "wikipedia", "A distress signal from the"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("page", "opens", "closes", "expected"),
    [
        ("_posts_NQK8KHSrZRF5erTba.md", "Alas, I'm not very familiar", "What appeals to you",
         ["> What I propose here"]),
        ("_posts_t8nXfPLBCxsqhbipp.md", "> Additional work is surely", "(Even if the principals",
         ["> Additional work is surely", "> A (perhaps overly) simple"]),
        ("_posts_t8nXfPLBCxsqhbipp.md", "> I now think that", "I don't know, maybe",
         ["> I now think that"]),
        ("_posts_t8nXfPLBCxsqhbipp.md", "Aside on the Corrigibility paper", "(I think I also find",
         ["> We somewhat wish, in"]),
    ],
)  # fmt: skip
def test_comments_on_the_saved_cast_pages_quote_with_their_markup(
    page: str, opens: str, closes: str, expected: list[str]
) -> None:
    """The comment bodies alone, cut from the real pages: the `> ` lines are quotes with
    no named source, the commenter's own lines around them are not."""
    text = (SAVED / page).read_text(encoding="utf-8")
    start = text.index(opens)
    end = text.index("\n", text.index(closes, start))
    comment = Passage(
        id="c1", role=Role.COMMENT, speaker="A", start=start, end=end, text=text[start:end]
    )
    mark_quoted([comment], text, lambda passage: paragraph_spans(passage, text))
    assert [(" ".join(text[q.start : q.end].split()[:5]), q.source) for q in comment.quoted] == [
        (words, None) for words in expected
    ]
    own = [span for span in paragraph_spans(comment, text) if comment.own_words(*span)]
    assert own and all(not text[span.start : span.end].startswith(">") for span in own)


@pytest.fixture(scope="module")
def quoting_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Assistant:
    from askalign.retrieval.open import open_index
    from askalign.retrieval.search import Searcher

    root = tmp_path_factory.mktemp("quoting")
    corpus, index = root / "corpus", root / "index"
    corpus.mkdir()
    (corpus / "keepers.md").write_text(ESSAY, encoding="utf-8")
    (corpus / "thread.txt").write_text(THREAD, encoding="utf-8")
    run_ingest(corpus, index, embedder)
    loaded = open_index(index, embedder.model_id, embedder.dimension)
    return Assistant(Searcher(loaded, embedder))


def assert_quotes_credited(assistant: Assistant, answer: Answer) -> list[str]:
    """Each citation inside quoted words is marked so and its line says "quotes"; each
    outside them says anything but. The lines of quoted citations are returned."""
    lines = {n: line for line in answer.text.split("\n\n") for n in re.findall(r"\[(\d+)\]", line)}
    credited = []
    for citation in answer.citations:
        document = assistant.documents[citation.doc_id]
        passage = next(p for p in document.passages if p.id == citation.passage_id)
        quoted = passage.quoting(citation.start, citation.end)
        assert citation.quoted is (quoted is not None)
        assert citation.quoted_source == (quoted.source if quoted else None)
        lead_in = lines[str(citation.n)].split(": “")[0]
        assert ("quotes" in lead_in) is citation.quoted, lines[str(citation.n)]
        if citation.quoted:
            credited.append(lines[str(citation.n)])
    return credited


def test_an_answer_credits_block_quotes_to_their_source(quoting_assistant: Assistant) -> None:
    answer = quoting_assistant.ask("Must a keeper let the harbour master relight the lamp?")
    credited = assert_quotes_credited(quoting_assistant, answer)
    assert any(
        line.startswith("In the essay “Keepers of the lamp”, Max Example quotes Paula Quill: “A")
        for line in credited
    ), answer.text
    assert "Max Example writes: “A keeper must" not in answer.text
    quoted = next(c for c in answer.citations if c.quoted_source == "Paula Quill")
    assert "— Max Example, quoting Paula Quill, essay, Keepers" in source_markdown(quoted)
    assert "Max Example, quoting Paula Quill</span>" in sources_html(
        answer, quoting_assistant.documents
    )


def test_an_unnamed_quote_is_quoted_by_no_one(quoting_assistant: Assistant, capsys) -> None:
    answer = quoting_assistant.ask("Should keepers decide for themselves when to relight?")
    credited = assert_quotes_credited(quoting_assistant, answer)
    assert any("Max Example quotes: “Keepers should decide" in line for line in credited)
    print_answer(answer)
    assert "Max Example, quoting an unnamed source (essay)" in capsys.readouterr().out


def test_a_block_quoted_disagreement_is_no_stance_and_no_position(
    quoting_assistant: Assistant,
) -> None:
    found = quoting_assistant.map("corrigibility as deference to overseers")
    [carol] = [e for e in found.exchanges if e.from_speaker == "Carol C"]
    assert carol.relation is not Relation.DISAGREES
    thread = quoting_assistant.documents["thread"]
    for quote in found.sources():
        if quote.document == thread.id:
            passage = next(p for p in thread.passages if p.start <= quote.start < p.end)
            assert passage.own_words(quote.start, quote.end), quote.quote


def test_the_shipped_deepseek_quote_is_the_papers_not_the_commenters(
    assistant: Assistant,
) -> None:
    """A real comment: 'Quote from the DeepSeek R1 paper:' then the paper's sentence. It
    answers Steven Byrnes's reply right above it ("Thank you for the reply!"), a link the
    page's thread order gives (formats/order_links.py)."""
    document = assistant.documents["foom-and-doom-2"]
    at = document.source_text.index("We do not apply the outcome or process neural reward")
    sentences = assistant.composer.sentences
    [rowid] = sentences.overlapping(document.id, at, at + 10)
    quotes = assistant.composer.windows.quotes([(rowid, 1.0)])
    text = compose_text(assistant.composer.citations_for(quotes), assistant.documents)
    assert (
        "Stephen McAleese, replying to Steven Byrnes, quotes the DeepSeek R1 paper:"
        " “We do not apply" in text
    ), text
    assert "writes: “We do not apply" not in text


def test_a_users_model_sees_whose_words_a_quote_holds_and_may_not_move_them(
    embedder,
) -> None:
    words = "A keeper must always let the harbour master relight the lamp."
    source = Source(
        id="S1", doc_id="keepers", doc_title="Keepers of the lamp", speaker="Max Example",
        role=Role.ESSAY, passage_id="keepers#p2", start=0, end=len(words), text=words,
        quoted=True, quoted_source="Paula Quill",
    )  # fmt: skip
    prompt = messages("Must a keeper obey?", [source])[1]["content"]
    assert '[S1] Paula Quill, quoted by Max Example (essay), in "Keepers of the lamp":' in prompt
    checker = ClaimChecker(
        [source],
        lambda text: [name for name in ("Max Example", "Paula Quill") if name in text],
        embedder.embed,
    )
    said = "always let the harbour master relight the lamp"
    claims = [
        Claim(text=f"Max Example says a keeper must {said}.", source_id="S1", quote=words),
        Claim(text=f"Max Example quotes Quill: a keeper must {said}.", source_id="S1", quote=words),
        Claim(text=f"Paula Quill says a keeper must {said}.", source_id="S1", quote=words),
        Claim(text=f"A keeper must {said}.", source_id="S1", quote=words),
    ]
    reasons = [checked.reason for checked in checker.check(claims)]
    assert reasons == [
        "gives words Max Example quotes (from Paula Quill) as Max Example's own",
        None,
        None,
        None,
    ]


def test_a_users_model_is_shown_the_deepseek_quote_as_the_papers(llm_assistant, fake) -> None:
    """The window holding the real comment's quote is one source, credited to the paper;
    the commenter's own next sentence is another, credited to him."""
    from .llm_server import Reply, claims, sources_in

    fake.script.append(lambda body: Reply(claims(answerable=False)))
    llm_assistant.ask(  # tests/data/paraphrase_questions.jsonl p069
        "Why does one commenter think a model trained with better tasks might not drift far"
        " from its original values, using DeepSeek as a case?"
    )
    shown = sources_in(fake.requests[0]).values()
    assert ("the DeepSeek R1 paper, quoted by Stephen McAleese", True) in {
        (who, text.startswith("We do not apply")) for who, text in shown
    }
    assert not any(who == "Stephen McAleese" and "We do not apply" in text for who, text in shown)
