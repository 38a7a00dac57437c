"""The one interface every composer meets, so an LLM composer (through llama-index,
configured by settings) can come later without touching retrieval or citation checks.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from pydantic import BaseModel

from askalign.answer.models import Citation
from askalign.query import QueryIntent
from askalign.retrieve import Hit


class Composition(BaseModel):
    """Answer text with [n] markers, and the verified citations the markers point at."""

    text: str
    citations: list[Citation]


class Composer(Protocol):
    def compose(
        self,
        question: str,
        hits: list[Hit],
        intent: QueryIntent,
        vector: np.ndarray,
        limit: int | None = None,
    ) -> Composition:
        """Citations must be verified against the source before they are returned."""
        ...
