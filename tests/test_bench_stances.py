"""The stance benchmark: real replies from the corpus threads and two saved LessWrong
pages, each labelled by a careful reader (benchmarks/stances.jsonl). Every reply there
with a marker word is labelled, and the stances the map states hold at least 95% of
the time: a wrong stance misleads, a missed one shows grey."""

from __future__ import annotations

from pathlib import Path

from askalign.bench.stances import bench_stances

LABELS = Path(__file__).resolve().parents[1] / "benchmarks" / "stances.jsonl"


def test_stated_stances_on_real_replies_are_right() -> None:
    bench = bench_stances(LABELS)
    assert bench.replies >= 50
    assert bench.unlabelled == []  # every reply with a marker word is in the set
    assert bench.stated >= 5  # the reader states stances, not nothing
    assert bench.precision >= 0.95, bench.wrong
