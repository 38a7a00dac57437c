"""The fuzz campaign: generated corpus files and questions, through the real readers, the
real index and the packaged model. CI runs a few hundred examples; `make fuzz` runs the
long campaign (HYPOTHESIS_PROFILE=fuzz, FUZZ_EXAMPLES per target, 10^4 by default; the
HTTP target gets a sixth) and prints hypothesis' counts.

Pass: no uncaught exception; every file read or refused with a message; every span
and citation exact.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from askalign.corpus import scan_corpus

from .servers import serving

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10000")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

AWKWARD = [
    "\ufeff",  # a byte-order mark
    "\u200b\u200c\u200d\u2060",  # zero-width
    "\u202e\u05d0\u05d1\u0627",  # right-to-left
    "\r\n",
    "\x0c\x0b\x1c\u2028\u2029\x85",  # line breaks that only some splitters see
    "🤖",
    "<script>alert(1)</script>",
    "---\ntitle: [unclosed\n",
    "%%",
    "<!--",
    "[-]name3dΩ12\nReply\n",
    "TL;DR\n",
    "# heading\n",
    "[^1]: note\n",
    '{"id": 1, "text": "t"}\n',
]
piece = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=60),
    st.builds(lambda word, count: word * count, st.sampled_from(["a ", "# ", "<b>", "1"]),
              st.integers(0, 3000)),
)  # fmt: skip
file_text = st.lists(piece, max_size=30).map("".join)
EXTENSIONS = [".txt", ".md", ".html", ".jsonl"]


def deep_html(depth: int, tag: str) -> str:
    return f"<html><body>{f'<{tag}>x ' * depth}{f'</{tag}>' * depth}</body></html>"


@given(
    texts=st.lists(st.tuples(file_text, st.sampled_from(EXTENSIONS)), min_size=1, max_size=4),
    raw=st.binary(max_size=300),
    depth=st.integers(0, 5000),
    tag=st.sampled_from(["div", "blockquote", "li", "h2", "span"]),
)
def test_corpus_files_are_read_or_refused_and_spans_cut_back(
    tmp_path_factory, texts: list[tuple[str, str]], raw: bytes, depth: int, tag: str
) -> None:
    corpus = tmp_path_factory.mktemp("fuzz")
    names = {f"f{n}{extension}" for n, (_, extension) in enumerate(texts)}
    for n, (text, extension) in enumerate(texts):
        (corpus / f"f{n}{extension}").write_text(text, encoding="utf-8")
    (corpus / "raw.txt").write_bytes(raw)
    (corpus / "deep.html").write_text(deep_html(depth, tag), encoding="utf-8")
    names |= {"raw.txt", "deep.html"}
    scan = scan_corpus(corpus)
    read = {doc.source_file for doc in scan.documents}
    refused = {problem.file for problem in scan.problems}
    assert read | refused == names
    assert all("failed to read" not in problem.reason for problem in scan.problems)
    for document in scan.documents:
        for passage in document.passages:
            assert document.source_text[passage.start : passage.end] == passage.text


question_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "",
            "   ",
            "\ud800 reward",
            "the of and a to",
            "?!.,;:",
            "'; DROP TABLE documents; --",
            "<img src=x onerror=alert(1)>",
            "ما هو التوافق",
            "🤖🤖🤖 alignment?",
            "x" * 100_000,
        ]
    ),
)


@given(question=question_text)
def test_any_question_gets_an_answer_or_a_clear_refusal(assistant, question: str) -> None:
    from askalign.assistant import QuestionTooLongError

    try:
        answer = assistant.ask(question)
    except QuestionTooLongError as error:
        assert "characters" in str(error)
        return
    for citation in answer.citations:
        document = assistant.documents[citation.doc_id]
        assert document.source_text[citation.start : citation.end] == citation.quote
    json.dumps(answer.model_dump())  # serialisable for the HTTP API and --json


@pytest.fixture(scope="module")
def served(shipped_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real server over a copy of the shipped index: the HTTP API's inputs."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(shipped_index, root / "index")
    (root / "corpus").mkdir()
    with serving(root / "corpus", root / "index") as server:
        yield server["url"]


@settings(max_examples=max(settings().max_examples // 6, 5))
@given(question=question_text, speaker=st.sampled_from(["", "byrnes", "nobody at all"]))
def test_the_http_api_answers_or_refuses_any_question(
    served: str, question: str, speaker: str
) -> None:
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    assume(_encodable(question))  # no HTTP client can send a lone surrogate; see above
    client = Client(served, verbose=False)
    try:
        answer = client.predict(question, speaker, "", api_name="/ask")
    except AppError as error:  # refused with the project's message, not a crash
        assert re.search(r"limit is|no speaker named", str(error)), error
        return
    assert isinstance(answer, dict) and "text" in answer


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
