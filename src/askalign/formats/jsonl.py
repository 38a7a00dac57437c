"""The Alignment Research Dataset's JSON Lines: one article a line, read as a stream.

A dataset file runs to hundreds of megabytes, so it is never read whole: each line
becomes a Document and is handed on before the next is read. A bad line is reported
by its number and skipped, and the rest load. Spans point into the line's `text`,
which is Markdown for most of the dataset's sources.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator

from askalign.documents import CorpusProblem, Document
from askalign.formats.base import DocumentMeta, ReadContext
from askalign.formats.dates import parse_date
from askalign.formats.decode import ReadError, lone_surrogate, open_regular
from askalign.formats.frontmatter import joined_names
from askalign.formats.markdown import read_body
from askalign.text.readable import DATASET_FORMAT

NAME = DATASET_FORMAT
MISSING = frozenset({"", "n/a", "na", "none", "null", "unknown"})
ID_CHARS = 40
HINT = (
    "each line must be one JSON object with at least 'id' and 'text'"
    " (also read: title, url, date_published, authors)"
)


class DatasetRecord(BaseModel):
    """The keys askalign reads; the dataset's others (`summary`, `source`…) pass by."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    date_published: str | None = None
    authors: list[str] = []

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("text")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("'text' is empty")
        return value

    @field_validator("title", "url", "date_published", mode="before")
    @classmethod
    def _missing_as_none(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() in MISSING else value

    @field_validator("authors", mode="before")
    @classmethod
    def _authors_as_list(cls, value: object) -> object:
        if value is None:
            return []
        return [value] if isinstance(value, str) else value


def read_lines(
    path: Path, *, source_file: str, id_prefix: str, max_line_bytes: int
) -> Iterator[Document | CorpusProblem]:
    """One Document per good line; a CorpusProblem (with its line number) per bad one."""
    seen: set[str] = set()
    doc_ids: set[str] = set()
    lines = 0
    with open_regular(path) as handle:
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            lines += 1
            try:
                record = _record(raw, max_line_bytes)
            except ValueError as error:
                yield _problem(source_file, number, str(error))
                continue
            if record.id in seen:
                yield _problem(source_file, number, f"id {record.id!r} repeats an earlier line")
                continue
            seen.add(record.id)
            doc_id = _doc_id(id_prefix, record.id, doc_ids)
            doc_ids.add(doc_id)
            document = _document(record, raw, source_file, doc_id)
            if document.passages:
                yield document
            else:
                yield _problem(source_file, number, "'text' holds no readable paragraphs")
    if not lines:
        raise ReadError("the file holds no articles", "write one JSON object a line")


def _record(raw: bytes, max_line_bytes: int) -> DatasetRecord:
    if len(raw) > max_line_bytes:
        raise ValueError(f"line is {len(raw) / 2**20:.1f} MiB, over the per-article limit")
    try:
        fields = json.loads(raw)
    except UnicodeDecodeError as error:
        raise ValueError(f"not UTF-8 (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at column {error.colno})") from error
    except RecursionError as error:  # the parser recurses once per bracket
        raise ValueError("nested too deeply (brackets inside brackets, thousands deep)") from error
    if not isinstance(fields, dict):
        raise ValueError("not a JSON object")
    try:
        record = DatasetRecord.model_validate(fields)
    except ValidationError as error:
        issue = error.errors()[0]
        field = ".".join(str(part) for part in issue["loc"]) or "?"
        message = issue.get("ctx", {}).get("error", issue["msg"])
        raise ValueError(f"field '{field}': {message}") from error
    _check_characters(record)
    return record


def _check_characters(record: DatasetRecord) -> None:
    """A line whose text holds a lone surrogate is refused here, not when it is stored."""
    for field, value in record:
        for item in value if isinstance(value, list) else [value]:
            surrogate = lone_surrogate(item) if isinstance(item, str) else None
            if surrogate:
                raise ValueError(
                    f"field '{field}' holds {surrogate}, half of a surrogate pair without its"
                    " other half: not a character"
                )


def _document(record: DatasetRecord, raw: bytes, source_file: str, doc_id: str) -> Document:
    meta = DocumentMeta(
        title=record.title,
        author=joined_names(list(record.authors)),
        url=record.url,
        date=parse_date(record.date_published),
    )
    content_hash = hashlib.sha256(raw).hexdigest()
    ctx = ReadContext(doc_id, source_file, content_hash, meta, [])
    document = read_body(record.text.replace("\r\n", "\n"), ctx, DocumentMeta(), reader=NAME)
    if not meta.title:
        document.title = f"{source_file}, article {record.id}"
    document.record = record.id
    return document


def _doc_id(prefix: str, record_id: str, taken: set[str]) -> str:
    """The id's readable part; with a hash of the whole id where two ids read alike
    (`A` and `a`, or `:` and `;`, which have no letters at all)."""
    readable_id = f"{prefix}-{_id_part(record_id)}"
    if readable_id not in taken:
        return readable_id
    return f"{readable_id}-{hashlib.sha256(record_id.encode()).hexdigest()[:8]}"


def _id_part(record_id: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", record_id.lower()).strip("-")[:ID_CHARS] or "article"


def _problem(source_file: str, number: int, reason: str) -> CorpusProblem:
    return CorpusProblem(
        file=source_file, line=number, reason=f"line {number}: {reason}", hint=HINT
    )
