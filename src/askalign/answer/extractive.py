"""The default composer: an answer written from the best sentences of the top hits,
each quoted verbatim and attributed in plain words to whoever wrote it. No LLM writes
anything; the reader (when installed) only scores which sentence reads as the answer.

`pool` scores the candidates (scoring.py), `select` chooses (selection.py), windows
give each chosen sentence the neighbours it needs (windows.py), `arrange` orders them
and prose.py writes the words around them. A question about an exchange between two
people is told from the exchange itself instead (exchange.py), in thread order.
"""

from __future__ import annotations

import numpy as np

from askalign.answer.answers import Citation
from askalign.answer.compose import Composition
from askalign.answer.exchange import (
    Exchanges,
    asks_landing,
    in_thread_order,
    key_sentence,
    opening,
)
from askalign.answer.expects import Expected
from askalign.answer.prose import compose_text
from askalign.answer.question import Question
from askalign.answer.scoring import Pool, candidates, read, relevance
from askalign.answer.selection import arrange, is_asked_reply, named_texts, select
from askalign.answer.verify import cited, verified
from askalign.answer.windows import Quote, Windows
from askalign.index.shelf import Documents, SentenceTable
from askalign.reader import Reader
from askalign.retrieval.hits import Hit
from askalign.retrieval.intent import QueryIntent, Shape

THREAD_REPLIES = 2
SAYS_BACK = (Shape.WHAT, Shape.WHY, Shape.HOW)  # shapes a restatement of the question fails
READ_CANDIDATES = 6


