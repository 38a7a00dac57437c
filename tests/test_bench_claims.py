"""The claim check's threshold is the one its rule picks on our labelled claims, and
those claims stay off the eval's evidence and quote the corpus word for word."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from askalign.bench.claims import ClaimsBench, bench_claims
from askalign.llm.check import MIN_COSINE

REPO = Path(__file__).resolve().parents[1]
PAIRS = REPO / "benchmarks" / "claims.jsonl"
EVAL = REPO.parent / "shared" / "eval" / "questions.jsonl"
RUN = 6  # words in a row that would make two quotes the same evidence
BAD_KINDS = ["wrong_speaker", "fake_quote", "negate"]


def _words(text: str) -> list[str]:
    """Words as written ("don't" is one), their edge punctuation dropped."""
    return [w for w in (re.sub(r"^\W+|\W+$", "", w) for w in text.lower().split()) if w]


def _runs(text: str) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


@pytest.fixture(scope="module")
def bench(embedder) -> ClaimsBench:
    return bench_claims(embedder, PAIRS, REPO / "corpus")


def test_the_shipped_threshold_is_the_one_the_rule_picks(bench: ClaimsBench) -> None:
    assert [fold.chosen for fold in bench.folds] == [MIN_COSINE, MIN_COSINE]
    for fold in bench.folds:  # measured on the half it was not chosen on
        assert fold.on_the_other_half.supported_kept >= 0.9
        assert fold.on_the_other_half.unsupported_dropped >= 0.6
    means = bench.mean_cosine_by_kind
    assert means["unrelated"] < means["same_thread"] < means["summary"] < means["paraphrase"]


def test_the_checks_drop_misattributed_invented_and_negated_claims_and_keep_faithful_ones(
    bench: ClaimsBench,
) -> None:
    """Issue 28's targets: each bad kind the word rules are for at least 95 % dropped,
    and of all the faithful claims at least 95 % kept, by every check together."""
    dropped = bench.checks.dropped_by_kind
    assert {kind: dropped[kind] >= 0.95 for kind in BAD_KINDS} == dict.fromkeys(BAD_KINDS, True)
    assert bench.checks.faithful_kept >= 0.95
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    counts = {kind: sum(r["kind"] == kind for r in rows) for kind in BAD_KINDS}
    assert min(counts.values()) >= 20, counts


def test_labelled_claims_quote_the_corpus_and_stay_off_the_eval_evidence() -> None:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 100 and {r["supported"] for r in rows} == {True, False}
    for row in rows:
        text = (REPO / "corpus" / row["doc"]).read_text(encoding="utf-8")
        assert row["quote"] in text, row["id"]
    if not EVAL.exists():
        pytest.skip("no eval set beside the repository")
    evidence: set[tuple[str, ...]] = set()
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        for item in json.loads(line).get("evidence", []):
            evidence |= _runs(item["quote"])
    overlapping = [r["id"] for r in rows if _runs(r["quote"]) & evidence]
    assert overlapping == []
