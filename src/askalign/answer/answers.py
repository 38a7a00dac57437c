"""The answer a user gets, and the citations that make it checkable."""

from __future__ import annotations

from pydantic import BaseModel, Field

from askalign.documents import Role


class Citation(BaseModel):
    """One verbatim quote, located in its source: `quote == source_text[start:end]`."""

    n: int
    doc_id: str
    doc_title: str
    speaker: str | None
    role: Role
    section: list[str] = Field(default_factory=list)
    quote: str
    display: str = Field(description="The quote as a reader sees it: Markdown links as their text.")
    start: int
    end: int
    url: str | None = None
    passage_id: str
    replying_to_speaker: str | None = None
    karma: int | None = Field(default=None, description="Of the comment, or of the post.")


class HitView(BaseModel):
    """A retrieved chunk as the answer reports it."""

    chunk_id: str
    text: str
    score: float
    speaker: str | None
    role: Role
    doc_id: str
    section: list[str] = Field(default_factory=list)
    start: int
    end: int
    quoted_by: list[str] = Field(default_factory=list, description="Commenters who pasted it.")


class Answer(BaseModel):
    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    hits: list[HitView] = Field(default_factory=list)
