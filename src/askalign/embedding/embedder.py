"""The front door to the backends: one `Embedder`, whichever backend runs the weights."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path

import numpy as np

from askalign.embedding.model import (
    BATCH_SIZE,
    DIMENSION,
    Backend,
    Encoder,
    default_model_cache,
    model_id,
    packaged_model_dir,
)


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
            from askalign.embedding.torch_backend import TorchEncoder

            return TorchEncoder(self.model_dir)
        from askalign.embedding.onnx_backend import OnnxEncoder

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
