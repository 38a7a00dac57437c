"""Adding texts to the corpus, from the command line or the browser, by one set of rules:
a safe name, a supported extension, a file that reads as a document, and never an
overwrite. A refused file leaves the corpus as it was."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from askalign.corpus import is_ignored
from askalign.models import CorpusProblem
from askalign.readers import (
    SUPPORTED_EXTENSIONS,
    SUPPORTED_NAMES,
    DocumentMeta,
    ReadError,
    read_documents,
)

ADDABLE = f"only {SUPPORTED_NAMES} files can be added"


class AddRefused(Exception):
    """One file not added, with what to do about it."""

    def __init__(self, file: str, reason: str, hint: str) -> None:
        self.problem = CorpusProblem(file=file, reason=reason, hint=hint)
        super().__init__(f"{file}: {reason}. To fix: {hint}")


class AddReport(BaseModel):
    added: list[str] = Field(default_factory=list, description="Paths relative to the corpus.")
    refused: list[CorpusProblem] = Field(default_factory=list)
    skipped: list[str] = Field(default_factory=list, description="Hidden files and backups.")


def _clean(name: str, fallback: str) -> str:
    """No separators, no leading dot: a name cannot climb out of the corpus or hide in it."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or fallback


def safe_name(name: str) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    return f"{_clean(stem, 'upload')}{suffix}"


def check_addable(
    source: Path, shown: str, relative: str, corpus_dir: Path, max_bytes: int
) -> Path:
    """The corpus path `source` would take as `relative`, if it may be added; else AddRefused.
    `shown` names the file the way the user knows it."""
    suffix = Path(relative).suffix
    if suffix not in SUPPORTED_EXTENSIONS:
        raise AddRefused(
            shown,
            f"unsupported file type '{suffix or '(none)'}': {ADDABLE}",
            f"save it as {SUPPORTED_NAMES} first",
        )
    target = corpus_dir / relative
    if target.exists():
        raise AddRefused(
            shown,
            f"{relative} is already in the corpus",
            "rename the file to add it as a new text (nothing is ever overwritten)",
        )
    with tempfile.TemporaryDirectory() as scratch:  # the reader is chosen by the safe name
        probe = Path(scratch) / target.name
        try:
            shutil.copyfile(source, probe)
            _first_document(probe, relative, max_bytes)
        except ReadError as error:
            raise AddRefused(shown, error.reason, error.hint) from error
        except OSError as error:
            raise AddRefused(
                shown, f"cannot be read: {error.strerror}", "check its permissions"
            ) from error
    return target


def _first_document(probe: Path, relative: str, max_bytes: int) -> None:
    """A file reads if it yields a document; a dataset file needs one good line of its
    stream, not all of them (its bad lines are reported at ingest)."""
    found = read_documents(
        probe, doc_id="probe", source_file=relative, catalog=DocumentMeta(), max_bytes=max_bytes
    )
    problems = []
    for item in found:
        if not isinstance(item, CorpusProblem):
            return
        problems.append(item)
    if not problems:
        raise ReadError("no article in it", "write one JSON object a line")
    raise ReadError(f"no readable article ({problems[0].reason})", problems[0].hint)


def copy_new(source: Path, target: Path, shown: str) -> None:
    """Exclusive create, so a file that appeared since the check is still not overwritten."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(source, "rb") as reading, open(target, "xb") as writing:
            shutil.copyfileobj(reading, writing)
    except FileExistsError as error:
        raise AddRefused(
            shown, f"{target.name} appeared in the corpus meanwhile", "rename the file"
        ) from error


def add_to_corpus(upload: Path, original_name: str, corpus_dir: Path, max_bytes: int) -> Path:
    """One file, at the top of the corpus: the web upload."""
    target = check_addable(upload, original_name, safe_name(original_name), corpus_dir, max_bytes)
    copy_new(upload, target, original_name)
    return target


def planned(path: Path) -> list[tuple[Path, str]]:
    """(source, path relative to the corpus) for a file, or for every file of a folder,
    kept under the folder's own name."""
    if not path.is_dir():
        return [(path, safe_name(path.name))]
    top = path.resolve().name
    return [
        (file, _relative([top, *file.relative_to(path).parts]))
        for file in sorted(path.rglob("*"))
        if file.is_file()
    ]


def _relative(parts: list[str]) -> str:
    *folders, name = parts
    return "/".join([*(_clean(folder, "folder") for folder in folders), safe_name(name)])


def add_paths(paths: list[Path], corpus_dir: Path, max_bytes: int) -> AddReport:
    """Copy every addable file; report the rest. One refusal stops no other file."""
    report = AddReport()
    corpus = corpus_dir.resolve()
    for path in paths:
        for source, relative in planned(path):
            shown = source.as_posix()
            if any(is_ignored(Path(part)) for part in source.relative_to(path).parts):
                report.skipped.append(shown)
                continue
            try:
                if source.resolve().is_relative_to(corpus):
                    raise AddRefused(
                        shown, "it is inside the corpus already", "run `askalign ingest`"
                    )
                target = check_addable(source, shown, relative, corpus_dir, max_bytes)
                copy_new(source, target, shown)
            except AddRefused as refused:
                report.refused.append(refused.problem)
                continue
            report.added.append(relative)
    return report
