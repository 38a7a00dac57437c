"""Search engines behind one contract (`SearchEngine`), chosen by an engine spec:
`local` (the default: FAISS and BM25 files beside the catalog), `milvus:PATH.db`
(Milvus Lite, a file) or `http(s)://HOST:19530` (a Milvus server or cluster)."""

from __future__ import annotations

from pathlib import Path

from askalign.engines.base import (
    MissingExtraError,
    Progress,
    Ranked,
    Scope,
    SearchEngine,
    SyncReport,
)

__all__ = [
    "MissingExtraError",
    "Progress",
    "Ranked",
    "Scope",
    "SearchEngine",
    "SyncReport",
    "open_engine",
]

MILVUS_PREFIX = "milvus:"


def open_engine(
    engine_spec: str, index_dir: Path, model_id: str, dimension: int, token: str | None = None
) -> SearchEngine:
    if engine_spec == "local":
        from askalign.engines.local import LocalEngine

        return LocalEngine(index_dir, model_id, dimension)
    if engine_spec.startswith(MILVUS_PREFIX) or engine_spec.startswith(("http://", "https://")):
        from askalign.engines.milvus import MilvusEngine

        uri = engine_spec.removeprefix(MILVUS_PREFIX)
        return MilvusEngine(uri, dimension=dimension, model_id=model_id, token=token)
    raise ValueError(
        f"unknown engine {engine_spec!r}: use `local`, `milvus:PATH.db` or `http(s)://HOST:19530`"
    )
