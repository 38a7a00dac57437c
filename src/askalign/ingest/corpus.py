"""The corpus directory as documents: every readable file parsed, every other one explained."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from askalign.documents import MAX_FILE_MB, CorpusProblem, CorpusScan, Document
from askalign.formats import DocumentMeta, ReadError, read_documents
from askalign.index.rows import FileRecord
from askalign.ingest.changes import KnownFiles
from askalign.ingest.facts import FACTS_FILE, load_text_facts

log = logging.getLogger(__name__)
MAX_FILE_BYTES = int(MAX_FILE_MB * 2**20)
BACKUP_SUFFIXES = (".bak", ".swp", ".swo", ".tmp", ".orig", ".part")
CASE_TWIN = (
    "its name differs only in case from {twin}: on a case-insensitive file system"
    " (macOS, Windows) the two are one file, so rename or remove one"
)


def is_ignored(path: Path) -> bool:
    """Hidden files and editor backups are never texts."""
    name = path.name
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", "#"))
        or name.lower().endswith(BACKUP_SUFFIXES)
    )


def _files_under(directory: Path) -> list[str]:
    """Every file's path relative to `directory`, in path order. `os.walk` rather than
    `Path.rglob`: a no-op ingest of 10^4 files spends most of its time here."""
    found = []
    for root, _, names in os.walk(directory):
        prefix = os.path.relpath(root, directory).replace(os.sep, "/")
        found.extend(name if prefix == "." else f"{prefix}/{name}" for name in names)
    return sorted(found, key=lambda relative: relative.split("/"))


def slug(stem: str) -> str:
    """Letters and digits of any script survive, so `名前.txt` and `名字.txt` differ."""
    folded = unicodedata.normalize("NFKC", stem).casefold()
    return re.sub(r"[\W_]+", "-", folded).strip("-") or "document"


def scan_corpus(corpus_dir: Path, max_file_bytes: int = MAX_FILE_BYTES) -> CorpusScan:
    """Parse every text file under corpus_dir; a bad file is a problem, never an exception."""
    reader = CorpusReader(corpus_dir, max_file_bytes)
    documents = list(reader.documents())
    return CorpusScan(documents=documents, problems=reader.problems, skipped=reader.skipped)


class CorpusReader:
    """One pass over corpus_dir that yields documents as they are read, so a dataset file
    of 10^5 articles streams through ingest instead of sitting in memory. Given the files
    of the last ingest (`known`), an unchanged file is not parsed at all: it is listed in
    `unchanged`. `problems`, `skipped`, `unchanged` and `files` are complete once
    `documents()` is exhausted."""

    def __init__(
        self, corpus_dir: Path, max_file_bytes: int, known: KnownFiles | None = None
    ) -> None:
        if not corpus_dir.is_dir():
            raise FileNotFoundError(
                f"corpus directory {corpus_dir} does not exist: create it and add texts"
            )
        self.corpus_dir = corpus_dir
        self.max_file_bytes = max_file_bytes
        self.known = known
        self.facts, self.problems = load_text_facts(corpus_dir)
        self.skipped: list[str] = []
        self.unchanged: list[str] = []
        self.files: list[FileRecord] = []  # every file read or found unchanged, as it is now
        self.on_disk: set[str] = set()
        self._seen_ids: dict[str, str] = {}  # document id -> the file that has it
        self._folded: dict[str, str] = {}  # case-folded path -> the first file with it

    def documents(self) -> Iterator[Document]:
        for relative in _files_under(self.corpus_dir):
            if relative == FACTS_FILE:
                continue
            if any(is_ignored(Path(part)) for part in relative.split("/")):
                self.skipped.append(relative)
                continue
            self.on_disk.add(relative)
            twin = self._folded.setdefault(relative.casefold(), relative)
            for document in self._read_file(self.corpus_dir / relative, relative):
                if twin != relative:
                    document.notes.append(CASE_TWIN.format(twin=twin))
                yield document
        self.problems.extend(_orphan_entries(self.facts, self.on_disk, self.problems))

    def _read_file(self, path: Path, relative: str) -> Iterator[Document]:
        meta = self.facts.get(relative, DocumentMeta())
        record = None
        if self.known is not None:
            try:
                record, unchanged = self.known.check(path, relative, meta)
            except OSError:
                unchanged = False  # reading it says what is wrong
            if unchanged and record is not None:
                self.unchanged.append(relative)
                self.files.append(record)
                self._seen_ids.update(dict.fromkeys(self.known.doc_ids.get(relative, ()), relative))
                return
        found = read_documents(
            path,
            doc_id=_unique_id(meta.id or slug(path.stem), relative, self._seen_ids),
            source_file=relative,
            catalog=meta,
            max_bytes=self.max_file_bytes,
        )
        problems_before = len(self.problems)
        try:
            for item in found:
                if isinstance(item, CorpusProblem):
                    self.problems.append(item)
                elif item.id in self._seen_ids:
                    self.problems.append(_taken_id(item, self._seen_ids[item.id]))
                else:
                    self._seen_ids[item.id] = relative
                    yield item
            whole_file = [p for p in self.problems[problems_before:] if p.line is None]
            if record is not None and not whole_file:  # a refused file is read again next time
                self.files.append(record)
        except ReadError as error:
            self.problems.append(CorpusProblem(file=relative, reason=error.reason, hint=error.hint))
        except OSError as error:
            self.problems.append(
                CorpusProblem(
                    file=relative,
                    reason=f"cannot be read: {error.strerror}",
                    hint="check its permissions",
                )
            )
        except Exception as error:  # one file a reader trips on must never stop the rest
            log.debug("reader failed on %s", relative, exc_info=True)
            self.problems.append(
                CorpusProblem(
                    file=relative,
                    reason=f"askalign failed to read it ({type(error).__name__}: {error})",
                    hint="please report this file as a bug; the rest of the corpus was read",
                )
            )


def _unique_id(candidate: str, relative: str, seen: dict[str, str]) -> str:
    """The name's slug; then with its extension (`notes.md` beside `notes.txt`); then with
    a hash of its path, which no other file shares. Stable while the files are."""
    with_extension = f"{candidate}-{slug(Path(relative).suffix)}"
    for option in (candidate, with_extension):
        if option not in seen:
            return option
    return f"{with_extension}-{hashlib.sha256(relative.encode()).hexdigest()[:8]}"


def _taken_id(document: Document, holder: str) -> CorpusProblem:
    where = f"article {document.record}" if document.record else "the file"
    return CorpusProblem(
        file=document.source_file,
        reason=f"{where} would take the id '{document.id}', which {holder} already has",
        hint=f"give one of them its own id in corpus/{FACTS_FILE}, or rename one file",
    )


def _orphan_entries(
    facts: dict[str, DocumentMeta], files: set[str], problems: list[CorpusProblem]
) -> list[CorpusProblem]:
    known = files | {problem.file for problem in problems}
    return [
        CorpusProblem(
            file=FACTS_FILE,
            reason=f"entry for '{name}' matches no file in the corpus",
            hint="fix the file name in the entry, or remove the entry",
        )
        for name in facts
        if name not in known
    ]


def load_corpus(path: Path | str) -> list[Document]:
    """The readable documents of a corpus directory; problems are logged as warnings."""
    scan = scan_corpus(Path(path))
    for problem in scan.problems:
        log.warning("%s: %s (%s)", problem.file, problem.reason, problem.hint)
    for document in scan.documents:
        for note in document.notes:
            log.info("%s: %s", document.source_file, note)
    return scan.documents
