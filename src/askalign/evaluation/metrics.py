"""What `askalign eval` scores: the metrics of the shared evaluation README, on any
questions file (`run` asks the questions).

A hit holds a piece of evidence when it contains the quote, or when most of the quote's
words fall inside it in order (a quote may straddle two chunks). An answer cites a piece
of evidence when one of its quotes holds a good part of it (see `cites_evidence`): the
reader sees the answer, not the hits. Grades a person or an agent gave the answers
(`load_grades`) are summarised too. Everything is reported overall and by question kind.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError

from askalign.text.spans import normalize

MOST_OF_THE_WORDS = 0.6
GOOD_PART_OF_THE_EVIDENCE = 0.5
SHORTEST_QUOTE_INSIDE = 6  # words: a shorter quote inside the evidence is a phrase, not a claim


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


GradeValue = Literal["full", "partial", "miss", "wrong_abstention", "right_abstention"]


class Grade(BaseModel):
    """A reader's verdict on one answer against the question's reference answer: what
    word statistics cannot tell (does it answer? does it lead with the answer?)."""

    id: str
    grade: GradeValue
    lead: bool = Field(description="The answer's first sentence is its most useful one.")


class EvalFileError(Exception):
    """A questions or grades file that cannot be used; the message names file, line, field."""


Model = TypeVar("Model", bound=BaseModel)


def _read_jsonl(path: Path, model: type[Model], needs: str) -> list[tuple[int, Model]]:
    """Each non-blank line validated as `model`, with its line number; the first bad line
    stops the run with a message that says where and what (`needs` says what a line holds)."""
    found: list[tuple[int, Model]] = []
    try:
        lines = path.read_text(encoding="utf-8").split("\n")  # JSON may hold U+2028
    except OSError as error:
        raise EvalFileError(f"cannot read {path}: {error.strerror}") from error
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            found.append((number, model.model_validate(json.loads(line))))
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "?"
            raise EvalFileError(
                f"{path}, line {number}: field '{field}': {first['msg']} (each line needs {needs})"
            ) from error
        except ValueError as error:
            raise EvalFileError(f"{path}, line {number}: not valid JSON ({error})") from error
    return found


QUESTION_NEEDS = "id, question, kind and evidence"
GRADE_NEEDS = (
    "id, grade (full, partial, miss, wrong_abstention or right_abstention) and lead (true or false)"
)


def load_questions(path: Path) -> list[EvalQuestion]:
    return [question for _, question in _read_jsonl(path, EvalQuestion, QUESTION_NEEDS)]


def load_grades(path: Path) -> dict[str, Grade]:
    """Grades by question id. An id graded twice is an error: which grade counts would be
    a guess."""
    grades: dict[str, Grade] = {}
    lines: dict[str, int] = {}
    for number, grade in _read_jsonl(path, Grade, GRADE_NEEDS):
        if grade.id in grades:
            raise EvalFileError(
                f"{path}, line {number}: field 'id': {grade.id!r} is already graded on line"
                f" {lines[grade.id]}"
            )
        grades[grade.id], lines[grade.id] = grade, number
    return grades


def _word_matcher(needle: str, hay: str) -> SequenceMatcher[str]:
    """Aligns two normalised texts word by word: shared runs are shared wording, whatever
    the spacing, and a quote cut mid-sentence still lines up."""
    return SequenceMatcher(None, needle.split(), hay.split(), autojunk=False)


def holds_evidence(text: str, quote: str) -> bool:
    hay, needle = normalize(text), normalize(quote)
    if needle in hay:
        return True
    matcher = _word_matcher(needle, hay)
    if not matcher.a:
        return False
    covered = sum(block.size for block in matcher.get_matching_blocks())
    return covered / len(matcher.a) >= MOST_OF_THE_WORDS


def cites_evidence(quote: str, evidence: str) -> bool:
    """Looser than containment: evidence starts and ends anywhere, while an answer quotes
    whole sentences. A quote inside the evidence must be long enough not to be a common
    phrase, and a partial overlap must be one long shared run, not scattered words, so
    that two passages on the same topic do not count."""
    said, wanted = normalize(quote), normalize(evidence)
    if not wanted:
        return False
    if wanted in said:
        return True
    if said in wanted and len(said.split()) >= SHORTEST_QUOTE_INSIDE:
        return True
    matcher = _word_matcher(wanted, said)
    return matcher.find_longest_match().size / len(matcher.a) >= GOOD_PART_OF_THE_EVIDENCE


def cited_evidence(quotes: list[str], evidence: list[Evidence]) -> bool:
    """Some quote of the answer cites some piece of the question's evidence."""
    return any(cites_evidence(quote, item.quote) for quote in quotes for item in evidence)


