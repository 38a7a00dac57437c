"""What every reader receives and returns, so that all formats yield the same Document."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from pydantic import BaseModel, Field

from askalign.documents import Document, Passage, Role, speaker_identity
from askalign.formats.sections import SectionTracker
from askalign.text.spans import Span

DATASET_EXTENSIONS = frozenset({".jsonl"})  # one article a line (readers/jsonl.py)


class DocumentMeta(BaseModel):
    """Document facts, from the text itself or from the catalog (which wins)."""

    model_config = {"extra": "forbid"}

    id: str | None = None
    title: str | None = None
    author: str | None = None
    url: str | None = None
    date: dt.date | None = None
    karma: int | None = None
    crossposted_to: list[str] = Field(default_factory=list)

    def overriding(self, found: DocumentMeta) -> DocumentMeta:
        return found.model_copy(update=self.model_dump(exclude_unset=True))


class FileProblem(NamedTuple):
    reason: str
    hint: str


class ReadContext(NamedTuple):
    doc_id: str
    source_file: str
    content_hash: str
    catalog: DocumentMeta
    notes: list[str]
    # What a reader found wrong with a file it still read (read_documents lists each
    # as a problem of the file); None where no one collects them: they become notes.
    problems: list[FileProblem] | None = None

    def report(self, reason: str, hint: str) -> None:
        """A problem the user must see, stronger than a note: text was left out."""
        if self.problems is None:
            self.notes.append(reason)
        else:
            self.problems.append(FileProblem(reason, hint))


ID_PREFIX = {Role.POST: "p", Role.ESSAY: "p", Role.COMMENT: "c", Role.FOOTNOTE: "fn"}


class PassageBuilder:
    """Hands out stable passage ids (role prefix + 1-based ordinal, so `#fn3` is
    footnote 3 and `#c12` the 12th comment) and cuts text from spans."""

    def __init__(self, doc_id: str, text: str) -> None:
        self.doc_id = doc_id
        self.text = text
        self._counts: dict[str, int] = {}

    def make(self, role: Role, span: Span, **fields: object) -> Passage:
        prefix = ID_PREFIX[role]
        ordinal = self._counts.get(prefix, 0) + 1
        self._counts[prefix] = ordinal
        return Passage(
            id=f"{self.doc_id}#{prefix}{ordinal}",
            role=role,
            start=span.start,
            end=span.end,
            text=span.cut(self.text),
            **fields,
        )


def build_document(
    ctx: ReadContext,
    *,
    reader: str,
    text: str,
    meta: DocumentMeta,
    passages: list[Passage],
) -> Document:
    """The author (as the catalog settles it) speaks every non-comment passage."""
    author = speaker_identity(meta.author)
    for passage in passages:
        if passage.role is not Role.COMMENT and passage.speaker is None:
            passage.speaker = author
            passage.speaker_as_written = None if author == meta.author else meta.author
    return Document(
        id=ctx.doc_id,
        title=meta.title or ctx.source_file,
        author=meta.author,
        url=meta.url,
        date=meta.date,
        karma=meta.karma,
        crossposted_to=meta.crossposted_to,
        source_file=ctx.source_file,
        format=reader,
        content_hash=ctx.content_hash,
        passages=passages,
        notes=ctx.notes,
        source_text=text,
    )


class Block(NamedTuple):
    """A paragraph-like span; headings carry their level (None: infer from numbering)."""

    span: Span
    is_heading: bool = False
    level: int | None = None


def sectioned_passages(
    builder: PassageBuilder, found_blocks: list[Block], role: Role, speaker: str | None
) -> list[Passage]:
    """Passages for the content blocks, each under the breadcrumb of headings above it."""
    sections = SectionTracker()
    passages: list[Passage] = []
    for block in found_blocks:
        if block.is_heading:
            sections.heading(block.span.cut(builder.text), block.level)
            continue
        sections.content()
        passages.append(builder.make(role, block.span, speaker=speaker, section=sections.path))
    return passages
