"""The `askalign` command line. Settings are read here, at the edge, and passed down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from askalign.corpus import scan_corpus
from askalign.models import CorpusScan, Role
from askalign.settings import Settings

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
