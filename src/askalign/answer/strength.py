"""Is there evidence for an answer at all? One score from three signals, calibrated on
`tests/data/calibration.jsonl` (questions written for this, never the evaluation set):

- `dense`: the best cosine between the question and a retrieved chunk;
- `coverage`: the share of the question's content words (IDF-weighted; speaker names
  and question framing such as "did", "essay", "commenter" left out) that the top
  hits contain;
- `unknown`: content words the corpus never uses at all ("sourdough", "bitcoin").

An off-topic question fails all three; an on-topic question the corpus does not
answer usually shares few of its rare words with the passages retrieved for it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel

from askalign.lexical import terms
from askalign.models import Chunk

THRESHOLD = 0.75
UNKNOWN_PENALTY = 0.1
MAX_UNKNOWN_COUNTED = 2
COVERAGE_HITS = 3
FRAMING = (
    "did does why what how anyone according say said says think thinks mean means discuss"
    " discussed post essay comment commenter commenters author authors text texts document"
    " documents paper argue argued"
)


class Strength(BaseModel):
    dense: float
    coverage: float
    unknown: int

    @property
    def score(self) -> float:
        return self.dense + self.coverage - UNKNOWN_PENALTY * min(self.unknown, MAX_UNKNOWN_COUNTED)

    @property
    def weak(self) -> bool:
        return self.score < THRESHOLD


class StrengthGauge:
    def __init__(self, chunks: Iterable[Chunk], speakers: Iterable[str]) -> None:
        texts = [chunk.text for chunk in chunks]
        self.document_frequency: Counter[str] = Counter()
        for chunk_terms in terms(texts):
            self.document_frequency.update(set(chunk_terms))
        self.count = len(texts)
        names = {t for name in speakers for t in terms([name.replace("_", " ")])[0]}
        self.ignored = names | set(terms([FRAMING])[0])

    def idf(self, term: str) -> float:
        return math.log((self.count + 0.5) / (self.document_frequency.get(term, 0) + 0.5))

    def question_weights(self, question: str) -> dict[str, float]:
        """IDF of each content word of the question (stemmed)."""
        wanted = dict.fromkeys(terms([question])[0])
        return {t: self.idf(t) for t in wanted if t not in self.ignored}

    def measure(
        self, question: str, vector: np.ndarray, hits: list[tuple[Chunk, np.ndarray]]
    ) -> Strength:
        weights = self.question_weights(question)
        unknown = sum(self.document_frequency.get(t, 0) == 0 for t in weights)
        if not hits:
            return Strength(dense=0.0, coverage=0.0, unknown=unknown)
        dense = max(float(np.dot(vector, chunk_vector)) for _, chunk_vector in hits)
        total = sum(weights.values())
        if not total:
            return Strength(dense=dense, coverage=1.0, unknown=unknown)
        found = set(terms([" ".join(chunk.text for chunk, _ in hits[:COVERAGE_HITS])])[0])
        covered = sum(weight for term, weight in weights.items() if term in found)
        return Strength(dense=dense, coverage=covered / total, unknown=unknown)
