"""The model on sentence-transformers and torch: the reference the ONNX export matches,
kept for machines where ONNX Runtime will not run (`ASKALIGN_EMBED_BACKEND=torch`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer
from transformers.utils import logging as transformers_logging

from askalign.embedding.model import BATCH_SIZE


class TorchEncoder:
    def __init__(self, model_dir: Path) -> None:
        transformers_logging.disable_progress_bar()  # our own progress bar says enough
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        dimension = getattr(  # renamed in sentence-transformers 6
            self._model, "get_embedding_dimension", self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension())

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True
        )
