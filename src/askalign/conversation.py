"""A conversation as the chat API takes it: the messages so far, each earlier answer
with the citations it showed, so that a follow-up's quotes keep their numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, NamedTuple

from pydantic import BaseModel, Field, ValidationError

from askalign.answer.answers import Citation

__all__ = ["BadMessageError", "Message", "Turns", "read_turns"]


class Message(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    citations: list[Citation] = Field(
        default_factory=list,
        description=(
            "An earlier answer's citations: a quote cited again keeps its number, once the"
            " index confirms the citation as sent (verify.as_indexed)."
        ),
    )


class BadMessageError(ValueError):
    """A chat message that is not {role: user|assistant, content: text}."""


class Turns(NamedTuple):
    question: str  # the last user message: what is answered
    earlier: list[str]  # the user's questions before it
    replies: list[str]  # the answers' texts, for reading "he" and "that"
    cited: list[Citation]  # every citation shown so far, in order


def read_turns(messages: list[Message] | list[dict], checked: Callable[[str], str]) -> Turns | None:
    """The conversation read once, each question through `checked`; None when it holds
    no question."""
    turns = [_message(number, m) for number, m in enumerate(messages, 1)]
    asked = [checked(m.content) for m in turns if m.role == "user"]
    if not asked:
        return None
    answers = [m for m in turns if m.role == "assistant"]
    return Turns(
        question=asked[-1],
        earlier=asked[:-1],
        replies=[m.content for m in answers],
        cited=[c for m in answers for c in m.citations],
    )


def _message(number: int, message: Message | dict) -> Message:
    if isinstance(message, Message):
        return message
    try:
        return Message.model_validate(message)
    except ValidationError as error:
        raise BadMessageError(
            f"message {number} is not {{role: 'user' or 'assistant', content: text}}:"
            f" {error.errors()[0]['msg']}"
        ) from None
