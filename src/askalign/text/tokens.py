"""Token counts with the embedding model's own tokenizer, read from the installed package.

Loading only `tokenizer.json` (no torch, no network) keeps chunking fast and exact:
a chunk measured here is a chunk the model embeds in full.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from tokenizers import Tokenizer

SPECIAL_TOKENS = 2  # [CLS] and [SEP] take two of the model's positions


@lru_cache(maxsize=4)
def load_tokenizer(model_dir: Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


class TokenCounter:
    def __init__(self, model_dir: Path) -> None:
        self._tokenizer = load_tokenizer(model_dir)

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def count_many(self, texts: list[str]) -> list[int]:
        encodings = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [len(encoding.ids) for encoding in encodings]

    def word_offsets(self, text: str) -> list[tuple[int, int]]:
        """Char offsets of each token, to cut over-long text at token boundaries."""
        return self._tokenizer.encode(text, add_special_tokens=False).offsets
