"""`askalign eval`: questions files, their scoring (`metrics`) and the run that asks every
question through the Assistant (`run`).

The names of `run` load lazily: scoring answers (`benchmarks/compare_versions.py`, the
llama-index peer of `askalign bench retrieval`) does not load the answering stack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from askalign.evaluation.metrics import (
    SPEAKER_KINDS,
    UNANSWERABLE,
    EvalFileError,
    EvalQuestion,
    EvalReport,
    Evidence,
    Grade,
    GradeValue,
    Metrics,
    QuestionResult,
    RetrievalMetrics,
    cited_evidence,
    cites_evidence,
    evidence_recall,
    expected_speakers,
    first_rank,
    holds_evidence,
    load_grades,
    load_questions,
    names_speakers,
    rank_metrics,
    summarize,
)
from askalign.lazy import lazy_getattr

if TYPE_CHECKING:
    from askalign.evaluation.run import (
        evaluate,
        retrieval_only,
        run_question,
        verbatim_in_files,
    )

_LAZY = dict.fromkeys(
    ("evaluate", "retrieval_only", "run_question", "verbatim_in_files"), "askalign.evaluation.run"
)


__getattr__ = lazy_getattr(__name__, _LAZY)


__all__ = [
    "SPEAKER_KINDS",
    "UNANSWERABLE",
    "EvalFileError",
    "EvalQuestion",
    "EvalReport",
    "Evidence",
    "Grade",
    "GradeValue",
    "Metrics",
    "QuestionResult",
    "RetrievalMetrics",
    "cited_evidence",
    "cites_evidence",
    "evaluate",
    "evidence_recall",
    "expected_speakers",
    "first_rank",
    "holds_evidence",
    "load_grades",
    "load_questions",
    "names_speakers",
    "rank_metrics",
    "retrieval_only",
    "run_question",
    "summarize",
    "verbatim_in_files",
]
