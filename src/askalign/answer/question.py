"""One question, read once: what it says (intent), where it points (vector), which of
its words matter (IDF weights), and what kind of thing it asks for. Built once in
`Assistant`, passed down whole, so no part of the answer path re-reads the raw string
its own way."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from askalign.answer.expects import Expected
from askalign.retrieval.intent import QueryIntent


class Question(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)

    text: str
    intent: QueryIntent
    vector: np.ndarray
    weights: dict[str, float]  # IDF of each content word (stemmed)
    expected: Expected | None = None

    @property
    def speakers(self) -> list[str]:
        return self.intent.speakers
