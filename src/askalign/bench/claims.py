"""The claim check's cosine threshold against labelled pairs (benchmarks/claims.jsonl,
written from passages the eval does not use): a claim in a model's words, the quote it
cites, and whether the quote backs it.

The rule, fixed before the figures were seen: the highest threshold that still keeps
95 % of the supported claims, since dropping a true claim shortens an answer while the
quote beside a false one is at least real and shown. It is chosen on one half of the
pairs and reported on the other, both ways round. "negated" pairs are counted apart:
a sentence embedding cannot see a "not", so no threshold is expected to catch them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from askalign.embedding import Embedder
from askalign.llm.check import MIN_COSINE, cosines

KEEP_SUPPORTED = 0.95
THRESHOLDS = [round(t, 2) for t in np.arange(0.05, 0.80, 0.05)]
BLIND_TO = "negated"


class Pair(BaseModel):
    id: str
    claim: str
    quote: str
    supported: bool
    kind: str
    cosine: float = 0.0


class AtThreshold(BaseModel):
    threshold: float
    supported_kept: float  # of the supported claims, the share that passes
    unsupported_dropped: float  # of the unsupported, negated left out, the share dropped
    negated_dropped: float


class Fold(BaseModel):
    tuned_on: str
    chosen: float
    on_the_other_half: AtThreshold


class ClaimsBench(BaseModel):
    pairs: int
    mean_cosine_by_kind: dict[str, float]
    table: list[AtThreshold]
    current: AtThreshold  # at MIN_COSINE as shipped
    folds: list[Fold]


def bench_claims(embedder: Embedder, pairs_file: Path) -> ClaimsBench:
    lines = pairs_file.read_text(encoding="utf-8").splitlines()
    pairs = [Pair.model_validate(json.loads(line)) for line in lines if line.strip()]
    found = cosines(embedder.embed, [p.claim for p in pairs], [p.quote for p in pairs])
    for pair, cosine in zip(pairs, found, strict=True):
        pair.cosine = cosine
    kinds = sorted({p.kind for p in pairs})
    halves = {"even": pairs[0::2], "odd": pairs[1::2]}
    folds = []
    for name, tuned_on in halves.items():
        other = halves["odd" if name == "even" else "even"]
        chosen = _chosen(tuned_on)
        folds.append(Fold(tuned_on=name, chosen=chosen, on_the_other_half=_at(other, chosen)))
    return ClaimsBench(
        pairs=len(pairs),
        mean_cosine_by_kind={
            kind: round(float(np.mean([p.cosine for p in pairs if p.kind == kind])), 3)
            for kind in kinds
        },
        table=[_at(pairs, threshold) for threshold in THRESHOLDS],
        current=_at(pairs, MIN_COSINE),
        folds=folds,
    )


def _chosen(pairs: list[Pair]) -> float:
    """The highest threshold keeping KEEP_SUPPORTED of the supported claims."""
    keeping = [t for t in THRESHOLDS if _at(pairs, t).supported_kept >= KEEP_SUPPORTED]
    return max(keeping, default=THRESHOLDS[0])


def _at(pairs: list[Pair], threshold: float) -> AtThreshold:
    supported = [p for p in pairs if p.supported]
    unsupported = [p for p in pairs if not p.supported and p.kind != BLIND_TO]
    negated = [p for p in pairs if p.kind == BLIND_TO]
    return AtThreshold(
        threshold=threshold,
        supported_kept=_share(supported, lambda c: c >= threshold),
        unsupported_dropped=_share(unsupported, lambda c: c < threshold),
        negated_dropped=_share(negated, lambda c: c < threshold),
    )


def _share(pairs: list[Pair], holds: Callable[[float], bool]) -> float:
    if not pairs:
        return 0.0
    return round(sum(1 for p in pairs if holds(p.cosine)) / len(pairs), 3)
