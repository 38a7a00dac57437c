"""Search engines behind one contract (`SearchEngine`), chosen by a store spec:
`local` (the default: FAISS and BM25 files beside the catalog), `milvus:PATH.db`
(Milvus Lite, a file) or `http(s)://HOST:19530` (a Milvus server or cluster)."""

from __future__ import annotations

from pathlib import Path

from askalign.engines.base import Progress, Ranked, Scope, SearchEngine, SyncReport

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


class MissingExtraError(ImportError):
    """An engine whose packages are not installed: the message names the extra."""


def open_engine(
    store: str, index_dir: Path, model_id: str, dimension: int, token: str | None = None
) -> SearchEngine:
    if store == "local":
        from askalign.engines.local import LocalEngine

        return LocalEngine(index_dir, model_id, dimension)
    if store.startswith(MILVUS_PREFIX) or store.startswith(("http://", "https://")):
        from askalign.engines.milvus import MilvusEngine

        uri = store.removeprefix(MILVUS_PREFIX)
        return MilvusEngine(uri, dimension=dimension, model_id=model_id, token=token)
    raise ValueError(
        f"unknown store {store!r}: use `local`, `milvus:PATH.db` or `http(s)://HOST:19530`"
    )
