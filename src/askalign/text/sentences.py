"""Sentences: the unit an answer quotes, embedded once at ingest like chunks.

A paraphrased question often matches one sentence inside a chunk about several
things; scoring sentences by meaning at question time is then a matrix product over
cached vectors, not a model call (the sentence-window idea of llama-index's
`SentenceWindowNodeParser`). Sentences are cut per passage, so one never crosses two
speakers, and a short tail such as `(@tailcalled, 2023).)` stays on the sentence it
closes.
"""

from __future__ import annotations

import hashlib
import re

from pydantic import BaseModel

from askalign.documents import Document
from askalign.text.readable import readable
from askalign.text.spans import Span, iter_lines, trim

MIN_WORDS = 5
# Longer than this, a "sentence" is text the pattern below could not split (no capital
# after a full stop, no full stop at all): it is cut again, so that a quote, a sentence
# vector and a citation stay a few sentences long in any text, however it is written.
MAX_SENTENCE_CHARS = 600
# A mark after a backslash is Markdown's escape (`[2\. Corrigibility](…)`), not an end.
_SENTENCE_END = re.compile(r"(?<!\\)([.!?…][\"”’')\]]*)\s+(?=[A-Z0-9\"“‘(\[•@§])")
# Where an overlong span is cut, strongest first: any sentence end, a clause mark, a
# comma, any space. The match's group 1 ends the piece before the cut.
_WEAKER_BREAKS = (
    re.compile(r"([.!?…][\"”’')\]]*)\s+"),
    re.compile(r"([;:])\s+"),
    re.compile(r"(,)\s+"),
    re.compile(r"(\S)\s+"),
)


class Sentence(BaseModel):
    """One sentence of a passage, located in its document's source text."""

    doc_id: str
    passage_id: str
    start: int
    end: int
    text_hash: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


def sentence_spans(text: str, start: int, end: int) -> list[Span]:
    """Sentences and list lines of text[start:end], each a trimmed span of at most
    MAX_SENTENCE_CHARS."""
    spans: list[Span] = []
    for line in iter_lines(text, start, end):
        cursor = line.start
        for match in _SENTENCE_END.finditer(text, line.start, line.end):
            spans.extend(bounded(text, trim(text, cursor, match.end(1))))
            cursor = match.end()
        spans.extend(bounded(text, trim(text, cursor, line.end)))
    return [span for span in spans if span.end > span.start]


def bounded(text: str, span: Span, level: int = 0) -> list[Span]:
    """The span, or if it is too long, its pieces: cut at every break of the strongest
    kind it has, each piece still too long cut at the next kind, and a run with no break
    at all cut every MAX_SENTENCE_CHARS. Linear in the span's length."""
    if span.end - span.start <= MAX_SENTENCE_CHARS:
        return [span]
    if level == len(_WEAKER_BREAKS):
        return [
            trim(text, at, min(at + MAX_SENTENCE_CHARS, span.end))
            for at in range(span.start, span.end, MAX_SENTENCE_CHARS)
        ]
    pieces: list[Span] = []
    cursor = span.start
    for match in _WEAKER_BREAKS[level].finditer(text, span.start, span.end):
        if level < 3 or match.end(1) - cursor > MAX_SENTENCE_CHARS // 2:
            pieces.append(trim(text, cursor, match.end(1)))
            cursor = match.end()
    pieces.append(trim(text, cursor, span.end))
    return [
        piece
        for whole in pieces
        if whole.end > whole.start
        for piece in bounded(text, whole, level + 1)
    ]


def whole_sentences(text: str, start: int, end: int) -> list[Span]:
    """Sentences with a short tail on the same line kept on the sentence it closes."""
    spans: list[Span] = []
    for span in sentence_spans(text, start, end):
        fragment = len(span.cut(text).split()) < MIN_WORDS
        joined = Span(spans[-1].start, span.end) if spans else span
        short = joined.end - joined.start <= MAX_SENTENCE_CHARS
        if fragment and spans and short and "\n" not in text[spans[-1].end : span.start]:
            spans[-1] = Span(spans[-1].start, span.end)
        else:
            spans.append(span)
    return spans


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sentence_text(document: Document, span: Span) -> str:
    """What the model embeds for a sentence: its words as a reader sees them."""
    return readable(span.cut(document.source_text), document.format)


def document_sentences(document: Document) -> list[Sentence]:
    text = document.source_text
    return [
        Sentence(
            doc_id=document.id,
            passage_id=passage.id,
            start=span.start,
            end=span.end,
            text_hash=text_hash(sentence_text(document, span)),
        )
        for passage in document.passages
        for span in whole_sentences(text, passage.start, passage.end)
    ]
