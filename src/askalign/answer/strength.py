"""Is there evidence for an answer at all? A logistic model over nine signals, fitted by
`benchmarks/calibrate_abstention.py` on questions we wrote ourselves
(`tests/data/calibration.jsonl`, `dev_questions.jsonl`, `paraphrase_questions.jsonl`),
never on the evaluation set. Its weights and its threshold live in `answerability.json`
beside this file.

- `dense`: the best cosine between the question and a retrieved chunk;
- `sentence`: the best cosine between the question and a sentence of the top hits,
  which holds up on paraphrase where a chunk about several things does not;
- `coverage`: the share of the question's content words (IDF-weighted; speaker names
  and question framing such as "did", "essay", "commenter" left out) that the top
  hits contain;
- `together`: the best such share within a single hit, since words scattered over
  three passages answer less than words that meet in one;
- `speaker_coverage`: the same share within the passages of the speakers the question
  names among the hits, a signal of the fitted model; and where the share within
  everything they wrote in the index is below `SPEAKER_ANYWHERE_FLOOR` it abstains
  whatever the rest say: "what did plex say about Self-Other Overlap?" asks about words
  plex never used. (A floor on the hits' share alone, 0.1, refused paraphrased
  questions about what people did say: on the round-five and -six pages 5 more of 247
  answerable ones, for 1 more of 77 unanswerable caught; on our own sets 2 more of 152
  answerable, for none more caught.)
- `unknown`: content words the corpus never uses at all ("sourdough", "bitcoin");
- `missing_weight` and `rarest_missing`: the summed and the largest IDF of the content
  words the top hits lack, which weigh a rare missing word ("neuromorphic") above a
  common one;
- `content_terms`: how many content words the question has, since a long, paraphrased
  question misses some words however well it is answered;
- `reader_gain` (with the reader only): how much more likely the reader finds the
  question after the best shortlisted sentence than after no passage at all,
  log P(q | best) − log P(q | none), per token. A passage that answers predicts the
  question's specific words; a passage on the same topic that does not, much less.

Two models are fitted, with and without the reader's signal; the one that matches how
the Assistant runs decides.

An off-topic question fails them all; an on-topic question the corpus does not answer
usually leaves its most specific words, or its named speaker's words, unmatched.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from askalign.answer.question import Question
from askalign.documents import Chunk
from askalign.index.contract import ChunkSource
from askalign.index.scope import Scope
from askalign.text.terms import terms

MODEL_FILE = Path(__file__).with_name("answerability.json")
MAX_UNKNOWN_COUNTED = 2
# Below this share of the question's words in all a named speaker wrote, they never spoke
# of it. Chosen by 5-fold cross-validation on our 150 questions that name someone
# (calibration, dev, paraphrase and premise questions; each fold chose 0.20-0.23): out
# of fold it abstains on 3 more of 61 unanswerable ones and on none of 89 answerable.
SPEAKER_ANYWHERE_FLOOR = 0.2
COVERAGE_HITS = 3
FRAMING = (
    "did does why what how anyone according say said says think thinks mean means discuss"
    " discussed post essay comment commenter commenters author authors text texts document"
    " documents paper argue argued"
)


class AnswerabilityModel(BaseModel):
    """Logistic weights over `Strength`'s signals; below `threshold` means abstain."""

    weights: dict[str, float]
    intercept: float
    threshold: float
    fitted_on: str


class AnswerabilityModels(BaseModel):
    plain: AnswerabilityModel
    reader: AnswerabilityModel


@cache
def answerability_models() -> AnswerabilityModels:
    return AnswerabilityModels.model_validate_json(MODEL_FILE.read_text(encoding="utf-8"))


