"""Recall of the IVF layout against exact search, on real sentence vectors.

    .venv/bin/python benchmarks/ivf_recall.py [--sentences 30000] [--queries 300]

The corpus ships ~2,000 sentences, too few for an IVF index, so the sentences here are
English prose that every install has: the docstrings of Python's standard library,
cut into sentences as askalign cuts passages, embedded by the packaged model. Queries
are held-out sentences of the same prose. Reports recall@10 and ms per search for
several `nprobe` shares of the lists (askalign's layout: 4·√n lists).
"""

from __future__ import annotations

import argparse
import inspect
import json
import pkgutil
import time
import warnings

import numpy as np

from askalign.embedding import Embedder
from askalign.engines.vectors import FaissVectors, ivf_lists
from askalign.text.sentences import sentence_spans


def stdlib_sentences(limit: int) -> list[str]:
    found: dict[str, None] = {}
    warnings.simplefilter("ignore")
    for module in sorted(pkgutil.iter_modules(), key=lambda m: m.name):
        if module.name.startswith("_") or module.name in ("antigravity", "this", "idlelib"):
            continue
        try:
            imported = __import__(module.name)
        except Exception:  # some modules need a display or an extra
            continue
        for _, value in inspect.getmembers(imported):
            text = " ".join((inspect.getdoc(value) or "").split())
            for span in sentence_spans(text, 0, len(text)):
                sentence = span.cut(text)
                if 40 <= len(sentence) <= 400:
                    found.setdefault(sentence)
        if len(found) >= limit:
            break
    return list(found)[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=30_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    texts = stdlib_sentences(args.sentences + args.queries)
    started = time.perf_counter()
    vectors = Embedder().embed(texts)
    embed_s = time.perf_counter() - started
    rng = np.random.default_rng(0)
    order = rng.permutation(len(texts))
    queries, corpus = vectors[order[: args.queries]], vectors[order[args.queries :]]
    ids = np.arange(len(corpus))
    exact = FaissVectors(FaissVectors.empty(corpus.shape[1], 0).index)
    exact.add(ids, corpus)
    truth = [set(exact.search(q, 10)[1].tolist()) for q in queries]
    lists = ivf_lists(len(corpus))
    approximate = FaissVectors.inverted(corpus.shape[1], lists, corpus)
    approximate.add(ids, corpus)
    rows = []
    for nprobe in (8, 16, 24, 32, 48, 64, 96):
        approximate.nprobe = nprobe
        started = time.perf_counter()
        found = [set(approximate.search(q, 10)[1].tolist()) for q in queries]
        ms = (time.perf_counter() - started) / len(queries) * 1000
        recall = float(np.mean([len(f & t) / 10 for f, t in zip(found, truth, strict=True)]))
        rows.append(
            {
                "nprobe": nprobe,
                "share": round(nprobe / lists, 4),
                "recall@10": round(recall, 3),
                "ms": round(ms, 2),
            }
        )
    print(
        json.dumps(
            {
                "sentences": len(corpus),
                "lists": lists,
                "queries": len(queries),
                "embed_s": round(embed_s),
                "rows": rows,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
