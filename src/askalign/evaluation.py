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
        except (ValueError, ValidationError) as error:
            raise QuestionsFileError(
                f"{path}, line {number}: not a question object ({error}):"
                " each line needs id, question, kind and evidence"
            ) from error
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
