"""A reply's own words: what it quotes blanked out, so that a stance is read only from
what the replier says. Quoted words are someone else's: a `>` block quote, text the
parser found pasted from earlier in the thread, and text in quotation marks ("You said
“I disagree” last week" states no disagreement of the speaker's own).

Blanking keeps every offset: the own text is as long as the passage, so a stance's
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


def own_text(text: str, passage: Passage) -> str:
    """text[passage.start:passage.end] with every quoted character a space: the same
    length, so that an offset into it, plus passage.start, is one into the source."""
    chars = list(text[passage.start : passage.end])
    for span in _quoted_spans(text, passage):
        for at in range(max(span.start, passage.start), min(span.end, passage.end)):
            chars[at - passage.start] = " "
    return "".join(chars)


def _quoted_spans(text: str, passage: Passage) -> list[Span]:
    """What the passage's writer quotes rather than says: what the parser found pasted
    from earlier text or quoted (formats/quoted.py: HTML block quotes, lead-ins too),
    `>` lines, and quotations."""
    spans = [Span(p.start, p.end) for p in passage.pasted]
    spans += [Span(q.start, q.end) for q in passage.quoted]  # marked when the page was read
    for line in iter_lines(text, passage.start, passage.end):
        if line.text.lstrip().startswith(">"):
            spans.append(Span(line.start, line.end))
    for pattern in (_CURLY, _STRAIGHT, _SINGLE):
        found = pattern.finditer(text, passage.start, passage.end)
        spans += [Span(m.start(), m.end()) for m in found]
    return spans
