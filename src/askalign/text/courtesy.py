"""Whether a sentence says anything of the point: a reply often opens with thanks or a
word about the replying before what it makes of the point, and an answer that leads
with those tells the reader nothing."""

from __future__ import annotations

import re

from askalign.text.terms import terms

# Words of courtesy, stemmed as `terms` stems them: a sentence of nothing else says
# nothing of the point.
[_COURTESY_TERMS] = terms(
    [
        "thanks thank glad welcome excellent great good nice interesting helpful right "
        "sure okay appreciate appreciated enjoying enjoyed response comment reply point "
        "question yeah sorry hello you your"
    ]
)
_COURTESY = frozenset(_COURTESY_TERMS)
# "I'll start with some basic responses", "more when I have time": about the replying.
_ABOUT_REPLYING = re.compile(
    r"\b(?:I['’]ll|I will|let me|I['’]d like to|I want to) (?:\w+ ){0,2}"
    r"(?:respond|reply|answer|get (?:back )?to|come back|address|start with)\b|"
    r"\bwhen I have (?:more )?time\b",
    re.I,
)


def says_something(text: str) -> bool:
    """Not courtesy alone ("Excellent response. Thank you. :)", "Right. That's
    helpful.") and not a word about the replying itself ("I'll start with some basic
    responses")."""
    [words] = terms([text])
    said = {word for word in words if len(word) > 2} - _COURTESY  # not "re" of "you're"
    return bool(said) and not _ABOUT_REPLYING.search(text)
