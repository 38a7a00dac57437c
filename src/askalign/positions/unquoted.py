"""A reply's own words: what it quotes blanked out, so that a stance is read only from
what the replier says. Quoted words are someone else's: a `>` block quote, text the
parser found pasted from earlier in the thread, and text in quotation marks ("You said
“I disagree” last week" states no disagreement of the speaker's own).

Blanking keeps every offset: the own text is as long as the source, so a stance's
words are still cut from the source at their place."""

from __future__ import annotations

import re

from askalign.documents import Passage
from askalign.text.spans import Span, iter_lines

# Curly quotes pair by shape; straight double quotes pair in order within a line. An
# opening mark with no close on its line quotes the rest of the line.
_CURLY = re.compile(r"“[^”\n]*(?:”|$)", re.MULTILINE)
_STRAIGHT = re.compile(r"\"[^\"\n]*(?:\"|$)", re.MULTILINE)
# Single quotes, where they cannot be apostrophes: one opens after a space or a bracket,
# and closes before anything but a letter ("don't" and "don’t" go on).
_SINGLE = re.compile(
    r"(?:(?<=^)|(?<=[\s(\[:]))['‘](?=\S)(?:[^'’\n]|['’](?=[A-Za-z]))*?(?<=\S)['’](?![A-Za-z])",
    re.MULTILINE,
)


def quoted_spans(text: str, start: int, end: int, pasted: list[Span]) -> list[Span]:
    """Everything in text[start:end] that its writer quotes rather than says: `pasted`
    (what the parser found repeated from earlier text), block quotes and quotations."""
    spans = list(pasted)
    for line in iter_lines(text, start, end):
        if line.text.lstrip().startswith(">"):
            spans.append(Span(line.start, line.end))
    for pattern in (_CURLY, _STRAIGHT, _SINGLE):
        spans += [Span(m.start(), m.end()) for m in pattern.finditer(text, start, end)]
    return spans


def blanked(text: str, quoted: list[Span], start: int = 0, end: int | None = None) -> str:
    """text[start:end] with every quoted character a space: the same length, so that
    offsets into it are offsets into the source."""
    stop = len(text) if end is None else end
    chars = list(text[start:stop])
    for span in quoted:
        for at in range(max(span.start, start), min(span.end, stop)):
            chars[at - start] = " "
    return "".join(chars)


def own_text(text: str, passage: Passage) -> str:
    """The passage's text with everything it quotes blanked (see `blanked`)."""
    pasted = [Span(p.start, p.end) for p in passage.pasted]
    quoted = quoted_spans(text, passage.start, passage.end, pasted)
    return blanked(text, quoted, passage.start, passage.end)