def first_rank(texts: list[str], evidence: list[Evidence]) -> int | None:
    for rank, text in enumerate(texts, 1):
        if any(holds_evidence(text, item.quote) for item in evidence):
            return rank
    return None


def evidence_recall(texts: list[str], evidence: list[Evidence]) -> float:
    found = sum(any(holds_evidence(text, item.quote) for text in texts) for item in evidence)
    return found / len(evidence)


def rank_metrics(ranks: Sequence[int | None]) -> tuple[float, float]:
    """Recall@k and MRR, each rounded to 3 places, of the ranks at which each question's
    evidence first turned up (`first_rank`; None: not in the top k). (0.0, 0.0) for no
    questions."""
    if not ranks:
        return 0.0, 0.0
    recall = sum(rank is not None for rank in ranks) / len(ranks)
    mrr = sum(1 / rank for rank in ranks if rank) / len(ranks)
    return round(recall, 3), round(mrr, 3)


SPEAKER_KINDS = frozenset({"who", "thread", "disagreement"})
UNANSWERABLE = "unanswerable"


class QuestionResult(BaseModel):
    """One question's scores, with what a grader needs beside them: the question, its
    reference answer and the answer given."""

    id: str
    kind: str
    question: str
    reference: str = Field(description="The question's reference answer.")
    answer_text: str
    first_rank: int | None = None
    evidence_coverage: float | None = None
    cited_evidence: bool | None = Field(
        None, description="The answer quotes evidence (None: no evidence to quote)."
    )
    first_cited_evidence: bool | None = Field(
        None, description="The answer's first quote is evidence (None: no evidence to quote)."
    )
    speakers_expected: list[str] = Field(default_factory=list)
    speakers_named: bool | None = None
    abstained: bool
    citations: int
    citations_verbatim: int
    latency_ms: float
    grade: Grade | None = None


class Metrics(BaseModel):
    questions: int
    recall_at_k: float | None = Field(None, description="Share with evidence in the top k.")
    evidence_coverage_at_k: float | None = Field(
        None, description="Share of evidence pieces found."
    )
    mrr: float | None = None
    cited_evidence: float | None = Field(None, description="Share whose answer quotes evidence.")
    first_cited_evidence: float | None = Field(
        None, description="Share whose answer's first quote is evidence."
    )
    speaker_named: float | None = None
    abstained_unanswerable: str | None = None
    false_abstention: float | None = None
    citations_verbatim: float | None = None
    citations_per_answer: float | None = None
    latency_p50_ms: float | None = None
    latency_max_ms: float | None = None
    graded: int | None = Field(None, description="Answerable questions with a grade.")
    answered_fully: float | None = Field(
        None, description="Share of graded questions graded 'full'."
    )
    answered_at_least_partly: float | None = Field(
        None, description="Share graded 'full' or 'partial'."
    )
    leads_with_most_useful: float | None = Field(
        None, description="Share whose first sentence is the answer's most useful one."
    )


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
    grades = [r.grade for r in answerable if r.grade]
    cited = sum(r.citations for r in results)
    latencies = sorted(r.latency_ms for r in results)
    recall, mrr = rank_metrics([r.first_rank for r in ranked]) if ranked else (None, None)
    return Metrics(
        questions=len(results),
        recall_at_k=recall,
        evidence_coverage_at_k=_mean([r.evidence_coverage or 0.0 for r in ranked]),
        mrr=mrr,
        cited_evidence=_mean(
            [r.cited_evidence for r in answerable if r.cited_evidence is not None]
        ),
        first_cited_evidence=_mean(
            [r.first_cited_evidence for r in answerable if r.first_cited_evidence is not None]
        ),
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
        graded=len(grades) or None,
        answered_fully=_mean([g.grade == "full" for g in grades]),
        answered_at_least_partly=_mean([g.grade in ("full", "partial") for g in grades]),
        leads_with_most_useful=_mean([g.lead for g in grades]),
    )


def expected_speakers(question: EvalQuestion) -> list[str]:
    names = [e.speaker.removesuffix(" (post)") for e in question.evidence if e.speaker]
    return list(dict.fromkeys(names))


def names_speakers(answer_text: str, cited: list[str | None], expected: list[str]) -> bool:
    return all(name in cited or name in answer_text for name in expected)
