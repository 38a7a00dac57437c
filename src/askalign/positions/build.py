"""A topic's map, built from the same hits and sentence vectors as an answer: the
passages on the topic, their speakers ranked by how much of what they wrote is on it,
and the replies around those passages, read from the thread itself.

Replies matter more here than in an answer: a reply to an on-topic comment is where
disagreement lives, and retrieval ranks it low when it restates little of the topic."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

import numpy as np

from askalign.answer.extractive import ExtractiveComposer
from askalign.answer.windows import Quote
from askalign.documents import Document, Passage, Role
from askalign.index.shelf import Documents, SentenceTable
from askalign.positions.map import Exchange, MapQuote, Position, PositionMap
from askalign.positions.sides import sides
from askalign.positions.stance import stance
from askalign.positions.unquoted import own_text
from askalign.retrieval.search import Hit
from askalign.text.spans import Span

MAP_HITS = 30  # hits a map reads: more than an answer, since it lists everyone
TOPIC_FLOOR = 0.3  # the cosine below which a passage is not on the topic at all
RELATIVE_FLOOR = 0.7  # ... nor one far below the topic's best passage
REPLY_FLOOR = 0.2  # a reply to an on-topic passage needs less: it answers the point
MAX_QUOTES = 3
MAX_QUOTE_CHARS = 400
MAX_EXCHANGES = 24
MIN_WORDS = 4


class Scored(NamedTuple):
    document: Document
    passage: Passage
    rowid: int  # its best sentence on the topic
    score: float  # that sentence's cosine with the topic


class MapBuilder:
    def __init__(self, documents: Documents, sentences: SentenceTable) -> None:
        self.documents = documents
        self.sentences = sentences
        self.composer = ExtractiveComposer(documents, sentences)  # its windows and citations

    def build(
        self,
        topic: str,
        vector: np.ndarray,
        hits: list[Hit],
        speakers: list[str] | None = None,
        one_thread: bool = False,
    ) -> PositionMap:
        """`one_thread`: only the document of the passage nearest the topic, since a
        question about who disagreed is about one discussion, and a quote from another
        text's comments reads as part of it."""
        found = self._on_topic(hits, vector)
        if not found:
            return PositionMap(topic=topic, positions=[], exchanges=[])
        top = max(found.values(), key=lambda s: s.score)
        floor = max(TOPIC_FLOOR, RELATIVE_FLOOR * top.score)
        on_topic = {
            key: s
            for key, s in found.items()
            if s.score >= floor and (not one_thread or s.document.id == top.document.id)
        }
        replies = self._replies(on_topic, vector)
        cited = _Sources(self)
        positions = self._positions({**on_topic, **replies}, cited)
        exchanges = self._exchanges(on_topic, replies, vector, cited)
        anchor = positions[0].speaker if positions else None
        side_of = sides(anchor, [(e.from_speaker, e.to, e.relation) for e in exchanges])
        positions = [p.model_copy(update={"side": side_of.get(p.speaker)}) for p in positions]
        if speakers:
            positions = [p for p in positions if p.speaker in speakers]
            exchanges = [e for e in exchanges if {e.from_speaker, e.to} & set(speakers)]
        return _numbered(PositionMap(topic=topic, positions=positions, exchanges=exchanges))

    def _on_topic(self, hits: list[Hit], vector: np.ndarray) -> dict[str, Scored]:
        """Every passage the hits touch, scored by its best own sentence."""
        found: dict[str, Scored] = {}
        for hit in hits:
            chunk = hit.chunk
            for rowid in self.sentences.overlapping(chunk.doc_id, chunk.start, chunk.end):
                sentence = self.sentences.rows[rowid]
                key = f"{sentence.doc_id}/{sentence.passage_id}"
                if key not in found:
                    passage = self.documents.passage(sentence.doc_id, sentence.passage_id)
                    scored = passage and self.score(self.documents[chunk.doc_id], passage, vector)
                    if scored:
                        found[key] = scored
        return found

    def score(self, document: Document, passage: Passage, vector: np.ndarray) -> Scored | None:
        own = own_text(document.source_text, passage)
        rowids = [
            rowid
            for rowid in self.sentences.overlapping(document.id, passage.start, passage.end)
            if _own_words(own, passage, self.sentences.rows[rowid].span)
        ]
        if not rowids:
            return None
        cosines = self.sentences.vectors_of(rowids) @ vector
        best = int(np.argmax(cosines))
        return Scored(document, passage, rowids[best], float(cosines[best]))

    def _replies(self, on_topic: dict[str, Scored], vector: np.ndarray) -> dict[str, Scored]:
        """Direct replies to on-topic passages, from the thread, that stay near the topic."""
        found: dict[str, Scored] = {}
        children = _children(list(on_topic.values()))
        for key, scored in on_topic.items():
            for child in children.get(key, []):
                child_key = f"{scored.document.id}/{child.id}"
                if child_key in on_topic or child_key in found:
                    continue
                reply = self.score(scored.document, child, vector)
                if reply is not None and reply.score >= REPLY_FLOOR:
                    found[child_key] = reply
        return found

    def _positions(self, passages: dict[str, Scored], cited: _Sources) -> list[Position]:
        by_speaker: dict[str, list[Scored]] = defaultdict(list)
        for scored in passages.values():
            by_speaker[_label(scored.document, scored.passage)].append(scored)
        positions = []
        for speaker, spoken in by_speaker.items():
            spoken.sort(key=lambda s: -s.score)
            quotes = [q for s in spoken[:MAX_QUOTES] if (q := cited.quote([s.rowid], s.score))]
            if not quotes:
                continue
            first = spoken[0]
            positions.append(
                Position(
                    speaker=speaker,
                    role=first.passage.role,
                    document=first.document.id,
                    karma=first.document.karma_of(first.passage),
                    engagement=round(sum(s.score for s in spoken), 3),
                    quotes=quotes,
                )
            )
        return sorted(positions, key=lambda p: (-p.engagement, -(p.karma or -1), p.speaker))

    def _exchanges(
        self,
        on_topic: dict[str, Scored],
        replies: dict[str, Scored],
        vector: np.ndarray,
        cited: _Sources,
    ) -> list[Exchange]:
        """Each reply among the passages, to the passage it answers, in thread order."""
        exchanges: list[tuple[tuple, Exchange]] = []
        for scored in sorted({**on_topic, **replies}.values(), key=_thread_order):
            document, passage = scored.document, scored.passage
            to = _answered(document, passage)
            speaker = _label(document, passage)
            if to is None or to == speaker:
                continue
            said = stance(document, passage, to, _author(document))
            rowid = self._sentence_at(document, said.sentence) if said.sentence else None
            # the stance with the reply's best sentence on the topic, its reason, when
            # the two stand together
            rowids = list(dict.fromkeys(r for r in (rowid, scored.rowid) if r is not None))
            quote = cited.quote(rowids, scored.score)
            if quote is None:
                continue
            exchange = Exchange(
                from_speaker=speaker,
                to=to,
                quote=quote.display,
                relation=said.relation,
                marker=said.marker,
                relevance=round(scored.score, 3),
                source=quote,
            )
            exchanges.append((_thread_order(scored), exchange))
        return [e for _, e in sorted(exchanges, key=lambda pair: pair[0])][:MAX_EXCHANGES]

    def _sentence_at(self, document: Document, span: Span) -> int | None:
        rowids = self.sentences.overlapping(document.id, span.start, span.end)
        return rowids[0] if rowids else None


