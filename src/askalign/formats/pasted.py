"""Find text that a commenter pasted from earlier text, and the replies that implies.

LessWrong scrapes lose both blockquote markup and reply nesting. What survives is the
habit of pasting the words one answers: a paragraph that repeats (exactly, or nearly)
an earlier paragraph is a quote, and the comment holding it replies to whoever wrote
those words. Here only such evidence, or an explicit @mention, sets a reply; a page that
lists its comments in thread order may then link the rest by that order (order_links.py).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple

from askalign.documents import InferredBy, Passage, PastedSpan
from askalign.text.spans import Span, blocks, iter_lines, normalize

MIN_QUOTE_CHARS = 25
MIN_QUOTE_WORDS = 5
SHINGLE = 4
NEAR_EXACT_CONTAINMENT = 0.8
MIN_NEAR_EXACT_WORDS = 20  # shorter near-repeats are shared phrases (a paper title), not pastes
MAX_LOOKED_UP = 1000
_TOKEN = re.compile(r"\w+")  # spans.words on text that is normalized already


class QuoteSource(NamedTuple):
    passage_id: str
    speaker: str | None
    origin_id: str
    origin_speaker: str | None
    role: str


class QuoteMatch(NamedTuple):
    source: QuoteSource
    exact: bool


def _shingles(tokens: list[str]) -> set[int]:
    """Each run of SHINGLE tokens, kept as its hash: a thread of 20,000 comments holds
    millions of shingles, and an int keys them in a fraction of a tuple's memory."""
    return {hash(tuple(tokens[i : i + SHINGLE])) for i in range(len(tokens) - SHINGLE + 1)}


class _Prepared(NamedTuple):
    normalized: str
    tokens: list[str]
    shingles: set[int]


