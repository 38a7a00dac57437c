"""A chosen sentence brings the neighbours it needs: the one before when it opens on a
back-reference ("That's not quite my position."), the ones after when it leads into
them ("Here are some reasons:") or when the next one carries on its example or reason.
A sentence that introduces a list brings the list: its items are quoted (up to a cap)
and the answer says how many there are, instead of stopping at "My view is:"."""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from askalign.answer.scoring import pasted
from askalign.documents import Passage
from askalign.index.shelf import Documents, SentenceTable
from askalign.text.courtesy import says_something
from askalign.text.sentences import MIN_WORDS
from askalign.text.spans import Span, trim
from askalign.text.terms import terms

MAX_QUOTED = 8  # sentences in the whole answer, windows included
NEXT_RATIO = 0.6  # the sentence after a chosen one joins it when it scores this share
MAX_LIST_ITEMS = 5
MAX_LIST_CHARS = 1600
REPLY_SENTENCES = 2  # more of an asked-for reply's own sentences after the chosen one
PAYOFF_SENTENCES = 3  # the sentences an announcement ("There are ways…") brings, at most
SHORT_ANNOUNCEMENT = 14  # words: a longer sentence that names "some problems" announces none
RESTATED_SHARE = 0.75  # of a sentence's words in the question: it says the question back
RESTATED_WORDS = 3

_BACK_REFERENCE = re.compile(
    r"^\W*(?:this|that|these|those|they|them|it|its|it's|so|such|but|however|thus|hence|"
    r"therefore|which|then|yes|no|also|instead|here|there|he|she|his|her|both|"
    r"and|or|because|otherwise|still|again|likewise|similarly|in (?:that|this) case|"
    r"for (?:that|this) reason|the (?:same|former|latter|other)|another|again)\b",
    re.I,
)
_CONTINUES = re.compile(
    r"^\W*(?:for (?:example|instance)|e\.g\.|i\.e\.|in other words|that is|because|since|"
    r"so\b|this (?:is|means|was|would|shows|happens)|that(?:'s|’s| is| means)|which|"
    r"as a result|the result|the reason|specifically|namely|in particular|then\b|"
    r"it (?:then|learned|found|turned)|second(?:ly)?\b|third(?:ly)?\b|fourth(?:ly)?\b|"
    r"finally\b|lastly\b)",
    re.I,
)
_EXAMPLE = re.compile(
    r"\b(?:(?:an?|one|classic|famous|another|for) (?:\w+ )?(?:example|instance|case)|"
    r"imagine|suppose|consider|picture)\b",
    re.I,
)
# "There are three reasons." / "a few ways to do this": an announced enumeration.
_ANNOUNCES = re.compile(
    r"\b(?:two|three|four|five|six|seven|several|a few|a couple of|some|many|\d+) (?:\w+ )?"
    r"(?:reasons|ways|things|problems|arguments|points|issues|options|approaches|steps|ideas|"
    r"objections|considerations|questions|claims|factors|examples|kinds|types|cases|"
    r"possibilities|strategies|routes|paths|stories|scenarios)\b",
    re.I,
)
# "There are ways of addressing this problem." / "Here are a few." : what they promise
# comes next.
_THERE_ARE = re.compile(
    r"\b(?:there (?:are|were|exist)|here are) (?:\w+ )?(?:\w+ )?"
    r"(?:reasons|ways|things|problems|arguments|points|issues|options|approaches|steps|ideas|"
    r"objections|considerations|questions|claims|factors|examples|kinds|types|cases)\b",
    re.I,
)
# "The answer is simple." / "My view is this." / "The problem is twofold.": a sentence
# that ends where its point is about to start.
_PROMISES = re.compile(
    r"\b(?:the (?:\w+ )?(?:answer|reason|point|upshot|catch|trouble|key|idea|problem|"
    r"question|difference)|my (?:\w+ )?(?:view|take|answer|guess|position|claim|worry|"
    r"reply|sense)) (?:is|was)(?: \w+){0,2}\W*$",
    re.I,
)
_BREAKS_OFF = (",", ";", "—", "–")
_ITEM = re.compile(r"[ \t]*(?:[-*•‣◦▪–]|\(?\d{1,2}[.)]|\(?[a-h][.)])[ \t]+\S")


