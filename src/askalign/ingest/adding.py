"""Adding texts to the corpus, from the command line or the browser, by one set of rules:
a regular file (never a link, a FIFO or a device), a safe name, a supported extension,
a file that reads as a document, and never an overwrite, nor a name that differs only
in case from one in the corpus. A refused file leaves the corpus as it was."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from askalign.documents import CorpusProblem
from askalign.formats import (
    SUPPORTED_EXTENSIONS,
    SUPPORTED_NAMES,
    DocumentMeta,
    ReadError,
    read_documents,
)
from askalign.formats.decode import open_regular
from askalign.ingest.corpus import is_ignored

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


class CorpusNames:
    """The names in each corpus folder, case-folded, listed once per folder: two names
    that differ only in case are one file on a case-insensitive file system (macOS,
    Windows), where the corpus may move, and the same text would be indexed twice."""

    def __init__(self, corpus_dir: Path) -> None:
        self.corpus_dir = corpus_dir
        self._folders: dict[Path, dict[str, str]] = {}

    def clash(self, relative: str) -> str | None:
        """The corpus path that `relative` would be on a case-insensitive file system."""
        folder = self.corpus_dir
        for part in Path(relative).parts:
            found = self._names(folder).get(part.casefold())
            if found is None:
                return None
            folder = folder / found
            if found != part:
                break
        return folder.relative_to(self.corpus_dir).as_posix()

    def added(self, relative: str) -> None:
        folder = self.corpus_dir
        for part in Path(relative).parts:
            self._names(folder).setdefault(part.casefold(), part)
            folder = folder / part

    def _names(self, folder: Path) -> dict[str, str]:
        if folder not in self._folders:
            names = [entry.name for entry in os.scandir(folder)] if folder.is_dir() else []
            self._folders[folder] = {name.casefold(): name for name in sorted(names)}
        return self._folders[folder]


def add_file(
    source: Path, shown: str, relative: str, corpus_dir: Path, max_bytes: int, names: CorpusNames
) -> Path:
    """Copy `source` into the corpus as `relative` if it may be added; else AddRefused.
    `shown` names the file the way the user knows it. The source is opened once, only
    if `stat` says it is a regular file and not a link, and what is checked is what is
    copied."""
    _refuse_links(source, shown)
    suffix = Path(relative).suffix
    if suffix not in SUPPORTED_EXTENSIONS:
        raise AddRefused(
            shown,
            f"unsupported file type '{suffix or '(none)'}': {ADDABLE}",
            f"save it as {SUPPORTED_NAMES} first",
        )
    _refuse_taken(relative, shown, names)
    target = corpus_dir / relative
    with tempfile.TemporaryDirectory() as scratch:  # the reader is chosen by the safe name
        probe = Path(scratch) / target.name
        try:
            with open_regular(source, follow_symlinks=False) as reading, open(probe, "xb") as out:
                shutil.copyfileobj(reading, out)
            _first_document(probe, relative, max_bytes)
        except ReadError as error:
            raise AddRefused(shown, error.reason, error.hint) from error
        except OSError as error:
            raise AddRefused(
                shown, f"cannot be read: {error.strerror}", "check its permissions"
            ) from error
        _copy_new(probe, target, shown)
    names.added(relative)
    return target


def _refuse_links(source: Path, shown: str) -> None:
    """A link is never followed: one inside an added folder would copy a file from
    anywhere (`/etc/passwd`), and one to `/dev/zero` would never finish."""
    if source.is_symlink():
        raise AddRefused(
            shown,
            f"is a symbolic link (to {os.readlink(source)}), and links are not followed",
            "add the file it points to by its own path, if that is the text you mean",
        )


def _refuse_taken(relative: str, shown: str, names: CorpusNames) -> None:
    existing = names.clash(relative)
    if existing == relative:
        raise AddRefused(
            shown,
            f"{relative} is already in the corpus",
            "rename the file to add it as a new text (nothing is ever overwritten)",
        )
    if existing is not None:
        raise AddRefused(
            shown,
            f"{relative} differs only in case from {existing}, which is in the corpus",
            "rename the file: on a case-insensitive file system the two would be one file",
        )


def check_reads(probe: Path, shown: str, relative: str, max_bytes: int) -> None:
    """AddRefused, naming `shown`, unless the file at `probe` reads as `relative`."""
    try:
        _first_document(probe, relative, max_bytes)
    except ReadError as error:
        raise AddRefused(shown, error.reason, error.hint) from error


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


def _copy_new(probe: Path, target: Path, shown: str) -> None:
    """Exclusive create, so a file that appeared since the check is still not overwritten."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(probe, "rb") as reading, open(target, "xb") as writing:
            shutil.copyfileobj(reading, writing)
    except FileExistsError as error:
        raise AddRefused(
            shown, f"{target.name} appeared in the corpus meanwhile", "rename the file"
        ) from error


def add_to_corpus(upload: Path, original_name: str, corpus_dir: Path, max_bytes: int) -> Path:
    """One file, at the top of the corpus: the web upload, by the same rules."""
    relative = safe_name(original_name)
    return add_file(upload, original_name, relative, corpus_dir, max_bytes, CorpusNames(corpus_dir))


def planned(path: Path) -> list[tuple[Path, str]]:
    """(source, path relative to the corpus) for a file, or for every entry of a folder,
    kept under the folder's own name. A link is listed, not entered, and so is anything
    that is not a file (a FIFO, a device): each is then refused by name, never skipped
    in silence."""
    if path.is_symlink() or not path.is_dir():
        return [(path, safe_name(path.name))]
    top = path.resolve().name
    found: list[Path] = []
    for root, folders, files in os.walk(path):  # not followlinks: a linked folder is listed
        found += [Path(root, name) for name in files]
        found += [Path(root, name) for name in folders if Path(root, name).is_symlink()]
    return [(entry, _relative([top, *entry.relative_to(path).parts])) for entry in sorted(found)]


def _relative(parts: list[str]) -> str:
    *folders, name = parts
    return "/".join([*(_clean(folder, "folder") for folder in folders), safe_name(name)])


def add_paths(paths: list[Path], corpus_dir: Path, max_bytes: int) -> AddReport:
    """Copy every addable file; report the rest. One refusal stops no other file."""
    report = AddReport()
    corpus = corpus_dir.resolve()
    names = CorpusNames(corpus_dir)
    for path in paths:
        for source, relative in planned(path):
            shown = source.as_posix()
            if any(is_ignored(Path(part)) for part in source.relative_to(path).parts):
                report.skipped.append(shown)
                continue
            try:
                if (source.parent.resolve() / source.name).is_relative_to(corpus):
                    raise AddRefused(
                        shown, "it is inside the corpus already", "run `askalign ingest`"
                    )
                add_file(source, shown, relative, corpus_dir, max_bytes, names)
            except AddRefused as refused:
                report.refused.append(refused.problem)
                continue
            report.added.append(relative)
    return report