class QuoteIndex:
    """Earlier text, unit by unit (paragraphs or lines), searchable for repeats.

    Each unit added after the first also adds a bridge, the previous unit and this one
    joined: a pasted quote often runs across a paragraph break. Units get even numbers,
    bridges the odd ones between the two units they join, so page order is number order.

    Postings (shingle → numbers holding it, in the order added) let a lookup test only
    the units that can match, not every earlier one: quoting across a thread of n
    comments costs about n lookups, not n² comparisons. A bridge is posted under the
    shingles that cross its break only; it holds every shingle of its two units too,
    so a unit found also brings the bridges beside it."""

    def __init__(self) -> None:
        self._sources: list[QuoteSource] = []  # by number, bridges included
        self._texts: list[str] = []  # units only: number // 2
        self._tokens_before: list[str] = []  # the last unit's tail, for the next bridge
        self._by_shingle: dict[int, list[int]] = defaultdict(list)
        self._looked_up: dict[str, _Prepared] = {}  # found, to be added next

    def _prepare(self, text: str) -> _Prepared:
        """A unit's normalized text, tokens and shingles. A comment's units are looked
        up and then added: what the lookup worked out is kept for the add."""
        prepared = self._looked_up.pop(text, None)
        if prepared is None:
            normalized = normalize(text)
            tokens = _TOKEN.findall(normalized)
            prepared = _Prepared(normalized, tokens, _shingles(tokens))
        return prepared

    def add(self, text: str, source: QuoteSource) -> None:
        normalized, tokens, shingles = self._prepare(text)
        if self._sources:
            bridge = len(self._sources)
            self._sources.append(self._sources[-1])
            for shingle in _shingles(self._tokens_before + tokens[: SHINGLE - 1]):
                self._by_shingle[shingle].append(bridge)
        unit = len(self._sources)
        self._sources.append(source)
        self._texts.append(normalized)
        self._tokens_before = tokens[-(SHINGLE - 1) :]
        postings = self._by_shingle
        for shingle in shingles:
            postings[shingle].append(unit)

    def _text(self, number: int) -> str:
        if number % 2 == 0:
            return self._texts[number // 2]
        parts = (self._texts[number // 2], self._texts[number // 2 + 1])
        return " ".join(part for part in parts if part)

    def _holding(self, shingle: int) -> set[int]:
        """Every unit and bridge that holds the shingle."""
        found: set[int] = set()
        last = len(self._sources) - 1
        for number in self._by_shingle.get(shingle, ()):
            found.add(number)
            if number % 2 == 0:
                found.update(beside for beside in (number - 1, number + 1) if 0 <= beside <= last)
        return found

    def find(self, text: str) -> QuoteMatch | None:
        """The most recent earlier unit that this text repeats, if any; the match keeps the
        original author of the words, in case that unit itself quoted them."""
        prepared = self._prepare(text)
        if len(self._looked_up) > MAX_LOOKED_UP:  # looked up and never added
            self._looked_up.clear()
        self._looked_up[text] = prepared
        needle, tokens, shingles = prepared
        if len(needle) < MIN_QUOTE_CHARS or len(needle.split()) < MIN_QUOTE_WORDS:
            return None
        for number in sorted(self._containing(tokens), reverse=True):
            if needle in self._text(number):
                return QuoteMatch(self._sources[number], exact=True)
        if len(tokens) < MIN_NEAR_EXACT_WORDS:
            return None
        return self._near_exact(shingles)

    def _containing(self, tokens: list[str]) -> set[int]:
        """Units and bridges that may contain the needle: those holding its rarest inner
        shingle. The first and last tokens may be cut words; the inner ones are whole in
        any text that contains the needle. A needle too short for an inner shingle may be
        cut at one end only. Without a shingle, it quotes nothing."""
        inner = tokens[1:-1]
        if len(inner) >= SHINGLE:
            return self._holding_rarest(inner)
        if len(tokens) <= SHINGLE:
            return set()
        return self._holding_rarest(tokens[1:]) | self._holding_rarest(tokens[:-1])

    def _holding_rarest(self, tokens: list[str]) -> set[int]:
        rarest = min(_shingles(tokens), key=lambda key: len(self._by_shingle.get(key, ())))
        return self._holding(rarest)

    def _near_exact(self, shingles: set[int]) -> QuoteMatch | None:
        """The most recent text holding the most of the shingles, if that is at least
        NEAR_EXACT_CONTAINMENT of them. Such a text holds at least one of any `spare + 1`
        of them, so only the texts holding one of the rarest few are counted."""
        if len(shingles) < 2:
            return None
        needed = math.ceil(NEAR_EXACT_CONTAINMENT * len(shingles))
        by_rarity = sorted(shingles, key=lambda key: len(self._by_shingle.get(key, ())))
        candidates = set().union(
            *(self._holding(key) for key in by_rarity[: len(shingles) - needed + 1])
        )
        hits = {number: sum(self._holds(number, key) for key in shingles) for number in candidates}
        best = max(hits, key=lambda number: (hits[number], number), default=None)
        if best is None or hits[best] < needed:
            return None
        return QuoteMatch(self._sources[best], exact=False)

    def _holds(self, number: int, shingle: int) -> bool:
        """Whether a unit (or a bridge, through its two units) holds the shingle; the
        postings are in ascending order, so a lookup is a binary search."""
        postings = self._by_shingle.get(shingle, [])
        at = bisect_left(postings, number - 1 if number % 2 else number)
        return any(
            found in (number - 1, number, number + 1) if number % 2 else found == number
            for found in postings[at : at + 3]
        )


def paragraph_spans(passage: Passage, text: str) -> list[Span]:
    return blocks(list(iter_lines(text, passage.start, passage.end)), text)


def index_passage(index: QuoteIndex, passage: Passage, units: list[Span], text: str) -> None:
    """Register a passage's units; a unit that is itself a quote keeps its origin."""
    quoted = {(quote.start, quote.end): quote for quote in passage.pasted}
    for unit in units:
        quote = quoted.get((unit.start, unit.end))
        origin = (
            (quote.source_passage_id, quote.source_speaker)
            if quote
            else (passage.id, passage.speaker)
        )
        source = QuoteSource(passage.id, passage.speaker, *origin, passage.role.value)
        index.add(unit.cut(text), source)


def mark_quotes(
    passage: Passage, units: list[Span], text: str, index: QuoteIndex, infer_reply: bool = True
) -> None:
    """Mark each unit of a comment that repeats earlier text. The first quote of someone
    else's words sets reply_to (unless `infer_reply` is off): the words' original author,
    not a later comment that pasted them too."""
    for unit in units:
        match = index.find(unit.cut(text))
        if match is None or match.source.passage_id == passage.id:
            continue
        passage.pasted.append(
            PastedSpan(
                start=unit.start,
                end=unit.end,
                source_passage_id=match.source.origin_id,
                source_speaker=match.source.origin_speaker,
                exact=match.exact,
            )
        )
        own_words = passage.speaker is not None and match.source.origin_speaker == passage.speaker
        if infer_reply and passage.reply_to is None and not own_words:
            passage.reply_to = match.source.origin_id
            passage.replying_to_speaker = match.source.origin_speaker
            passage.reply_inferred_by = InferredBy.QUOTE


def mark_mentions(comments: list[Passage], text: str, speakers: list[str]) -> None:
    """An @name outside quoted text, naming someone in the thread, points a reply at them;
    so does a comment that opens by addressing one of them ("Lawrence, how are…")."""
    latest_by_speaker: dict[str, str] = {}
    for comment in comments:
        if comment.reply_to is None and comment.replying_to_speaker is None:
            named = _mentioned_speaker(comment, text, speakers) or _addressed_speaker(
                comment, text, [s for s in speakers if s in latest_by_speaker]
            )
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


# A comment's first word, a name followed by a comma: "Lawrence, how are these…"
_ADDRESS = re.compile(r"\s*([A-Z][\w.-]{3,}),\s")


def _addressed_speaker(comment: Passage, text: str, speakers: list[str]) -> str | None:
    """The one earlier commenter whose name starts with the word the comment opens by
    addressing ("Lawrence" for LawrenceC, "Steve" for Steve_Byrnes)."""
    opening = _ADDRESS.match(_outside_quotes(comment, text))
    if opening is None:
        return None
    word = opening[1].casefold()
    named = [s for s in speakers if s != comment.speaker and s.casefold().startswith(word)]
    return named[0] if len(named) == 1 else None


def _outside_quotes(passage: Passage, text: str) -> str:
    pieces: list[str] = []
    cursor = passage.start
    for quote in sorted(passage.pasted, key=lambda q: q.start):
        pieces.append(text[cursor : quote.start])
        cursor = quote.end
    pieces.append(text[cursor : passage.end])
    return "\n".join(pieces)


def link_thread(
    post: list[Passage],
    comments: list[Passage],
    text: str,
    units_of: Callable[[Passage], list[Span]],
    infer_replies: bool = True,
) -> None:
    """Mark quotes and replies in page order: the post first, then each comment. With
    `infer_replies` off (the site's reply tree is known), quotes are marked and no
    reply is set, by a quote or by an @mention."""
    index = QuoteIndex()
    for passage in post:
        index_passage(index, passage, units_of(passage), text)
    for comment in comments:
        units = units_of(comment)
        mark_quotes(comment, units, text, index, infer_replies)
        index_passage(index, comment, units, text)
    if infer_replies:
        speakers = {p.speaker for p in [*post, *comments] if p.speaker}
        mark_mentions(comments, text, sorted(speakers))
