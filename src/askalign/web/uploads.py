"""Adding a text from the browser: check it parses before it touches `corpus/`."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from askalign.readers import SUPPORTED_EXTENSIONS, DocumentMeta, ReadError, read_document


class UploadRejected(Exception):
    pass


def safe_name(name: str) -> str:
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "upload"
    return f"{cleaned}{suffix}"


def add_to_corpus(upload: Path, original_name: str, corpus_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded file into the corpus only if it reads as a document; never
    overwrite an existing text."""
    name = safe_name(original_name)
    if Path(name).suffix not in SUPPORTED_EXTENSIONS:
        raise UploadRejected(f"{original_name}: only .txt, .md and .html files can be added")
    target = corpus_dir / name
    if target.exists():
        raise UploadRejected(
            f"{name} is already in the corpus: rename the file to add it as a new text"
        )
    with tempfile.TemporaryDirectory() as scratch:
        probe = Path(scratch) / name
        shutil.copyfile(upload, probe)
        try:
            read_document(
                probe,
                doc_id="upload",
                source_file=name,
                catalog=DocumentMeta(),
                max_bytes=max_bytes,
            )
        except ReadError as error:
            raise UploadRejected(f"{original_name}: {error.reason}. {error.hint}") from error
    shutil.copyfile(upload, target)
    return target
