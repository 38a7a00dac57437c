"""askalign: ask questions of the AI-alignment debate and get answers you can check.

Retrieval names load lazily: `import askalign` stays fast for corpus work and the CLI,
and pulls in llama-index, FAISS and the model only when a search is opened.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from askalign.corpus import load_corpus, scan_corpus
from askalign.models import Chunk, CorpusProblem, CorpusScan, Document, Passage, QuoteSpan, Role
from askalign.settings import Settings

if TYPE_CHECKING:
    from askalign.answer.models import Answer, Citation, HitView
    from askalign.assistant import Assistant, Message, UnknownFilterError
    from askalign.retrieve import ChunkRetriever, Filters, Hit, Mode, Searcher, open_searcher

_LAZY = {
    **dict.fromkeys(("Answer", "Citation", "HitView"), "askalign.answer.models"),
    **dict.fromkeys(("Assistant", "Message", "UnknownFilterError"), "askalign.assistant"),
    **dict.fromkeys(
        ("ChunkRetriever", "Filters", "Hit", "Mode", "Searcher", "open_searcher"),
        "askalign.retrieve",
    ),
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'askalign' has no attribute {name!r}")


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
