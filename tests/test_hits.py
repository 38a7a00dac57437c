"""Hit post-processing: overlapping chunks merge, pasted copies give way, texts spread."""

from __future__ import annotations

import itertools

from askalign.assistant import Assistant
from askalign.documents import Chunk, PastedSpan, Role
from askalign.index.contract import ChunkSource
from askalign.retrieval.hits import Hit, collapse_quotes, merge_overlaps


def every_chunk(catalog: ChunkSource) -> list[Chunk]:
    """In rowid order, as the catalog stored them."""
    ids = catalog.chunk_ids_of(catalog.rowids("chunks"))
    return [catalog.chunk(chunk_id) for chunk_id in ids.values()]


def test_overlapping_chunks_of_one_passage_merge_into_an_exact_slice(loaded_shipped) -> None:
    chunks = sorted(every_chunk(loaded_shipped.catalog), key=lambda c: (c.doc_id, c.start))
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(chunks)
        if a.passage_ids == b.passage_ids and b.start < a.end
    ]
    assert pairs, "the chunker overlaps long passages by a sentence"
    first, second = pairs[0]
    hits = [
        Hit(chunk=second, score=0.9),
        Hit(chunk=first, score=0.5),
    ]
    [merged] = merge_overlaps(hits)
    document = loaded_shipped.catalog.document(first.doc_id)
    assert (merged.chunk.start, merged.chunk.end) == (first.start, second.end)
    assert merged.chunk.text == document.source_text[first.start : second.end]
    assert merged.chunk.id == second.id and merged.score == 0.9


def chunk(chunk_id: str, speaker: str, passage: str, start: int, end: int, quotes=()) -> Chunk:
    return Chunk(
        id=chunk_id, doc_id="d", doc_title="T", position=0, passage_ids=[passage],
        role=Role.COMMENT, speaker=speaker, start=start, end=end, text="x" * (end - start),
        embed_text="x", text_hash=chunk_id, token_count=1, pasted=list(quotes),
    )  # fmt: skip


def test_a_pasted_copy_gives_way_to_its_original() -> None:
    original = chunk("a", "bob", "d#c1", 0, 100)
    paste = PastedSpan(
        start=200, end=290, source_passage_id="d#c1", source_speaker="bob", exact=True
    )
    copy = chunk("b", "carol", "d#c2", 200, 300, [paste])
    own = chunk("c", "dave", "d#c3", 400, 500)
    hits = [Hit(chunk=copy, score=0.9), Hit(chunk=original, score=0.8)]
    hits.append(Hit(chunk=own, score=0.1))
    kept = collapse_quotes(hits)
    assert [h.chunk.id for h in kept] == [
        "b",
        "a",
        "c",
    ]  # the copy came first: nothing to yield to yet
    kept = collapse_quotes([hits[1], hits[0], hits[2]])
    assert [h.chunk.id for h in kept] == ["a", "c"]
    assert kept[0].quoted_by == ["carol"]


def test_a_question_across_texts_quotes_each_of_them(assistant: Assistant) -> None:
    question = "Do both the essay and the personas post discuss how training shapes an AI's values?"
    intent = assistant.intent(question)
    assert intent.cross
    answer = assistant.ask(question)
    assert len({c.doc_id for c in answer.citations}) >= 2


def test_a_commenter_the_question_names_is_heard_beside_the_posts_author(
    assistant: Assistant,
) -> None:
    """Narrowed to both named people at once, the post's author filled the ranking and
    none of the commenter's passages reached the hits (18 of 19 commenters before)."""
    for commenter in ("Aprillion", "Jonas Hallgren", "Charlie Steiner"):
        question = (
            f"What was {commenter}'s main criticism of the foom and doom post, "
            "and how did Byrnes respond?"
        )
        hits = assistant.searcher.search(question, k=5, intent=assistant.intent(question))
        assert commenter in {hit.chunk.speaker for hit in hits}, commenter
        assert "Steven Byrnes" in {hit.chunk.speaker for hit in hits}