class Strength(BaseModel):
    dense: float
    sentence: float
    together: float
    coverage: float
    speaker_coverage: float
    unknown: int
    missing_weight: float
    rarest_missing: float
    content_terms: int
    reader_gain: float | None = None

    speaker_named: bool = Field(False, exclude=True)
    speaker_anywhere: float = Field(1.0, exclude=True)

    def signals(self) -> dict[str, float]:
        values = self.model_dump(exclude_none=True)
        values["unknown"] = min(self.unknown, MAX_UNKNOWN_COUNTED)
        return values

    @property
    def model(self) -> AnswerabilityModel:
        models = answerability_models()
        return models.plain if self.reader_gain is None else models.reader

    @property
    def score(self) -> float:
        model = self.model
        signals = self.signals()
        return model.intercept + sum(w * signals[name] for name, w in model.weights.items())

    @property
    def weak(self) -> bool:
        """Below the fitted threshold, or a named speaker who never wrote the question's
        words anywhere: "what did Seth Herd say about chicks?" is not his to answer."""
        unsaid = self.speaker_named and self.speaker_anywhere < SPEAKER_ANYWHERE_FLOOR
        return unsaid or self.score < self.model.threshold


class StrengthGauge:
    """Term statistics come from the catalog (`term_counts`, kept by each ingest), a
    few lookups a question, so opening an index reads no chunk text."""

    def __init__(self, catalog: ChunkSource, speakers: Iterable[str]) -> None:
        self.catalog = catalog
        names = {t for name in speakers for t in terms([name.replace("_", " ")])[0]}
        self.ignored = names | set(terms([FRAMING])[0])

    def document_frequency(self, wanted: Iterable[str]) -> dict[str, int]:
        return self.catalog.term_counts(wanted)

    def said(self, speakers: list[str]) -> set[str]:
        """Every word the speakers wrote anywhere in the index (their chunks' terms)."""
        rowids = self.catalog.scope_rowids("chunks", Scope(speakers=tuple(speakers)))
        return {term for found in self.catalog.chunk_terms(rowids).values() for term in found}

    def weights(self, question: str) -> dict[str, float]:
        """IDF of each content word of the question (stemmed)."""
        wanted = [t for t in dict.fromkeys(terms([question])[0]) if t not in self.ignored]
        frequency = self.document_frequency(wanted)
        count = self.catalog.counts()[1]
        return {t: math.log((count + 0.5) / (frequency[t] + 0.5)) for t in wanted}

    def measure(
        self,
        question: Question,
        hits: list[tuple[Chunk, np.ndarray]],
        sentences: np.ndarray,
        reader_gain: float | None = None,
    ) -> Strength:
        """`sentences`: the vectors of the top hits' sentences; `reader_gain`: the
        reader's best score on the shortlist over its no-passage baseline, when it read."""
        weights, vector, named_speakers = question.weights, question.vector, question.speakers
        unknown = sum(count == 0 for count in self.document_frequency(weights).values())
        top_terms = _terms_of(chunk for chunk, _ in hits[:COVERAGE_HITS])
        coverage = _share(weights, top_terms)
        own = [chunk for chunk, _ in hits if chunk.speaker in named_speakers]
        return Strength(
            dense=max((float(np.dot(vector, v)) for _, v in hits), default=0.0),
            sentence=float((sentences @ vector).max()) if len(sentences) else 0.0,
            together=max(
                (_share(weights, _terms_of([chunk])) for chunk, _ in hits[:COVERAGE_HITS]),
                default=0.0,
            ),
            coverage=coverage,
            speaker_coverage=_share(weights, _terms_of(own)) if named_speakers else coverage,
            speaker_named=bool(named_speakers),
            speaker_anywhere=_share(weights, self.said(named_speakers)) if named_speakers else 1.0,
            unknown=unknown,
            missing_weight=sum(w for t, w in weights.items() if t not in top_terms),
            rarest_missing=max((w for t, w in weights.items() if t not in top_terms), default=0.0),
            content_terms=len(weights),
            reader_gain=reader_gain,
        )


def _terms_of(chunks: Iterable[Chunk]) -> set[str]:
    return set(terms([" ".join(chunk.text for chunk in chunks)])[0])


def _share(weights: dict[str, float], found: set[str]) -> float:
    """IDF-weighted share of the question's words in `found`; a question with no
    content words left (all names and framing) counts as fully covered."""
    total = sum(weights.values())
    if not total:
        return 1.0
    return sum(w for t, w in weights.items() if t in found) / total
