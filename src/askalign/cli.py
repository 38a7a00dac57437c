"""The `askalign` command line. Settings are read here, at the edge, and passed down."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from askalign.embedding import Backend, Embedder
from askalign.lock import IngestBusyError
from askalign.models import Document, Role
from askalign.settings import Settings
from askalign.store import Catalog, IndexProblem
from askalign.terminal import (
    console,
    errors,
    print_answer,
    print_error,
    print_feedback,
    print_files,
    print_ingest_bench,
    print_metrics,
    print_report,
    print_retrieval_bench,
    print_scale_bench,
    print_scan,
    print_speakers,
    print_status,
    problem_line,
    report_problems,
)

if TYPE_CHECKING:  # imported where used: `ask` need not load the corpus readers
    from askalign.assistant import Assistant
    from askalign.ingest import IngestReport

app = typer.Typer(
    help="Ask questions of the AI-alignment debate and get answers you can check.",
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
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Search engine: local (default: $ASKALIGN_STORE, else local), milvus:PATH.db"
        " (Milvus Lite) or http(s)://HOST:19530 (a Milvus server; $ASKALIGN_MILVUS_TOKEN).",
    ),
]


@app.callback()
def main() -> None:
    """askalign: essays and LessWrong threads on AI alignment, answered with citations."""


@app.command()
def corpus(
    corpus_dir: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Parse the corpus and show its documents: who wrote what, and where."""
    from askalign.corpus import scan_corpus

    settings = Settings()
    directory = corpus_dir or settings.corpus_dir
    try:
        scan = scan_corpus(directory, settings.max_file_bytes)
    except FileNotFoundError as error:
        print_error(error)
        raise typer.Exit(2) from error
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
    store: StoreOption = None,
) -> None:
    """Bring the index in line with the corpus: embed new text, drop what was deleted."""
    report = run_ingest(corpus_dir, index_dir, rebuild=rebuild, quiet=as_json, store=store)
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
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders to add. A folder keeps its layout, under its own name.",
            exists=True,
            metavar="PATH",
        ),
    ],
    corpus_dir: CorpusOption = None,
    index_dir: IndexOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print {files, problems} as JSON instead of a table.")
    ] = False,
) -> None:
    """Copy texts into the corpus, ingest them, and show what each file became.

    A file is refused, by name, if its type is unsupported, it does not read as a
    text, or a file of that name is already in the corpus: nothing is overwritten.

    The other files are still added and ingested; the exit code is then 1.

    A dataset file (.jsonl) is added if one line reads; its bad lines show as notes.

    Hidden files and editor backups inside a folder are skipped.
    """
    from askalign.adding import add_paths
    from askalign.summary import FilesSummary, summarise

    settings = Settings()
    corpus, index = corpus_dir or settings.corpus_dir, index_dir or settings.index_dir
    added = add_paths(paths, corpus, settings.max_file_bytes)
    for name in added.skipped:
        errors.print(Text(f"skipped (hidden or backup): {name}", style="dim"), highlight=False)
    summary = FilesSummary(problems=added.refused)
    if added.added:
        report = run_ingest(corpus, index, rebuild=False, quiet=as_json)
        ingested = summarise(indexed_documents(index), report.failed, added.added)
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


def run_ingest(
    corpus_dir: Path | None,
    index_dir: Path | None,
    *,
    rebuild: bool,
    quiet: bool,
    store: str | None = None,
) -> IngestReport:
    """Ingest with a progress bar on a terminal; errors end the command with code 2."""
    from askalign.engines import MissingExtraError, open_engine
    from askalign.ingest import IngestHooks, ingest
    from askalign.progress import ingest_progress

    settings = Settings()
    index = index_dir or settings.index_dir
    embedder = Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
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
        try:
            engine = open_engine(
                store or settings.store,
                index,
                embedder.model_id,
                embedder.dimension,
                settings.milvus_token_value,
            )
            return ingest(
                corpus_dir or settings.corpus_dir,
                index,
                embedder=embedder,
                chunk_tokens=settings.chunk_tokens,
                max_file_bytes=settings.max_file_bytes,
                lock_timeout_s=settings.lock_timeout_s,
                rebuild=rebuild,
                hooks=hooks,
                commit_texts=settings.commit_texts,
                engine=engine,
            )
        except (
            FileNotFoundError,
            IndexProblem,
            IngestBusyError,
            MissingExtraError,
            ValueError,
        ) as error:
            print_error(error)
            raise typer.Exit(2) from error


