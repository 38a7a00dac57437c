"""Find text that a commenter pasted from earlier text, and the replies that implies.

LessWrong scrapes lose both blockquote markup and reply nesting. What survives is the
habit of pasting the words one answers: a paragraph that repeats (exactly, or nearly)
an earlier paragraph is a quote, and the comment holding it replies to whoever wrote
those words. Only such evidence, or an explicit @mention, ever sets a reply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from askalign.models import InferredBy, Passage, QuoteSpan
from askalign.spans import Span, blocks, iter_lines, normalize, words

MIN_QUOTE_CHARS = 25
MIN_QUOTE_WORDS = 5
SHINGLE = 4
NEAR_EXACT_CONTAINMENT = 0.8
MIN_NEAR_EXACT_WORDS = 20  # shorter near-repeats are shared phrases (a paper title), not pastes


class QuoteSource(NamedTuple):
    passage_id: str
    speaker: str | None
    origin_id: str
    origin_speaker: str | None
    role: str


class QuoteMatch(NamedTuple):
    source: QuoteSource
    exact: bool


def _shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + SHINGLE]) for i in range(max(len(tokens) - SHINGLE + 1, 0))}


class QuoteIndex:
    """Earlier text, unit by unit (paragraphs or lines), searchable for repeats."""

    def __init__(self) -> None:
        self._sources: list[QuoteSource] = []
        self._texts: list[str] = []
        self._shingle_sizes: list[int] = []
        self._by_shingle: dict[tuple[str, ...], set[int]] = defaultdict(set)
        self._by_word: dict[str, set[int]] = defaultdict(set)
        self._last_text: str | None = None
        self._last_source: QuoteSource | None = None

    def add(self, text: str, source: QuoteSource) -> None:
        """Index a unit, and the unit bridged with the one before it: a pasted quote
        often runs across a paragraph break."""
        if self._last_text is not None and self._last_source is not None:
            self._add_unit(f"{self._last_text} {text}", self._last_source)
        self._add_unit(text, source)
        self._last_text, self._last_source = text, source

    def _add_unit(self, text: str, source: QuoteSource) -> None:
        unit = len(self._sources)
        self._sources.append(source)
        self._texts.append(normalize(text))
        tokens = words(text)
        shingles = _shingles(tokens)
        self._shingle_sizes.append(len(shingles))
        for shingle in shingles:
            self._by_shingle[shingle].add(unit)
        for token in set(tokens):
            self._by_word[token].add(unit)

    def find(self, text: str) -> QuoteMatch | None:
        """The most recent earlier unit that this text repeats, if any; the match keeps the
        original author of the words, in case that unit itself quoted them."""
        needle = normalize(text)
        if len(needle) < MIN_QUOTE_CHARS or len(needle.split()) < MIN_QUOTE_WORDS:
            return None
        tokens = words(text)
        for unit in sorted(self._containing(tokens), reverse=True):
            if needle in self._texts[unit]:
                return QuoteMatch(self._sources[unit], exact=True)
        if len(tokens) < MIN_NEAR_EXACT_WORDS:
            return None
        return self._near_exact(_shingles(tokens))

    def _containing(self, tokens: list[str]) -> set[int]:
        """Units that may contain the needle: those holding its rarest inner shingle (or
        word). The first and last tokens may be cut words; every inner one is whole in
        any unit that contains the needle. Testing only these, not every earlier unit,
        keeps a thread of n comments at about n lookups instead of n² comparisons."""
        inner = tokens[1:-1]
        if len(inner) >= SHINGLE:
            postings = [self._by_shingle.get(key, set()) for key in _shingles(inner)]
        else:
            postings = [self._by_word.get(token, set()) for token in inner]
        return min(postings, key=len, default=set())  # no words: quotes nothing

    def _near_exact(self, shingles: set[tuple[str, ...]]) -> QuoteMatch | None:
        if len(shingles) < 2:
            return None
        hits: dict[int, int] = defaultdict(int)
        for shingle in shingles:
            for unit in self._by_shingle.get(shingle, ()):
                hits[unit] += 1
        best = max(hits, key=lambda unit: (hits[unit], unit), default=None)
        if best is None or hits[best] / len(shingles) < NEAR_EXACT_CONTAINMENT:
            return None
        return QuoteMatch(self._sources[best], exact=False)


def paragraph_spans(passage: Passage, text: str) -> list[Span]:
    return blocks(list(iter_lines(text, passage.start, passage.end)), text)


def index_passage(index: QuoteIndex, passage: Passage, units: list[Span], text: str) -> None:
    """Register a passage's units; a unit that is itself a quote keeps its origin."""
    quoted = {(quote.start, quote.end): quote for quote in passage.quotes}
    for unit in units:
        quote = quoted.get((unit.start, unit.end))
        origin = (
            (quote.source_passage_id, quote.source_speaker)
            if quote
            else (passage.id, passage.speaker)
        )
        source = QuoteSource(passage.id, passage.speaker, *origin, passage.role.value)
        index.add(unit.cut(text), source)


