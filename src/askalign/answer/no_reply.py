"""A question that takes a reply for granted: "How did the authors respond to X's idea?"
or "Why did the author agree with X?" when nobody answered X. Quoting X's comment and
whatever the authors said elsewhere reads as the reply it asks for; the honest answer
is that the thread holds none.

A reply is there when the replier has a comment linked to one of the point-maker's (the
page's tree, or the links read from quotes, @names and thread order), or, on a page
that gives no tree, a comment right after one of theirs (after any more of their own):
an order link is only drawn where the thread's shape leaves little doubt, so a missing
one is no proof. Only when neither holds does the question get "no reply".
"""

from __future__ import annotations

import re

from askalign.answer.exchange import AUTHOR
from askalign.answer.question import Question
from askalign.documents import Document, InferredBy, Passage, Role, byline_names
from askalign.index.shelf import Documents
from askalign.retrieval.hits import Hit

NO_REPLY = "No reply by {replier} to {speaker} appears in the thread under “{title}”."
KNOWN_TREE = (InferredBy.SITE, InferredBy.HTML)
# "Why did the author agree with X…?": a reply taken for granted as much as "how did…".
_GRANTS = re.compile(r"\b(?:agree(?:d|s)? with|conced(?:e|ed|es) to)\b", re.I)


def repliers(question: Question, document: Document) -> set[str]:
    """Who the question asks for a reply from: the replier it names, else the authors
    where it says "the author"."""
    if question.intent.replier is not None:
        return {question.intent.replier}
    return set(byline_names(document.author)) if AUTHOR.search(question.text) else set()


def no_reply(question: Question, hits: list[Hit], documents: Documents) -> str | None:
    """What to say instead of answering, when the question asks how someone answered a
    named speaker's point and the thread holds no reply of theirs; None otherwise."""
    intent = question.intent
    if not (intent.asks_reply or _GRANTS.search(question.text)):
        return None
    for doc_id in dict.fromkeys(hit.chunk.doc_id for hit in hits):
        document = documents[doc_id]
        answering = repliers(question, document)
        points = [
            p
            for p in document.passages
            if p.role is Role.COMMENT and p.speaker in set(intent.speakers) - answering
        ]
        if answering and points:
            if _answered(document, points, answering):
                return None
            speaker = " and ".join(dict.fromkeys(p.speaker or "" for p in points))
            return NO_REPLY.format(
                replier=_who(question, answering), speaker=speaker, title=document.title
            )
    return None


def _answered(document: Document, points: list[Passage], answering: set[str]) -> bool:
    ids = {p.id for p in points}
    comments = [p for p in document.passages if p.role is Role.COMMENT]
    if any(p.speaker in answering and p.reply_to in ids for p in comments):
        return True
    if any(p.reply_inferred_by in KNOWN_TREE for p in comments):
        return False  # the page's own tree: a reply not in it is not there
    for at, comment in enumerate(comments):
        if comment.id not in ids:
            continue
        after = next((c for c in comments[at + 1 :] if c.speaker != comment.speaker), None)
        if after is not None and after.speaker in answering:
            return True
    return False


def _who(question: Question, answering: set[str]) -> str:
    if question.intent.replier is not None:
        return question.intent.replier
    return "the authors" if len(answering) > 1 else f"the author ({next(iter(answering))})"
