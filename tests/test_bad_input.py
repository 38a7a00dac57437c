"""Bad files fail alone, with a message that names them and says what to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from askalign import scan_corpus

GOOD = "A good essay\n\nIt has a paragraph that says something about alignment.\n"


def problems_by_file(corpus_dir: Path) -> dict[str, str]:
    scan = scan_corpus(corpus_dir)
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
    message = problems_by_file(with_good_file)["huge.txt"]
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
