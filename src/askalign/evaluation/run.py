"""Runs an evaluation: every question through the Assistant, scored as `metrics` says."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from askalign.assistant import Assistant
from askalign.evaluation.metrics import (
    SPEAKER_KINDS,
    EvalQuestion,
    EvalReport,
    Grade,
    QuestionResult,
    RetrievalMetrics,
    cited_evidence,
    evidence_recall,
    expected_speakers,
    first_rank,
    names_speakers,
    rank_metrics,
    summarize,
)
from askalign.formats import VERBATIM_FORMATS
from askalign.formats.decode import ReadError, read_source
from askalign.retrieval.search import Mode
from askalign.settings import Settings


def verbatim_in_files(
    assistant: Assistant, corpus_dir: Path, quotes: list[tuple[str, int, int, str]]
) -> int:
    """Citations whose quote is the text at their span in the corpus file, re-read from
    disk: independent of the index that produced them."""
    good = 0
    for doc_id, start, end, quote in quotes:
        document = assistant.documents.get(doc_id)
        if document is None:
            continue
        if document.format not in VERBATIM_FORMATS:
            good += document.source_text[start:end] == quote  # extracted or cleaned text
            continue
        try:
            source = read_source(corpus_dir / document.source_file, Settings().max_file_bytes).text
        except (OSError, ReadError):
            continue
        good += source[start:end] == quote
    return good


def run_question(
    assistant: Assistant,
    question: EvalQuestion,
    k: int,
    corpus_dir: Path,
    grade: Grade | None = None,
) -> QuestionResult:
    started = time.perf_counter()
    answer = assistant.ask(question.question, k=k)
    latency_ms = (time.perf_counter() - started) * 1000
    texts = [hit.text for hit in answer.hits[:k]]
    speakers = expected_speakers(question)
    quotes = [(c.doc_id, c.start, c.end, c.quote) for c in answer.citations]
    return QuestionResult(
        id=question.id,
        kind=question.kind,
        question=question.question,
        reference=question.answer,
        answer_text=answer.text,
        first_rank=first_rank(texts, question.evidence) if question.evidence else None,
        evidence_coverage=evidence_recall(texts, question.evidence) if question.evidence else None,
        cited_evidence=(  # an abstention shows the nearest material, not an answer
            (
                not answer.abstained
                and cited_evidence([c.quote for c in answer.citations], question.evidence)
            )
            if question.evidence
            else None
        ),
        first_cited_evidence=(  # a reader reads the first quote and often stops there
            (
                not answer.abstained
                and cited_evidence([c.quote for c in answer.citations[:1]], question.evidence)
            )
            if question.evidence
            else None
        ),
        speakers_expected=speakers,
        speakers_named=(
            names_speakers(answer.text, [c.speaker for c in answer.citations], speakers)
            if question.kind in SPEAKER_KINDS and speakers
            else None
        ),
        abstained=answer.abstained,
        citations=len(answer.citations),
        citations_verbatim=verbatim_in_files(assistant, corpus_dir, quotes),
        latency_ms=latency_ms,
        grade=grade,
    )


def retrieval_only(
    assistant: Assistant, questions: list[EvalQuestion], k: int
) -> list[RetrievalMetrics]:
    found: list[RetrievalMetrics] = []
    answerable = [q for q in questions if q.evidence]
    for mode in Mode:
        ranks, coverage = [], []
        for question in answerable:
            intent = assistant.intent(question.question)
            vector = assistant.question_vector(question.question, intent)
            hits = assistant.searcher.search(
                question.question, k=k, mode=mode, intent=intent, vector=vector
            )
            texts = [hit.chunk.text for hit in hits]
            ranks.append(first_rank(texts, question.evidence))
            coverage.append(evidence_recall(texts, question.evidence))
        recall, mrr = rank_metrics(ranks)
        found.append(
            RetrievalMetrics(
                mode=mode.value,
                recall_at_k=recall,
                evidence_coverage_at_k=round(sum(coverage) / (len(answerable) or 1), 3),
                mrr=mrr,
            )
        )
    return found


def evaluate(
    assistant: Assistant,
    questions: list[EvalQuestion],
    *,
    k: int,
    corpus_dir: Path,
    grades: dict[str, Grade] | None = None,
    on_question: Callable[[], None] | None = None,
) -> EvalReport:
    """Every question asked and scored; `grades` (by question id) are carried into the
    results, so that the report summarises them beside the measured metrics."""
    assistant.ask("warm-up question about alignment")  # first-call costs are not latency
    results = []
    for question in questions:
        grade = grades.get(question.id) if grades else None
        results.append(run_question(assistant, question, k, corpus_dir, grade))
        if on_question:
            on_question()
    kinds = sorted({r.kind for r in results})
    return EvalReport(
        k=k,
        overall=summarize(results),
        by_kind={kind: summarize([r for r in results if r.kind == kind]) for kind in kinds},
        retrieval=retrieval_only(assistant, questions, k),
        results=results,
    )
