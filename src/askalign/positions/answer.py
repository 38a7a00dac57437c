"""A chat answer built from a map, for questions about who disagreed, the positions on a
topic, or who argued against it: the replies first (where disagreement lives), each
reply's stance only as its own words state it, then the others who addressed the topic.

A map with nobody but the person asked about has no answer to give: the ordinary
answer, with its abstention check, takes over."""

from __future__ import annotations

from askalign.answer.answers import Citation
from askalign.answer.extractive import ExtractiveComposer
from askalign.answer.windows import Quote
from askalign.documents import Document, Passage
from askalign.positions.map import Exchange, MapQuote, PositionMap, Relation
from askalign.text.spans import Span

MAX_ANSWER_QUOTES = 5


class MapAnswer:
    def __init__(self, composer: ExtractiveComposer) -> None:
        self.composer = composer

    def compose(
        self, found: PositionMap, subject: str | None, disagreement_first: bool = False
    ) -> tuple[str, list[Citation]]:
        """Text and citations, or ("", []) when the map holds nobody besides `subject`."""
        speakers = {p.speaker for p in found.positions} | {e.from_speaker for e in found.exchanges}
        if not speakers - {subject}:
            return "", []
        chosen = self._chosen(found, subject, disagreement_first)
        citations: list[Citation] = []
        lines: list[str] = []
        for lead_in, source in chosen[:MAX_ANSWER_QUOTES]:
            citation = self._cite(source, len(citations) + 1)
            if citation is not None:
                citations.append(citation)
                text = " ".join(citation.display.split())
                lines.append(f"{lead_in[:1].upper()}{lead_in[1:]}: “{text}” [{citation.n}]")
        return "\n\n".join(lines), citations

    def _chosen(
        self, found: PositionMap, subject: str | None, disagreement_first: bool
    ) -> list[tuple[str, MapQuote]]:
        """Replies to the subject, nearest the topic first (an answer leads with its best
        sentence), stated disagreement before them where that is what was asked; then
        the best quote of each participant not yet quoted, the subject last."""
        replies = _answered_back(
            sorted(
                (e for e in found.exchanges if subject is None or e.to == subject),
                key=lambda e: (
                    not (disagreement_first and e.relation is Relation.DISAGREES),
                    -e.relevance,
                ),
            ),
            found.exchanges,
        )
        chosen = []
        for reply in replies:
            chosen.append((_reply_lead_in(reply), reply.source))
            reason = self._reason(found, reply)
            if reason is not None:
                chosen.append((f"{reply.from_speaker} goes on", reason))
        quoted = {e.from_speaker for e in replies}
        others = [p for p in found.positions if p.speaker not in quoted and p.speaker != subject]
        chosen += [(f"{p.speaker} writes", p.quotes[0]) for p in others if p.quotes]
        own = next((p for p in found.positions if p.speaker == subject), None)
        if own is not None and own.quotes:
            chosen.append((f"{own.speaker} writes", own.quotes[0]))
        unique: list[tuple[str, MapQuote]] = []
        seen: set[tuple[str, int]] = set()
        for lead_in, quote in chosen:
            if (quote.document, quote.start) not in seen:
                seen.add((quote.document, quote.start))
                unique.append((lead_in, quote))
        return unique

    def _reason(self, found: PositionMap, reply: Exchange) -> MapQuote | None:
        """Where a reply's stance and its best sentence on the topic stand apart, that
        sentence from the same comment: "I disagree" alone says who, not why."""
        if reply.marker is None:
            return None
        position = next((p for p in found.positions if p.speaker == reply.from_speaker), None)
        document = self.composer.documents[reply.source.document]
        said_in = _passage_at(document, reply.source.start)
        if position is None or said_in is None:
            return None
        for quote in position.quotes:
            apart = quote.end <= reply.source.start or quote.start >= reply.source.end
            inside = quote.document == document.id and said_in.start <= quote.start < said_in.end
            if apart and inside:
                return quote
        return None

    def _cite(self, source: MapQuote, number: int) -> Citation | None:
        document = self.composer.documents[source.document]
        passage = _passage_at(document, source.start)
        if passage is None:
            return None
        quote = Quote(Span(source.start, source.end), document.id, passage, 0.0)
        cited = self.composer.citations_for([quote])
        return cited[0][1].model_copy(update={"n": number}) if cited else None


def _answered_back(replies: list[Exchange], exchanges: list[Exchange]) -> list[Exchange]:
    """Each reply followed by the answer it got back, so that an exchange reads whole."""
    ordered: list[Exchange] = []
    for reply in replies:
        back = next(
            (e for e in exchanges if (e.from_speaker, e.to) == (reply.to, reply.from_speaker)),
            None,
        )
        ordered += [e for e in (reply, back) if e is not None and e not in ordered]
    return ordered


def _reply_lead_in(exchange: Exchange) -> str:
    if exchange.marker:
        return f"{exchange.from_speaker}, replying to {exchange.to}, {exchange.relation.value}"
    return f"{exchange.from_speaker}, replying to {exchange.to}, writes"


def _passage_at(document: Document, offset: int) -> Passage | None:
    return next((p for p in document.passages if p.start <= offset < p.end), None)
