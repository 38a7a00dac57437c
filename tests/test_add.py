"""`askalign add`: files and folders copied into the corpus, ingested with the packaged
model into a real index, and summarised one row per file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from askalign.cli import app
from askalign.documents import CorpusProblem, Document, Passage, Role
from askalign.ingest.summary import summarise
from askalign.web.render import files_markdown

from .conftest import LESSWRONG_PAGE

NOTES_MD = """---
title: The off-switch game
author: Stuart Russell
date: 2017-06-01
---
# Uncertainty

An agent uncertain about its objective lets a human switch it off.[^1]

[^1]: Hadfield-Menell et al., 2017.
"""
ESSAY_TXT = """Reward hacking

by Ada Author

Reward hacking is when a policy finds an unintended way to score well.

Specification gaming examples include boats that spin in circles for points.
"""


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "off-switch.md").write_text(NOTES_MD, encoding="utf-8")
    (folder / "reward hacking.txt").write_text(ESSAY_TXT, encoding="utf-8")
    return folder


def add(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["add", *map(str, args)])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_added_files_are_ingested_and_shown_as_a_table(
    sources: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    env = os.environ | {"COLUMNS": "220"}
    files = [sources / "off-switch.md", sources / "reward hacking.txt"]
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "add", *map(str, files)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (corpus_dir / "off-switch.md").read_text(encoding="utf-8") == NOTES_MD
    assert (corpus_dir / "reward-hacking.txt").exists()
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if "." in line}
    assert "markdown" in rows["off-switch.md"] and "Stuart Russell" in rows["off-switch.md"]
    assert "The off-switch game" in rows["off-switch.md"]
    assert "essay" in rows["reward-hacking.txt"] and "Ada Author" in rows["reward-hacking.txt"]
    assert (tmp_path / "index").is_dir()


def test_a_folder_is_added_recursively_and_json_parses(
    sources: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    (sources / "threads").mkdir()
    (sources / "threads" / "small post.txt").write_text(LESSWRONG_PAGE, encoding="utf-8")
    (sources / ".draft.md").write_text(NOTES_MD, encoding="utf-8")
    code, out, err = add(sources, "--json", "--index", tmp_path / "index")
    assert code == 0, err
    summary = json.loads(out)
    by_file = {row["file"]: row for row in summary["files"]}
    assert set(by_file) == {
        "sources/off-switch.md",
        "sources/reward-hacking.txt",
        "sources/threads/small-post.txt",
    }
    assert (corpus_dir / "sources" / "threads" / "small-post.txt").exists()
    assert not (corpus_dir / "sources" / "draft.md").exists()
    assert "skipped" in err and ".draft.md" in err
    thread = by_file["sources/threads/small-post.txt"]
    assert (thread["reader"], thread["author"]) == ("lesswrong", "Ada Author")
    assert (thread["comments"], thread["footnotes"], thread["documents"]) == (3, 1, 1)
    notes = by_file["sources/off-switch.md"]
    assert (notes["title"], notes["date"], notes["footnotes"]) == (
        "The off-switch game",
        "2017-06-01",
        1,
    )
    assert summary["problems"] == []


def test_an_existing_file_is_never_overwritten(sources: Path, corpus_dir: Path) -> None:
    (corpus_dir / "off-switch.md").write_text("# Mine\n\nKeep me.\n", encoding="utf-8")
    code, out, err = add(sources / "off-switch.md", "--json")
    assert code == 1
    [problem] = json.loads(out)["problems"]
    assert problem["file"].endswith("sources/off-switch.md")
    assert "off-switch.md is already in the corpus" in problem["reason"]
    assert "already in the corpus" in err
    assert (corpus_dir / "off-switch.md").read_text(encoding="utf-8") == "# Mine\n\nKeep me.\n"


def test_an_unsupported_file_is_refused_by_name(tmp_path: Path, corpus_dir: Path) -> None:
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(b"%PDF-1.7 not a text")
    code, _, err = add(pdf)
    assert code == 1
    assert "paper.pdf" in err and "unsupported file type '.pdf'" in err
    assert list(corpus_dir.iterdir()) == []
    assert not (tmp_path / "index").exists()  # nothing added, nothing ingested


def test_a_refused_file_does_not_stop_the_others(
    sources: Path, corpus_dir: Path, tmp_path: Path
) -> None:
    binary = sources / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    code, out, _ = add(sources / "reward hacking.txt", binary, "--json")
    assert code == 1
    summary = json.loads(out)
    assert [row["file"] for row in summary["files"]] == ["reward-hacking.txt"]
    assert [Path(p["file"]).name for p in summary["problems"]] == ["scan.txt"]
    assert sorted(p.name for p in corpus_dir.iterdir()) == ["reward-hacking.txt"]


def test_many_documents_of_one_file_make_one_row() -> None:
    def document(n: int, author: str | None, notes: list[str]) -> Document:
        passages = [
            Passage(id=f"d{n}-p1", role=Role.POST, start=0, end=4, text="Post"),
            Passage(id=f"d{n}-c1", role=Role.COMMENT, start=5, end=9, text="Nope"),
        ]
        return Document(
            id=f"d{n}",
            title=f"Article {n}",
            author=author,
            source_file="feed.jsonl",
            format="jsonl",
            content_hash="x",
            passages=passages,
            notes=notes,
        )

    documents = [
        document(1, None, ["no date", "no url"]),
        document(2, "Ada", ["no date", "odd quote"]),
        document(3, "Bob", ["guessed title", "empty body"]),
    ]
    failed = CorpusProblem(file="broken.md", reason="empty", hint="write something")
    summary = summarise(documents, [failed], ["feed.jsonl", "broken.md"])
    [row] = summary.files
    assert (row.documents, row.title, row.author) == (3, "Article 1 (+2 more)", "Ada (+1 more)")
    assert (row.passages, row.comments, row.footnotes) == (6, 3, 0)
    assert row.notes == ["no date", "no url", "odd quote", "and 2 more notes"]
    assert summary.problems == [failed]
    assert summarise(documents, [failed], ["elsewhere.md"]).files == []


def test_the_web_summary_marks_what_looks_misread() -> None:
    page = Document(
        id="p",
        title="A | page",
        source_file="page.txt",
        format="lesswrong",
        content_hash="x",
        passages=[Passage(id="p1", role=Role.POST, start=0, end=4, text="Post")],
    )
    refused = CorpusProblem(file="a_b.pdf", reason="unsupported file type '.pdf'", hint="save")
    table = files_markdown(summarise([page], [refused]))
    row = next(line for line in table.splitlines() if line.startswith("| page.txt"))
    assert r"A \| page" in row and "⚠️ **missing**" in row and "⚠️ **0**" in row
    assert r"a\_b.pdf: unsupported file type" in table


def test_a_dataset_file_is_added_with_its_bad_lines_as_notes(
    tmp_path: Path, corpus_dir: Path
) -> None:
    lines = [
        json.dumps({"id": "a1", "title": "Inner alignment", "text": "Inner alignment is hard.",
                    "authors": ["Evan Writer"], "url": "n/a", "date_published": "n/a"}),
        "{broken",
        json.dumps({"id": "b2", "title": "Outer alignment", "text": "Outer alignment too.",
                    "authors": [], "url": "https://x.example/b2", "date_published": "2021-01-01"}),
    ]  # fmt: skip
    dataset = tmp_path / "ard.jsonl"
    dataset.write_text("\n".join(lines), encoding="utf-8")
    code, out, _ = add(dataset, "--json")
    assert code == 0
    summary = json.loads(out)
    [row] = summary["files"]
    assert (row["file"], row["reader"], row["documents"]) == ("ard.jsonl", "jsonl", 2)
    assert row["title"] == "Inner alignment (+1 more)"
    assert any("line 2" in note and "not JSON" in note for note in row["notes"])
    assert summary["problems"] == []


def test_a_dataset_file_with_no_good_line_is_refused(tmp_path: Path, corpus_dir: Path) -> None:
    dataset = tmp_path / "bad.jsonl"
    dataset.write_text("{broken\n[1]\n", encoding="utf-8")
    code, _, err = add(dataset)
    assert code == 1
    assert "bad.jsonl" in err and "line 1" in err
    assert not (corpus_dir / "bad.jsonl").exists()


@pytest.fixture
def odd_entries(tmp_path: Path) -> Path:
    """A folder of what is not a plain file: links out of it, a FIFO, a linked folder."""
    secret = tmp_path / "secret.txt"
    secret.write_text("A private text that no one added.\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "inner.txt").write_text("Inner text about alignment.\n", encoding="utf-8")
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "good.txt").write_text(ESSAY_TXT, encoding="utf-8")
    (folder / "passwd.txt").symlink_to(secret)
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
    os.mkfifo(folder / "fifo.txt")
    return folder


def test_links_fifos_and_devices_are_refused_by_name_and_never_opened(
    odd_entries: Path, corpus_dir: Path
) -> None:
    from askalign.ingest.adding import add_paths

    names = ["fifo.txt", "linked", "passwd.txt", "zero.txt"]
    report = add_paths([odd_entries, *(odd_entries / name for name in names)], corpus_dir, 2**20)
    assert report.added == ["odd/good.txt"]
    refused = {(Path(p.file).name, p.reason.split(" (")[0].split(",")[0]) for p in report.refused}
    assert refused == {
        ("fifo.txt", "is a FIFO"),
        ("linked", "is a symbolic link"),
        ("passwd.txt", "is a symbolic link"),
        ("zero.txt", "is a symbolic link"),
    }
    assert len(report.refused) == 8  # each entry, inside the folder and named alone
    assert sorted(p.name for p in (corpus_dir / "odd").iterdir()) == ["good.txt"]
    assert "/dev/zero" in " ".join(p.reason for p in report.refused)


def test_the_cli_refuses_a_link_to_dev_zero_at_once(odd_entries: Path, corpus_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "askalign", "add", *(str(odd_entries / n) for n in ("zero.txt",
         "fifo.txt", "passwd.txt"))],
        capture_output=True, text=True, timeout=60, env=os.environ | {"COLUMNS": "200"},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "zero.txt: is a symbolic link (to /dev/zero)" in result.stderr
    assert "fifo.txt: is a FIFO (named pipe), not a file" in result.stderr
    assert list(corpus_dir.iterdir()) == []


def test_a_web_upload_that_is_a_link_or_a_fifo_is_refused(odd_entries: Path, corpus_dir: Path):
    from askalign.ingest.adding import AddRefused, add_to_corpus

    for name, reason in [("passwd.txt", "symbolic link"), ("fifo.txt", "FIFO")]:
        with pytest.raises(AddRefused, match=reason):
            add_to_corpus(odd_entries / name, name, corpus_dir, 2**20)
    assert list(corpus_dir.iterdir()) == []


def test_a_name_that_differs_only_in_case_is_refused(tmp_path: Path, corpus_dir: Path) -> None:
    from askalign.ingest.adding import add_paths

    (corpus_dir / "bearish-case.txt").write_text(ESSAY_TXT, encoding="utf-8")
    (corpus_dir / "Notes").mkdir()
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("BEARISH-case.txt", "a.txt", "A.txt"):
        (tmp_path / name).write_text(ESSAY_TXT, encoding="utf-8")
    (folder / "c.txt").write_text(ESSAY_TXT, encoding="utf-8")
    paths = [tmp_path / "BEARISH-case.txt", tmp_path / "A.txt", tmp_path / "a.txt", folder]
    report = add_paths(paths, corpus_dir, 2**20)
    assert report.added == ["A.txt"]
    reasons = sorted(problem.reason for problem in report.refused)
    assert reasons == [
        "BEARISH-case.txt differs only in case from bearish-case.txt, which is in the corpus",
        "a.txt differs only in case from A.txt, which is in the corpus",
        "notes/c.txt differs only in case from Notes, which is in the corpus",
    ]
