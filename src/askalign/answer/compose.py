"""The one interface every composer meets, so an LLM composer (through llama-index,
configured by settings) can come later without touching retrieval or citation checks.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from askalign.answer.answers import Citation
from askalign.answer.question import Question
from askalign.answer.scoring import Pool
from askalign.retrieval.hits import Hit


class Composition(BaseModel):
    """Answer text with [n] markers, and the verified citations the markers point at."""

    text: str
    citations: list[Citation]


class Composer(Protocol):
    def pool(self, question: Question, hits: list[Hit]) -> Pool:
        """The scored candidates, whose reader score abstention weighs too."""
        ...

    def compose(
        self,
        question: Question,
        hits: list[Hit],
        pool: Pool | None = None,
        limit: int | None = None,
    ) -> Composition:
        """Citations must be verified against the source before they are returned."""
        ...
