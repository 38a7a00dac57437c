"""The `askalign` command line. Settings are read here, at the edge, and passed down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from askalign.corpus import scan_corpus
from askalign.embedding import Embedder
from askalign.index import index_status
from askalign.ingest import IngestHooks, IngestReport, ingest
from askalign.lock import IngestBusyError
from askalign.models import CorpusScan, Role
from askalign.progress import embedding_progress
from askalign.settings import Settings
from askalign.store import IndexProblem

app = typer.Typer(
    help="Ask questions of the AI-alignment debate and get answers you can check.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

CorpusOption = Annotated[
    Path | None,
    typer.Option("--corpus", help="Corpus directory [default: $ASKALIGN_CORPUS_DIR or ./corpus]."),
]
IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index directory [default: $ASKALIGN_INDEX_DIR or ./index]."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.callback()
def main() -> None:
    """askalign: essays and LessWrong threads on AI alignment, answered with citations."""


@app.command()
def corpus(
    corpus_dir: CorpusOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print documents and passages as JSON.")
    ] = False,
) -> None:
    """Parse the corpus and show its documents: who wrote what, and where."""
    settings = Settings()
    directory = corpus_dir or settings.corpus_dir
    try:
        scan = scan_corpus(directory, settings.max_file_bytes)
    except FileNotFoundError as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(json.dumps(scan.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        print_scan(scan)
    report_problems(scan)
    if scan.problems:
        raise typer.Exit(1)


def print_scan(scan: CorpusScan) -> None:
    table = Table(title="Corpus", show_lines=False)
    for column in ("document", "author", "reader", "post", "comments", "footnotes", "commenters"):
        table.add_column(column, overflow="fold")
    for doc in scan.documents:
        counts = {role: sum(p.role is role for p in doc.passages) for role in Role}
        commenters = {p.speaker for p in doc.passages if p.role is Role.COMMENT and p.speaker}
        table.add_row(
            doc.id,
            doc.author or "-",
            doc.format,
            str(counts[Role.POST] + counts[Role.ESSAY]),
            str(counts[Role.COMMENT]),
            str(counts[Role.FOOTNOTE]),
            str(len(commenters)),
        )
    console.print(table)


def report_problems(scan: CorpusScan) -> None:
    for doc in scan.documents:
        for note in doc.notes:
            errors.print(f"[yellow]note:[/yellow] {doc.source_file}: {note}")
    for problem in scan.problems:
        errors.print(
            f"[red]problem:[/red] {problem.file}: {problem.reason}. To fix: {problem.hint}."
        )


@app.command("ingest")
def ingest_command(
    corpus_dir: CorpusOption = None,
    index_dir: IndexOption = None,
    as_json: JsonOption = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Discard the index and build it from scratch.")
    ] = False,
) -> None:
    """Bring the index in line with the corpus: embed new text, drop what was deleted."""
    settings = Settings()
    with embedding_progress(console, enabled=console.is_terminal and not as_json) as progress:
        hooks = IngestHooks(
            on_wait=lambda message: errors.print(f"[yellow]{message}[/yellow]"),
            on_embed_start=progress.start,
            on_embed_batch=progress.advance,
        )
        try:
            report = ingest(
                corpus_dir or settings.corpus_dir,
                index_dir or settings.index_dir,
                embedder=Embedder(),
                chunk_tokens=settings.chunk_tokens,
                max_file_bytes=settings.max_file_bytes,
                lock_timeout_s=settings.lock_timeout_s,
                rebuild=rebuild,
                hooks=hooks,
            )
        except (FileNotFoundError, IndexProblem, IngestBusyError) as error:
            errors.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from error
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report)
    for problem in report.failed:
        errors.print(
            f"[red]failed:[/red] {problem.file}: {problem.reason}. To fix: {problem.hint}."
        )
    if report.failed:
        raise typer.Exit(1)


def print_report(report: IngestReport) -> None:
    docs, chunks = report.documents, report.chunks
    console.print(
        f"documents: {docs.added} added, {docs.updated} updated, {docs.removed} removed,"
        f" {docs.unchanged} unchanged\n"
        f"chunks:    {chunks.added} added, {chunks.removed} removed, {chunks.unchanged} unchanged\n"
        f"embedded:  {report.embedded} chunks in {report.seconds:.1f} s"
    )


@app.command()
def status(index_dir: IndexOption = None, as_json: JsonOption = False) -> None:
    """Show what the index holds, which model built it, and whether it is in sync."""
    directory = index_dir or Settings().index_dir
    try:
        found = index_status(directory)
    except IndexProblem as error:
        errors.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    for field, value in found.model_dump().items():
        console.print(f"{field.replace('_', ' ')}: {value}")


bench_app = typer.Typer(help="Benchmarks, measured side by side in one run.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("ingest")
def bench_ingest_command(corpus_dir: CorpusOption = None, as_json: JsonOption = False) -> None:
    """Full, no-op and one-paragraph ingests against raw encode and llama-index's default."""
    from askalign.bench import bench_ingest

    results = bench_ingest(corpus_dir or Settings().corpus_dir)
    if as_json:
        typer.echo(json.dumps([result.model_dump() for result in results], indent=2))
        return
    by_name = {result.name: result for result in results}
    table = Table(title="Ingest benchmark (shipped corpus, this machine)")
    for column in ("run", "seconds", "model load s", "chunks", "embedded", "peak RSS MB"):
        table.add_column(column)
    for result in results:
        table.add_row(
            result.name,
            f"{result.seconds:.2f}",
            f"{result.load_seconds:.2f}",
            str(result.items),
            "-" if result.embedded is None else str(result.embedded),
            f"{result.peak_rss_mb:.0f}",
        )
    console.print(table)
    ours, raw, peer = (
        by_name["askalign ingest"],
        by_name["raw encode"],
        by_name["llama-index default"],
    )
    console.print(
        f"ingest / raw encode: {ours.seconds / raw.seconds:.2f}x;"
        f" ingest / llama-index default: {ours.seconds / peer.seconds:.2f}x time,"
        f" {ours.peak_rss_mb / peer.peak_rss_mb:.2f}x peak memory"
    )
