"""Replies read from thread order, where a page lists its comments depth-first and
marks no nesting (a LessWrong page saved as Markdown or as text).

On such a page a reply always comes below its parent, and the comment right above a
reply is its parent more often than not; but a new top-level comment also comes right
below the end of another thread, and the page does not say which is which. So the
comment above is taken as the parent only where the thread's shape leaves little
doubt, and only for a comment that its quotes and @names leave unlinked (those win):

- the two speakers differ (nobody is read as answering themselves);
- the speaker is the post's author or one of its co-authors and the comment above is
  a commenter's (authors answer their commenters; two co-authors in a row are as often
  siblings under one comment), or the one the comment above was replying to (a
  back-and-forth: A, B, A);
- it does not open with a quote (a comment that opens by quoting, most often the post,
  starts a thread of its own);
- it is not older than the comment above, where both show their age ("2y", "3mo"): a
  reply is written after its parent.

A wrong link puts words in the wrong exchange, so a doubtful case stays unlinked.
"""

from __future__ import annotations

import re
from itertools import pairwise

from askalign.documents import InferredBy, Passage, byline_names

AGE = re.compile(r"^(?P<count>\d+)(?P<unit>mo|[smhdwy])$")
UNITS = ("s", "m", "h", "d", "w", "mo", "y")  # as a "time ago" display grows
OPENING_MARKS = " \t\r\n>"  # what may stand before a quote that opens a comment


def link_by_order(post: list[Passage], comments: list[Passage], text: str) -> None:
    """Link each unlinked comment to the one above it, in page order, where the rules
    above hold. `comments` in page order; a comment the page shows but that has no
    passage (deleted) breaks the run, by its `comment_index`."""
    authors = {name for passage in post for name in byline_names(passage.speaker)}
    for above, comment in pairwise(comments):
        unlinked = comment.reply_to is None and comment.replying_to_speaker is None
        if unlinked and answers(comment, above, authors, text):
            comment.reply_to = above.id
            comment.replying_to_speaker = above.speaker
            comment.reply_inferred_by = InferredBy.ORDER


def answers(comment: Passage, above: Passage, authors: set[str], text: str) -> bool:
    """Whether `comment` is read as a reply to `above`, the comment right above it."""
    if comment.comment_index is None or above.comment_index != comment.comment_index - 1:
        return False
    if comment.speaker is None or above.speaker is None or comment.speaker == above.speaker:
        return False
    answers_commenter = comment.speaker in authors and above.speaker not in authors
    if not answers_commenter and comment.speaker != above.replying_to_speaker:
        return False
    return not opens_with_quote(comment, text) and not older(comment.age, above.age)


def opens_with_quote(comment: Passage, text: str) -> bool:
    """Whether the first words of the comment are pasted or quoted ones."""
    spans = [*comment.pasted, *comment.quoted]
    first = min((span.start for span in spans), default=None)
    return first is not None and not text[comment.start : first].strip(OPENING_MARKS)


def older(age: str | None, than: str | None) -> bool:
    """Whether a shown age is surely the older one: a larger count of the same unit, or
    a coarser unit (a display that says "2y" is older than one that says "3mo")."""
    mine, theirs = AGE.match(age or ""), AGE.match(than or "")
    if mine is None or theirs is None:
        return False
    rank, other_rank = UNITS.index(mine["unit"]), UNITS.index(theirs["unit"])
    if rank != other_rank:
        return rank > other_rank
    return int(mine["count"]) > int(theirs["count"])
