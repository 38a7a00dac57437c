"""Commands that read and index the corpus: `corpus`, `ingest`, `add`, `status`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from askalign.cli.app import (
    CorpusOption,
    EngineOption,
    IndexOption,
    JsonOption,
    app,
    read_settings,
    user_errors,
)
from askalign.cli.terminal import (
    console,
    errors,
    print_files,
    print_report,
    print_scan,
    print_status,
    problem_line,
    report_problems,
)
from askalign.documents import Document
from askalign.index.catalog import Catalog
from askalign.index.errors import IndexProblem
from askalign.index.lock import IngestBusyError
from askalign.settings import Settings

if TYPE_CHECKING:  # imported where used: `ask` need not load the corpus readers
    from askalign.ingest.pipeline import IngestReport


@app.command()
def corpus(
    corpus_dir: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Parse the corpus and show its documents: who wrote what, and where."""
    from askalign.ingest.corpus import scan_corpus

    settings = read_settings(corpus_dir=corpus_dir)
    with user_errors(FileNotFoundError):
        scan = scan_corpus(settings.corpus_dir, settings.max_file_bytes)
    if as_json:
        typer.echo(json.dumps(scan.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print_scan(scan)
    report_problems(scan)
    if scan.problems:
        raise typer.Exit(1)


@app.command("ingest")
def ingest_command(
    corpus_dir: CorpusOption = None,
    index_dir: IndexOption = None,
    as_json: JsonOption = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Discard the index and build it from scratch.")
    ] = False,
    engine: EngineOption = None,
) -> None:
    """Bring the index in line with the corpus: embed new text, drop what was deleted."""
    settings = read_settings(corpus_dir=corpus_dir, index_dir=index_dir, engine=engine)
    report = run_ingest(settings, rebuild=rebuild, quiet=as_json)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report)
    for problem in report.failed:
        errors.print(problem_line("failed", "red", problem))
    if report.failed:
        raise typer.Exit(1)


@app.command()
def add(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders to add (a folder keeps its layout, under its own name),"
            " or the address of a LessWrong, Alignment Forum or EA Forum post to fetch.",
            metavar="PATH|URL",
        ),
    ],
    corpus_dir: CorpusOption = None,
    index_dir: IndexOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {files, problems} as JSON instead of a table.")
    ] = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Fetch an address added before again, replacing its file."),
    ] = False,
) -> None:
    """Copy texts into the corpus, ingest them, and show what each file became.

    A file is refused, by name, if its type is unsupported, it does not read as a
    text, or a file of that name is already in the corpus: nothing is overwritten.

    The other files are still added and ingested; the exit code is then 1.

    A dataset file (.jsonl) is added if one line reads; its bad lines show as notes.

    Hidden files and editor backups inside a folder are skipped.

    An address (http(s)://HOST/posts/ID, or with /slug after it) is fetched
    from HOST/graphql: the post and every comment, with the site's reply tree.
    It is saved in the corpus as one .json file, which ingest reads offline.
    """
    from askalign.ingest.adding import AddRefused, add_paths
    from askalign.ingest.fetching import add_thread, is_address
    from askalign.ingest.graphql import Limits
    from askalign.ingest.summary import FilesSummary, summarise

    settings = read_settings(corpus_dir=corpus_dir, index_dir=index_dir)
    paths = [Path(source) for source in sources if not is_address(source)]
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise typer.BadParameter(f"Path '{path}' does not exist.", param_hint="PATH|URL")
    added = add_paths(paths, settings.corpus_dir, settings.max_file_bytes)
    limits = Limits(timeout_s=settings.fetch_timeout_s)
    for url in filter(is_address, sources):
        errors.print(Text(f"fetching {url}", style="dim"), highlight=False)
        try:
            added.added.append(
                add_thread(
                    url, settings.corpus_dir, settings.max_file_bytes, limits, refresh=refresh
                )
            )
        except AddRefused as refused:
            added.refused.append(refused.problem)
    for name in added.skipped:
        errors.print(Text(f"skipped (hidden or backup): {name}", style="dim"), highlight=False)
    summary = FilesSummary(problems=added.refused)
    if added.added:
        report = run_ingest(settings, quiet=as_json)
        ingested = summarise(indexed_documents(settings.index_dir), report.failed, added.added)
        summary = FilesSummary(files=ingested.files, problems=[*added.refused, *ingested.problems])
        for problem in report.failed:
            if problem not in ingested.problems:
                errors.print(problem_line("elsewhere in the corpus", "yellow", problem))
    if as_json:
        typer.echo(summary.model_dump_json(indent=2))
    elif summary.files:
        print_files(summary.files)
    for problem in summary.problems:
        errors.print(problem_line("not added", "red", problem))
    if summary.problems:
        raise typer.Exit(1)


def indexed_documents(index_dir: Path) -> list[Document]:
    """What the index now holds for each file: catalog.toml and ids included."""
    catalog = Catalog.open(index_dir, create=False)
    try:
        return catalog.documents()
    finally:
        catalog.close()


def run_ingest(settings: Settings, *, rebuild: bool = False, quiet: bool) -> IngestReport:
    """Ingest with a progress bar on a terminal; errors end the command with code 2."""
    from askalign.cli.progress import ingest_progress
    from askalign.engines import MissingExtraError
    from askalign.ingest.pipeline import IngestHooks, ingest_with

    with ingest_progress(console, enabled=console.is_terminal and not quiet) as progress:
        hooks = IngestHooks(
            on_wait=lambda message: errors.print(Text(message, style="yellow")),
            on_read=progress.read,
            on_embed_more=progress.more,
            on_resume=lambda count: errors.print(
                f"[yellow]resuming: {count} vectors kept from an interrupted ingest[/yellow]"
            ),
            on_embed_batch=progress.advance,
            on_index=progress.index,
        )
        with user_errors(
            FileNotFoundError, IndexProblem, IngestBusyError, MissingExtraError, ValueError
        ):
            report = ingest_with(settings, rebuild=rebuild, hooks=hooks)
    return report


@app.command()
def status(
    index_dir: IndexOption = None, as_json: JsonOption = False, engine: EngineOption = None
) -> None:
    """Show what the index holds, which engine searches it, and whether they agree."""
    from askalign.engines import MissingExtraError
    from askalign.retrieval.open import index_status

    settings = read_settings(index_dir=index_dir, engine=engine)
    with user_errors(IndexProblem, MissingExtraError, ValueError):
        found = index_status(settings.index_dir, settings.engine, settings.milvus_token_value)
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    print_status(found)
