"""Is there evidence for an answer at all? Two signals, calibrated on the questions in
`tests/data/calibration.jsonl` (written for this, never the evaluation set):

- `dense`: the best cosine between the question and a retrieved chunk;
- `coverage`: the share of the question's content words (weighted by IDF, speaker
  names left out) that the top hits contain. A word the corpus never uses counts
  with the highest weight, so "sourdough" or "bitcoin" pull coverage down.

Off-topic questions fail both; an on-topic question the corpus does not answer
usually shares few of its rare words with the passages retrieved for it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

import numpy as np
from pydantic import BaseModel

from askalign.lexical import terms
from askalign.models import Chunk

MIN_DENSE = 0.25
WEAK_DENSE = 0.55
MIN_COVERAGE = 0.3
COVERAGE_HITS = 3


class Strength(BaseModel):
    dense: float
    coverage: float

    @property
    def weak(self) -> bool:
        return self.dense < MIN_DENSE or (self.coverage < MIN_COVERAGE and self.dense < WEAK_DENSE)


class StrengthGauge:
    def __init__(self, chunks: Iterable[Chunk], speakers: Iterable[str]) -> None:
        texts = [chunk.text for chunk in chunks]
        self.document_frequency: Counter[str] = Counter()
        for chunk_terms in terms(texts):
            self.document_frequency.update(set(chunk_terms))
        self.count = len(texts)
        self.name_terms = {t for name in speakers for t in terms([name.replace("_", " ")])[0]}

    def idf(self, term: str) -> float:
        return math.log((self.count + 0.5) / (self.document_frequency.get(term, 0) + 0.5))

    def question_weights(self, question: str) -> dict[str, float]:
        """IDF of each content word of the question, speaker names left out."""
        wanted = dict.fromkeys(terms([question])[0])
        return {t: self.idf(t) for t in wanted if t not in self.name_terms}

    def measure(
        self, question: str, vector: np.ndarray, hits: list[tuple[Chunk, np.ndarray]]
    ) -> Strength:
        if not hits:
            return Strength(dense=0.0, coverage=0.0)
        dense = max(float(np.dot(vector, chunk_vector)) for _, chunk_vector in hits)
        weights = self.question_weights(question)
        total = sum(weights.values())
        if not total:
            return Strength(dense=dense, coverage=1.0)
        found = set(terms([" ".join(chunk.text for chunk, _ in hits[:COVERAGE_HITS])])[0])
        covered = sum(weight for term, weight in weights.items() if term in found)
        return Strength(dense=dense, coverage=covered / total)