class _Sources:
    """Verified quotes numbered in the order the map first cites them."""

    def __init__(self, builder: MapBuilder) -> None:
        self.builder = builder
        self.numbers: dict[tuple[str, int, int], int] = {}

    def quote(self, rowids: list[int], score: float) -> MapQuote | None:
        """The sentences, joined where they stand together, with the neighbours they
        need; the first alone where that runs long: a map shows many people at once,
        each in a line or two."""
        composer = self.builder.composer
        windows = composer.windows
        pieces = [
            piece
            for window in windows.quotes([(rowid, score) for rowid in rowids])
            for piece in windows.by_voice(window)
        ]
        quotes = [q for q in pieces if q.passage.own_words(q.span.start, q.span.end)][:1]
        if not quotes or quotes[0].span.end - quotes[0].span.start > MAX_QUOTE_CHARS:
            sentence = self.builder.sentences.rows[rowids[0]]
            passage = self.builder.documents.passage(sentence.doc_id, sentence.passage_id)
            quotes = [Quote(sentence.span, sentence.doc_id, passage, score)] if passage else []
        cited = composer.citations_for(quotes)
        if not cited:
            return None
        quote, citation = cited[0]
        key = (citation.doc_id, citation.start, citation.end)
        number = self.numbers.setdefault(key, len(self.numbers) + 1)
        document = self.builder.documents[citation.doc_id]
        return MapQuote(
            n=number,
            document=citation.doc_id,
            speaker=_label(document, quote.passage),
            karma=document.karma_of(quote.passage),
            **citation.model_dump(include={"quote", "display", "start", "end", "url"}),
        )


def _numbered(found: PositionMap) -> PositionMap:
    """Sources numbered in reading order: positions first, then the exchanges."""
    numbers: dict[int, int] = {}

    def renumbered(quote: MapQuote) -> MapQuote:
        return quote.model_copy(update={"n": numbers.setdefault(quote.n, len(numbers) + 1)})

    positions = [
        p.model_copy(update={"quotes": [renumbered(q) for q in p.quotes]}) for p in found.positions
    ]
    exchanges = [e.model_copy(update={"source": renumbered(e.source)}) for e in found.exchanges]
    return found.model_copy(update={"positions": positions, "exchanges": exchanges})


def _own_words(own: str, passage: Passage, span: Span) -> bool:
    """Enough words of the speaker's own: what they paste, block-quote or put in
    quotation marks is someone else's (a quoted critic's "I disagree …" is not theirs)."""
    return len(own[span.start - passage.start : span.end - passage.start].split()) >= MIN_WORDS


def _children(found: list[Scored]) -> dict[str, list[Passage]]:
    children: dict[str, list[Passage]] = defaultdict(list)
    for document in {s.document.id: s.document for s in found}.values():
        for passage in document.passages:
            if passage.reply_to:
                children[f"{document.id}/{passage.reply_to}"].append(passage)
    return children


def _answered(document: Document, passage: Passage) -> str | None:
    """Whom a reply answers: the author of the passage it replies to, else the name the
    page gives; a comment whose parent the page lost answers nobody we can name."""
    if passage.reply_to:
        parent = next((p for p in document.passages if p.id == passage.reply_to), None)
        if parent is not None:
            return _label(document, parent)
    return passage.replying_to_speaker


def _label(document: Document, passage: Passage) -> str:
    """A name for everyone on a map: pages that drop commenters' names still number
    their comments, and two unnamed people must not merge into one."""
    if passage.speaker:
        return passage.speaker
    if passage.role is not Role.COMMENT:
        return _author(document)
    return f"commenter #{passage.comment_index}" if passage.comment_index else "a commenter"


def _author(document: Document) -> str:
    return document.author or f"the author of “{document.title}”"


def _thread_order(scored: Scored) -> tuple:
    passage = scored.passage
    return (scored.document.id, passage.comment_index or 0, passage.start)
