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
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from askalign.ingest.corpus import scan_corpus

from .fuzzing import load_profile
from .servers import serving

load_profile()

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


# Issue 19's classes: hostile YAML, JSON lines, dates, markup, file kinds and names.
SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.sampled_from(["[/x]", "~", "null"]))
KEYS = st.sampled_from(["title", "author", "date", "karma", "url", "other"])


@st.composite
def front_matter(draw: st.DrawFn) -> tuple[str, bool]:
    """YAML with anchors, aliases and tags, and whether it uses either of the last two."""
    lines, anchors, hostile = [], [], False
    for n in range(draw(st.integers(1, 6))):
        value = json.dumps(draw(SCALARS))
        kind = draw(st.sampled_from(["plain", "anchor", "alias", "tag", "date"]))
        if kind == "anchor":
            anchors.append(f"a{n}")
            value = f"&a{n} [{', '.join([value] * draw(st.integers(1, 9)))}]"
        elif kind == "alias" and anchors:
            value, hostile = f"[{', '.join(f'*{a}' for a in anchors)}]", True
        elif kind == "tag":
            tag = draw(st.sampled_from(["!!int", "!!bool", "!!timestamp", "!!binary", "!x"]))
            value, hostile = f"{tag} {value}", True
        elif kind == "date":
            y, m, d = draw(st.integers(0, 9999)), draw(st.integers(0, 99)), draw(st.integers(0, 99))
            value = f"{y:04d}-{m:02d}-{d:02d}"
        lines.append(f"{draw(KEYS)}{n}: {value}" if n % 2 else f"{draw(KEYS)}: {value}")
    return "---\n" + "\n".join(lines) + "\n---\nThe body of the text.\n", hostile


@given(front=front_matter())
def test_front_matter_is_read_or_refused_within_bounds(tmp_path_factory, front) -> None:
    text, hostile = front
    corpus = tmp_path_factory.mktemp("yaml")
    (corpus / "f.md").write_text(text, encoding="utf-8")
    scan = scan_corpus(corpus)
    if hostile:
        [problem] = scan.problems
        assert re.search(r"uses an? (alias|tag)|not valid YAML", problem.reason), problem
        return
    assert all("failed to read" not in p.reason for p in scan.problems), scan.problems
    for document in scan.documents:
        assert all(len(note) < 400 for note in document.notes)
        document.model_dump_json()


json_line = st.one_of(
    st.builds(lambda text: json.dumps({"id": text[:8] or "x", "text": f"ok {text}"}), st.text()),
    st.builds(lambda depth, o: (o * depth)[:-1] + (o[0] if o != '{"a":' else '1') + {"[": "]",
              '{"a":': "}"}[o] * depth, st.integers(1, 10**5), st.sampled_from(["[", '{"a":'])),
    st.builds(lambda code, field: f'{{"id": "s", "{field}": "x \\u{code:04x}", "text": "t"}}',
              st.integers(0xD800, 0xDFFF), st.sampled_from(["text", "title", "id", "url"])),
)  # fmt: skip


@given(lines=st.lists(json_line, min_size=1, max_size=6))
def test_jsonl_lines_fail_alone(tmp_path_factory, lines: list[str]) -> None:
    corpus = tmp_path_factory.mktemp("jsonl")
    (corpus / "d.jsonl").write_text("\n".join(lines), encoding="utf-8")
    scan = scan_corpus(corpus)
    assert all(problem.line is not None for problem in scan.problems), scan.problems
    assert len(scan.documents) + len(scan.problems) == len(lines)
    for document in scan.documents:
        document.model_dump_json()  # storable: no lone surrogate got through


MARKUP = st.text(alphabet="[]/=#@ ab:'\"\\", min_size=1, max_size=20)


@given(name=MARKUP, title=MARKUP, author=MARKUP, karma=MARKUP, other=MARKUP, body=MARKUP)
def test_markup_characters_in_any_field_print_as_written(
    tmp_path_factory, name: str, title: str, author: str, karma: str, other: str, body: str
) -> None:
    from askalign.cli.terminal import console, errors, print_scan, report_problems

    assume("/" not in name and name.strip(" .") and not name.startswith(("#", "'")))
    corpus = tmp_path_factory.mktemp("markup")
    fields = {"title": title, "author": author, "karma": karma, "other": other}
    yaml_text = "\n".join(f"{key}: {json.dumps(value)}" for key, value in fields.items())
    (corpus / f"{name}.md").write_text(f"---\n{yaml_text}\n---\n{body} words\n", "utf-8")
    scan = scan_corpus(corpus)
    with console.capture() as shown, errors.capture() as said:
        print_scan(scan)
        report_problems(scan)
    assert f"{name}.md" in said.get() or not (scan.problems or scan.documents[0].notes)
    assert scan.problems or shown.get()


FILE_KINDS = ["regular", "link-out", "link-zero", "link-null", "fifo", "link-dir", "broken"]


@given(kinds=st.lists(st.sampled_from(FILE_KINDS), min_size=1, max_size=7), alone=st.booleans())
def test_add_takes_regular_files_only(tmp_path_factory, kinds: list[str], alone: bool) -> None:
    from askalign.ingest.adding import add_paths

    root = tmp_path_factory.mktemp("kinds")
    (root / "outside.txt").write_text("A private text.\n", encoding="utf-8")
    folder, corpus = root / "in", root / "corpus"
    folder.mkdir()
    corpus.mkdir()
    targets = {"link-out": root / "outside.txt", "link-zero": Path("/dev/zero"),
               "link-null": Path("/dev/null"), "link-dir": root, "broken": root / "x"}  # fmt: skip
    for n, kind in enumerate(kinds):
        entry = folder / f"e{n}.txt"
        if kind == "regular":
            entry.write_text(f"Text number {n} about alignment.\n", encoding="utf-8")
        elif kind == "fifo":
            os.mkfifo(entry)
        else:
            entry.symlink_to(targets[kind])
    paths = sorted(folder.iterdir()) if alone else [folder]
    report = add_paths(paths, corpus, 2**20)
    regular = {f"e{n}.txt" for n, kind in enumerate(kinds) if kind == "regular"}
    assert {Path(name).name for name in report.added} == regular
    assert len(report.refused) == len(kinds) - len(regular)
    copied = [path.read_text() for path in corpus.rglob("*") if path.is_file()]
    assert all(text.startswith("Text number") for text in copied)


FORMAT_CHARS = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\u2066", "\u2069",
                                "\u202e", "\ufeff", "\u00ad", "\u061c"])  # fmt: skip


@given(inserts=st.lists(st.tuples(st.integers(0, 5), FORMAT_CHARS), max_size=6))
def test_format_characters_never_make_a_second_speaker(tmp_path_factory, inserts) -> None:
    from .conftest import LESSWRONG_PAGE

    name = list("bob_b")
    for where, char in inserts:
        name.insert(where, char)
    disguised = "".join(name)
    corpus = tmp_path_factory.mktemp("names")
    page = LESSWRONG_PAGE.replace("Carol C1d30", f"{disguised}1d30")
    (corpus / "page.txt").write_text(page, encoding="utf-8")
    (corpus / "n.md").write_text(f"---\nauthor: {json.dumps(disguised)}\n---\nBody.\n", "utf-8")
    speakers = {p.speaker for doc in scan_corpus(corpus).documents for p in doc.passages}
    assert speakers == {"Ada Author", "bob_b", "Dave"}
