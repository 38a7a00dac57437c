"""What a search returns, and how hits are tidied before anyone reads them: overlapping
chunks of one passage merged, pasted copies giving way to their originals, and for
questions about several texts, each document's best hit first."""

from __future__ import annotations

from pydantic import BaseModel, Field

from askalign.documents import Chunk


class Hit(BaseModel):
    """A chunk found by a search, keyed by its id (the content hash) whatever the engine."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    sentence_rank: int | None = None
    quoted_by: list[str] = Field(default_factory=list, description="Who pasted this text.")


MOSTLY_QUOTED = 0.7


def merge_overlaps(hits: list[Hit]) -> list[Hit]:
    """Overlapping chunks of one passage become one hit, at the better rank."""
    kept: list[Hit] = []
    for hit in hits:
        into = next((k for k in kept if _overlapping(k.chunk, hit.chunk)), None)
        if into is None:
            kept.append(hit)
            continue
        index = kept.index(into)
        kept[index] = into.model_copy(update={"chunk": _union(into.chunk, hit.chunk)})
    return kept


def _overlapping(first: Chunk, second: Chunk) -> bool:
    return (
        first.doc_id == second.doc_id
        and bool(set(first.passage_ids) & set(second.passage_ids))
        and first.start <= second.end
        and second.start <= first.end
    )


def _union(first: Chunk, second: Chunk) -> Chunk:
    """Both texts are exact slices of one source, so their union is too."""
    head, tail = (first, second) if first.start <= second.start else (second, first)
    text = (
        head.text + tail.text[max(head.end - tail.start, 0) :] if tail.end > head.end else head.text
    )
    if tail.start > head.end:
        return first  # touching but not overlapping: a gap would need the source text
    quotes = {(q.start, q.end): q for q in [*head.pasted, *tail.pasted]}
    return first.model_copy(
        update={
            "start": head.start,
            "end": max(head.end, tail.end),
            "text": text,
            "passage_ids": list(dict.fromkeys([*head.passage_ids, *tail.passage_ids])),
            "quotes": list(quotes.values()),
        }
    )


def spread_over_documents(hits: list[Hit]) -> list[Hit]:
    """For a question about several texts: the best hit of each document first, in
    rank order, then the rest; otherwise one document can fill the whole top k."""
    leaders: dict[str, Hit] = {}
    for hit in hits:
        leaders.setdefault(hit.chunk.doc_id, hit)
    firsts = list(leaders.values())
    return firsts + [hit for hit in hits if hit not in firsts]


def every_speaker_heard(hits: list[Hit], k: int, best_of: dict[str, Hit]) -> list[Hit]:
    """The top k, where each speaker the question names who has none of them gets their
    best hit in place of the last ones: a commenter asked about under a long post by
    someone the question also names was otherwise crowded out by the post's passages."""
    top = hits[:k]
    missing = [
        next((hit for hit in hits if hit.chunk.speaker == speaker), best)
        for speaker, best in best_of.items()
        if not any(hit.chunk.speaker == speaker for hit in top)
    ]
    if not missing:
        return top
    return [*top[: max(k - len(missing), 1)], *missing][:k]


def collapse_quotes(hits: list[Hit]) -> list[Hit]:
    """A hit that is mostly text pasted from another hit's passage goes; the original
    stays, marked as quoted by the one who pasted it."""
    kept: list[Hit] = []
    for hit in hits:
        sources = _mostly_quoting(hit.chunk)
        original = next((k for k in kept if sources & set(k.chunk.passage_ids)), None)
        if (
            original is not None
            and hit.chunk.speaker
            and hit.chunk.speaker not in original.quoted_by
        ):
            original.quoted_by.append(hit.chunk.speaker)
        if original is None:
            kept.append(hit)
    return kept


def _mostly_quoting(chunk: Chunk) -> set[str]:
    inside = [q for q in chunk.pasted if q.start < chunk.end and q.end > chunk.start]
    covered = sum(min(q.end, chunk.end) - max(q.start, chunk.start) for q in inside)
    if not inside or covered < MOSTLY_QUOTED * (chunk.end - chunk.start):
        return set()
    return {q.source_passage_id for q in inside}
