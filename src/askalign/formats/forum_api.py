"""A thread fetched from a ForumMagnum site's GraphQL API, as `askalign add URL` saves it.

LessWrong, the Alignment Forum and the EA Forum run ForumMagnum; `ingest/fetching.py`
asks a site for a post and all its comments and saves them in this module's form, one
JSON file in the corpus. Ingest reads the file, never the site: the file is the record.

The form (`ForumThread`, version 1)::

    {"format": "askalign-forum-thread", "version": 1,
     "source_url": "https://www.lesswrong.com/posts/ID/slug",   # the address given
     "endpoint": "https://www.lesswrong.com/graphql",           # what was asked
     "fetched_at": "2026-12-07T19:30:00Z",
     "post": {"id", "title", "slug", "url", "authors": [names], "posted_at", "karma",
              "af_karma", "comment_count", "question", "html"},
     "comments": [{"id", "parent_id", "author", "posted_at", "karma", "af_karma",
                   "agreement", "deleted", "html"}, ...]}

Bodies are the site's HTML, read as forum.py reads a saved page (blocks, blockquotes,
footnotes). The reply tree is the site's own (`parent_id`), so nothing is inferred:
quotes are marked, but never make a reply. A deleted comment keeps its place as
"[deleted]", and a comment whose author the site hides keeps its words: both are
spoken by no one, and a reply to either replies to no one's words.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Literal, NamedTuple

from pydantic import BaseModel, Field, ValidationError

from askalign.documents import Document, InferredBy, Passage
from askalign.formats.base import (
    DocumentMeta,
    PassageBuilder,
    ReadContext,
    comment_passage,
    thread_document,
)
from askalign.formats.decode import ReadError
from askalign.formats.forum import copy_region, detach_footnotes, post_and_notes
from askalign.formats.frontmatter import joined_names
from askalign.formats.html import TextBuilder, parse
from askalign.text.spans import Span

NAME = "forum-api"
FORMAT = "askalign-forum-thread"
DELETED = "[deleted]"
HINT = "fetch the thread again with `askalign add URL --refresh`, or remove the file"


class ForumPost(BaseModel):
    id: str
    title: str
    slug: str | None = None
    url: str | None = None
    authors: list[str] = Field(default_factory=list, description="The author, then coauthors.")
    posted_at: dt.datetime | None = None
    karma: int | None = None
    af_karma: int | None = None
    comment_count: int | None = Field(default=None, description="What the site says it has.")
    question: bool = False
    html: str = ""


class ForumComment(BaseModel):
    id: str
    parent_id: str | None = None
    author: str | None = Field(default=None, description="None: deleted, or hidden by the site.")
    posted_at: dt.datetime | None = None
    karma: int | None = None
    af_karma: int | None = None
    agreement: int | None = None
    deleted: bool = False
    html: str = ""

    @property
    def age(self) -> str | None:
        """The day it was posted, as the comment's shown age."""
        return self.posted_at.date().isoformat() if self.posted_at else None


class ForumThread(BaseModel):
    format: Literal["askalign-forum-thread"] = FORMAT
    version: Literal[1] = 1
    source_url: str
    endpoint: str
    fetched_at: dt.datetime
    post: ForumPost
    comments: list[ForumComment] = Field(default_factory=list)


def load(text: str) -> ForumThread:
    """The saved thread, or a ReadError that names the first field that is wrong."""
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(f"not JSON ({error.msg} at line {error.lineno})", HINT) from error
    if not isinstance(fields, dict) or fields.get("format") != FORMAT:
        raise ReadError(
            "a .json file in the corpus must be a thread saved by `askalign add URL`"
            f' (its "format" is "{FORMAT}")',
            "add the thread by its address, or save other texts as .txt, .md or .html",
        )
    try:
        return ForumThread.model_validate(fields)
    except ValidationError as error:
        issue = error.errors()[0]
        where = ".".join(str(part) for part in issue["loc"]) or "?"
        raise ReadError(f"field '{where}': {issue['msg']}", HINT) from error


def thread_order(comments: list[ForumComment]) -> list[tuple[ForumComment, ForumComment | None]]:
    """(comment, parent) in the order a reader meets them: each top-level comment by
    date, its replies under it, depth first. A comment whose parent is not in the file
    (hidden by the site), or that a loop of parent ids would never reach, is read as
    top-level, with no parent. The walk keeps its own stack: a reply chain thousands
    deep costs no recursion."""
    by_id = {comment.id: comment for comment in comments}
    children: dict[str | None, list[ForumComment]] = defaultdict(list)
    for comment in sorted(comments, key=posted):
        parent = comment.parent_id if comment.parent_id in by_id else None
        children[parent].append(comment)
    ordered: list[tuple[ForumComment, ForumComment | None]] = []
    placed: set[int] = set()
    for root in [*children[None], *sorted(comments, key=posted)]:
        stack: list[tuple[ForumComment, ForumComment | None]] = [(root, None)]
        while stack:
            comment, parent = stack.pop()
            if id(comment) in placed:
                continue
            placed.add(id(comment))
            ordered.append((comment, parent))
            stack.extend((reply, comment) for reply in reversed(children[comment.id]))
    return ordered


