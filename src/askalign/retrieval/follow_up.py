"""A follow-up read against the turns before it. "What did he reply?" and "and the
post's author?" carry no topic of their own: without a model, the topic comes from the
turn before and the shape from the new one; with the user's model, it rewrites the
follow-up as a question that stands alone (see llm/writer.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from askalign.retrieval.intent import QueryIntent, SpeakerDirectory

_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers|they|them|their)\b", re.I)
_FOLLOW_UP = re.compile(r"^\s*(and|what about|how about|so|but|then|also)\b", re.I)
SHORT_FOLLOW_UP_WORDS = 8


def is_follow_up(question: str, intent: QueryIntent) -> bool:
    short = len(question.split()) <= SHORT_FOLLOW_UP_WORDS
    return bool(
        _PRONOUN.search(question) or _FOLLOW_UP.match(question) or (short and not intent.speakers)
    )


def followed_up(
    question: str,
    intent: QueryIntent,
    earlier: list[str],
    replies: list[str],
    read: Callable[[str], QueryIntent],
    directory: SpeakerDirectory,
) -> tuple[str, QueryIntent]:
    """The query and intent a follow-up asks with: the turn before's topic, the new
    turn's speakers and shape (from `intent`, its own reading), and "him" resolved to
    whom the last turns named."""
    query = f"{earlier[-1]} {question}"
    joined = read(query).model_copy(update={"speakers": intent.speakers, "shape": intent.shape})
    if _PRONOUN.search(question):  # "how did Byrnes reply to him?": him too
        named = _last_named(earlier, replies, directory)
        joined.speakers += [s for s in named if s not in joined.speakers]
    return query, joined


def _last_named(earlier: list[str], replies: list[str], directory: SpeakerDirectory) -> list[str]:
    for text in [earlier[-1], *(replies[-1:])]:
        named = directory.mentioned(text)
        if named:
            return named[:1]
    return []