def mark_quotes(passage: Passage, units: list[Span], text: str, index: QuoteIndex) -> None:
    """Mark each unit of a comment that repeats earlier text. The first quote of someone
    else's words sets reply_to: the words' original author, not a later comment that
    pasted them too."""
    for unit in units:
        match = index.find(unit.cut(text))
        if match is None or match.source.passage_id == passage.id:
            continue
        passage.quotes.append(
            QuoteSpan(
                start=unit.start,
                end=unit.end,
                source_passage_id=match.source.origin_id,
                source_speaker=match.source.origin_speaker,
                exact=match.exact,
            )
        )
        own_words = passage.speaker is not None and match.source.origin_speaker == passage.speaker
        if passage.reply_to is None and not own_words:
            passage.reply_to = match.source.origin_id
            passage.replying_to_speaker = match.source.origin_speaker
            passage.reply_inferred_by = InferredBy.QUOTE


def mark_mentions(comments: list[Passage], text: str, speakers: list[str]) -> None:
    """An @name outside quoted text, naming someone in the thread, points a reply at them."""
    latest_by_speaker: dict[str, str] = {}
    for comment in comments:
        if comment.reply_to is None and comment.replying_to_speaker is None:
            named = _mentioned_speaker(comment, text, speakers)
            if named is not None:
                comment.replying_to_speaker = named
                comment.reply_to = latest_by_speaker.get(named)
                comment.reply_inferred_by = InferredBy.MENTION
        if comment.speaker:
            latest_by_speaker[comment.speaker] = comment.id


def _mentioned_speaker(comment: Passage, text: str, speakers: list[str]) -> str | None:
    """The longest speaker named after an `@` (alphabetically first among equals). Each
    `@` is tried against the speakers' lengths, not against every speaker: a thread of
    thousands of commenters stays linear."""
    own_text = _outside_quotes(comment, text)
    if "@" not in own_text:
        return None
    names = set(speakers) - {comment.speaker}
    lengths = {len(name) for name in names}
    named = {
        own_text[at + 1 : at + 1 + length]
        for at, char in enumerate(own_text)
        if char == "@"
        for length in lengths
    }
    return min(named & names, key=lambda name: (-len(name), name), default=None)


def _outside_quotes(passage: Passage, text: str) -> str:
    pieces: list[str] = []
    cursor = passage.start
    for quote in sorted(passage.quotes, key=lambda q: q.start):
        pieces.append(text[cursor : quote.start])
        cursor = quote.end
    pieces.append(text[cursor : passage.end])
    return "\n".join(pieces)


def link_thread(
    post: list[Passage],
    comments: list[Passage],
    text: str,
    units_of: Callable[[Passage], list[Span]],
) -> None:
    """Mark quotes and replies in page order: the post first, then each comment."""
    index = QuoteIndex()
    for passage in post:
        index_passage(index, passage, units_of(passage), text)
    for comment in comments:
        units = units_of(comment)
        mark_quotes(comment, units, text, index)
        index_passage(index, comment, units, text)
    speakers = {p.speaker for p in [*post, *comments] if p.speaker}
    mark_mentions(comments, text, sorted(speakers))
