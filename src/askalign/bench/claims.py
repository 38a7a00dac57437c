"""The claim checks against labelled pairs (benchmarks/claims.jsonl, written from
passages the eval does not use): a claim in a model's words, the quote it cites, and
whether the quote backs it. Two measures:

- every check a claim passes (check.py and wording.py), run on each pair with the
  passage that holds its quote as the source the model was shown: for each kind, the
  share dropped (a bad kind) or kept (a faithful one), and the misses by id;
- the cosine threshold alone, tuned as below.

The rule, fixed before the figures were seen: the highest threshold that still keeps
95 % of the supported claims, since dropping a true claim shortens an answer while the
quote beside a false one is at least real and shown. It is chosen on one half of the
pairs and reported on the other, both ways round. "negated" pairs are counted apart:
a sentence embedding cannot see a "not", so no threshold is expected to catch them. The
kinds written for the word rules (WORDING_KINDS) are left out of the tuning: their
claims repeat their quotes, so their cosines say nothing of a paraphrase's."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from askalign.documents import Document
from askalign.embedding import Embedder
from askalign.ingest.corpus import scan_corpus
from askalign.llm.check import MIN_COSINE, ClaimChecker, cosines
from askalign.llm.parse import Claim
from askalign.llm.prompt import Source
from askalign.retrieval.intent import SpeakerDirectory

KEEP_SUPPORTED = 0.95
THRESHOLDS = [round(t, 2) for t in np.arange(0.05, 0.80, 0.05)]
BLIND_TO = "negated"
WORDING_KINDS = {
    "wrong_speaker",  # the quote given to someone other than its speaker
    "fake_quote",  # a quotation the source does not hold, beside the real one
    "negate",  # the quote's words said to be denied
    "quoted",  # faithful: verbatim quotations in the claim's own sentence
    "named_reply",  # faithful: the speaker named with the person they answer
    "negation_kept",  # faithful: a "not" the quote has too, or one it turns from
}


class Pair(BaseModel):
    id: str
    doc: str  # its file in the corpus
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


class Miss(BaseModel):
    id: str
    kind: str
    reason: str | None  # why a faithful claim was dropped; None: a bad one kept


class Checks(BaseModel):
    faithful_kept: float  # of all supported claims, the share every check keeps
    dropped_by_kind: dict[str, float]  # each bad kind: the share dropped
    kept_by_kind: dict[str, float]  # each faithful kind: the share kept
    misses: list[Miss]


class ClaimsBench(BaseModel):
    pairs: int
    checks: Checks
    mean_cosine_by_kind: dict[str, float]
    table: list[AtThreshold]
    current: AtThreshold  # at MIN_COSINE as shipped
    folds: list[Fold]


def bench_claims(embedder: Embedder, pairs_file: Path, corpus_dir: Path) -> ClaimsBench:
    """`corpus_dir`: where the pairs' documents are (the shipped corpus)."""
    lines = pairs_file.read_text(encoding="utf-8").splitlines()
    every = [Pair.model_validate(json.loads(line)) for line in lines if line.strip()]
    checks = _checks(every, embedder, corpus_dir)
    pairs = [p for p in every if p.kind not in WORDING_KINDS]
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
        pairs=len(every),
        checks=checks,
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


def _checks(pairs: list[Pair], embedder: Embedder, corpus_dir: Path) -> Checks:
    """Each pair through every check, its quote's passage as the one source shown."""
    documents = {d.source_file: d for d in scan_corpus(corpus_dir).documents}
    speakers = [p.speaker for d in documents.values() for p in d.passages if p.speaker]
    mentioned = SpeakerDirectory(speakers).mentioned
    kept: dict[str, bool] = {}
    misses: list[Miss] = []
    for pair in pairs:
        source = _source(documents[pair.doc], pair.quote)
        checker = ClaimChecker([source], mentioned, embedder.embed)
        [checked] = checker.check([Claim(text=pair.claim, source_id=source.id, quote=pair.quote)])
        kept[pair.id] = checked.reason is None
        if kept[pair.id] != pair.supported:
            misses.append(Miss(id=pair.id, kind=pair.kind, reason=checked.reason))
    kinds = sorted({p.kind for p in pairs})

    def share(kind: str, wanted: bool) -> float:
        of_kind = [p for p in pairs if p.kind == kind]
        return round(sum(kept[p.id] == wanted for p in of_kind) / len(of_kind), 3)

    supported = [p for p in pairs if p.supported]
    return Checks(
        faithful_kept=round(sum(kept[p.id] for p in supported) / max(len(supported), 1), 3),
        dropped_by_kind={k: share(k, False) for k in kinds if not _supported(pairs, k)},
        kept_by_kind={k: share(k, True) for k in kinds if _supported(pairs, k)},
        misses=misses,
    )


def _supported(pairs: list[Pair], kind: str) -> bool:
    return next(p.supported for p in pairs if p.kind == kind)


def _source(document: Document, quote: str) -> Source:
    """The passage that holds the quote, as the model would be shown it: where its
    words were first written, not a comment that pastes them (hits give way to those)."""
    found = [
        (at, next(p for p in document.passages if p.start <= at < p.end))
        for at in (m.start() for m in re.finditer(re.escape(quote), document.source_text))
    ]
    passage = next(
        (p for at, p in found if not any(s.start <= at < s.end for s in p.pasted)), found[0][1]
    )
    return Source(
        id="S1",
        doc_id=document.id,
        doc_title=document.title,
        speaker=passage.speaker,
        role=passage.role,
        replying_to=passage.replying_to_speaker,
        passage_id=passage.id,
        start=passage.start,
        end=passage.end,
        text=document.source_text[passage.start : passage.end],
    )
