"""What the Assistant asks of a composer: any object with these methods can be passed as
`Assistant(composer=...)` (an LLM's, say) without touching retrieval."""

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
        self, question: Question, hits: list[Hit], pool: Pool, limit: int | None = None
    ) -> Composition:
        """Citations must be verified against the source before they are returned. The
        pool is given, not optional: abstention weighs it before anything is written."""
        ...