def posted(comment: ForumComment) -> float:
    return comment.posted_at.timestamp() if comment.posted_at else float("-inf")


def read(text: str, ctx: ReadContext) -> Document:
    thread = load(text)
    post = thread.post
    found = DocumentMeta(
        title=post.title,
        author=joined_names(list(post.authors)),
        url=post.url or thread.source_url,
        date=post.posted_at.date() if post.posted_at else None,
        karma=post.karma,
    )
    meta = ctx.catalog.overriding(found)
    text_builder = TextBuilder()
    body_root = parse(post.html)
    footnotes = detach_footnotes(body_root)
    body = copy_region(text_builder, body_root)
    notes = [(label, copy_region(text_builder, content)) for label, content in footnotes]
    ordered = thread_order(thread.comments)
    shown = [comment_span(text_builder, comment) for comment, _ in ordered]
    source = text_builder.text
    builder = PassageBuilder(ctx.doc_id, source)
    post_passages = post_and_notes(builder, body, notes, meta.author)
    comments = comment_passages(builder, ordered, shown, meta.url)
    check_counts(thread, ordered, shown, ctx)
    return thread_document(
        ctx, post_passages, comments, reader=NAME, text=source, meta=meta, replies_known=True
    )


class Shown(NamedTuple):
    span: Span
    has_words: bool  # False: "[deleted]" stands in their place


def comment_span(builder: TextBuilder, comment: ForumComment) -> Shown:
    """A comment's words in the source text; "[deleted]" where the site shows none (a
    deleted comment, or an empty one), which no one is ever said to have written."""
    if not comment.deleted and comment.html.strip():
        region = copy_region(builder, parse(comment.html))
        if region.blocks:
            return Shown(region.span, has_words=True)
    return Shown(builder.append(DELETED).span, has_words=False)


def comment_passages(
    builder: PassageBuilder,
    ordered: list[tuple[ForumComment, ForumComment | None]],
    shown: list[Shown],
    post_url: str | None,
) -> list[Passage]:
    """One passage per comment, replying to its parent's passage and its parent's
    author exactly, with its own address; a deleted comment speaks for no one, and a
    reply to it replies to no one's words."""
    passages: list[Passage] = []
    by_id: dict[str, Passage] = {}
    for order, ((comment, parent), (span, has_words)) in enumerate(
        zip(ordered, shown, strict=True), 1
    ):
        heading = comment.model_copy(update={"author": comment.author if has_words else None})
        above = by_id.get(parent.id) if parent is not None else None
        passage = comment_passage(
            builder,
            span,
            order,
            heading,
            reply_to=above.id if above else None,
            replying_to_speaker=above.speaker if above else None,
            reply_inferred_by=InferredBy.SITE if above else None,
            url=comment_url(post_url, comment.id),
        )
        by_id[comment.id] = passage
        passages.append(passage)
    return passages


def comment_url(post_url: str | None, comment_id: str) -> str | None:
    """The address a reader opens to see the comment, as the sites link it."""
    if not post_url:
        return None
    return f"{post_url.split('?', 1)[0].split('#', 1)[0]}?commentId={comment_id}"


def check_counts(
    thread: ForumThread,
    ordered: list[tuple[ForumComment, ForumComment | None]],
    shown: list[Shown],
    ctx: ReadContext,
) -> None:
    """What the reader must know: deleted comments, replies whose parent is missing, and
    a count that differs from the one the site states."""
    deleted = sum(not has_words for _, has_words in shown)
    if deleted:
        ctx.notes.append(f"{deleted} deleted comment(s) kept as {DELETED}, spoken by no one")
    hidden = sum(
        has_words and comment.author is None
        for (comment, _), (_, has_words) in zip(ordered, shown, strict=True)
    )
    if hidden:
        ctx.notes.append(f"{hidden} comment(s) whose author the site hides: spoken by no one")
    orphans = sum(parent is None and comment.parent_id is not None for comment, parent in ordered)
    if orphans:
        ctx.notes.append(
            f"{orphans} repl(ies) to a comment the site did not return: read as top-level"
        )
    stated = thread.post.comment_count
    if stated is not None and stated != len(ordered):
        ctx.notes.append(
            f"the site says the post has {stated} comments but the file holds {len(ordered)}"
        )
