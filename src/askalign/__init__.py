"""askalign: ask questions of the AI-alignment debate and get answers you can check.

Most names load lazily: `import askalign` stays fast, reading the corpus does not load
FAISS or the model, and answering a question does not load the corpus readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from askalign.lazy import lazy_getattr
from askalign.models import Chunk, CorpusProblem, CorpusScan, Document, Passage, QuoteSpan, Role
from askalign.settings import Settings

if TYPE_CHECKING:
    from askalign.answer.models import Answer, Citation, HitView
    from askalign.assistant import Assistant, Message, UnknownFilterError
    from askalign.corpus import load_corpus, scan_corpus
    from askalign.llama_retriever import ChunkRetriever
    from askalign.retrieve import Filters, Hit, Mode, Searcher, open_searcher

_LAZY = {
    **dict.fromkeys(("load_corpus", "scan_corpus"), "askalign.corpus"),
    **dict.fromkeys(("Answer", "Citation", "HitView"), "askalign.answer.models"),
    **dict.fromkeys(("Assistant", "Message", "UnknownFilterError"), "askalign.assistant"),
    "ChunkRetriever": "askalign.llama_retriever",
    **dict.fromkeys(("Filters", "Hit", "Mode", "Searcher", "open_searcher"), "askalign.retrieve"),
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
    "QuoteSpan",
    "Role",
    "Searcher",
    "Settings",
    "UnknownFilterError",
    "load_corpus",
    "open_searcher",
    "scan_corpus",
]
