"""askalign: ask questions of the AI-alignment debate and get answers you can check."""

from askalign.corpus import load_corpus, scan_corpus
from askalign.models import CorpusProblem, CorpusScan, Document, Passage, QuoteSpan, Role
from askalign.settings import Settings

__all__ = [
    "CorpusProblem",
    "CorpusScan",
    "Document",
    "Passage",
    "QuoteSpan",
    "Role",
    "Settings",
    "load_corpus",
    "scan_corpus",
]
