"""Query likelihood: how well a passage predicts the question, log P(question | passage)
under a small base language model (UPR, Sachan et al. 2022). A base model does not
follow instructions, but it does know which text a question is asked of.

llama.cpp runs the packaged GGUF file as it ships (4-bit weights, no export, no torch).
Only the logits the score needs are computed: the question's positions, every
candidate a sequence of its own in one batch.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

import numpy as np

PROMPT = "Passage: {passage}\nQuestion that this passage answers:"
NO_PASSAGE = "Passage: (none)\nQuestion that this passage answers:"
MAX_PASSAGE_TOKENS = 160
MAX_QUESTION_TOKENS = 64
MAX_SEQUENCES = 16


class QueryLikelihood:
    """One model and one context, used by one thread at a time (callers lock)."""

    def __init__(self, model_file: Path, threads: int | None = None) -> None:
        import llama_cpp

        self.lib = llama_cpp
        llama_cpp.llama_log_set(_SILENT, ctypes.c_void_p())
        llama_cpp.llama_backend_init()
        model_params = llama_cpp.llama_model_default_params()
        self.model = llama_cpp.llama_model_load_from_file(str(model_file).encode(), model_params)
        if not self.model:
            raise RuntimeError(f"llama.cpp could not load {model_file}")
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.capacity = MAX_SEQUENCES * (MAX_PASSAGE_TOKENS + MAX_QUESTION_TOKENS + 16)
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = self.capacity
        params.n_batch = self.capacity
        params.n_ubatch = 512
        params.n_seq_max = MAX_SEQUENCES
        params.kv_unified = False  # each sequence attends over its own cells only
        params.n_threads = params.n_threads_batch = threads or min(4, os.cpu_count() or 1)
        params.no_perf = True
        # Flash attention on the CPU accumulates in half precision: scores moved by
        # ~0.05 nats a token against the plain kernel, more than candidates differ by.
        params.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        self.context = llama_cpp.llama_init_from_model(self.model, params)
        if not self.context:
            raise RuntimeError("llama.cpp could not make a context for the reader")
        self.batch = llama_cpp.llama_batch_init(self.capacity, 0, 1)

    def close(self) -> None:
        if self.context:
            self.lib.llama_batch_free(self.batch)
            self.lib.llama_free(self.context)
            self.lib.llama_model_free(self.model)
            self.context = None

    def tokens(self, text: str, *, bos: bool) -> list[int]:
        data = text.encode("utf-8", "replace")
        room = len(data) + 8
        out = (self.lib.llama_token * room)()
        n = self.lib.llama_tokenize(self.vocab, data, len(data), out, room, bos, False)
        if n < 0:
            raise RuntimeError("the reader's tokenizer refused a text")
        return list(out[:n])

    def score(self, question: str, passages: list[str]) -> tuple[np.ndarray, float]:
        """Mean log-probability of the question's tokens after each passage's prompt,
        and after no passage at all (the baseline: what a passage gains over it is what
        it tells about the question), all in one batch."""
        asked = self.tokens(" " + question.strip(), bos=False)[:MAX_QUESTION_TOKENS]
        prompts = [self.tokens(NO_PASSAGE, bos=True)]
        prompts += [self._prompt(PROMPT.format(passage=p.strip())) for p in passages]
        scores: list[float] = []
        for start in range(0, len(prompts), MAX_SEQUENCES):
            scores += self._score_batch(prompts[start : start + MAX_SEQUENCES], asked)
        return np.array(scores[1:], dtype=np.float32), scores[0]

    def _prompt(self, text: str) -> list[int]:
        tokens = self.tokens(text, bos=True)
        if len(tokens) <= MAX_PASSAGE_TOKENS:
            return tokens
        tail = self.tokens("\nQuestion that this passage answers:", bos=False)
        return tokens[: MAX_PASSAGE_TOKENS - len(tail)] + tail

    def _score_batch(self, prompts: list[list[int]], asked: list[int]) -> list[float]:
        lib, batch = self.lib, self.batch
        batch.n_tokens = 0
        outputs: list[list[int]] = []  # per sequence: batch rows whose logits predict `asked`
        for seq, prompt in enumerate(prompts):
            sequence = prompt + asked[:-1]
            wanted = set(range(len(prompt) - 1, len(sequence)))  # the rows before `asked`
            rows = []
            for pos, token in enumerate(sequence):
                i = batch.n_tokens
                batch.token[i] = token
                batch.pos[i] = pos
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = seq
                batch.logits[i] = pos in wanted
                if pos in wanted:
                    rows.append(i)
                batch.n_tokens += 1
            outputs.append(rows)
        lib.llama_memory_clear(lib.llama_get_memory(self.context), True)
        if lib.llama_decode(self.context, batch) != 0:
            raise RuntimeError("llama.cpp could not score a batch")
        target = np.array(asked)
        scores = []
        for rows in outputs:
            logits = np.stack([self._logits(i) for i in rows])
            top = logits.max(axis=1, keepdims=True)
            log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
            scores.append(float((logits[np.arange(len(rows)), target] - log_norm).mean()))
        return scores

    def _logits(self, row: int) -> np.ndarray:
        pointer = self.lib.llama_get_logits_ith(self.context, row)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))


@ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
def _SILENT(level: int, text: bytes, data: ctypes.c_void_p) -> None:
    """llama.cpp logs every load to stderr; a CLI answer should not."""