class ExtractiveComposer:
    """Writes the answer from the retrieved text itself: no model, no invention."""

    def __init__(
        self,
        documents: Documents,
        sentences: SentenceTable,
        reader: Reader | None = None,
        read_candidates: int = READ_CANDIDATES,
    ) -> None:
        self.documents = documents
        self.sentences = sentences
        self.reader = reader
        self.read_candidates = read_candidates
        self.windows = Windows(documents, sentences)
        self.exchanges = Exchanges(documents, sentences)

    def pool(self, question: Question, hits: list[Hit]) -> Pool:
        titles = question.expected is Expected.NAME
        found = candidates(self.documents, self.sentences, hits, titles)
        texts = [c.span.cut(self.documents[c.doc_id].source_text) for c in found]
        cosines = self.sentences.vectors_of([c.rowid for c in found]) @ question.vector
        scores = relevance(question, found, texts, cosines)
        fused, gain, use = read(self.reader, question, texts, scores, self.read_candidates)
        return Pool(found, texts, fused, gain, use)

    def compose(
        self,
        question: Question,
        hits: list[Hit],
        pool: Pool | None = None,
        limit: int | None = None,
    ) -> Composition:
        pool = pool or self.pool(question, hits)
        if not pool.found:
            return Composition(text="", citations=[])
        intent = question.intent
        # a question that asks who said a thing, or whether, is answered by the sentence
        # that says it back; others need more than their own words
        asked = frozenset(question.weights if intent.shape in SAYS_BACK else ())
        chosen = [(pool.found[i].rowid, float(pool.relevance[i])) for i in select(pool, intent)]
        exchange = self.exchanges.turns(question, hits, pool)
        if exchange:  # the exchange asked about, as it happened; its first turn told whole
            rows = self.sentences.rows
            turns = {rows[rowid].passage_id for rowid, _ in exchange}
            exchange += [c for c in chosen if rows[c[0]].passage_id in turns]  # its best, too
            asked_reply = exchange[0][0]
            openings = self._openings(exchange[:1]) if _whole_reply(intent) else {}
            told = {asked_reply, *openings.values()}
            quotes = self.windows.quotes(_opened(exchange, openings), told, asked)
            lead = rows[asked_reply].passage_id if intent.asks_reply else None
            return self._written(in_thread_order(quotes, lead, asks_landing(question)), limit)
        told: set[int] = set()
        if intent.asks_reply:  # the replies are what is asked: they get the room first
            chosen = self._replies(question, pool, chosen) + chosen
            told = self._asked_replies(chosen, intent)
            asked_openings = [c for c in chosen if c[0] in told] if _whole_reply(intent) else []
            openings = self._openings(asked_openings)
            chosen, told = _opened(chosen, openings), told | set(openings.values())
        elif intent.shape is Shape.THREAD:
            chosen += self._replies(question, pool, chosen)
        quotes = named_texts(self.windows.quotes(chosen, told, asked), intent)
        hit_order: dict[str, int] = {}
        for hit in hits:
            hit_order.setdefault(hit.chunk.doc_id, len(hit_order))
        return self._written(arrange(quotes, hit_order, intent), limit)

    def _written(self, quotes: list[Quote], limit: int | None) -> Composition:
        items = self.citations_for(quotes)[:limit]
        return Composition(
            text=compose_text(items, self.documents), citations=[c for _, c in items]
        )

    def _replies(
        self, question: Question, pool: Pool, chosen: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """An exchange is told to its end: for each chosen comment, the best sentence of
        a direct reply to it (the asked-for replier's first), and of the reply to that
        reply, read from the thread itself when retrieval did not bring them."""
        quoted: dict[str, str] = {}  # passage id -> document id
        for rowid, _ in chosen:
            sentence = self.sentences.rows[rowid]
            quoted[sentence.passage_id] = sentence.doc_id
        floor = min(score for _, score in chosen)
        added: list[tuple[int, float]] = []
        pending = list(quoted.items())
        while pending:
            passage_id, doc_id = pending.pop(0)
            replies = [
                p
                for p in self.documents[doc_id].passages
                if p.reply_to == passage_id and p.id not in quoted
            ]
            if not replies or len(added) >= THREAD_REPLIES:
                continue
            reply = min(replies, key=lambda p: p.speaker != question.intent.replier)
            best = key_sentence(self.sentences, question.vector, doc_id, reply)
            if best is not None:
                added.append((best[0], floor))
                quoted[reply.id] = doc_id
                pending.append((reply.id, doc_id))
        return added

    def _openings(self, chosen: list[tuple[int, float]]) -> dict[int, int]:
        """The opening sentence of each reply among `chosen` (rowid -> rowid): the
        reply's answer to its point, told before the sentence nearest the question."""
        rows = self.sentences.rows
        found: dict[int, int] = {}
        for rowid, _ in chosen:
            doc_id = rows[rowid].doc_id
            passage = self.documents.passage(doc_id, rows[rowid].passage_id)
            if passage is None or passage.reply_to is None:
                continue
            first = opening(self.sentences, self.documents[doc_id], passage)
            if first is not None and first != rowid:
                found[rowid] = first
        return found

    def _asked_replies(self, chosen: list[tuple[int, float]], intent: QueryIntent) -> set[int]:
        """The chosen sentence that best is the reply asked for: by the replier the
        question names (not their opening comment), or else answering another chosen
        passage. One only: the rest of the answer's quotes stay short."""
        rows = self.sentences.rows
        told: dict[int, float] = {}
        for rowid, score in chosen:
            passage = self.documents.passage(rows[rowid].doc_id, rows[rowid].passage_id)
            others = {rows[r].passage_id for r, _ in chosen} - {rows[rowid].passage_id}
            if passage is not None and is_asked_reply(passage, others, intent):
                told[rowid] = max(score, told.get(rowid, -np.inf))
        return {max(told, key=told.__getitem__)} if told else set()

    def citations_for(self, quotes: list[Quote]) -> list[tuple[Quote, Citation]]:
        """Citations built from metadata, numbered in answer order; unverifiable ones
        dropped. A quote that runs into words its speaker quotes is cited piece by
        piece, so that each citation is one voice's."""
        kept: list[tuple[Quote, Citation]] = []
        for quote in (piece for window in quotes for piece in self.windows.by_voice(window)):
            document = self.documents[quote.doc_id]
            citation = cited(document, quote.passage, quote.span, len(kept) + 1)
            if verified(citation, document):
                kept.append((quote, citation))
        return kept


def _whole_reply(intent: QueryIntent) -> bool:
    """The question asks how someone answered ("what was the answer?"), so the reply's
    opening, what it makes of the point, is told first; one that asks for a thing in it
    ("what example did she give in reply?"), or the reasons for it ("why does he…"),
    gets the sentence nearest it instead."""
    return intent.asks_reply and not intent.asks_thing and intent.shape is not Shape.WHY


def _opened(chosen: list[tuple[int, float]], openings: dict[int, int]) -> list[tuple[int, float]]:
    """Each chosen sentence after its reply's opening, at the same score: the windows
    are filled in this order, so an opening is never crowded out by later turns."""
    return [
        (rowid, score)
        for chosen_rowid, score in chosen
        for rowid in ([openings[chosen_rowid]] if chosen_rowid in openings else []) + [chosen_rowid]
    ]
