"""`askalign eval`: the metrics of the shared evaluation README, on any questions file.

A hit holds a piece of evidence when it contains the quote, or when most of the quote's
words fall inside it in order (a quote may straddle two chunks). Everything is
reported overall and by question kind.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from askalign.spans import normalize

MOST_OF_THE_WORDS = 0.6


class Evidence(BaseModel):
    doc: str
    quote: str
    speaker: str | None = None
    part: str | None = None
    section: str | None = None


class EvalQuestion(BaseModel):
    id: str
    question: str
    kind: str
    answer: str = ""
    evidence: list[Evidence] = Field(default_factory=list)


class QuestionsFileError(Exception):
    pass


def load_questions(path: Path) -> list[EvalQuestion]:
    questions: list[EvalQuestion] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise QuestionsFileError(f"cannot read {path}: {error.strerror}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            questions.append(EvalQuestion.model_validate(json.loads(line)))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "?"
            raise QuestionsFileError(
                f"{path}, line {number}: field '{field}': {first['msg']}"
                " (each line needs id, question, kind and evidence)"
            ) from error
        except ValueError as error:
            raise QuestionsFileError(f"{path}, line {number}: not valid JSON ({error})") from error
    return questions


def holds_evidence(text: str, quote: str) -> bool:
    hay, needle = normalize(text), normalize(quote)
    if needle in hay:
        return True
    quote_words, text_words = needle.split(), hay.split()
    if not quote_words:
        return False
    matcher = SequenceMatcher(None, quote_words, text_words, autojunk=False)
    covered = sum(block.size for block in matcher.get_matching_blocks())
    return covered / len(quote_words) >= MOST_OF_THE_WORDS


def first_rank(texts: list[str], evidence: list[Evidence]) -> int | None:
    for rank, text in enumerate(texts, 1):
        if any(holds_evidence(text, item.quote) for item in evidence):
            return rank
    return None


def evidence_recall(texts: list[str], evidence: list[Evidence]) -> float:
    found = sum(any(holds_evidence(text, item.quote) for text in texts) for item in evidence)
    return found / len(evidence)


SPEAKER_KINDS = frozenset({"who", "thread", "disagreement"})
UNANSWERABLE = "unanswerable"


class QuestionResult(BaseModel):
    id: str
    kind: str
    first_rank: int | None = None
    evidence_coverage: float | None = None
    speakers_expected: list[str] = Field(default_factory=list)
    speakers_named: bool | None = None
    abstained: bool
    citations: int
    citations_verbatim: int
    latency_ms: float


class Metrics(BaseModel):
    questions: int
    recall_at_k: float | None = Field(None, description="Share with evidence in the top k.")
    evidence_coverage_at_k: float | None = Field(
        None, description="Share of evidence pieces found."
    )
    mrr: float | None = None
    speaker_named: float | None = None
    abstained_unanswerable: str | None = None
    false_abstention: float | None = None
    citations_verbatim: float | None = None
    citations_per_answer: float | None = None
    latency_p50_ms: float | None = None
    latency_max_ms: float | None = None


class RetrievalMetrics(BaseModel):
    mode: str
    recall_at_k: float
    evidence_coverage_at_k: float
    mrr: float


class EvalReport(BaseModel):
    k: int
    overall: Metrics
    by_kind: dict[str, Metrics]
    retrieval: list[RetrievalMetrics]
    results: list[QuestionResult]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def summarize(results: list[QuestionResult]) -> Metrics:
    answerable = [r for r in results if r.kind != UNANSWERABLE]
    unanswerable = [r for r in results if r.kind == UNANSWERABLE]
    ranked = [r for r in answerable if r.evidence_coverage is not None]
    with_speakers = [r for r in results if r.speakers_named is not None]
    cited = sum(r.citations for r in results)
    latencies = sorted(r.latency_ms for r in results)
    return Metrics(
        questions=len(results),
        recall_at_k=_mean([r.first_rank is not None for r in ranked]),
        evidence_coverage_at_k=_mean([r.evidence_coverage or 0.0 for r in ranked]),
        mrr=_mean([1 / r.first_rank if r.first_rank else 0.0 for r in ranked]),
        speaker_named=_mean([bool(r.speakers_named) for r in with_speakers]),
        abstained_unanswerable=(
            f"{sum(r.abstained for r in unanswerable)}/{len(unanswerable)}"
            if unanswerable
            else None
        ),
        false_abstention=_mean([r.abstained for r in answerable]),
        citations_verbatim=round(sum(r.citations_verbatim for r in results) / cited, 3)
        if cited
        else None,
        citations_per_answer=_mean([r.citations for r in results if not r.abstained]),
        latency_p50_ms=round(latencies[len(latencies) // 2], 1) if latencies else None,
        latency_max_ms=round(latencies[-1], 1) if latencies else None,
    )


def expected_speakers(question: EvalQuestion) -> list[str]:
    names = [e.speaker.removesuffix(" (post)") for e in question.evidence if e.speaker]
    return list(dict.fromkeys(names))


def names_speakers(answer_text: str, cited: list[str | None], expected: list[str]) -> bool:
    return all(name in cited or name in answer_text for name in expected)
