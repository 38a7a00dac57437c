"""Find the words a speaker quotes from someone else, and whom the text says they are from.

A post that block-quotes Paul Christiano, or a comment that pastes a paper's sentence
after "Quote from the DeepSeek R1 paper:", holds words its speaker did not write. Two
kinds of evidence mark them, and nothing else does:

- markup: a `>` block quote (Markdown, or a saved page's `> ` lines) or an HTML
  `<blockquote>`, which the readers report as quoted blocks;
- a lead-in: a line ending in ':' that says a quote follows ("As Paul Christiano put it:",
  "Eliezer wrote in 2008:", "Quote from the paper:"). Without markup, only the one
  paragraph after it is taken as quoted: where the quote ends is otherwise unknown.

The source is named by the lead-in or by an attribution line after the quote
("— Eliezer Yudkowsky"); where the text names none, the quote is still a quote.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection
from typing import NamedTuple

from askalign.documents import Passage, QuotedSpan, Role
from askalign.text.readable import markdown_words
from askalign.text.spans import Span, iter_lines

_SAYS = (
    r"(?:put it|puts it|said|says|wrote|writes|argued|argues|explained|explains|noted"
    r"|stated|observed|replied|responded|tweeted|concluded|warned|asked|summari[sz]ed)"
)  # as verbs only: "notes", "claims" or "comments" before a colon are often nouns
_ADVERB = r"(?:(?:once|has|had|recently|famously|later|then|also|memorably|nicely|well) )?"
# Each pattern reads the lead-in's last sentence, its closing ':' taken off.
_LEAD_INS = [
    re.compile(rf"\b(?:as|like) (?P<who>.+?) {_ADVERB}{_SAYS}\b", re.I),
    re.compile(rf"\bwhat (?P<who>.+?) {_ADVERB}{_SAYS}\b", re.I),
    re.compile(
        r"\b(?:quote|quotation|excerpt|passage|snippet|extract)s? (?:from|of|by) (?P<who>.+)$",
        re.I,
    ),
    re.compile(r"\b(?:quoting(?: from)?|according to) (?P<who>.+)$", re.I),
    re.compile(rf"^(?P<who>[^,;]+?) {_ADVERB}{_SAYS}\b", re.I),
]
_NAMING = _LEAD_INS[2:4]
DASHES = ("—", "―", "–", "--")
MARKDOWN_MARKS = ("[", "*", "_", "`", "<", "\\", "&", ">")
_ATTRIBUTION = re.compile(r"^(?:[—―–]|--)\s*(?P<who>[^,(\[]+?)\s*(?:[,(\[].*)?$")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=\S)")
_NAME_ENDS = re.compile(
    r"\s+(?:in|on|at|back|about|when|here|there|once|himself|herself|themselves)\b.*$|\s*[(,;].*$"
)
FIRST_PERSON = frozenset({"i", "me", "we", "us", "myself", "ourselves"})
UNNAMED = frozenset(
    {"he", "she", "they", "it", "this", "that", "here", "there", "him", "her", "them",
     "you", "someone", "somebody", "people", "others", "one", "above", "below"}
)  # fmt: skip
MAX_NAME_WORDS = 6
MAX_ATTRIBUTION_WORDS = 12  # "— Eliezer Yudkowsky, in a 2008 post on Overcoming Bias"
LEAD_IN_TAIL = 8  # a lead-in's colon is among its last characters (after `**`, `"`, `)`)


class _Unit(NamedTuple):
    passage: Passage
    span: Span
    marked: bool  # inside a block quote


class _LeadIn(NamedTuple):
    """What the line before a paragraph says of it."""

    says_quote: bool  # it announces a quote ("As X put it:")
    source: str | None  # whom it names
    own: bool = False  # the speaker's own earlier words ("As I wrote last year:")


_NO_LEAD_IN = _LeadIn(False, None)


def mark_quoted(
    passages: list[Passage],
    text: str,
    units_of: Callable[[Passage], list[Span]],
    marked: Collection[Span] = (),
) -> None:
    """Set `quoted` on each passage. A post's or essay's passages read as one text, so a
    lead-in may introduce the next paragraph; each comment is read on its own. `marked`:
    the blocks the reader found inside a block quote."""
    runs: list[list[Passage]] = []
    for passage in passages:
        if passage.role is not Role.COMMENT and runs and runs[-1][-1].role is not Role.COMMENT:
            runs[-1].append(passage)
        else:
            runs.append([passage])
    blocks = sorted(marked)
    starts = [block.start for block in blocks]
    for run in runs:
        units = [
            _Unit(passage, unit, _in_block(unit, blocks, starts) or _marked_lines(unit, text))
            for passage in run
            for unit in units_of(passage)
        ]
        _mark_run(units, text)


def _mark_run(units: list[_Unit], text: str) -> None:
    """Each block quote (a run of marked paragraphs), and each paragraph a lead-in
    announces, becomes a quote with the source its lead-in or attribution line names."""
    at, quoted_to = 0, -1
    while at < len(units):
        before = units[at - 1] if at - 1 > quoted_to and not units[at - 1].marked else None
        lead_in = _lead_in(before, text) if before is not None else _NO_LEAD_IN
        end = at
        if units[at].marked:
            while end + 1 < len(units) and units[end + 1].marked:
                end += 1
        elif not lead_in.says_quote:
            at += 1
            continue
        if lead_in.own:
            at = end + 1
            continue
        signed = _attribution(units[end], text)
        if signed is None and end + 1 < len(units) and not units[end + 1].marked:
            signed = _attribution(units[end + 1], text)
            end += signed is not None  # the attribution line is the quote's, not the speaker's
        _add(units[at : end + 1], signed or lead_in.source)
        quoted_to, at = end, end + 1


def _add(group: list[_Unit], source: str | None) -> None:
    """One quoted span for each passage the quote runs through."""
    owners = {unit.passage.id: unit.passage for unit in group}
    for passage_id, passage in owners.items():
        spans = [unit.span for unit in group if unit.passage.id == passage_id]
        passage.quoted.append(QuotedSpan(start=spans[0].start, end=spans[-1].end, source=source))


def _in_block(unit: Span, blocks: list[Span], starts: list[int]) -> bool:
    """Inside the last marked block that starts at or before it (blocks do not nest)."""
    at = bisect_right(starts, unit.start) - 1
    return at >= 0 and unit.end <= blocks[at].end


def _marked_lines(unit: Span, text: str) -> bool:
    """Every line opens with '>': a block quote in text saved from a Markdown view."""
    if not text.startswith(">", unit.start):
        return False  # units are trimmed: a quote's first character is its marker
    lines = [line.text for line in iter_lines(text, unit.start, unit.end) if not line.blank]
    return bool(lines) and all(line.lstrip().startswith(">") for line in lines)


def _lead_in(unit: _Unit, text: str) -> _LeadIn:
    """Whether the paragraph ends by announcing a quote, and whom it names."""
    raw = unit.span.cut(text)
    if ":" not in raw[-LEAD_IN_TAIL:]:
        return _NO_LEAD_IN  # most paragraphs: no need to read their Markdown
    words = " ".join(_words(raw).split()).rstrip("”\"'’) ")
    if not words.endswith(":"):
        return _NO_LEAD_IN
    last = _SENTENCE_END.split(words[:-1].strip())[-1]
    for pattern in _LEAD_INS:
        match = pattern.search(last)
        if match:
            who = [word.casefold().strip(",") for word in match["who"].split()]
            own = bool(FIRST_PERSON & set(who)) or who[:1] in (["my"], ["our"])
            named = pattern in _NAMING  # what follows "quote from" names a source
            return _LeadIn(True, None if own else _name(match["who"], named), own)
    return _NO_LEAD_IN


def _attribution(unit: _Unit, text: str) -> str | None:
    """The name on a closing attribution line ("— Eliezer Yudkowsky, 2008")."""
    raw = unit.span.cut(text).rsplit("\n", 1)[-1].lstrip("> \t")
    if not raw.startswith(DASHES) or len(raw.split()) > MAX_ATTRIBUTION_WORDS:
        return None  # most quotes: no need to read their Markdown
    match = _ATTRIBUTION.match(_words(raw))
    return _name(match["who"]) if match else None


def _words(raw: str) -> str:
    """The words a reader sees, Markdown read only where the text has its marks."""
    return markdown_words(raw) if any(mark in raw for mark in MARKDOWN_MARKS) else raw


def _name(found: str, named: bool = False) -> str | None:
    """A source's name as the text gives it ("Paul Christiano", "the DeepSeek R1 paper"),
    cut before what says when or where; None for a pronoun, or words that are no name.
    A subject must look like a name (a capital, an @handle, or "the"); what follows
    "quote from" is a source however it is spelled (`named`)."""
    name = _NAME_ENDS.sub("", found.strip()).strip(" \"'“”‘’*_")
    handle = name.startswith("@")  # "@paulfchristiano wrote:": a user's handle
    name = name.lstrip("@")
    words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or name.casefold() in UNNAMED | FIRST_PERSON:
        return None
    article = words[0].casefold() in ("the", "a", "an")
    looks_named = named or handle or article or words[0][0].isupper()
    return name if looks_named and not name.endswith(".") else None
