"""Serving the web UI to people: `serve`, `feedback`, `user add|remove`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from askalign.cli.app import (
    CorpusOption,
    EngineOption,
    IndexOption,
    JsonOption,
    LlmModelOption,
    LlmUrlOption,
    ReaderOption,
    app,
    read_settings,
    reader_mode,
    user_errors,
)
from askalign.cli.corpus import run_ingest
from askalign.cli.terminal import (
    console,
    print_error,
    print_feedback,
    print_report,
    warn_if_unready,
)
from askalign.index.errors import IndexProblem


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to serve on.")] = 7860,
    index_dir: IndexOption = None,
    corpus_dir: CorpusOption = None,
    share: Annotated[
        bool, typer.Option("--share", help="Also open a public Gradio share link.")
    ] = False,
    auth_file: Annotated[
        Path | None,
        typer.Option(
            "--auth-file",
            help="Ask for a login from this file (`askalign user add`); default:"
            " $ASKALIGN_AUTH_FILE. Without one, a server beyond loopback is read-only.",
        ),
    ] = None,
    engine: EngineOption = None,
    reader: ReaderOption = None,
    llm_url: LlmUrlOption = None,
    llm_model: LlmModelOption = None,
) -> None:
    """Serve the web UI (builds the index first if it is missing). Adding texts needs a
    login (--auth-file) unless the server is bound to loopback."""
    from concurrent.futures import ThreadPoolExecutor

    from askalign.index.catalog import CATALOG_FILE
    from askalign.web.auth import AuthFileError
    from askalign.web.shared import SharedAssistant

    settings = read_settings(
        index_dir=index_dir,
        corpus_dir=corpus_dir,
        auth_file=auth_file,
        engine=engine,
        reader=reader_mode(reader),
        llm_url=llm_url,
        llm_model=llm_model,
    )
    if not (settings.index_dir / CATALOG_FILE).exists():
        where = f"No index at {settings.index_dir}: building it from {settings.corpus_dir}."
        console.print(where, markup=False)
        print_report(run_ingest(settings, quiet=False))
    with user_errors(IndexProblem, AuthFileError, ValueError):
        with ThreadPoolExecutor(1) as pool:  # the index and model open while Gradio imports
            opening = pool.submit(SharedAssistant.warmed, settings)
            from askalign.web.app import launch

            shared = opening.result()
        warn_if_unready(shared.llm)
        launch(settings, host=host, port=port, share=share, shared=shared)


@app.command()
def feedback(as_json: JsonOption = False, index_dir: IndexOption = None) -> None:
    """Thumbs up / down given in the web UI, to turn bad answers into test questions."""
    from askalign.index.feedback import FeedbackLog

    found = FeedbackLog(read_settings(index_dir=index_dir).index_dir).all()
    if as_json:
        typer.echo(json.dumps([item.model_dump() for item in found], indent=2, ensure_ascii=False))
        return
    print_feedback(found)


user_app = typer.Typer(
    help="Who may log in to `askalign serve --auth-file FILE`.", no_args_is_help=True
)


app.add_typer(user_app, name="user")


AuthFileOption = Annotated[
    Path | None,
    typer.Option(
        "--auth-file", help="The users file (default: $ASKALIGN_AUTH_FILE, else ./askalign.users)."
    ),
]


NameArgument = Annotated[str, typer.Argument(help="The name to log in with.")]


def auth_path(given: Path | None) -> Path:
    from askalign.web.auth import DEFAULT_AUTH_FILE

    return read_settings(auth_file=given).auth_file or DEFAULT_AUTH_FILE


@user_app.command("add")
def user_add(name: NameArgument, auth_file: AuthFileOption = None) -> None:
    """Add a user (or set a new password): asks for it twice, stores only a salted scrypt hash."""
    from askalign.web.auth import AuthFileError, add_user, check_name

    path = auth_path(auth_file)
    with user_errors(ValueError, AuthFileError):
        check_name(name)
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if not password:
            raise ValueError("the password is empty")
        replaced = add_user(path, name, password)
    console.print(
        f"{'new password for' if replaced else 'added'} {name} in {path}."
        f" Serve with: askalign serve --auth-file {path}",
        highlight=False,
        markup=False,
    )


@user_app.command("remove")
def user_remove(name: NameArgument, auth_file: AuthFileOption = None) -> None:
    """Remove a user; a running server refuses their next login."""
    from askalign.web.auth import AuthFileError, remove_user

    path = auth_path(auth_file)
    with user_errors(AuthFileError):
        removed = remove_user(path, name)
    if not removed:
        print_error(f"no user {name!r} in {path}")
        raise typer.Exit(1)
    console.print(f"removed {name} from {path}", highlight=False, markup=False)
