"""Bad files fail alone, with a message that names them and says what to do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askalign import scan_corpus
from askalign.settings import Settings

GOOD = "A good essay\n\nIt has a paragraph that says something about alignment.\n"


def problems_by_file(corpus_dir: Path, max_file_bytes: int | None = None) -> dict[str, str]:
    scan = scan_corpus(corpus_dir, max_file_bytes or Settings().max_file_bytes)
    assert [doc.source_file for doc in scan.documents] == ["good.txt"]
    return {problem.file: f"{problem.reason} / {problem.hint}" for problem in scan.problems}


@pytest.fixture
def with_good_file(corpus_dir: Path) -> Path:
    (corpus_dir / "good.txt").write_text(GOOD, encoding="utf-8")
    return corpus_dir


def test_empty_file(with_good_file: Path) -> None:
    (with_good_file / "empty.txt").write_text("  \n\n", encoding="utf-8")
    assert "empty" in problems_by_file(with_good_file)["empty.txt"]


def test_binary_file(with_good_file: Path) -> None:
    (with_good_file / "image.txt").write_bytes(bytes(range(256)) * 10)
    assert "binary" in problems_by_file(with_good_file)["image.txt"]


def test_unknown_extension(with_good_file: Path) -> None:
    (with_good_file / "paper.pdf").write_bytes(b"%PDF-1.7 text")
    message = problems_by_file(with_good_file)["paper.pdf"]
    assert "'.pdf'" in message and ".txt, .md, .html or .jsonl" in message


def test_huge_file(with_good_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASKALIGN_MAX_FILE_MB", "0.01")
    (with_good_file / "huge.txt").write_text("word " * 5000, encoding="utf-8")
    message = problems_by_file(with_good_file, Settings().max_file_bytes)["huge.txt"]
    assert "limit" in message and "ASKALIGN_MAX_FILE_MB" in message


def test_non_utf8_is_decoded_with_a_note(corpus_dir: Path) -> None:
    text = "Café essay\n\nThe naïve agent’s goals drift — slowly, then all at once.\n"
    (corpus_dir / "latin.txt").write_bytes(text.encode("cp1252"))
    scan = scan_corpus(corpus_dir)
    [doc] = scan.documents
    assert scan.problems == []
    assert "naïve" in doc.passages[0].text
    assert any("not valid UTF-8" in note and "UTF-8" in note for note in doc.notes)


def test_hidden_files_and_backups_are_skipped(with_good_file: Path) -> None:
    for name in (".hidden.txt", "good.txt~", "#good.txt#", "notes.txt.swp", "draft.bak"):
        (with_good_file / name).write_text(GOOD, encoding="utf-8")
    scan = scan_corpus(with_good_file)
    assert [doc.source_file for doc in scan.documents] == ["good.txt"]
    assert scan.problems == []
    assert len(scan.skipped) == 5


def test_malformed_catalog_entry_names_the_entry_and_field(with_good_file: Path) -> None:
    (with_good_file / "catalog.toml").write_text(
        '[[document]]\nfile = "good.txt"\ndate = "last tuesday"\n\n'
        '[[document]]\nfile = "good.txt"\nauthr = "typo"\n',
        encoding="utf-8",
    )
    scan = scan_corpus(with_good_file)
    reasons = [p.reason for p in scan.problems if p.file == "catalog.toml"]
    assert any("entry 1" in r and "'good.txt'" in r and "field 'date'" in r for r in reasons)
    assert any("entry 2" in r and "field 'authr'" in r for r in reasons)
    assert [doc.source_file for doc in scan.documents] == ["good.txt"]


def test_invalid_toml_and_orphan_entries(with_good_file: Path) -> None:
    (with_good_file / "catalog.toml").write_text("[[document]\nfile=", encoding="utf-8")
    assert "not valid TOML" in problems_by_file(with_good_file)["catalog.toml"]
    (with_good_file / "catalog.toml").write_text(
        '[[document]]\nfile = "gone.txt"\n', encoding="utf-8"
    )
    assert "'gone.txt' matches no file" in problems_by_file(with_good_file)["catalog.toml"]


def test_cli_reports_problems_and_exits_nonzero(with_good_file: Path) -> None:
    (with_good_file / "empty.md").write_text("", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "corpus", "--json", "--corpus", str(with_good_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "empty.md" in result.stderr and "To fix" in result.stderr
    payload = json.loads(result.stdout)
    assert [doc["source_file"] for doc in payload["documents"]] == ["good.txt"]


def test_cli_missing_corpus_dir(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "corpus", "--corpus", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "does not exist" in result.stderr


# Found by the first fuzz run: each one a file that once stopped a whole ingest, hung
# it, or lost a text without a word.
FUZZ_FINDINGS = {
    "form-feed-comments.txt": "\x0c[-]a\nReply\n",
    "form-feed-post.txt": "a\nb\nc\nTL;DR\x0c",
    "bad-date.html": (
        '<html><head><meta property="article:published_time" content="2025-99-99"></head>'
        "<body><p>A page with an impossible date still has words.</p></body></html>"
    ),
    "huge-heading.md": "# " + "word " * 260 + "\n\nThe body under a very long heading.\n",
    "long-header.txt": "[-]" + "1" * 32_000 + "\nReply\n",
    "spaced-heading.md": "# a" + " " * 2000 + "b\n\nText under it.\n",
    "deep.html": "<html><body>" + "<blockquote>deep " * 10_000 + "</blockquote>" * 10_000,
}


def test_fuzz_findings_are_read_or_refused_and_never_stop_the_rest(with_good_file: Path) -> None:
    for name, content in FUZZ_FINDINGS.items():
        (with_good_file / name).write_text(content, encoding="utf-8")
    scan = scan_corpus(with_good_file)
    read = {doc.source_file for doc in scan.documents}
    refused = {problem.file for problem in scan.problems}
    assert read | refused == {"good.txt", *FUZZ_FINDINGS}
    assert "good.txt" in read and not read & refused
    assert {"bad-date.html", "huge-heading.md", "spaced-heading.md", "deep.html"} <= read
    assert all("failed to read" not in problem.reason for problem in scan.problems)


def test_a_huge_heading_still_chunks_within_the_model(corpus_dir: Path) -> None:
    from askalign.embedding import packaged_model_dir
    from askalign.ingest.chunking import MODEL_MAX_TOKENS, Chunker
    from askalign.text.tokens import TokenCounter

    (corpus_dir / "h.md").write_text(FUZZ_FINDINGS["huge-heading.md"], encoding="utf-8")
    [document] = scan_corpus(corpus_dir).documents
    counter = TokenCounter(packaged_model_dir())
    chunks = Chunker(counter, 192).chunk(document)
    assert [chunk.text for chunk in chunks] == ["The body under a very long heading."]
    assert all(counter.count(chunk.embed_text) <= MODEL_MAX_TOKENS - 2 for chunk in chunks)


def test_every_file_name_gets_its_own_id(corpus_dir: Path) -> None:
    names = ["ÉÉ.txt", "名前.txt", "名字.txt", "日本.txt", "a b.txt", "a-b.txt", "a_b.txt"]
    for name in names:
        (corpus_dir / name).write_text(f"A text about alignment from {name}.\n", "utf-8")
    scan = scan_corpus(corpus_dir)
    assert not scan.problems
    ids = {doc.source_file: doc.id for doc in scan.documents}
    assert set(ids) == set(names) and len(set(ids.values())) == len(names)
    assert ids["名前.txt"] == "名前" and ids["ÉÉ.txt"] == "éé"
    assert scan_corpus(corpus_dir).documents[0].id == scan.documents[0].id  # stable


def test_odd_questions_and_arguments_get_answers_or_clear_errors(assistant) -> None:
    from askalign.assistant import UnknownFilterError
    from askalign.conversation import BadMessageError

    assert assistant.ask("\ud800 reward hacking").question.endswith("reward hacking")
    assert assistant.ask("what is corrigibility?", role="POST").text
    with pytest.raises(UnknownFilterError, match="no role 'poster'; known: post, comment"):
        assistant.ask("what is corrigibility?", role="poster")
    with pytest.raises(BadMessageError, match="message 2 is not"):
        assistant.chat([{"role": "user", "content": "hi"}, {"role": "system", "content": "x"}])


def test_cli_question_with_undecodable_bytes_is_answered(shipped_index: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "ask", b"reward \xff hacking", "--index", shipped_index],
        capture_output=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr


# Issue 19: one bad line, one bad value or one hostile structure costs only its own text.


def test_a_lone_surrogate_line_is_skipped_and_corpus_json_prints(with_good_file: Path) -> None:
    (with_good_file / "s.jsonl").write_text(
        '{"id":"u2","text":"lone \\ud800 surrogate"}\n{"id":"ok","text":"fine text"}\n',
        encoding="utf-8",
    )
    scan = scan_corpus(with_good_file)
    assert [doc.source_file for doc in scan.documents] == ["good.txt", "s.jsonl"]
    [problem] = scan.problems
    assert (problem.file, problem.line) == ("s.jsonl", 1)
    assert "\\ud800" in problem.reason and "surrogate" in problem.reason
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "corpus", "--json", "--corpus", str(with_good_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "line 1" in result.stderr
    payload = json.loads(result.stdout)
    assert [doc["source_file"] for doc in payload["documents"]] == ["good.txt", "s.jsonl"]


def test_a_deeply_nested_line_is_refused_alone_by_number(with_good_file: Path) -> None:
    lines = [
        '{"id":"a","text":"first article"}',
        "[" * 10**5 + "]" * 10**5,
        '{"x":' * 10**5 + "1" + "}" * 10**5,
    ]
    lines.append('{"id":"b","text":"last article"}')
    (with_good_file / "deep.jsonl").write_text("\n".join(lines), encoding="utf-8")
    scan = scan_corpus(with_good_file)
    assert [doc.record for doc in scan.documents if doc.record] == ["a", "b"]
    assert [(p.line, "nested too deeply" in p.reason) for p in scan.problems] == [
        (2, True),
        (3, True),
    ]


@pytest.mark.parametrize(
    "front", ["other: 2025-02-30", "date: 0000-00-00", "x: 2025-01-01 25:00:00"]
)
def test_an_impossible_date_is_a_note_and_the_file_is_read(corpus_dir: Path, front: str) -> None:
    (corpus_dir / "a.md").write_text(f"---\ntitle: T\n{front}\n---\nBody text.\n", "utf-8")
    scan = scan_corpus(corpus_dir)
    assert scan.problems == []
    [doc] = scan.documents
    assert (doc.title, doc.date, doc.passages[0].text) == ("T", None, "Body text.")
    assert any("is not a real date" in note for note in doc.notes)


def alias_bomb(key: str) -> str:
    """Nine levels of nine aliases: 9^9 values, from 30 lines of YAML."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "---\n" + "\n".join([*lines, f"{key}: *a8"]) + "\n---\nBody.\n"