class Quote(NamedTuple):
    """One or more neighbouring sentences of one passage, quoted together; a lead-in
    with the list it introduces, which may run over several passages of one speaker."""

    span: Span
    doc_id: str
    passage: Passage
    lead: float  # the best score among its sentences: the best quote leads
    items: tuple[int, int] | None = None  # a list: (items quoted, items in all)


def leads_in(text: str) -> bool:
    """Ends on a colon, an ellipsis or mid-sentence: what it introduces comes next."""
    return text.rstrip().rstrip("”\"'’)").endswith((":", "…", "...", *_BREAKS_OFF))


def breaks_off(text: str) -> bool:
    """Stops mid-sentence ("Then, perhaps,"): a list may finish it, or be it."""
    return text.rstrip().rstrip("”\"'’)").endswith(_BREAKS_OFF)


def payoff(text: str) -> int:
    """How many of the sentences after a set-up pay it off, whatever they say: the one
    after a lead-in, a promise ("The answer is simple.") or a question the text puts to
    itself ("How do humans implement integrity?"), up to PAYOFF_SENTENCES after a short
    announcement ("There are ways of addressing this problem.")."""
    short = len(text.split()) <= SHORT_ANNOUNCEMENT
    if short and (_THERE_ARE.search(text) or _ANNOUNCES.search(text)):
        return PAYOFF_SENTENCES
    asks = text.rstrip().rstrip("”\"'’)").endswith("?")
    return int(leads_in(text) or asks or bool(_PROMISES.search(text)))


def restates(text: str, asked: frozenset[str]) -> bool:
    """Says the question back and adds (almost) nothing: most of its words, and at
    least RESTATED_WORDS of them, are the question's."""
    [words] = terms([text])
    own = set(words)
    shared = own & asked
    return len(shared) >= RESTATED_WORDS and len(shared) >= RESTATED_SHARE * len(own)


