"""Which corpus files changed since the last ingest, decided without parsing them.

Size and mtime settle the common case at the cost of a `stat`; a touched file is
hashed, and only different bytes, or a different way of reading them (reader code,
chunk size, its catalog entry), mean a re-parse. At 10^4 texts a no-op ingest then
costs a directory walk, not half an hour of parsing.
"""

from __future__ import annotations

import hashlib
import stat
from functools import lru_cache
from pathlib import Path

from askalign.formats import DocumentMeta
from askalign.index.rows import FileRecord

PACKAGE_DIR = Path(__file__).parents[1]
# The code that turns a file into documents, chunks and sentences: when it changes, a
# file must be read again even if its bytes did not.
READING_CODE = [
    *sorted((PACKAGE_DIR / "formats").glob("*.py")),
    *sorted((PACKAGE_DIR / "text").glob("*.py")),
    *(PACKAGE_DIR / name for name in ("ingest/corpus.py", "ingest/chunking.py", "documents.py")),
]


@lru_cache(maxsize=1)
def reading_code_hash() -> str:
    digest = hashlib.sha256()
    for path in READING_CODE:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_hash(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


class KnownFiles:
    """The files of the last ingest and the documents each one holds."""

    def __init__(
        self, records: dict[str, FileRecord], doc_ids: dict[str, list[str]], chunker: str
    ) -> None:
        self.records = records
        self.doc_ids = doc_ids
        self._salt = f"{reading_code_hash()}/{chunker}"

    def reading(self, meta: DocumentMeta) -> str:
        return hashlib.sha256(f"{self._salt}/{meta.model_dump_json()}".encode()).hexdigest()

    def check(self, path: Path, relative: str, meta: DocumentMeta) -> tuple[FileRecord, bool]:
        """The file as it is now, and whether its documents in the catalog still hold."""
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO would block the hash: the reader says
            raise OSError(f"{relative} is not a regular file")
        reading = self.reading(meta)
        before = self.records.get(relative)
        same_stat = before is not None and (before.size, before.mtime_ns) == (
            status.st_size,
            status.st_mtime_ns,
        )
        content_hash = before.content_hash if before and same_stat else file_hash(path)
        now = FileRecord(relative, status.st_size, status.st_mtime_ns, content_hash, reading)
        unchanged = before is not None and (before.content_hash, before.reading) == (
            content_hash,
            reading,
        )
        return now, unchanged
