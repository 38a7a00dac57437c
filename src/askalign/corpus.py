"""The corpus directory as documents: every readable file parsed, every other one explained."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from askalign.catalog import CATALOG_NAME, load_catalog
from askalign.models import CorpusProblem, CorpusScan, Document
from askalign.readers import DocumentMeta, ReadError, read_document
from askalign.settings import Settings

log = logging.getLogger(__name__)
BACKUP_SUFFIXES = (".bak", ".swp", ".swo", ".tmp", ".orig", ".part")


def is_ignored(path: Path) -> bool:
    """Hidden files and editor backups are never texts."""
    name = path.name
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", "#"))
        or name.lower().endswith(BACKUP_SUFFIXES)
    )


def slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "document"


def scan_corpus(corpus_dir: Path, max_file_bytes: int | None = None) -> CorpusScan:
    """Parse every text file under corpus_dir; a bad file is a problem, never an exception."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(
            f"corpus directory {corpus_dir} does not exist: create it and add texts"
        )
    limit = max_file_bytes or Settings().max_file_bytes
    catalog, problems = load_catalog(corpus_dir)
    documents: list[Document] = []
    skipped: list[str] = []
    seen_ids: set[str] = set()
    for path in sorted(corpus_dir.rglob("*")):
        relative = path.relative_to(corpus_dir).as_posix()
        if path.is_dir() or relative == CATALOG_NAME:
            continue
        if any(is_ignored(Path(part)) for part in Path(relative).parts):
            skipped.append(relative)
            continue
        meta = catalog.get(relative, DocumentMeta())
        doc_id = _unique_id(meta.id or slug(path.stem), path, seen_ids)
        try:
            document = read_document(
                path, doc_id=doc_id, source_file=relative, catalog=meta, max_bytes=limit
            )
        except ReadError as error:
            problems.append(CorpusProblem(file=relative, reason=error.reason, hint=error.hint))
            continue
        except OSError as error:
            problems.append(
                CorpusProblem(
                    file=relative,
                    reason=f"cannot be read: {error.strerror}",
                    hint="check its permissions",
                )
            )
            continue
        seen_ids.add(doc_id)
        documents.append(document)
    problems.extend(_orphan_entries(catalog, documents, problems))
    return CorpusScan(documents=documents, problems=problems, skipped=skipped)


def _unique_id(candidate: str, path: Path, seen: set[str]) -> str:
    if candidate not in seen:
        return candidate
    return f"{candidate}-{path.suffix.lstrip('.').lower()}"


def _orphan_entries(
    catalog: dict[str, DocumentMeta], documents: list[Document], problems: list[CorpusProblem]
) -> list[CorpusProblem]:
    known = {doc.source_file for doc in documents} | {problem.file for problem in problems}
    return [
        CorpusProblem(
            file=CATALOG_NAME,
            reason=f"entry for '{name}' matches no file in the corpus",
            hint="fix the file name in the entry, or remove the entry",
        )
        for name in catalog
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
