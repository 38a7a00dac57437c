"""A citation is shown only if its quote is exactly the source text at its span."""

from __future__ import annotations

import logging

from askalign.answer.answers import Citation
from askalign.documents import Document

log = logging.getLogger(__name__)


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
