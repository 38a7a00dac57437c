"""How often a reply read from thread order is right, measured on threads whose reply
tree is known (a fetched thread's parent ids, a saved HTML page's nesting).

The comments stay in the order such a page shows them (depth-first), the tree is
hidden, and the links are inferred again as on a page that shows no tree: quotes and
@names first, then thread order (formats/order_links.py). Each link is then checked
against the true parent."""

from __future__ import annotations

from pydantic import BaseModel

from askalign.documents import Document, InferredBy, Passage, Role
from askalign.formats.order_links import link_by_order
from askalign.formats.pasted import link_thread, paragraph_spans

GIVEN = (InferredBy.HTML, InferredBy.SITE)  # a tree the page or the site gives


class LinkScore(BaseModel):
    comments: int
    replies: int = 0  # comments whose true parent is a comment
    order_right: int = 0  # order links to the true parent
    order_wrong: int = 0
    found_without_order: int = 0  # true replies linked rightly by quotes and @names alone
    found_with_order: int = 0

    def __add__(self, other: LinkScore) -> LinkScore:
        return LinkScore(**{k: v + getattr(other, k) for k, v in self.model_dump().items()})

    @property
    def precision(self) -> float | None:
        made = self.order_right + self.order_wrong
        return self.order_right / made if made else None

    @property
    def recall(self) -> float | None:
        return self.order_right / self.replies if self.replies else None


def true_parents(document: Document) -> dict[str, str | None]:
    """Each comment's parent as the tree gives it; None for a top-level comment."""
    return {
        p.id: p.reply_to if p.reply_inferred_by in GIVEN else None
        for p in document.passages
        if p.role is Role.COMMENT
    }


def relinked(document: Document) -> list[Passage]:
    """The comments, their reply links and pasted words dropped and inferred again."""
    passages = [passage.model_copy(deep=True) for passage in document.passages]
    comments = [p for p in passages if p.role is Role.COMMENT]
    for comment in comments:
        comment.reply_to = comment.replying_to_speaker = comment.reply_inferred_by = None
        comment.pasted = []
    post = [p for p in passages if p.role is not Role.COMMENT]
    text = document.source_text
    link_thread(post, comments, text, lambda passage: paragraph_spans(passage, text))
    link_by_order(post, comments, text)
    return comments


def score(document: Document) -> LinkScore:
    truth = true_parents(document)
    comments = relinked(document)
    found = LinkScore(comments=len(comments))
    for comment in comments:
        parent = truth[comment.id]
        found.replies += parent is not None
        right = parent is not None and comment.reply_to == parent
        if comment.reply_inferred_by is InferredBy.ORDER:
            found.order_right += right
            found.order_wrong += not right
        else:
            found.found_without_order += right
        found.found_with_order += right
    return found
