"""The `askalign` app, the options its commands share, and what every command does
alike: reading the settings (here, at the edge, and passed down), turning a mistake
the user can fix into exit code 2, and opening an Assistant."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from askalign.cli.terminal import print_error
from askalign.documents import Role
from askalign.index.errors import IndexProblem
from askalign.settings import Settings

if TYPE_CHECKING:  # imported where used: `ask` need not load the corpus readers
    from askalign.assistant import Assistant


DOCS = (
    "Docs: docs/ in the source, built by `make docs` and served at /docs/ by `askalign serve`;"
    " every command and option: docs/reference/cli.md."
)
app = typer.Typer(
    help=f"Ask questions of the AI-alignment debate and get answers you can check.\n\n{DOCS}",
    no_args_is_help=True,
    add_completion=False,
)


CorpusOption = Annotated[
    Path | None,
    typer.Option("--corpus", help="Corpus directory (default: $ASKALIGN_CORPUS_DIR or ./corpus)."),
]


IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index directory (default: $ASKALIGN_INDEX_DIR, else ./index)."),
]


JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        "--store",
        help="Search engine: local (default: $ASKALIGN_ENGINE, else local), milvus:PATH.db"
        " (Milvus Lite) or http(s)://HOST:19530 (a Milvus server; $ASKALIGN_MILVUS_TOKEN).",
    ),
]


@app.callback()
def main() -> None:
    """askalign: essays and LessWrong threads on AI alignment, answered with citations."""


ReaderOption = Annotated[
    bool | None,
    typer.Option(
        "--reader/--no-reader",
        help="Read the best sentences with the reader model (needs askalign[reader]; off"
        " by default, or $ASKALIGN_READER): ~70x slower, no gain measured on held-out"
        " questions.",
    ),
]


def read_settings(**given: object) -> Settings:
    """The settings from the environment, under the options given on the command line
    (an option left out is None, and the environment's value stands). Validated, so
    `--no-reader` is the setting `off`, not a string that reads as on."""
    return Settings(**{name: value for name, value in given.items() if value})


def reader_mode(reader: bool | None) -> str | None:
    return None if reader is None else ("on" if reader else "off")


@contextmanager
def user_errors(*kinds: type[Exception]) -> Iterator[None]:
    """A mistake the user can fix (a missing folder, a bad option, a busy index) ends
    the command with code 2 and one line that says what is wrong, not a traceback."""
    try:
        yield
    except kinds as error:
        print_error(error)
        raise typer.Exit(2) from error


def open_assistant(
    index_dir: Path | None,
    engine: str | None = None,
    reader: bool | None = None,
    llm_url: str | None = None,
    llm_model: str | None = None,
) -> Assistant:
    from askalign.assistant import Assistant
    from askalign.engines import MissingExtraError
    from askalign.reader import ReaderUnavailableError

    with user_errors(IndexProblem, MissingExtraError, ReaderUnavailableError, ValueError):
        assistant = Assistant.open(
            index_dir,
            engine=engine,
            reader=reader_mode(reader),
            llm_url=llm_url,
            llm_model=llm_model,
        )
    return assistant


SpeakerOption = Annotated[
    str | None, typer.Option("--speaker", help="Only passages by this speaker (forgiving).")
]


DocOption = Annotated[str | None, typer.Option("--doc", help="Only this document id.")]


RoleOption = Annotated[
    Role | None, typer.Option("--role", help="Only post, comment, essay or footnote.")
]


KOption = Annotated[int, typer.Option("--k", min=1, max=50, help="How many hits to retrieve.")]


LlmUrlOption = Annotated[
    str | None,
    typer.Option(
        "--llm-url",
        help="Your own model's OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1"
        " (default: $ASKALIGN_LLM_URL; unset: extractive answers).",
    ),
]


LlmModelOption = Annotated[
    str | None,
    typer.Option("--llm-model", help="The model's name on that server ($ASKALIGN_LLM_MODEL)."),
]
