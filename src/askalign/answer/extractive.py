"""The default composer: an answer written from the best sentences of the top hits.

Each sentence is quoted verbatim and attributed in plain words to whoever wrote it
(the post's author, the essay, or the named commenter, with whom they were replying
to), ordered post first and replies after what they answer. No LLM is involved.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from askalign.answer.compose import Composition
from askalign.answer.expects import Expected, expected_answer, holds
from askalign.answer.models import Citation
from askalign.answer.strength import StrengthGauge
from askalign.answer.verify import verified
from askalign.lexical import terms
from askalign.models import Chunk, Document, Passage, Role
from askalign.query import QueryIntent
from askalign.retrieve import Hit
from askalign.sentences import MIN_WORDS, whole_sentences
from askalign.spans import Span

MAX_HITS = 6
MAX_SENTENCES = 3
MAX_PER_CHUNK = 2
RANK_PRIOR = 0.3  # a sentence from the first hit is worth this much more than from a late one
NAMED_SPEAKER_BONUS = 0.1
CROSS_DOCUMENTS = 2
EXPECTED_BONUS = 0.3  # a year for "in what year", a number for "how many"
REDUNDANCY = 0.5  # MMR: how much word overlap with a chosen sentence costs
SHORT_PENALTY = 0.15
SHORT_SENTENCE_TERMS = 5


class Candidate(NamedTuple):
    span: Span
    chunk: Chunk
    passage: Passage
    hit_rank: int


class Selected(NamedTuple):
    span: Span
    passage: Passage
    chunk: Chunk


def candidates(hits: list[Hit], documents: dict[str, Document]) -> list[Candidate]:
    """Sentences of the top hits, leaving out text a commenter pasted from elsewhere."""
    found: list[Candidate] = []
    for rank, hit in enumerate(hits[:MAX_HITS]):
        document = documents[hit.chunk.doc_id]
        passages = {p.id: p for p in document.passages if p.id in hit.chunk.passage_ids}
        for span in whole_sentences(document.source_text, hit.chunk.start, hit.chunk.end):
            passage = next((p for p in passages.values() if p.start <= span.start < p.end), None)
            if passage is None or len(span.cut(document.source_text).split()) < MIN_WORDS:
                continue
            if any(q.start <= span.start and span.end <= q.end for q in passage.quotes):
                continue  # pasted from earlier text: the original's author said it
            found.append(Candidate(span, hit.chunk, passage, rank))
    return found


def select(
    found: list[Candidate],
    texts: list[str],
    weight: dict[str, float],
    intent: QueryIntent,
    expected: Expected | None,
) -> list[Candidate]:
    """Maximal marginal relevance over sentences: the question's words they carry
    (IDF-weighted), the rank of the hit they come from, holding the year or number the
    question asks for, and no repeating each other. Every speaker the question names
    gets a sentence if one was retrieved, as does each role the question asks about and
    each of the first documents when the question spans several."""
    named_speakers = intent.speakers
    sentence_terms = [set(t) for t in terms(texts)]
    total = sum(weight.values()) or 1.0
    relevance = np.array(
        [
            sum(weight.get(t, 0.0) for t in terms) / total
            + RANK_PRIOR * (1 - c.hit_rank / MAX_HITS)
            + NAMED_SPEAKER_BONUS * (c.passage.speaker in named_speakers)
            + EXPECTED_BONUS * (expected is not None and holds(text, expected))
            - SHORT_PENALTY * (len(terms) < SHORT_SENTENCE_TERMS)
            for c, terms, text in zip(found, sentence_terms, texts, strict=True)
        ]
    )
    chosen: list[int] = []
    for group in _must_cover(found, intent):
        theirs = [i for i in group if i not in chosen]
        if theirs and len(chosen) < MAX_SENTENCES:
            chosen.append(max(theirs, key=lambda i: relevance[i]))
    while len(chosen) < min(MAX_SENTENCES, len(found)):
        best, best_score = None, -np.inf
        for i in range(len(found)):
            if i in chosen or _full(found, chosen, found[i].chunk):
                continue
            overlap = max(
                (_jaccard(sentence_terms[i], sentence_terms[j]) for j in chosen), default=0.0
            )
            score = relevance[i] - REDUNDANCY * overlap
            if score > best_score:
                best, best_score = i, score
        if best is None:
            break
        chosen.append(best)
    return [found[i] for i in chosen]


def _must_cover(found: list[Candidate], intent: QueryIntent) -> list[list[int]]:
    """Candidate groups the answer should each quote once: named speakers, the roles
    the question asks about ("which commenter…" needs a comment quoted), and for a
    question across texts, the documents retrieval ranked first."""
    groups = [[i for i, c in enumerate(found) if c.passage.speaker == s] for s in intent.speakers]
    groups += [[i for i, c in enumerate(found) if c.passage.role is r] for r in intent.roles]
    if intent.cross:
        documents = list(dict.fromkeys(c.chunk.doc_id for c in found))[:CROSS_DOCUMENTS]
        groups += [[i for i, c in enumerate(found) if c.chunk.doc_id == d] for d in documents]
    return groups


def _jaccard(first: set[str], second: set[str]) -> float:
    return len(first & second) / len(first | second) if first and second else 0.0


def _full(found: list[Candidate], chosen: list[int], chunk: Chunk) -> bool:
    return sum(found[j].chunk.id == chunk.id for j in chosen) >= MAX_PER_CHUNK


def reading_order(selected: list[Candidate], hit_order: dict[str, int]) -> list[Selected]:
    """Documents in the order retrieval ranked them; within one, the post (or essay)
    first in text order, then comments in page order, so replies follow their parents.
    Neighbouring sentences of one passage merge into one quote."""

    def key(c: Candidate) -> tuple:
        is_comment = c.passage.role is Role.COMMENT
        return (hit_order[c.chunk.doc_id], is_comment, c.passage.comment_index or 0, c.span.start)

    merged: list[Selected] = []
    for c in sorted(selected, key=key):
        last = merged[-1] if merged else None
        if (
            last
            and last.passage.id == c.passage.id
            and _adjacent(last.span, c.span, c.chunk, last.chunk)
        ):
            merged[-1] = Selected(Span(last.span.start, c.span.end), c.passage, c.chunk)
        else:
            merged.append(Selected(c.span, c.passage, c.chunk))
    return merged


def _adjacent(first: Span, second: Span, chunk: Chunk, other: Chunk) -> bool:
    return (
        first.end <= second.start and second.start - first.end <= 3 and chunk.doc_id == other.doc_id
    )


def attribution(item: Selected, previous: Selected | None) -> str:
    passage, chunk = item.passage, item.chunk
    same_voice = previous is not None and previous.passage.speaker == passage.speaker
    same_doc = previous is not None and previous.chunk.doc_id == chunk.doc_id
    title = f"“{chunk.doc_title}”"
    if passage.role is Role.COMMENT:
        who = passage.speaker or "A commenter"
        if same_voice and same_doc and passage.speaker:
            return f"{who} adds"
        if passage.replying_to_speaker:
            return f"{who}, replying to {passage.replying_to_speaker}, writes"
        if passage.reply_to and passage.speaker is None:
            return f"{who}, replying to an earlier comment on {title}, writes"
        return f"{who}, in a comment on {title}, writes"
    if same_voice and same_doc:
        return "The text goes on" if passage.speaker is None else f"{passage.speaker} goes on"
    if passage.role is Role.FOOTNOTE:
        return f"A footnote in {title} says"
    if passage.role is Role.ESSAY:
        return (
            f"The essay {title} says"
            if not passage.speaker
            else f"In the essay {title}, {passage.speaker} writes"
        )
    return f"In the post {title}, {passage.speaker or 'the author'} writes"


def compose_text(items: list[tuple[Selected, Citation]]) -> str:
    sentences = []
    previous: Selected | None = None
    for item, citation in items:
        quote = " ".join(citation.quote.split())
        sentences.append(f"{attribution(item, previous)}: “{quote}” [{citation.n}]")
        previous = item
    return "\n\n".join(sentences)


def citations_for(
    items: list[Selected], documents: dict[str, Document]
) -> list[tuple[Selected, Citation]]:
    """Citations built from metadata, numbered in reading order; unverifiable ones dropped."""
    kept: list[tuple[Selected, Citation]] = []
    for item in items:
        document = documents[item.chunk.doc_id]
        citation = Citation(
            n=len(kept) + 1,
            doc_id=document.id,
            doc_title=document.title,
            speaker=item.passage.speaker,
            role=item.passage.role,
            section=item.passage.section,
            quote=item.span.cut(document.source_text),
            start=item.span.start,
            end=item.span.end,
            url=document.url,
            passage_id=item.passage.id,
            replying_to_speaker=item.passage.replying_to_speaker,
        )
        if verified(citation, document):
            kept.append((item, citation))
    return kept


class ExtractiveComposer:
    """Writes the answer from the retrieved text itself: no model, no invention."""

    def __init__(self, documents: dict[str, Document], gauge: StrengthGauge) -> None:
        self.documents = documents
        self.gauge = gauge

    def compose(
        self, question: str, hits: list[Hit], intent: QueryIntent, limit: int | None = None
    ) -> Composition:
        found = candidates(hits, self.documents)
        if not found:
            return Composition(text="", citations=[])
        texts = [
            self.documents[c.chunk.doc_id].source_text[c.span.start : c.span.end] for c in found
        ]
        weights = self.gauge.question_weights(question)
        chosen = select(found, texts, weights, intent, expected_answer(question))
        hit_order: dict[str, int] = {}
        for hit in hits:
            hit_order.setdefault(hit.chunk.doc_id, len(hit_order))
        items = citations_for(reading_order(chosen, hit_order), self.documents)[:limit]
        return Composition(text=compose_text(items), citations=[citation for _, citation in items])
