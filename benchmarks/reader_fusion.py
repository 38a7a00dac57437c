"""Tunes how the reader's score joins the composer's: on our own paraphrased questions
(never the evaluation set), the share of questions whose best-scored candidate sentence
is gold evidence, and the MRR of the first gold sentence, for the composer's relevance
alone, the reader alone, and their z-scored sum at several weights.

    python benchmarks/reader_fusion.py [--questions tests/data/paraphrase_questions.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from askalign.answer.extractive import ExtractiveComposer
from askalign.assistant import Assistant
from askalign.evaluation.metrics import cites_evidence, load_questions
from askalign.reader.model import model_path
from askalign.reader.scorer import QueryLikelihood
from askalign.settings import Settings

SHORTLIST = 12
# Tried and left out (2026-12-04, this script): scoring only the question's content
# words (framing such as "what did … say" dropped) was 12 % faster and worse, top1
# 0.551 against 0.580 at the best weight of each.


def zscored(values: np.ndarray) -> np.ndarray:
    spread = values.std()
    return (values - values.mean()) / spread if spread > 1e-9 else values * 0.0


def first_gold(order: np.ndarray, gold: np.ndarray) -> int | None:
    for rank, i in enumerate(order, 1):
        if gold[i]:
            return rank
    return None


def rows(questions: Path) -> list[dict]:
    assistant = Assistant.open(reader="off")
    composer = assistant.composer
    assert isinstance(composer, ExtractiveComposer)
    reader = QueryLikelihood(model_path(Settings().model_cache))
    found_rows = []
    for question in load_questions(questions):
        if not question.evidence:
            continue
        intent = assistant.intent(question.question)
        asked, hits = assistant._evidence(question.question, intent, _no_filter(), 5)
        pool = composer.pool(asked, hits)  # the reader is off here: relevance alone
        if not pool.found:
            continue
        texts, relevance = pool.texts, pool.relevance
        top = np.argsort(-relevance)[:SHORTLIST]
        gold = np.array(
            [any(cites_evidence(texts[i], e.quote) for e in question.evidence) for i in top]
        )
        row = {"id": question.id, "relevance": relevance[top].tolist(), "gold": gold.tolist()}
        started = time.perf_counter()
        row["reader"] = reader.score(question.question, [texts[i] for i in top])[0].tolist()
        row["seconds"] = time.perf_counter() - started
        found_rows.append(row)
    return found_rows


def _no_filter():
    from askalign.retrieval.search import Filters

    return Filters()


def fused_top(row: dict, size: int, weight: float | None) -> tuple[bool, float]:
    """(best candidate is gold, reciprocal rank of the first gold) when the reader reads
    the `size` best by relevance and its z-score, scaled to their spread of relevance,
    is added to theirs (as `answer.scoring.read` does); `weight` None: the reader alone."""
    relevance, read, gold = (np.array(row[k]) for k in ("relevance", "reader", "gold"))
    fused = relevance.copy()
    shortlist = np.argsort(-relevance, kind="stable")[:size]
    if weight is None:
        fused = np.full_like(relevance, -np.inf)
        fused[shortlist] = read[shortlist]
    else:
        spread = relevance[shortlist].std() or 1.0
        fused[shortlist] += weight * spread * zscored(read[shortlist])
    rank = first_gold(np.argsort(-fused, kind="stable"), gold)
    return rank == 1, 1 / rank if rank else 0.0


def report(found_rows: list[dict]) -> None:
    usable = [r for r in found_rows if any(r["gold"])]
    print(f"{len(found_rows)} questions, {len(usable)} with a gold sentence in the shortlist")
    seconds = np.mean([r["seconds"] for r in found_rows])
    print(f"reader: {seconds:.2f} s a question for {SHORTLIST} candidates")
    print("top1 / MRR of the first gold sentence; rows: sentences read, columns: weight")
    weights = (0.0, 0.25, 0.4, 0.5, 0.75, 1.0, None)
    print("      " + "".join(f"{'alone' if w is None else w:>14}" for w in weights))
    for size in (4, 6, 8, 12):
        cells = []
        for weight in weights:
            scored = [fused_top(r, size, weight) for r in usable]
            top1 = np.mean([s[0] for s in scored])
            mrr = np.mean([s[1] for s in scored])
            cells.append(f"{top1:.3f}/{mrr:.3f}")
        print(f"{size:>4}  " + "".join(f"{c:>14}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--questions", type=Path, default=Path("tests/data/paraphrase_questions.jsonl")
    )
    parser.add_argument("--cache", type=Path, default=None, help="Reuse (or write) scored rows.")
    args = parser.parse_args()
    if args.cache and args.cache.exists():
        found_rows = json.loads(args.cache.read_text())
    else:
        found_rows = rows(args.questions)
        if args.cache:
            args.cache.write_text(json.dumps(found_rows))
    report(found_rows)


if __name__ == "__main__":
    main()
