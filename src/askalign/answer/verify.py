"""A citation is shown only if its quote is exactly the source text at its span, and one
a client sends back (an earlier answer's, from the Python chat or the web page's saved
conversation) is believed only as the index gives it now."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from askalign.answer.answers import Citation
from askalign.documents import Document, Passage
from askalign.text.readable import readable
from askalign.text.spans import Span

log = logging.getLogger(__name__)


def cited(document: Document, passage: Passage, span: Span, n: int) -> Citation:
    """The citation of `span`, every field read from the document and its passage."""
    quoted = passage.quoting(span.start, span.end)
    return Citation(
        n=n,
        doc_id=document.id,
        doc_title=document.title,
        speaker=passage.speaker,
        role=passage.role,
        section=passage.section,
        quote=span.cut(document.source_text),
        display=readable(span.cut(document.source_text), document.format),
        start=span.start,
        end=span.end,
        url=passage.url or document.url,
        passage_id=passage.id,
        replying_to_speaker=passage.replying_to_speaker,
        karma=document.karma_of(passage),
        quoted=quoted is not None,
        quoted_source=quoted.source if quoted else None,
    )


def verified(citation: Citation, document: Document | None) -> bool:
    if document is None or citation.doc_id != document.id:
        log.warning("citation [%s] dropped: document %s unknown", citation.n, citation.doc_id)
        return False
    if document.source_text[citation.start : citation.end] != citation.quote or not citation.quote:
        log.warning(
            "citation [%s] dropped: quote does not match %s", citation.n, document.source_file
        )
        return False
    return True


def as_indexed(citation: Citation, documents: Mapping[str, Document]) -> Citation | None:
    """A client's citation rebuilt from the index, keeping its number, when the index
    still holds its document, passage, span, quote and speaker as sent; else None. What
    the client sent beyond those (title, link, section) is never shown: a forged
    `javascript:` link gives way to the document's own."""
    if citation.doc_id not in documents or citation.n < 1:
        return None
    document = documents[citation.doc_id]
    passage = next((p for p in document.passages if p.id == citation.passage_id), None)
    if passage is None or not passage.start <= citation.start < citation.end <= passage.end:
        log.warning("citation [%s] dropped: no such span in %s", citation.n, citation.doc_id)
        return None
    now = cited(document, passage, Span(citation.start, citation.end), citation.n)
    if (now.quote, now.speaker, now.role) != (citation.quote, citation.speaker, citation.role):
        log.warning("citation [%s] dropped: it differs from %s", citation.n, citation.doc_id)
        return None
    return now


def is_gone(citation: Citation, documents: Mapping[str, Document]) -> bool:
    """The citation's document has left the index since it was shown."""
    return citation.doc_id not in documents
