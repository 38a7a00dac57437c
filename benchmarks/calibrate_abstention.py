"""Fit the abstention model (`src/askalign/answer/answerability.json`) on our own labelled
questions: `tests/data/calibration.jsonl` (an `answerable` flag each) and
`tests/data/dev_questions.jsonl` (kind `unanswerable` or not). Never on the evaluation
set: it measures the result.

The threshold is set on out-of-fold scores, so the false-abstention rate it promises is
one the model earned on questions it was not fitted on.

    .venv/bin/python benchmarks/calibrate_abstention.py [--target 0.04]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from askalign import Assistant
from askalign.answer.strength import MODEL_FILE, AnswerabilityModel

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
CALIBRATION = DATA / "calibration.jsonl"
DEV = DATA / "dev_questions.jsonl"
FOLDS = 5


def labelled() -> list[tuple[str, bool]]:
    rows = [json.loads(line) for line in CALIBRATION.read_text().splitlines() if line.strip()]
    pairs = [(row["question"], bool(row["answerable"])) for row in rows]
    dev = [json.loads(line) for line in DEV.read_text().splitlines() if line.strip()]
    return pairs + [(row["question"], row["kind"] != "unanswerable") for row in dev]


def threshold_for(scores: np.ndarray, answerable: np.ndarray, target: float) -> float:
    """The highest cut that abstains on at most `target` of the answerable questions."""
    ranked = np.sort(scores[answerable])
    return float(ranked[int(np.floor(target * len(ranked)))] - 1e-6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", type=float, default=0.04, help="false abstention allowed")
    parser.add_argument("--index", type=Path, default=None, help="index directory")
    args = parser.parse_args()

    assistant = Assistant.open(args.index)
    questions = labelled()
    signals = [assistant.assess(question).signals() for question, _ in questions]
    names = list(signals[0])
    features = np.array([[row[name] for name in names] for row in signals])
    answerable = np.array([flag for _, flag in questions])

    model = LogisticRegression(max_iter=2000)
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    out_of_fold = cross_val_predict(
        model, features, answerable, cv=folds, method="decision_function"
    )
    threshold = threshold_for(out_of_fold, answerable, args.target)
    model.fit(features, answerable)

    false_rate = float(np.mean(out_of_fold[answerable] < threshold))
    caught = float(np.mean(out_of_fold[~answerable] < threshold))
    fitted = AnswerabilityModel(
        weights={name: round(float(w), 5) for name, w in zip(names, model.coef_[0], strict=True)},
        intercept=round(float(model.intercept_[0]), 5),
        threshold=round(threshold, 5),
        fitted_on=(
            f"{len(questions)} questions of ours ({int(answerable.sum())} answerable); "
            f"{FOLDS}-fold out-of-fold: false abstention {false_rate:.3f}, "
            f"unanswerable caught {caught:.3f}"
        ),
    )
    MODEL_FILE.write_text(fitted.model_dump_json(indent=2) + "\n", encoding="utf-8")
    print(fitted.model_dump_json(indent=2))


if __name__ == "__main__":
    main()
