"""The model on ONNX Runtime: the query path's backend, since it needs no torch.

The ONNX file is exported once from the packaged weights (`askalign model export`, or
on first use) into a cache keyed by the package's version, so new weights get a new
file and a stale one is never read. Mean pooling and normalisation are inside the
graph, as in the sentence-transformers pipeline, so a run returns finished vectors.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import onnxruntime
from tokenizers import Tokenizer

from askalign.embedding.model import PACKAGE, packaged_model_dir

MODEL_FILE = "model.onnx"
FEEDS = (("input_ids", "ids"), ("attention_mask", "attention_mask"), ("token_type_ids", "type_ids"))


def cache_key(model_dir: Path) -> str:
    """`<package>-<version>` for the shipped weights; any other folder by its path."""
    if model_dir == packaged_model_dir():
        from importlib.metadata import version

        return f"{PACKAGE}-{version(PACKAGE)}"
    return f"{model_dir.name}-{hashlib.sha256(str(model_dir).encode()).hexdigest()[:12]}"


def cached_model(model_dir: Path, cache_dir: Path) -> Path:
    return cache_dir / cache_key(model_dir) / MODEL_FILE


def exported_model(model_dir: Path, cache_dir: Path) -> Path:
    """The cached ONNX file, exported first if it is missing (that one time needs torch)."""
    path = cached_model(model_dir, cache_dir)
    if not path.exists():
        from askalign.embedding.export import export_onnx

        export_onnx(model_dir, path)
    return path


def load_tokenizer(model_dir: Path) -> Tokenizer:
    """Cut and padded as sentence-transformers does: to the model's `max_seq_length`
    (256 here, not the 128 in tokenizer.json), and to the longest text of a batch."""
    config = model_dir / "sentence_bert_config.json"
    max_length = json.loads(config.read_text("utf-8")).get("max_seq_length", 512)
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


class OnnxEncoder:
    def __init__(self, model_path: Path, model_dir: Path) -> None:
        options = onnxruntime.SessionOptions()
        # Idle threads sleep instead of spinning: a shared or busy machine runs faster.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = load_tokenizer(model_dir)
        self.dimension = int(self._session.get_outputs()[0].shape[-1])

    @classmethod
    def open(cls, model_dir: Path, cache_dir: Path) -> OnnxEncoder:
        return cls(exported_model(model_dir, cache_dir), model_dir)

    def encode(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            name: np.array([getattr(encoding, field) for encoding in encodings], dtype=np.int64)
            for name, field in FEEDS
        }
        return self._session.run(None, feed)[0]
