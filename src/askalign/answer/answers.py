"""The answer a user gets, and the citations that make it checkable."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from askalign.documents import Role
from askalign.reader import ReaderUse
from askalign.retrieval.hits import Hit


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
    quoted: bool = Field(
        default=False, description="Words the speaker quotes (a block quote), not their own."
    )
    quoted_source: str | None = Field(
        default=None, description="Whom the text names as a quote's source; None: unnamed."
    )

    def credit(self, name: str) -> str:
        """The speaker as a source line names them, with whom they quote."""
        return credited(name, self.quoted, self.quoted_source)


def credited(name: str, quoted: bool, source: str | None) -> str:
    """ "Max Harms, quoting Paul Christiano": quoted words are never credited to the
    one who quotes them alone."""
    return f"{name}, quoting {source or 'an unnamed source'}" if quoted else name


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


class DroppedClaim(BaseModel):
    """A claim the model wrote that failed a check: kept for the audit, never shown."""

    text: str
    source_id: str
    reason: str


class LlmAudit(BaseModel):
    """What the user's model did for this answer, so a fallback can be explained."""

    model: str
    response_format: str | None = Field(
        default=None,
        description="The output form the server accepted: json_schema, json_object or text.",
    )
    kept: int = 0
    dropped: list[DroppedClaim] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Why the model gave no usable reply.")


class Answer(BaseModel):
    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    abstained: bool = False
    hits: list[HitView] = Field(default_factory=list)
    mode: Literal["extractive", "llm"] = Field(
        default="extractive", description="llm: written by the user's model from verified claims."
    )
    fallback_reason: str | None = Field(
        default=None,
        description="Why a configured model's answer was not used (None when no model is set).",
    )
    llm: LlmAudit | None = None
    writing: bool = Field(
        default=False,
        description="A streamed answer still being written: its claims so far, each verified.",
    )
    reader: ReaderUse | None = Field(
        default=None,
        description="With the reader on: read, or busy (composed without it, past its wait).",
    )

    def authorship(self) -> str | None:
        """Whose words the answer is, where a model was asked: the user's model's, or
        why it fell back to quotes; None when no model is set."""
        if self.mode != "llm" and not self.fallback_reason:
            return None
        audit = self.llm
        dropped = f", {_claims(len(audit.dropped))} dropped" if audit and audit.dropped else ""
        if self.writing and audit:
            return f"{audit.model} is writing: {_claims(audit.kept)} verified so far…"
        if self.mode == "llm" and audit:
            return f"Written by {audit.model} from {_claims(audit.kept, 'verified ')}{dropped}."
        model = audit.model if audit else "your model"
        return f"Quoted, not written by {model}: {self.fallback_reason}{dropped}."


def _claims(count: int, kind: str = "") -> str:
    return f"{count} {kind}claim{'' if count == 1 else 's'}"


_CHUNK_FIELDS = {"text", "speaker", "role", "doc_id", "section", "start", "end"}


def hit_view(hit: Hit) -> HitView:
    """The chunk's own fields as they are, with what retrieval added."""
    shown = hit.chunk.model_dump(include=_CHUNK_FIELDS)
    return HitView(chunk_id=hit.chunk.id, score=hit.score, quoted_by=hit.quoted_by, **shown)
