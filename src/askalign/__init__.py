"""askalign: ask questions of the AI-alignment debate and get answers you can check.

Most names load lazily: `import askalign` stays fast, reading the corpus does not load
FAISS or the model, and answering a question does not load the corpus readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from askalign.documents import Chunk, CorpusProblem, CorpusScan, Document, Passage, PastedSpan, Role
from askalign.lazy import lazy_getattr
from askalign.settings import Settings

if TYPE_CHECKING:
    from askalign.answer.answers import Answer, Citation, HitView
    from askalign.assistant import Assistant, UnknownFilterError
    from askalign.conversation import Message
    from askalign.ingest.corpus import load_corpus, scan_corpus
    from askalign.retrieval.llama import ChunkRetriever
    from askalign.retrieval.search import Filters, Hit, Mode, Searcher, open_searcher

_LAZY = {
    **dict.fromkeys(("load_corpus", "scan_corpus"), "askalign.ingest.corpus"),
    **dict.fromkeys(("Answer", "Citation", "HitView"), "askalign.answer.answers"),
    **dict.fromkeys(("Assistant", "UnknownFilterError"), "askalign.assistant"),
    "Message": "askalign.conversation",
    "ChunkRetriever": "askalign.retrieval.llama",
    **dict.fromkeys(
        ("Filters", "Hit", "Mode", "Searcher", "open_searcher"), "askalign.retrieval.search"
    ),
}


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "Answer",
    "Assistant",
    "Chunk",
    "ChunkRetriever",
    "Citation",
    "CorpusProblem",
    "CorpusScan",
    "Document",
    "Filters",
    "Hit",
    "HitView",
    "Message",
    "Mode",
    "Passage",
    "PastedSpan",
    "Role",
    "Searcher",
    "Settings",
    "UnknownFilterError",
    "load_corpus",
    "open_searcher",
    "scan_corpus",
]