@app.command()
def status(
    index_dir: IndexOption = None, as_json: JsonOption = False, store: StoreOption = None
) -> None:
    """Show what the index holds, which store searches it, and whether they agree."""
    from askalign.engines import MissingExtraError
    from askalign.index import index_status

    settings = Settings()
    try:
        found = index_status(
            index_dir or settings.index_dir, store or settings.store, settings.milvus_token_value
        )
    except (IndexProblem, MissingExtraError, ValueError) as error:
        print_error(error)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
        return
    print_status(found)


model_app = typer.Typer(
    help="The embedding model's ONNX export, and the reader model's file.", no_args_is_help=True
)
app.add_typer(model_app, name="model")


@model_app.command("export")
def model_export_command(
    force: Annotated[
        bool, typer.Option("--force", help="Export again even if the cache holds the model.")
    ] = False,
) -> None:
    """Export the packaged model to ONNX, once per model version (needs torch; a few
    seconds), and write out the reader's model file from its package. Answering then
    runs without torch. A no-op when both are cached."""
    from askalign.embedders.onnx_backend import cached_model, exported_model
    from askalign.reader import ReaderMode
    from askalign.reader.model import missing as reader_missing
    from askalign.reader.model import model_path as reader_model_path

    settings = Settings()
    embedder = Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
    if embedder.backend is Backend.TORCH:
        console.print("ASKALIGN_EMBED_BACKEND=torch: nothing to export.")
        return
    path = cached_model(embedder.model_dir, embedder.cache_dir)
    if force:
        path.unlink(missing_ok=True)
    state = "cached" if path.exists() else "exported"
    exported_model(embedder.model_dir, embedder.cache_dir)
    typer.echo(f"{embedder.model_id} ({embedder.backend}): {state} at {path}")
    if settings.reader is not ReaderMode.OFF and reader_missing() is None:
        typer.echo(f"reader: {reader_model_path(settings.model_cache)}")


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
    print_ingest_bench(results)


ReaderOption = Annotated[
    bool | None,
    typer.Option(
        "--reader/--no-reader",
        help="Read the best sentences with the reader model (default: $ASKALIGN_READER, else"
        " on when installed); --no-reader answers without it, faster.",
    ),
]


def open_assistant(
    index_dir: Path | None, store: str | None = None, reader: bool | None = None
) -> Assistant:
    from askalign.assistant import Assistant
    from askalign.engines import MissingExtraError
    from askalign.reader import ReaderUnavailableError

    mode = None if reader is None else ("on" if reader else "off")
    try:
        return Assistant.open(index_dir or Settings().index_dir, store=store, reader=mode)
    except (IndexProblem, MissingExtraError, ReaderUnavailableError, ValueError) as error:
        print_error(error)
        raise typer.Exit(2) from error


SpeakerOption = Annotated[
    str | None, typer.Option("--speaker", help="Only passages by this speaker (forgiving).")
]
DocOption = Annotated[str | None, typer.Option("--doc", help="Only this document id.")]
RoleOption = Annotated[
    Role | None, typer.Option("--role", help="Only post, comment, essay or footnote.")
]
KOption = Annotated[int, typer.Option("--k", min=1, max=50, help="How many hits to retrieve.")]


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="Your question, in quotes.")],
    as_json: JsonOption = False,
    speaker: SpeakerOption = None,
    doc: DocOption = None,
    role: RoleOption = None,
    k: KOption = 5,
    index_dir: IndexOption = None,
    store: StoreOption = None,
    reader: ReaderOption = None,
) -> None:
    """Answer one question from the corpus, with numbered, verified sources."""
    from askalign.assistant import QuestionTooLongError, UnknownFilterError

    assistant = open_assistant(index_dir, store, reader)
    try:
        answer = assistant.ask(question, speaker=speaker, doc=doc, role=role, k=k)
    except (UnknownFilterError, QuestionTooLongError) as error:
        print_error(error)
        raise typer.Exit(2) from error
    if as_json:
        typer.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@app.command()
