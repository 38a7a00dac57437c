"""The reader on the packaged model: it prefers the sentence that answers, its batched
scores are the model's own, and with it off no model is needed at all."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from askalign.reader import Reader
from askalign.reader.model import model_path
from askalign.reader.scorer import PROMPT
from askalign.settings import Settings

# Our own questions, each with a hand-checked answering sentence and a sentence on the
# same topic that does not answer it.
ANSWER_VS_TOPIC = [
    (
        "Why does the author expect a learned reward model to be gamed by a stronger policy?",
        "A policy that is smarter than its reward model will find the inputs where the"
        " reward model is wrong, because those inputs pay the most.",
        "Reward models are trained on human comparisons of pairs of answers.",
    ),
    (
        "What year did the lab first publish its interpretability roadmap?",
        "The lab first published its interpretability roadmap in 2021, two years after"
        " the team was founded.",
        "The interpretability roadmap lists circuits, features and probing as its themes.",
    ),
    (
        "How many parameters does the smallest model in the study have?",
        "The smallest model in the study has 70 million parameters and the largest has 12 billion.",
        "The study trains models of several sizes on the same data in the same order.",
    ),
    (
        "What did the commenter think would happen if the oversight AI were corrupted?",
        "If the overseeing AI were corrupted, the commenter expected it to wave through"
        " exactly the plans it was built to catch.",
        "The commenter has written about oversight and AI safety for several years.",
    ),
]


@pytest.mark.parametrize(("question", "answer", "topical"), ANSWER_VS_TOPIC)
def test_the_reader_prefers_the_sentence_that_answers(
    reader: Reader, question: str, answer: str, topical: str
) -> None:
    (answering, beside), baseline = reader.score(question, [answer, topical])
    assert answering > beside
    assert answering > baseline  # an answer makes the question likelier than no passage


def test_batched_scores_are_the_models_own(reader: Reader) -> None:
    """One batch of many passages scores each as the model does one at a time: the
    log-softmax over the whole vocabulary at each of the question's tokens, read from
    llama-cpp-python's own evaluation of the full sequence."""
    from llama_cpp import Llama

    question = "What does the post say about evaluation being easier than generation?"
    passages = [row[1] for row in ANSWER_VS_TOPIC] + ["Evaluation is often easier than generation."]
    batched, _ = reader.score(question, passages)
    llm = Llama(str(model_path(Settings().model_cache)), n_ctx=512, logits_all=True, verbose=False)
    for passage, score in zip(passages, batched, strict=True):
        prompt = llm.tokenize(PROMPT.format(passage=passage).encode(), add_bos=True)
        asked = llm.tokenize((" " + question).encode(), add_bos=False, special=False)
        llm.reset()
        llm.eval(prompt + asked)
        logits = np.array(llm.scores[: len(prompt) + len(asked)], dtype=np.float64)
        rows = logits[len(prompt) - 1 : len(prompt) + len(asked) - 1]
        log_norm = np.log(np.exp(rows - rows.max(1, keepdims=True)).sum(1)) + rows.max(1)
        reference = float((rows[np.arange(len(asked)), asked] - log_norm).mean())
        # measured: within 0.005 on one CPU, 0.014 on another (quantised kernels sum a
        # batch in another order); a wrong quantity is off by tenths
        assert score == pytest.approx(reference, abs=2e-2)


def test_reader_off_needs_no_model(shipped_index) -> None:
    """By default, and with ASKALIGN_READER=off, the answer path never imports llama.cpp,
    so a machine without the model answers; asked for when missing, the error names the
    extra."""
    script = (
        "import sys; sys.modules['llama_cpp'] = None\n"
        "from askalign import Assistant\n"
        "from askalign.reader import ReaderUnavailableError\n"
        f"answer = Assistant.open({str(shipped_index)!r}).ask('What is reward hacking?')\n"
        "loaded = [name for name, module in sys.modules.items() if module]\n"
        "assert answer.citations and 'llama_cpp' not in loaded\n"
        "try:\n"
        f"    Assistant.open({str(shipped_index)!r}, reader='on')\n"
        "except ReaderUnavailableError as error:\n"
        "    print(error)\n"
    )
    unset = {key: value for key, value in os.environ.items() if key != "ASKALIGN_READER"}
    for env in (unset, {**unset, "ASKALIGN_READER": "off"}, {**unset, "ASKALIGN_READER": "auto"}):
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        assert "askalign[reader]" in done.stdout and "--no-reader" in done.stdout


def test_an_answer_does_not_queue_behind_a_busy_reader(loaded_shipped, embedder) -> None:
    """While another answer holds the model, this one waits `wait_s` and is composed
    without it, and says so; once free, the reader reads again."""
    from askalign.assistant import Assistant
    from askalign.reader import ReaderUse
    from askalign.retrieval.search import Searcher

    busy = Reader(Settings().model_cache, wait_s=0.05)
    busy.load()
    assistant = Assistant(Searcher(loaded_shipped, embedder), reader=busy)
    question = "Why would a smarter policy game its reward model?"
    held = threading.Event()
    release = threading.Event()

    def hold_the_model() -> None:  # another answer scoring a long shortlist
        with busy._lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold_the_model)
    holder.start()
    held.wait(30)
    try:
        waited = assistant.ask(question)
    finally:
        release.set()
        holder.join()
    assert waited.reader is ReaderUse.BUSY and waited.citations
    assert assistant.ask(question).reader is ReaderUse.READ
    assert Assistant(Searcher(loaded_shipped, embedder)).ask(question).reader is None


def test_no_reader_on_the_command_line_is_off(tmp_path) -> None:
    """`askalign serve --no-reader` once served with the reader on: the option reached
    the settings as the string "off", which `Reader.open` did not take for off."""
    from askalign.cli.app import read_settings, reader_mode
    from askalign.reader import ReaderMode

    settings = read_settings(reader=reader_mode(False), index_dir=tmp_path)
    assert settings.reader is ReaderMode.OFF and settings.index_dir == tmp_path
    assert Reader.open("off", settings.model_cache) is None
    assert read_settings(reader=reader_mode(True)).reader is ReaderMode.ON