class Windows:
    def __init__(self, documents: Documents, sentences: SentenceTable) -> None:
        self.documents = documents
        self.sentences = sentences

    def quotes(
        self,
        chosen: list[tuple[int, float]],
        told: set[int] | None = None,
        asked: frozenset[str] = frozenset(),
    ) -> list[Quote]:
        """Each chosen (sentence rowid, score) with the neighbours it needs,
        neighbouring sentences of one passage joined into one quote. A sentence in
        `told` is a reply the question asks for: it brings the rest of its point. One
        that only says the question back (`asked`: its terms) gives way to the
        sentences after it, and goes where none follow, unless nothing else is left."""
        spans: dict[int, float] = {}  # sentence rowid -> the score of the quote it serves
        for rowid, score in chosen:
            telling = told is not None and rowid in told
            for neighbour in self.window(rowid, score, dict(chosen), telling, asked):
                if neighbour != rowid and self._pasted(neighbour):
                    continue
                spans[neighbour] = max(spans.get(neighbour, -np.inf), score)
                if len(spans) >= MAX_QUOTED:
                    break
            if len(spans) >= MAX_QUOTED:
                break
        if not spans and asked:
            return self.quotes(chosen, told)
        finished = [q for q in map(self._finished, self._joined(spans)) if q is not None]
        return [q for q in finished if not any(_inside(q, other) for other in finished)]

    def by_voice(self, quote: Quote) -> list[Quote]:
        """A quote that runs into words its speaker quotes from someone else, or out of
        them, is cut there: each piece is the speaker's own words or a quote, and is
        credited as such. A list's count stays with the piece that ends the list."""
        inner = {edge for q in quote.passage.quoted for edge in (q.start, q.end)}
        cuts = sorted(edge for edge in inner if quote.span.start < edge < quote.span.end)
        if not cuts:
            return [quote]
        source = self.documents[quote.doc_id].source_text
        pieces = [
            quote._replace(span=span, items=None)
            for start, end in zip([quote.span.start, *cuts], [*cuts, quote.span.end], strict=True)
            if (span := trim(source, start, end)).end > span.start
        ]
        pieces[-1] = pieces[-1]._replace(items=quote.items)
        return pieces

    def window(
        self,
        rowid: int,
        score: float,
        scores: dict[int, float],
        telling: bool = False,
        asked: frozenset[str] = frozenset(),
    ) -> list[int]:
        """The sentence, the one before if it leans on it (unless that one is only
        thanks), and the ones after if it leads into them, they carry on its point, or
        they score nearly as well (the sentence that sets a scene is often followed by
        the one that answers). A set-up brings its payoff whatever the payoff says. A
        reply that is asked for (`telling`) goes on to the end of its point: up to
        REPLY_SENTENCES more of its own sentences, stopping where it pastes the next
        point it answers. A sentence that restates the question is replaced by what
        follows it."""
        text = self._text(rowid)
        restating = restates(text, asked)
        floor = NEXT_RATIO * score
        before, after = self.sentences.neighbours(rowid)
        window = [rowid]
        if (
            before is not None
            and not restating
            and (_BACK_REFERENCE.match(text) or len(text.split()) < 2 * MIN_WORDS)
            and says_something(self._text(before))
        ):
            window.insert(0, before)
        opens = leads_in(text)
        listing = opens  # a lead-in's items, one a line, all follow it
        owed = max(payoff(text), int(restating))  # sentences joining whatever they say
        following = 3 if opens else (REPLY_SENTENCES if telling else 2)
        following = max(following, owed)
        while after is not None and (following > 0 or listing):
            next_text = self._text(after)
            listing = listing and self._on_own_line(after) and len(window) <= MAX_LIST_ITEMS
            carries_on = (
                _BACK_REFERENCE.match(next_text)
                or _CONTINUES.match(next_text)
                or scores.get(after, -np.inf) >= floor
                or (telling and not self._pasted(after))
            )
            if not (owed > 0 or listing or carries_on or _EXAMPLE.search(text)):
                break
            window.append(after)
            text, opens = next_text, leads_in(next_text)
            owed = max(owed - 1, payoff(next_text))
            following = max(3 if opens else following - 1, owed)
            _, after = self.sentences.neighbours(after)
        return window[window.index(rowid) + 1 :] if restating else window

    def _on_own_line(self, rowid: int) -> bool:
        """The sentence starts a line: an item of a list that lost its bullets."""
        sentence = self.sentences.rows[rowid]
        source = self.documents[sentence.doc_id].source_text
        return "\n" in source[max(0, sentence.start - 8) : sentence.start]

    def _finished(self, quote: Quote) -> Quote | None:
        """A quote that introduces a list takes the list; one that ends on a lead-in
        whose continuation it cannot have loses that sentence (and goes, if it was
        nothing else). A quote of no words (a lone ">" line) goes."""
        source = self.documents[quote.doc_id].source_text
        if not any(ch.isalnum() for ch in quote.span.cut(source)):
            return None
        listed = self._with_list(quote)
        if listed is not None:
            return listed
        while leads_in(quote.span.cut(source)):
            inside = self.sentences.overlapping(quote.doc_id, quote.span.start, quote.span.end)
            if len(inside) < 2:
                return None
            quote = quote._replace(span=Span(quote.span.start, self.sentences.rows[inside[-2]].end))
        return quote

    def _with_list(self, quote: Quote) -> Quote | None:
        """The quote with the list one of its sentences introduces: the bulleted or
        numbered lines that follow in the same speaker's text, up to a cap, and how
        many items the list has (sub-items ride with their item, uncounted)."""
        source = self.documents[quote.doc_id].source_text
        items: list[Item] = []
        for rowid in self.sentences.overlapping(quote.doc_id, quote.span.start, quote.span.end):
            sentence = self.sentences.rows[rowid]
            text = sentence.span.cut(source)
            an_item = breaks_off(text) and _ITEM.match(_line_at(source, sentence.start))
            if (leads_in(text) and not an_item) or _ANNOUNCES.search(text):
                items = list_items(source, sentence.end)
                if items:
                    break
        own = []
        for item in items:
            if self._speaker_at(quote.doc_id, item.span.start) != quote.passage.speaker:
                break
            own.append(item)
        if not own:
            return None
        top = min(item.indent for item in own)
        counted = [item for item in own if item.indent == top]
        end = quote.span.end
        for number in range(len(counted)):
            # an item runs to the line before the next counted item (its sub-items)
            last = (
                own[-1] if number + 1 == len(counted) else own[own.index(counted[number + 1]) - 1]
            )
            too_long = number and last.span.end - quote.span.start > MAX_LIST_CHARS
            if number >= MAX_LIST_ITEMS or too_long:
                break
            end = max(end, last.span.end)
        quoted = sum(item.span.start < end for item in counted)
        return quote._replace(span=Span(quote.span.start, end), items=(quoted, len(counted)))

    def _speaker_at(self, doc_id: str, offset: int) -> str | None:
        for passage in self.documents[doc_id].passages:
            if passage.start <= offset < passage.end:
                return passage.speaker
        return "\0"  # outside every passage: no one's words

    def _pasted(self, rowid: int) -> bool:
        sentence = self.sentences.rows[rowid]
        passage = self.documents.passage(sentence.doc_id, sentence.passage_id)
        return passage is not None and pasted(passage, sentence.span)

    def _text(self, rowid: int) -> str:
        sentence = self.sentences.rows[rowid]
        return sentence.span.cut(self.documents[sentence.doc_id].source_text)

    def _joined(self, scored: dict[int, float]) -> list[Quote]:
        quotes: list[Quote] = []
        for rowid in sorted(scored, key=lambda r: (self.sentences.rows[r].doc_id, r)):
            sentence = self.sentences.rows[rowid]
            passage = self.documents.passage(sentence.doc_id, sentence.passage_id)
            if passage is None:
                continue
            last = quotes[-1] if quotes else None
            before, _ = self.sentences.neighbours(rowid)
            if (
                last
                and last.passage.id == passage.id
                and before is not None
                and (self.sentences.rows[before].end == last.span.end)
            ):
                quotes[-1] = Quote(
                    Span(last.span.start, sentence.end),
                    last.doc_id,
                    passage,
                    max(last.lead, scored[rowid]),
                )
            else:
                quotes.append(Quote(sentence.span, sentence.doc_id, passage, scored[rowid]))
        return quotes


