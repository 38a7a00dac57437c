"""The page's exports, the conversation and the map, as Markdown files the browser saves.

Nothing is written on the server: the Markdown goes back as the event's reply, into a
hidden box, and a script in the page hands it to the browser as a download. There is
no temporary folder to leave behind and no copy in Gradio's cache, read-only server or
not. A conversation comes from the browser, so anyone could send any: it is checked and
bounded (turns, characters) before it is read, and exports share a rate limit, as the
thumbs do, so a script cannot spend the server's CPU one click at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import gradio as gr
from pydantic import ValidationError

from askalign.answer.answers import Answer
from askalign.documents import Document
from askalign.index.feedback import RateLimit
from askalign.web.render import conversation_markdown

MAX_TURNS = 200  # a long conversation is a few dozen
MAX_CHARS = 2_000_000  # its JSON; a turn with ten sources is ~20,000
TOO_MANY = "too many exports in the last minute, try again shortly"
PAGE_ONLY = {"api_visibility": "private"}
# the text as a blob: link, clicked: the browser saves it as it would a file's
SAVE = """(text) => {
  if (!text) { return; }
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {type: 'text/markdown;charset=utf-8'}));
  link.download = NAME;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
}"""


class ExportRefused(ValueError):
    """A conversation too big, malformed, or one export too many."""


def checked_turns(state: object) -> list[tuple[str, Answer]]:
    """The browser's conversation, each answer valid, within the bounds; else refused."""
    turns = state.get("turns", []) if isinstance(state, dict) else None
    if not isinstance(turns, list):
        raise ExportRefused("the conversation is not a list of turns")
    if len(turns) > MAX_TURNS:
        raise ExportRefused(f"{len(turns)} turns; an export holds at most {MAX_TURNS}")
    try:
        size = len(json.dumps(turns, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        raise ExportRefused("the conversation is not plain JSON") from None
    if size > MAX_CHARS:
        raise ExportRefused(f"{size:,} characters; an export holds at most {MAX_CHARS:,}")
    try:
        return [(str(turn["question"]), Answer.model_validate(turn["answer"])) for turn in turns]
    except (KeyError, TypeError, ValidationError):
        raise ExportRefused("a turn is not {question, answer}") from None


def export_button(
    label: str, file_name: str, make: Callable[..., str], inputs: object, limit: RateLimit
) -> gr.Button:
    """A button that saves what `make(inputs)` returns as `file_name`, within `limit`."""
    button = gr.Button(label, size="sm", elem_id=f"export-{file_name.removesuffix('.md')}")
    text = gr.Textbox(visible=False)

    def run(*values: object) -> str:
        try:
            if not limit.take():
                raise ExportRefused(TOO_MANY)
            return make(*values)
        except ExportRefused as error:
            gr.Warning(f"Not exported: {error}.")
            return ""

    save = SAVE.replace("NAME", json.dumps(file_name))
    button.click(run, inputs, text, **PAGE_ONLY).then(None, text, None, js=save, **PAGE_ONLY)
    return button


def conversation_text(state: object, documents: Mapping[str, Document]) -> str:
    return conversation_markdown(checked_turns(state), documents)
