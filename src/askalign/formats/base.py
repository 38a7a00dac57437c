"""What every reader receives and returns, so that all formats yield the same Document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import NamedTuple, Protocol

from pydantic import BaseModel, Field

from askalign.documents import Document, Passage, Role, name_flaw, speaker_identity
from askalign.formats.order_links import link_by_order
from askalign.formats.pasted import link_thread, paragraph_spans
from askalign.formats.quoted import mark_quoted
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


SHOWN_NAME_CHARS = 60
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
    """The author (as the catalog settles it) speaks every non-comment passage. Every
    reader's document is built here, so here no name that cannot be a person's is kept."""
    dropped: list[Unnamed] = []
    if meta.author and (flaw := name_flaw(meta.author)):
        dropped.append(Unnamed(meta.author, flaw, "the author's name"))
        meta = meta.model_copy(update={"author": None})
    author = speaker_identity(meta.author)
    for passage in passages:
        if passage.role is not Role.COMMENT and passage.speaker is None:
            passage.speaker = author
            passage.speaker_as_written = None if author == meta.author else meta.author
    dropped += drop_unnamed(text, passages)  # after the author's: theirs are no one's
    if dropped:
        report_unnamed(ctx, dropped)
    facts = meta.model_dump(include={"author", "url", "date", "karma", "crossposted_to"})
    return Document(
        id=ctx.doc_id,
        title=meta.title or ctx.source_file,
        **facts,
        source_file=ctx.source_file,
        format=reader,
        content_hash=ctx.content_hash,
        passages=passages,
        notes=ctx.notes,
        source_text=text,
    )


class Unnamed(NamedTuple):
    """A name dropped because it cannot be a person's, and where it was."""

    name: str
    flaw: str
    where: str


def drop_unnamed(text: str, passages: list[Passage]) -> list[Unnamed]:
    """A speaker whose name cannot be a person's (a header line, a link, an address) is
    dropped: those words are attributed to no one. Replies and quotes lose it too."""
    dropped: list[Unnamed] = []
    for passage in passages:
        written = passage.speaker_as_written or passage.speaker
        flaw = name_flaw(written) if written else None
        if written and flaw:
            line = text.count("\n", 0, passage.start) + 1
            dropped.append(Unnamed(written, flaw, f"line {line}"))
            passage.speaker = passage.speaker_as_written = None
        if passage.replying_to_speaker and name_flaw(passage.replying_to_speaker):
            passage.replying_to_speaker = None
        for quote in passage.pasted:
            if quote.source_speaker and name_flaw(quote.source_speaker):
                quote.source_speaker = None
    return dropped


def report_unnamed(ctx: ReadContext, dropped: list[Unnamed]) -> None:
    """One problem for the file, naming the first place a name was dropped."""
    name, flaw, where = dropped[0]
    shown = repr(name if len(name) <= SHOWN_NAME_CHARS else name[:SHOWN_NAME_CHARS] + "…")
    ctx.report(
        f"{len(dropped)} speaker name(s) cannot be a person's name, first at {where}:"
        f" {shown} ({flaw}); those words are attributed to no one",
        "askalign misreads this layout's names: set the author in front matter (author:"
        " Name), save the page as HTML, or report the layout with a sample",
    )


class Block(NamedTuple):
    """A paragraph-like span; headings carry their level (None: infer from numbering);
    `quoted`: inside a block quote."""

    span: Span
    is_heading: bool = False
    level: int | None = None
    quoted: bool = False


def quoted_blocks(found_blocks: Iterable[Block]) -> list[Span]:
    return [block.span for block in found_blocks if block.quoted]


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


def body_document(
    ctx: ReadContext,
    *,
    reader: str,
    text: str,
    meta: DocumentMeta,
    body: list[Block],
    role: Role = Role.ESSAY,
    footnotes: Sequence[tuple[str, Span]] = (),
) -> Document:
    """A text with no comments: the author's sections, then any (label, span) footnotes."""
    builder = PassageBuilder(ctx.doc_id, text)
    passages = sectioned_passages(builder, body, role, meta.author)
    passages += [
        builder.make(Role.FOOTNOTE, span, speaker=meta.author, footnote=label)
        for label, span in footnotes
    ]
    mark_quoted(passages, text, lambda p: [Span(p.start, p.end)], quoted_blocks(body))
    return build_document(ctx, reader=reader, text=text, meta=meta, passages=passages)


def thread_document(
    ctx: ReadContext,
    post: list[Passage],
    comments: list[Passage],
    *,
    reader: str,
    text: str,
    meta: DocumentMeta,
    units: Callable[[Passage, str], list[Span]] = paragraph_spans,
    replies_known: bool = False,
    in_thread_order: bool = False,
    marked: Collection[Span] = (),
) -> Document:
    """A post and its comments, with each comment's pasted words and replies linked
    first, and the words anyone quotes marked. `units` cuts a passage where a comment
    may have pasted earlier words: paragraphs, unless the format keeps one paragraph a
    line. Where the site's own reply tree is known (`replies_known`), pasted words are
    still marked but no reply is inferred. Where the page lists the comments depth-first
    with no nesting marks (`in_thread_order`), a comment that quotes and @names leave
    unlinked may be read as replying to the one above it (order_links.py). `marked`:
    the blocks the page shows inside a block quote."""
    cut = {passage.id: units(passage, text) for passage in post + comments}
    link_thread(
        post, comments, text, lambda passage: cut[passage.id], infer_replies=not replies_known
    )
    mark_quoted(post + comments, text, lambda passage: cut[passage.id], marked)
    if in_thread_order and not replies_known:
        link_by_order(post, comments, text)
    return build_document(ctx, reader=reader, text=text, meta=meta, passages=post + comments)


def footnote_passage(
    builder: PassageBuilder, span: Span, label: str, author: str | None
) -> Passage:
    """A post's footnote is its author's, under a "Footnotes" section of its own."""
    return builder.make(Role.FOOTNOTE, span, speaker=author, section=["Footnotes"], footnote=label)


class CommentHeading(Protocol):
    """What a forum page shows above a comment, however the format spells it."""

    @property
    def author(self) -> str | None: ...
    @property
    def age(self) -> str | None: ...
    @property
    def karma(self) -> int | None: ...
    @property
    def af_karma(self) -> int | None: ...
    @property
    def agreement(self) -> int | None: ...


def comment_passage(
    builder: PassageBuilder, span: Span, order: int, heading: CommentHeading, **links: object
) -> Passage:
    """`order` counts every comment on the page, as a reader counts them."""
    return builder.make(
        Role.COMMENT,
        span,
        speaker=heading.author,
        comment_index=order,
        age=heading.age,
        karma=heading.karma,
        af_karma=heading.af_karma,
        agreement=heading.agreement,
        **links,
    )