def chat(
    index_dir: IndexOption = None, store: StoreOption = None, reader: ReaderOption = None
) -> None:
    """A conversation in the terminal: follow-ups ("what did he reply?") use the history."""
    from askalign.assistant import Message, QuestionTooLongError

    assistant = open_assistant(index_dir, store, reader)
    history: list[Message] = []
    console.print("Ask about the essays and their comment threads. Empty line or Ctrl-D to quit.")
    while True:
        try:
            question = console.input("[bold]> [/bold]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            question = assistant.checked_question(question)
        except QuestionTooLongError as error:
            errors.print(Text.assemble(("error:", "red"), f" {error}"))
            continue
        history.append(Message(role="user", content=question))
        answer = assistant.chat(history)
        history.append(Message(role="assistant", content=answer.text))
        print_answer(answer)
        console.print()


@app.command()
def speakers(
    as_json: JsonOption = False, index_dir: IndexOption = None, store: StoreOption = None
) -> None:
    """Who is in the corpus, with how many passages each."""
    found = open_assistant(index_dir, store).speakers()
    if as_json:
        typer.echo(json.dumps([info.model_dump(mode="json") for info in found], indent=2))
        return
    print_speakers(found)


@app.command("eval")
def eval_command(
    questions: Annotated[Path, typer.Option("--questions", help="A questions .jsonl file.")],
    grades: Annotated[
        Path | None,
        typer.Option(
            "--grades",
            help="A .jsonl file of {id, grade (full, partial, miss, wrong_abstention,"
            " right_abstention), lead (true/false)}, from a reader of `eval --json`.",
        ),
    ] = None,
    as_json: JsonOption = False,
    k: KOption = 5,
    index_dir: IndexOption = None,
    corpus_dir: CorpusOption = None,
    store: StoreOption = None,
    reader: ReaderOption = None,
) -> None:
    """Recall@k, MRR, cited evidence, speakers, abstention, verbatim citations, latency, grades."""
    from askalign.evaluation import EvalFileError, evaluate, load_grades, load_questions

    try:
        loaded = load_questions(questions)
        graded = load_grades(grades) if grades else None
    except EvalFileError as error:
        print_error(error)
        raise typer.Exit(2) from error
    if graded and (unknown := sorted(graded.keys() - {q.id for q in loaded})):
        print_error(f"{grades}: ids not in {questions}: {unknown}", "note", "yellow")
    assistant = open_assistant(index_dir, store, reader)
    report = evaluate(
        assistant, loaded, k=k, corpus_dir=corpus_dir or Settings().corpus_dir, grades=graded
    )
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    print_metrics(report)


@bench_app.command("retrieval")
def bench_retrieval_command(
    questions: Annotated[Path, typer.Option("--questions", help="A questions .jsonl file.")],
    k: KOption = 5,
    corpus_dir: CorpusOption = None,
    index_dir: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recall@k and MRR of askalign's retrieval against llama-index at 256 and 1,024 tokens."""
    from askalign.bench import bench_retrieval

    settings = Settings()
    bench = bench_retrieval(
        corpus_dir or settings.corpus_dir, index_dir or settings.index_dir, questions, k
    )
    if as_json:
        typer.echo(bench.model_dump_json(indent=2))
        return
    print_retrieval_bench(bench, k, questions.name)


@bench_app.command("reader")
def bench_reader_command(
    questions: Annotated[Path, typer.Option("--questions", help="A questions .jsonl file.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="Questions timed.")] = 40,
    index_dir: IndexOption = None,
) -> None:
    """Warm and cold `ask` with the reader on and off, and the reader's seconds at 4, 8
    and 16 candidates, side by side in one run (JSON)."""
    from askalign.bench_reader import bench_reader

    report = bench_reader(index_dir or Settings().index_dir, questions, limit)
    typer.echo(report.model_dump_json(indent=2))


@bench_app.command("scale")
def bench_scale_command(
    sizes: Annotated[
        str, typer.Option("--sizes", help="Corpus sizes in chunks, comma-separated.")
    ] = "1000,10000,100000",
    quick: Annotated[
        bool, typer.Option("--quick", help="Only 1,000 and 10,000 chunks (10 to 15 minutes here).")
    ] = False,
    real_up_to: Annotated[
        int,
        typer.Option(
            "--real-up-to", help="Embed with the model up to this size; random vectors above."
        ),
    ] = 1000,
    questions: Annotated[
        int, typer.Option("--questions", min=1, help="Warm questions per size.")
    ] = 20,
    workdir: Annotated[
        Path | None, typer.Option("--workdir", help="Where scratch corpora go (default: temp).")
    ] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the scratch corpora.")] = False,
    as_json: JsonOption = False,
    engine: Annotated[
        str,
        typer.Option("--engine", help="local, or milvus (a Milvus Lite file per size)."),
    ] = "local",
) -> None:
    """Ingest and ask on generated corpora of 10^3, 10^4 and 10^5 chunks, in fresh processes."""
    from askalign.bench_scale import QUICK_SIZES, bench_scale

    chosen = list(QUICK_SIZES) if quick else [int(size) for size in sizes.split(",")]
    bench = bench_scale(
        chosen,
        real_up_to=real_up_to,
        questions=questions,
        workdir=workdir,
        keep=keep,
        on_step=lambda step: errors.print(f"[dim]{step}[/dim]", highlight=False),
        engine=engine,
    )
    if as_json:
        typer.echo(bench.model_dump_json(indent=2))
        return
    print_scale_bench(bench)


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
    store: StoreOption = None,
    reader: ReaderOption = None,
) -> None:
    """Serve the web UI (builds the index first if it is missing). Adding texts needs a
    login (--auth-file) unless the server is bound to loopback."""
    from concurrent.futures import ThreadPoolExecutor

    from askalign.auth import AuthFileError
    from askalign.store import CATALOG_FILE
    from askalign.web.shared import SharedAssistant

    settings = Settings()
    overrides = {
        "index_dir": index_dir,
        "corpus_dir": corpus_dir,
        "auth_file": auth_file,
        "store": store,
        "reader": None if reader is None else ("on" if reader else "off"),
    }
    settings = settings.model_copy(update={k: v for k, v in overrides.items() if v})
    if not (settings.index_dir / CATALOG_FILE).exists():
        where = f"No index at {settings.index_dir}: building it from {settings.corpus_dir}."
        console.print(where, markup=False)
        print_report(
            run_ingest(
                settings.corpus_dir,
                settings.index_dir,
                rebuild=False,
                quiet=False,
                store=settings.store,
            )
        )
    try:
        with ThreadPoolExecutor(1) as pool:  # the index and model open while Gradio imports
            opening = pool.submit(SharedAssistant.warmed, settings)
            from askalign.web.app import launch

            shared = opening.result()
        launch(settings, host=host, port=port, share=share, shared=shared)
    except (IndexProblem, AuthFileError) as error:
        print_error(error)
        raise typer.Exit(2) from error


@app.command()
def feedback(as_json: JsonOption = False, index_dir: IndexOption = None) -> None:
    """Thumbs up / down given in the web UI, to turn bad answers into test questions."""
    from askalign.feedback import FeedbackStore

    found = FeedbackStore(index_dir or Settings().index_dir).all()
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
    from askalign.auth import DEFAULT_AUTH_FILE

    return given or Settings().auth_file or DEFAULT_AUTH_FILE


@user_app.command("add")
def user_add(name: NameArgument, auth_file: AuthFileOption = None) -> None:
    """Add a user (or set a new password): asks for it twice, stores only a salted scrypt hash."""
    from askalign.auth import AuthFileError, add_user, check_name

    path = auth_path(auth_file)
    try:
        check_name(name)
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if not password:
            raise ValueError("the password is empty")
        replaced = add_user(path, name, password)
    except (ValueError, AuthFileError) as error:
        errors.print(Text.assemble(("error:", "red"), f" {error}"))
        raise typer.Exit(2) from error
    console.print(
        f"{'new password for' if replaced else 'added'} {name} in {path}."
        f" Serve with: askalign serve --auth-file {path}",
        highlight=False,
        markup=False,
    )


@user_app.command("remove")
def user_remove(name: NameArgument, auth_file: AuthFileOption = None) -> None:
    """Remove a user; a running server refuses their next login."""
    from askalign.auth import AuthFileError, remove_user

    path = auth_path(auth_file)
    try:
        removed = remove_user(path, name)
    except AuthFileError as error:
        errors.print(Text.assemble(("error:", "red"), f" {error}"))
        raise typer.Exit(2) from error
    if not removed:
        errors.print(Text.assemble(("error:", "red"), f" no user {name!r} in {path}"))
        raise typer.Exit(1)
    console.print(f"removed {name} from {path}", highlight=False, markup=False)
