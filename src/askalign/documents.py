"""The parsed corpus: the pydantic data that crosses module boundaries.

Every passage keeps its exact character span in its document's source text, so
anything downstream (chunks, citations) can be checked against the source.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import StrEnum

from pydantic import AliasChoices, BaseModel, Field, field_validator, model_validator


def speaker_identity(name: str | None) -> str | None:
    """The name a speaker is known by: NFKC, without format characters (Unicode Cf:
    zero-width spaces, bidi controls) and with one space between words. Otherwise
    `Bob\\u200b\\u2066Admin\\u2069` is a second speaker that prints as `BobAdmin`."""
    if name is None:
        return None
    visible = "".join(
        c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf"
    )
    return " ".join(visible.split()) or None


_BYLINE_JOINS = re.compile(r",\s*(?:and\s+)?|\s+(?:and|&)\s+")


def byline_names(byline: str | None) -> list[str]:
    """Each author of a byline ("A, B and C", "A, B, C"): a co-author answering a
    commenter is the post's author answering, though the post speaks as all of them."""
    if byline is None:
        return []
    return [name for name in (part.strip() for part in _BYLINE_JOINS.split(byline)) if name]


MAX_NAME_CHARS = 100
# What a header line, a link or an address holds and a person's name does not.
NOT_IN_A_NAME = ("](", "/users/", "://", "commentId=")
BREAKS = frozenset({"Cc", "Zl", "Zp"})  # control characters (C0, C1) and line breaks


def name_flaw(name: str) -> str | None:
    """Why `name` cannot be a person's name, or None if it can. A reader that misreads a
    new layout hands on a header line, a link or an address as the name: stored, it is a
    speaker that no question can name, and `askalign speakers` would show the markup."""
    if len(name) > MAX_NAME_CHARS:
        return f"it is longer than {MAX_NAME_CHARS} characters"
    mark = next((mark for mark in NOT_IN_A_NAME if mark in name), None)
    if mark is not None:
        return f"it holds '{mark}'"
    if any(unicodedata.category(char) in BREAKS for char in name):
        return "it holds a line break or a control character"
    return None


MAX_FILE_MB = 20.0  # the default limit on one corpus file (ASKALIGN_MAX_FILE_MB)


class Role(StrEnum):
    POST = "post"
    COMMENT = "comment"
    ESSAY = "essay"
    FOOTNOTE = "footnote"


class InferredBy(StrEnum):
    QUOTE = "quote"
    MENTION = "mention"
    HTML = "html"
    SITE = "site"  # the site's own data: a fetched thread's parent ids
    ORDER = "order"  # the comment above, on a page in thread order (formats/order_links.py)


class PastedSpan(BaseModel):
    """Text inside a passage that repeats earlier text: kept in place, but marked."""

    start: int = Field(description="Char offset in the document's source text.")
    end: int
    source_passage_id: str = Field(description="The passage the quoted words come from.")
    source_speaker: str | None = Field(description="Who originally wrote the quoted words.")
    exact: bool = Field(description="False when the repeat is near-exact (edited).")


class QuotedSpan(BaseModel):
    """Words inside a passage that its speaker quotes from someone else: a `>` block
    quote, or a paragraph that a line introduces as a quote ("As Paul Christiano put
    it:"). They stay searchable and citable, but never as the speaker's own words."""

    start: int = Field(description="Char offset in the document's source text.")
    end: int
    source: str | None = Field(
        default=None, description="Whom the text names as the words' source; None: unnamed."
    )


