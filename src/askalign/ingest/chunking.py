"""Passage-aware chunks that fit the embedding model.

A chunk never crosses two comments, the post/comment boundary, a footnote or a
heading: it holds one speaker's words from one place, so a citation built from it
names the right person. Long passages split at sentence boundaries with a
one-sentence overlap; short neighbouring paragraphs of one section merge. Sizes
are measured with the model's own tokenizer.
"""

from __future__ import annotations

from typing import NamedTuple

from askalign.documents import Chunk, Document, Passage, Role
from askalign.text.readable import readable
from askalign.text.sentences import sentence_spans, text_hash
from askalign.text.spans import Span, trim
from askalign.text.tokens import SPECIAL_TOKENS, TokenCounter

CHUNKER_VERSION = "3"  # 2: documents carry their sentences; 3: sentences of bounded length
MODEL_MAX_TOKENS = 256
MERGEABLE_ROLES = frozenset({Role.POST, Role.ESSAY})


class Segment(NamedTuple):
    """A sentence or list line, the unit chunks are packed from."""

    span: Span
    passage: Passage
    tokens: int


def passage_groups(doc: Document) -> list[list[Passage]]:
    """Runs of passages that may share a chunk: same role, speaker and section, with
    nothing but whitespace between them. Comments and footnotes stand alone."""
    groups: list[list[Passage]] = []
    for passage in doc.passages:
        previous = groups[-1][-1] if groups else None
        if previous is not None and _mergeable(previous, passage, doc.source_text):
            groups[-1].append(passage)
        else:
            groups.append([passage])
    return groups


def _mergeable(previous: Passage, passage: Passage, text: str) -> bool:
    return (
        previous.role in MERGEABLE_ROLES
        and passage.role is previous.role
        and passage.speaker == previous.speaker
        and passage.section == previous.section
        and previous.end <= passage.start
        and not text[previous.end : passage.start].strip()
    )


MAX_HEADING_TOKENS = 32  # a heading gives context; a 1 MB "heading" must not eat the chunk


class Chunker:
    def __init__(self, counter: TokenCounter, target_tokens: int) -> None:
        self.counter = counter
        self.max_tokens = MODEL_MAX_TOKENS - SPECIAL_TOKENS
        self.target_tokens = min(target_tokens, self.max_tokens)

    def chunk(self, doc: Document) -> list[Chunk]:
        windows: list[list[Segment]] = []
        for group in passage_groups(doc):
            windows.extend(self._pack(self._segments(doc.source_text, group)))
        return self._to_chunks(doc, windows)

    def _segments(self, text: str, group: list[Passage]) -> list[Segment]:
        pairs = [
            (span, passage)
            for passage in group
            for span in sentence_spans(text, passage.start, passage.end)
        ]
        counts = self.counter.count_many([span.cut(text) for span, _ in pairs])
        segments: list[Segment] = []
        for (span, passage), tokens in zip(pairs, counts, strict=True):
            segments.extend(self._fit(text, Segment(span, passage, tokens)))
        return segments

    def _fit(self, text: str, segment: Segment) -> list[Segment]:
        """Cut a sentence too long for one chunk at token boundaries (on whitespace)."""
        budget = self.max_tokens - self._prefix_tokens(segment.passage)
        if segment.tokens <= budget:
            return [segment]
        offsets = self.counter.word_offsets(segment.span.cut(text))
        pieces: list[Segment] = []
        first = 0
        while first < len(offsets):
            last = min(first + budget, len(offsets)) - 1
            while (
                last > first
                and last + 1 < len(offsets)
                and offsets[last][1] == offsets[last + 1][0]
            ):
                last -= 1  # never split a word between its word pieces
            start = segment.span.start + offsets[first][0]
            end = segment.span.start + offsets[last][1]
            pieces.append(Segment(trim(text, start, end), segment.passage, last - first + 1))
            first = last + 1
        return pieces

    def heading_prefix(self, passage: Passage) -> str:
        """What the model sees before the text: the heading it sits under, if any, cut
        to a few tokens so that the text itself always fits."""
        if not passage.section:
            return ""
        heading = passage.section[-1]
        offsets = self.counter.word_offsets(heading)
        if len(offsets) > MAX_HEADING_TOKENS:
            heading = heading[: offsets[MAX_HEADING_TOKENS - 1][1]]
        return f"{heading}\n"

    def _prefix_tokens(self, passage: Passage) -> int:
        prefix = self.heading_prefix(passage)
        return self.counter.count(prefix) if prefix else 0

    def _pack(self, segments: list[Segment]) -> list[list[Segment]]:
        """Greedy packing up to the target size; each window after the first starts
        with the last sentence of the one before, when that sentence is short."""
        if not segments:
            return []
        budget = self.target_tokens - self._prefix_tokens(segments[0].passage)
        windows: list[list[Segment]] = [[]]
        used = 0
        for segment in segments:
            if windows[-1] and used + segment.tokens > budget:
                carried = windows[-1][-1]
                overlap = len(windows[-1]) > 1 and carried.tokens * 4 <= budget
                windows.append([carried] if overlap else [])
                used = carried.tokens if overlap else 0
            windows[-1].append(segment)
            used += segment.tokens
        return windows

    def _to_chunks(self, doc: Document, windows: list[list[Segment]]) -> list[Chunk]:
        chunks: list[Chunk] = []
        seen_ids: set[str] = set()
        for window in windows:
            for part in self._within_limit(doc, window):
                chunk = self._make_chunk(doc, part, len(chunks), seen_ids)
                seen_ids.add(chunk.id)
                chunks.append(chunk)
        return chunks

    def _within_limit(self, doc: Document, window: list[Segment]) -> list[list[Segment]]:
        """The exact slice (with the gaps between sentences) must fit the model too."""
        span = Span(window[0].span.start, window[-1].span.end)
        text = self.heading_prefix(window[0].passage) + span.cut(doc.source_text)
        if len(window) == 1 or self.counter.count(text) <= self.max_tokens:
            return [window]
        middle = len(window) // 2
        return self._within_limit(doc, window[:middle]) + self._within_limit(doc, window[middle:])

    def _make_chunk(
        self, doc: Document, window: list[Segment], position: int, seen: set[str]
    ) -> Chunk:
        first = window[0].passage
        span = Span(window[0].span.start, window[-1].span.end)
        text = span.cut(doc.source_text)
        embed_text = self.heading_prefix(first) + readable(text, doc.format)
        embed_hash = text_hash(embed_text)
        chunk_id = f"{doc.id}:{embed_hash[:16]}"
        duplicate = 2
        while chunk_id in seen:
            chunk_id, duplicate = f"{doc.id}:{embed_hash[:16]}-{duplicate}", duplicate + 1
        passages = list(dict.fromkeys(segment.passage.id for segment in window))
        return Chunk(
            id=chunk_id,
            doc_id=doc.id,
            doc_title=doc.title,
            url=first.url or doc.url,
            position=position,
            passage_ids=passages,
            role=first.role,
            speaker=first.speaker,
            section=first.section,
            start=span.start,
            end=span.end,
            text=text,
            embed_text=embed_text,
            text_hash=embed_hash,
            token_count=self.counter.count(embed_text),
            footnote=first.footnote,
            comment_index=first.comment_index,
            karma=first.karma,
            reply_to=first.reply_to,
            replying_to_speaker=first.replying_to_speaker,
            pasted=[q for q in first.pasted if q.start < span.end and q.end > span.start],
        )
