"""Citation numbers that hold across a conversation: a quote cited again keeps the
number it had, a new one takes the next free number, so "[2]" in an earlier answer
still points at the same words after a follow-up.

Renumbered after composing rather than numbered while composing: the three composers
(quotes, the positions map, the user's model) then stay ignorant of conversations. The
quoted words and the document titles in an answer are masked first, so that a "[3]"
inside a quote (a footnote mark in the source) is never touched."""

from __future__ import annotations

import re

from askalign.answer.answers import Answer, Citation

_MARKER = r"\[(\d+)\]"


def renumbered(answer: Answer, earlier: list[Citation]) -> Answer:
    """`answer` with its citations numbered after those of the conversation before it.
    `earlier` holds citations as the index gives them (verify.as_indexed): their
    numbers still come from the client, so one number claimed twice is honoured once."""
    numbers: dict[tuple[str, int, int], int] = {}
    for citation in earlier:  # a number two quotes claim stays with the first
        if _key(citation) not in numbers and citation.n not in numbers.values():
            numbers[_key(citation)] = citation.n
    if not numbers or not answer.citations:
        return answer
    following = max(numbers.values()) + 1
    mapping: dict[int, int] = {}
    for citation in answer.citations:
        key = _key(citation)
        if key not in numbers:
            numbers[key] = following
            following += 1
        mapping.setdefault(citation.n, numbers[key])
    citations = [c.model_copy(update={"n": mapping[c.n]}) for c in answer.citations]
    text = _renumbered_text(answer.text, answer.citations, mapping)
    return answer.model_copy(update={"text": text, "citations": citations})


def _key(citation: Citation) -> tuple[str, int, int]:
    return citation.doc_id, citation.start, citation.end


def _renumbered_text(text: str, citations: list[Citation], mapping: dict[int, int]) -> str:
    masked = {f"“{' '.join(c.display.split())}”" for c in citations}
    masked |= {f"“{c.doc_title}”" for c in citations}
    alternatives = [re.escape(m) for m in sorted(masked, key=len, reverse=True)]
    pattern = re.compile("|".join([*alternatives, _MARKER]))

    def swap(found: re.Match[str]) -> str:
        number = found.group(1)
        if number is None:  # a masked quote or title: left as it is
            return found.group(0)
        return f"[{mapping.get(int(number), int(number))}]"

    return pattern.sub(swap, text)
