"""What each source file became: one row per file, so a misread file shows at a glance
(a forum page with no comments, an essay with no author). A file may hold many
documents (one line each in a .jsonl), so rows are by file, not by document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pydantic import BaseModel, Field

from askalign.documents import CorpusProblem, Document, Role
from askalign.formats import forum, lesswrong, lesswrong_flat

FORUM_READERS = frozenset({forum.NAME, lesswrong.NAME, lesswrong_flat.NAME})  # should have comments
NOTES_SHOWN = 3
COLUMNS = (
    "file",
    "reader",
    "title",
    "author",
    "date",
    "passages",
    "comments",
    "footnotes",
    "notes",
)


class FileSummary(BaseModel):
    file: str = Field(description="Path relative to the corpus directory.")
    reader: str = Field(description="The reader that parsed it (Document.format).")
    title: str
    author: str | None = None
    date: dt.date | None = None
    passages: int = Field(description="All passages: text, comments and footnotes.")
    comments: int
    footnotes: int
    notes: list[str] = Field(default_factory=list, description="What the reader had to guess.")
    documents: int = Field(1, description="Documents the file yielded.")

    def cells(self) -> list[tuple[str | None, bool]]:
        """The row as shown, column by column (COLUMNS): its text (None: missing) and
        whether it looks misread."""
        gaps = self.gaps()
        values: list[object] = [
            self.file,
            self.reader,
            self.title,
            self.author,
            self.date or "-",
            self.passages,
            self.comments,
            self.footnotes,
            "; ".join(self.notes),
        ]
        return [
            (None if value is None else str(value), column in gaps)
            for column, value in zip(COLUMNS, values, strict=True)
        ]

    def gaps(self) -> set[str]:
        """Fields that look misread: worth a second look before trusting the answers."""
        found = set()
        if not self.author:
            found.add("author")
        if self.title == self.file:  # the readers fall back to the file name
            found.add("title")
        if self.reader in FORUM_READERS and not self.comments:
            found.add("comments")
        return found


class FilesSummary(BaseModel):
    files: list[FileSummary] = Field(default_factory=list)
    problems: list[CorpusProblem] = Field(default_factory=list, description="Files not added.")


def summarise_file(documents: list[Document], skipped: list[str] | None = None) -> FileSummary:
    """One row for the documents of one file; the first one speaks for the rest.
    `skipped` lines of the file (a dataset's bad lines) join its notes."""
    first, more = documents[0], len(documents) - 1
    passages = [p for doc in documents for p in doc.passages]
    return FileSummary(
        file=first.source_file,
        reader=_joined(doc.format for doc in documents),
        title=first.title + (f" (+{more} more)" if more else ""),
        author=_first_of(doc.author for doc in documents),
        date=next((doc.date for doc in documents if doc.date), None),
        passages=len(passages),
        comments=sum(p.role is Role.COMMENT for p in passages),
        footnotes=sum(p.role is Role.FOOTNOTE for p in passages),
        notes=_capped([note for doc in documents for note in doc.notes] + (skipped or [])),
        documents=len(documents),
    )


def summarise(
    documents: Iterable[Document],
    problems: Iterable[CorpusProblem] = (),
    files: list[str] | None = None,
) -> FilesSummary:
    """Rows by file, in the order of `files` (only those) when given, else as they come."""
    by_file: dict[str, list[Document]] = {file: [] for file in files or []}
    for document in documents:
        if files is None or document.source_file in by_file:
            by_file.setdefault(document.source_file, []).append(document)
    wanted = [p for p in problems if files is None or p.file in by_file]
    rows = [
        summarise_file(group, _skipped_lines(wanted, file))
        for file, group in by_file.items()
        if group
    ]
    loaded = {row.file for row in rows}
    return FilesSummary(
        files=rows, problems=[p for p in wanted if p.line is None or p.file not in loaded]
    )


def _skipped_lines(problems: list[CorpusProblem], file: str) -> list[str]:
    return [f"skipped {p.reason}" for p in problems if p.line is not None and p.file == file]


def _joined(values: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(values))


def _first_of(authors: Iterable[str | None]) -> str | None:
    """One author, or the first and a count: a row stays one line."""
    named = list(dict.fromkeys(a for a in authors if a))
    if len(named) > 1:
        return f"{named[0]} (+{len(named) - 1} more)"
    return named[0] if named else None


def _capped(notes: list[str]) -> list[str]:
    unique = list(dict.fromkeys(notes))
    if len(unique) <= NOTES_SHOWN:
        return unique
    return [*unique[:NOTES_SHOWN], f"and {len(unique) - NOTES_SHOWN} more notes"]