def _inside(quote: Quote, other: Quote) -> bool:
    """Quoted already, inside a longer quote (a list item inside its list)."""
    return (
        other is not quote
        and other.doc_id == quote.doc_id
        and other.span.start <= quote.span.start
        and quote.span.end <= other.span.end
        and (other.span.start, other.span.end) != (quote.span.start, quote.span.end)
    )


def _line_at(source: str, offset: int) -> str:
    start = source.rfind("\n", 0, offset) + 1
    end = source.find("\n", offset)
    return source[start : len(source) if end == -1 else end]


class Item(NamedTuple):
    span: Span  # from its bullet to the end of its line
    indent: int


def list_items(source: str, after: int) -> list[Item]:
    """The bulleted or numbered lines that start right after `after` (blank lines
    between items allowed)."""
    items: list[Item] = []
    at = source.find("\n", after)
    while at != -1:
        line_start = at + 1
        line_end = source.find("\n", line_start)
        line_end = len(source) if line_end == -1 else line_end
        line = source[line_start:line_end]
        if not line.strip():
            at = line_end if line_end < len(source) else -1
            continue
        if not _ITEM.match(line):
            break
        indent = len(line) - len(line.lstrip())
        items.append(Item(Span(line_start + indent, line_start + len(line.rstrip())), indent))
        at = line_end if line_end < len(source) else -1
    return items