@pytest.mark.parametrize("key", ["date", "karma", "title", "unused"])
def test_an_alias_bomb_is_refused_naming_the_file(with_good_file: Path, key: str) -> None:
    (with_good_file / "bomb.md").write_text(alias_bomb(key), encoding="utf-8")
    (with_good_file / "tag.md").write_text("---\nkarma: !!int x\n---\nBody.\n", "utf-8")
    problems = problems_by_file(with_good_file)
    assert "uses an alias (*a0) on line 3" in problems["bomb.md"]
    assert "uses a tag" in problems["tag.md"] and "aliases (*name) and tags" in problems["tag.md"]


def test_markup_in_file_names_and_fields_is_printed_as_written(corpus_dir: Path) -> None:
    (corpus_dir / "k.md").write_text('---\nkarma: "[/x]"\n---\nBody text.\n', "utf-8")
    (corpus_dir / "[red]z.md").write_text(
        "---\nauthor: '[bold]Eve[/bold]'\n'[link=x]': 1\n---\nBody [/] text.\n", "utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "corpus", "--corpus", str(corpus_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "note: k.md: front matter karma '[/x]' ignored" in result.stderr
    assert "note: [red]z.md: front matter keys not used: [link=x]" in result.stderr
    assert "[bold]Eve[/bold]" in result.stdout


def test_a_fifo_or_a_device_in_the_corpus_is_refused_not_read(with_good_file: Path) -> None:
    os.mkfifo(with_good_file / "pipe.txt")
    (with_good_file / "zero.txt").symlink_to("/dev/zero")
    (with_good_file / "zero.jsonl").symlink_to("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "corpus", "--json", "--corpus", str(with_good_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    problems = {p["file"]: p["reason"] for p in json.loads(result.stdout)["problems"]}
    assert problems == {
        "pipe.txt": "is a FIFO (named pipe), not a file",
        "zero.txt": "is a device, not a file",
        "zero.jsonl": "is a device, not a file",
    }


def test_names_that_differ_only_in_case_get_a_note(corpus_dir: Path) -> None:
    (corpus_dir / "BEARISH-case.txt").write_text(GOOD, encoding="utf-8")
    (corpus_dir / "bearish-case.txt").write_text(GOOD, encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    notes = {doc.source_file: doc.notes for doc in scan.documents}
    assert notes["BEARISH-case.txt"] == []
    assert notes["bearish-case.txt"] == [
        "its name differs only in case from BEARISH-case.txt: on a case-insensitive file"
        " system (macOS, Windows) the two are one file, so rename or remove one"
    ]


def test_look_alike_speaker_names_are_one_identity_and_marked_in_the_source(
    corpus_dir: Path,
) -> None:
    from askalign.answer.answers import Citation
    from askalign.web.render import source_card

    from .conftest import LESSWRONG_PAGE

    disguised = "bob\u200b\u2066_b\u2069"  # zero-width space and bidi isolates around "_b"
    page = LESSWRONG_PAGE.replace("Carol C1d30", f"{disguised}1d30")
    (corpus_dir / "page.txt").write_text(page, encoding="utf-8")
    (corpus_dir / "n.md").write_text('---\nauthor: "Ada\u200b\u00a0Author"\n---\nBody.\n', "utf-8")
    documents = {doc.source_file: doc for doc in scan_corpus(corpus_dir).documents}
    assert documents["n.md"].author == documents["n.md"].passages[0].speaker == "Ada Author"
    thread = documents["page.txt"]
    comments = [p for p in thread.passages if p.role == "comment"]
    assert [c.speaker for c in comments] == ["bob_b", "bob_b", "Dave"]
    assert [c.speaker_as_written for c in comments] == [None, disguised, None]
    second = comments[1]
    citation = Citation(n=1, doc_id=thread.id, doc_title=thread.title, speaker=second.speaker,
                        role=second.role, quote=second.text, display=second.text,
                        start=second.start, end=second.end, passage_id=second.id)  # fmt: skip
    card = source_card([citation], {thread.id: thread})
    assert "(written “bob⟨U+200B⟩⟨U+2066⟩_b⟨U+2069⟩”)" in card
    assert "\u200b" not in card and "\u2066" not in card


def test_dataset_ids_that_read_alike_are_both_kept(corpus_dir: Path) -> None:
    """Found by the fuzz campaign: `A` and `a` (or `:` and `;`) made one document id."""
    records = [{"id": key, "text": f"Article {n}."} for n, key in enumerate(["A", "a", ":", ";"])]
    (corpus_dir / "d.jsonl").write_text("\n".join(map(json.dumps, records)), encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    assert scan.problems == []
    assert [doc.record for doc in scan.documents] == ["A", "a", ":", ";"]
    assert len({doc.id for doc in scan.documents}) == 4


def test_a_link_taken_for_a_name_is_no_ones_and_the_line_is_named(corpus_dir: Path) -> None:
    """Issue 27: a reader that misreads a header hands on a link as the name; the one
    place every document is built drops it, and the file gets a problem."""
    from .conftest import LESSWRONG_PAGE

    page = LESSWRONG_PAGE.replace("[-]Carol C1d30", "[-][Carol C](/users/carol-c)1d30")
    (corpus_dir / "page.txt").write_text(page, encoding="utf-8")
    scan = scan_corpus(corpus_dir)
    [problem] = scan.problems
    line = page.splitlines().index("[-][Carol C](/users/carol-c)1d30") + 1
    assert (
        f"1 speaker name(s) cannot be a person's name, first at line {line + 2}" in problem.reason
    )
    assert "'[Carol C](/users/carol-c)' (it holds '](')" in problem.reason
    [doc] = scan.documents
    comments = [p for p in doc.passages if p.role.value == "comment"]
    assert [p.speaker for p in comments] == ["bob_b", None, "Dave"]
    assert comments[2].replying_to_speaker is None  # "@Carol C" names no one now
