"""Fit the abstention model (`src/askalign/answer/answerability.json`) on our own labelled
questions: `tests/data/calibration.jsonl` (an `answerable` flag each),
`tests/data/dev_questions.jsonl` and `tests/data/paraphrase_questions.jsonl` (kind
`unanswerable` or not). Never on the evaluation set: it measures the result.

Two models are fitted: with the reader's signal (`reader_gain`) and without it (the
reader off or not installed). Two honest figures come with each fit:
- 5-fold out-of-fold: the threshold is set on scores of questions the model was not
  fitted on;
- leave one document out: fitted, and its threshold set, on the questions about two of
  the texts, then tested on the third, in turn. That is what a text added later meets.

    .venv/bin/python benchmarks/calibrate_abstention.py [--target 0.04]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from askalign import Assistant
from askalign.answer.strength import MODEL_FILE, AnswerabilityModel, AnswerabilityModels

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
CALIBRATION = DATA / "calibration.jsonl"
LABELLED_SETS = [DATA / "dev_questions.jsonl", DATA / "paraphrase_questions.jsonl"]
FOLDS = 5


class Labelled(BaseModel):
    question: str
    answerable: bool
    document: str  # the text it is about, for leave-one-document-out


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def labelled(assistant: Assistant) -> list[Labelled]:
    """Every question of ours, with the text it is about: its evidence's, its `about`,
    or (for questions that name none) the text its best hit comes from."""
    by_file = {doc.source_file: doc.id for doc in assistant.documents.values()}
    found: list[Labelled] = []
    for path in LABELLED_SETS:
        for row in _rows(path):
            named = row.get("about") or next((e["doc"] for e in row["evidence"]), None)
            found.append(
                Labelled(
                    question=row["question"],
                    answerable=row["kind"] != "unanswerable",
                    document=by_file.get(named or "", "") or _best_doc(assistant, row["question"]),
                )
            )
    for row in _rows(CALIBRATION):
        found.append(
            Labelled(
                question=row["question"],
                answerable=bool(row["answerable"]),
                document=_best_doc(assistant, row["question"]),
            )
        )
    return found


def _best_doc(assistant: Assistant, question: str) -> str:
    return assistant.ask(question, k=1).hits[0].doc_id


def threshold_for(scores: np.ndarray, answerable: np.ndarray, target: float) -> float:
    """The highest cut that abstains on at most `target` of the answerable questions."""
    ranked = np.sort(scores[answerable])
    return float(ranked[int(np.floor(target * len(ranked)))] - 1e-6)


def new_model() -> LogisticRegression:
    return LogisticRegression(max_iter=2000, C=1.0)


def rates(scores: np.ndarray, answerable: np.ndarray, threshold: float) -> tuple[float, float]:
    """(false abstention on answerable, share of unanswerable caught)."""
    return (
        float(np.mean(scores[answerable] < threshold)),
        float(np.mean(scores[~answerable] < threshold)),
    )


def leave_one_document_out(
    features: np.ndarray, answerable: np.ndarray, documents: np.ndarray, target: float
) -> dict[str, tuple[float, float]]:
    found: dict[str, tuple[float, float]] = {}
    for held_out in sorted(set(documents)):
        train, test = documents != held_out, documents == held_out
        model = make_pipeline(StandardScaler(), new_model())
        inner = cross_val_predict(
            model,
            features[train],
            answerable[train],
            cv=StratifiedKFold(FOLDS, shuffle=True, random_state=0),
            method="decision_function",
        )
        threshold = threshold_for(inner, answerable[train], target)
        model.fit(features[train], answerable[train])
        found[held_out] = rates(
            model.decision_function(features[test]), answerable[test], threshold
        )
    return found


def fit(
    names: list[str],
    features: np.ndarray,
    answerable: np.ndarray,
    documents: np.ndarray,
    target: float,
) -> AnswerabilityModel:
    out_of_fold = cross_val_predict(
        new_model(),
        features,
        answerable,
        cv=StratifiedKFold(FOLDS, shuffle=True, random_state=0),
        method="decision_function",
    )
    threshold = threshold_for(out_of_fold, answerable, target)
    false_rate, caught = rates(out_of_fold, answerable, threshold)
    by_document = leave_one_document_out(features, answerable, documents, target)
    lodo = "; ".join(f"{doc}: false {f:.3f}, caught {c:.3f}" for doc, (f, c) in by_document.items())
    model = new_model().fit(features, answerable)
    return AnswerabilityModel(
        weights={name: round(float(w), 5) for name, w in zip(names, model.coef_[0], strict=True)},
        intercept=round(float(model.intercept_[0]), 5),
        threshold=round(threshold, 5),
        fitted_on=(
            f"{len(features)} questions of ours ({int(answerable.sum())} answerable); "
            f"{FOLDS}-fold out-of-fold: false abstention {false_rate:.3f}, "
            f"unanswerable caught {caught:.3f}; leave one document out: {lodo}"
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=float, default=0.04, help="false abstention allowed")
    parser.add_argument("--index", type=Path, default=None, help="index directory")
    args = parser.parse_args()

    assistant = Assistant.open(args.index, reader="on")
    questions = labelled(assistant)
    signals = [assistant.assess(q.question).signals() for q in questions]
    names = list(signals[0])
    features = np.array([[row[name] for name in names] for row in signals])
    answerable = np.array([q.answerable for q in questions])
    documents = np.array([q.document for q in questions])
    plain = [i for i, name in enumerate(names) if name != "reader_gain"]
    fitted = AnswerabilityModels(
        plain=fit(
            [names[i] for i in plain], features[:, plain], answerable, documents, args.target
        ),
        reader=fit(names, features, answerable, documents, args.target),
    )
    MODEL_FILE.write_text(fitted.model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(fitted.model_dump_json(indent=2))


if __name__ == "__main__":
    main()
