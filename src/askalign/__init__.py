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
    from askalign.retrieve import ChunkRetriever, Filters, Hit, Mode, Searcher, open_searcher

_LAZY = {name: "askalign.retrieve" for name in ("ChunkRetriever", "Filters", "Hit", "Mode")}
_LAZY |= {"Searcher": "askalign.retrieve", "open_searcher": "askalign.retrieve"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'askalign' has no attribute {name!r}")


__all__ = [
    "Chunk",
    "ChunkRetriever",
    "CorpusProblem",
    "CorpusScan",
    "Document",
    "Filters",
    "Hit",
    "Mode",
    "Passage",
    "QuoteSpan",
    "Role",
    "Searcher",
    "Settings",
    "load_corpus",
    "open_searcher",
    "scan_corpus",
]
