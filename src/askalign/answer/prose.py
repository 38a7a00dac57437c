"""The answer's words around its quotes: who said each one, in plain words, and how
many items a quoted list has when only some are quoted."""

from __future__ import annotations

from collections.abc import Mapping

from askalign.answer.answers import Citation
from askalign.answer.windows import Quote
from askalign.documents import Document, Role, byline_names

PLURAL_VERBS = {"writes": "write", "adds": "add", "goes": "go", "quotes": "quote"}


def attribution(quote: Quote, previous: Quote | None, document: Document) -> str:
    """Who said it. Words the speaker quotes are credited to their source as the text
    names it ("Max Harms quotes Paul Christiano"), never as the speaker's own."""
    passage = quote.passage
    quoted = passage.quoting(quote.span.start, quote.span.end)
    writes = "writes" if quoted is None else _quotes(quoted.source)
    same_voice = previous is not None and previous.passage.speaker == passage.speaker
    same_doc = previous is not None and previous.doc_id == quote.doc_id
    title = f"“{document.title}”"
    if passage.role is Role.COMMENT:
        who = passage.speaker or "A commenter"
        if same_voice and same_doc and passage.speaker and previous.passage.role is Role.COMMENT:
            return _says(who, "adds" if quoted is None else writes)
        if passage.replying_to_speaker:
            return f"{who}, replying to {passage.replying_to_speaker}, {writes}"
        if passage.reply_to and passage.speaker is None:
            return f"{who}, replying to an earlier comment on {title}, {writes}"
        return f"{who}, in a comment on {title}, {writes}"
    if same_voice and same_doc:
        if quoted is not None:
            return _says(passage.speaker or "The text", writes)
        return "The text goes on" if passage.speaker is None else _says(passage.speaker, "goes on")
    if passage.role is Role.FOOTNOTE:
        author = passage.speaker or document.author
        return (
            f"In a footnote to {title}, {_says(author, writes)}"
            if author
            else f"A footnote in {title} {'says' if quoted is None else writes}"
        )
    if passage.role is Role.ESSAY:
        return (
            f"The essay {title} {'says' if quoted is None else writes}"
            if not passage.speaker
            else f"In the essay {title}, {_says(passage.speaker, writes)}"
        )
    return f"In the post {title}, {_says(passage.speaker or 'the author', writes)}"


def _quotes(source: str | None) -> str:
    return f"quotes {source}" if source else "quotes"


def _says(who: str, verb: str) -> str:
    """Co-authors ("A and B", "A, B, C") take the plural verb."""
    if len(byline_names(who)) < 2:
        return f"{who} {verb}"
    first, _, rest = verb.partition(" ")
    return f"{who} {' '.join(filter(None, (PLURAL_VERBS[first], rest)))}"


def _list_note(quote: Quote) -> str:
    if quote.items is None:
        return ""
    quoted, total = quote.items
    if quoted == total:
        return f" ({total} items)"
    return f" (the first {quoted} of {total} items)"


def compose_text(items: list[tuple[Quote, Citation]], documents: Mapping[str, Document]) -> str:
    sentences = []
    previous: Quote | None = None
    for quote, citation in items:
        text = " ".join(citation.display.split())
        who = attribution(quote, previous, documents[quote.doc_id])
        sentences.append(f"{who}: “{text}” [{citation.n}]{_list_note(quote)}")
        previous = quote
    return "\n\n".join(sentences)