class Passage(BaseModel):
    """The smallest unit with one speaker: a paragraph, a footnote or a whole comment."""

    id: str
    role: Role
    speaker: str | None = None
    speaker_as_written: str | None = Field(
        default=None, description="The raw name, where it differs from `speaker` (see below)."
    )
    section: list[str] = Field(default_factory=list, description="Heading breadcrumb.")
    start: int
    end: int
    text: str
    footnote: str | None = Field(default=None, description="Footnote label, e.g. '3'.")
    comment_index: int | None = Field(default=None, description="1-based order on the page.")
    url: str | None = Field(default=None, description="The comment's own address, if shown.")
    age: str | None = None
    karma: int | None = None
    af_karma: int | None = None
    agreement: int | None = None
    pasted: list[PastedSpan] = Field(
        default_factory=list, validation_alias=AliasChoices("pasted", "quotes")
    )  # "quotes" in indexes built before 2026-12
    quoted: list[QuotedSpan] = Field(default_factory=list)
    reply_to: str | None = None
    replying_to_speaker: str | None = None
    reply_inferred_by: InferredBy | None = None

    def quoting(self, start: int, end: int) -> QuotedSpan | None:
        """The quote that holds [start, end), if the words there are quoted ones."""
        return next((q for q in self.quoted if q.start <= start and end <= q.end), None)

    def own_words(self, start: int, end: int) -> bool:
        """Whether [start, end) is the speaker's own: neither pasted from earlier text
        nor quoted from someone else. A stance or a position rests on these alone."""
        inside = [*self.pasted, *self.quoted]
        return not any(q.start <= start and end <= q.end for q in inside)

    @model_validator(mode="before")
    @classmethod
    def _one_identity(cls, data: object) -> object:
        """Look-alike names are one speaker; the raw form is kept for the source view."""
        if isinstance(data, dict) and isinstance(data.get("speaker"), str):
            identity = speaker_identity(data["speaker"])
            if identity != data["speaker"]:
                written = data.get("speaker_as_written") or data["speaker"]
                data = {**data, "speaker": identity, "speaker_as_written": written}
        return data


class Document(BaseModel):
    id: str
    title: str
    author: str | None = None
    url: str | None = None
    date: dt.date | None = None
    karma: int | None = None
    crossposted_to: list[str] = Field(default_factory=list)
    source_file: str = Field(description="File name relative to the corpus directory.")
    record: str | None = Field(
        default=None, description="The article's id inside a file of many (a JSON Lines line)."
    )
    format: str = Field(description="Which reader parsed it.")
    content_hash: str = Field(description="sha256 of the raw file bytes.")
    passages: list[Passage] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="What the reader had to guess.")
    source_text: str = Field(default="", exclude=True, repr=False)

    @field_validator("author")
    @classmethod
    def _author_identity(cls, value: str | None) -> str | None:
        return speaker_identity(value)

    def cut(self, start: int, end: int) -> str:
        return self.source_text[start:end]

    def karma_of(self, passage: Passage) -> int | None:
        """A comment's own score; the post's for the post's and essay's words."""
        return passage.karma if passage.role is Role.COMMENT else self.karma

    @property
    def source_key(self) -> str:
        """Where the document lives: its file, or its record within the file."""
        return f"{self.source_file}#{self.record}" if self.record else self.source_file


class CorpusProblem(BaseModel):
    """A file (or one line of it) that could not be read, and what to do about it."""

    file: str
    reason: str
    hint: str
    line: int | None = Field(default=None, description="Set when only this line was skipped.")


class CorpusScan(BaseModel):
    documents: list[Document]
    problems: list[CorpusProblem]
    skipped: list[str] = Field(default_factory=list, description="Hidden files and backups.")


class Chunk(BaseModel):
    """What gets embedded and retrieved: one speaker's words from one place.

    `text` is exactly `source_text[start:end]`; `embed_text` is what the model sees
    (the text under its heading), and `text_hash` (of `embed_text`) keys the
    embedding cache.
    """

    id: str
    doc_id: str
    doc_title: str
    url: str | None = None
    position: int = Field(description="Order of the chunk within its document.")
    passage_ids: list[str]
    role: Role
    speaker: str | None = None
    section: list[str] = Field(default_factory=list)
    start: int
    end: int
    text: str
    embed_text: str
    text_hash: str
    token_count: int
    footnote: str | None = None
    comment_index: int | None = None
    karma: int | None = None
    reply_to: str | None = None
    replying_to_speaker: str | None = None
    pasted: list[PastedSpan] = Field(
        default_factory=list, validation_alias=AliasChoices("pasted", "quotes")
    )  # "quotes" in indexes built before 2026-12
