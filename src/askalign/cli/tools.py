"""`askalign model` (the models' files) and `askalign bench` (benchmarks, side by side)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from askalign.cli.app import (
    CorpusOption,
    IndexOption,
    JsonOption,
    KOption,
    app,
    open_assistant,
    read_settings,
)
from askalign.cli.terminal import (
    console,
    errors,
    print_ingest_bench,
    print_retrieval_bench,
    print_scale_bench,
)
from askalign.embedding import Backend, Embedder

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
    from askalign.embedding.onnx_backend import cached_model, exported_model
    from askalign.reader.model import missing as reader_missing
    from askalign.reader.model import model_path as reader_model_path

    settings = read_settings()
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
    if reader_missing() is None:  # installed: ready for --reader, even while off by default
        typer.echo(f"reader: {reader_model_path(settings.model_cache)}")


bench_app = typer.Typer(help="Benchmarks, measured side by side in one run.", no_args_is_help=True)


app.add_typer(bench_app, name="bench")


@bench_app.command("ingest")
def bench_ingest_command(corpus_dir: CorpusOption = None, as_json: JsonOption = False) -> None:
    """Full, no-op and one-paragraph ingests against raw encode and llama-index's default."""
    from askalign.bench.ingest import bench_ingest

    results = bench_ingest(read_settings(corpus_dir=corpus_dir).corpus_dir)
    if as_json:
        typer.echo(json.dumps([result.model_dump() for result in results], indent=2))
        return
    print_ingest_bench(results)


@bench_app.command("retrieval")
def bench_retrieval_command(
    questions: Annotated[Path, typer.Option("--questions", help="A questions .jsonl file.")],
    k: KOption = 5,
    corpus_dir: CorpusOption = None,
    index_dir: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Recall@k and MRR of askalign's retrieval against llama-index at 256 and 1,024 tokens."""
    from askalign.bench.ingest import bench_retrieval

    settings = read_settings(corpus_dir=corpus_dir, index_dir=index_dir)
    bench = bench_retrieval(settings.corpus_dir, settings.index_dir, questions, k)
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
    from askalign.bench.reader import bench_reader

    report = bench_reader(read_settings(index_dir=index_dir).index_dir, questions, limit)
    typer.echo(report.model_dump_json(indent=2))


@bench_app.command("map")
def bench_map_command(
    topics: Annotated[
        Path, typer.Option("--topics", help="Topics with a reader's participants (.jsonl).")
    ] = Path("benchmarks/map_topics.jsonl"),
    stances: Annotated[
        Path, typer.Option("--stances", help="Real replies with a reader's stance labels (.jsonl).")
    ] = Path("benchmarks/stances.jsonl"),
    index_dir: IndexOption = None,
) -> None:
    """`askalign map` on each topic against a careful reader's lists: participants
    found, stated stances, quotes verified, seconds a map; and the stance precision and
    recall on real replies a reader labelled (JSON)."""
    from askalign.bench.positions import bench_map

    assistant = open_assistant(index_dir, reader=False)
    typer.echo(bench_map(assistant, topics, stances).model_dump_json(indent=2))


@bench_app.command("claims")
def bench_claims_command(
    pairs: Annotated[
        Path, typer.Option("--pairs", help="Claims with the quote each cites, labelled (.jsonl).")
    ] = Path("benchmarks/claims.jsonl"),
    corpus: Annotated[
        Path, typer.Option("--corpus", help="Where the pairs' documents are (the shipped corpus).")
    ] = Path("corpus"),
) -> None:
    """The claim checks (for the user's own model) against labelled claims: for each
    kind the share every check drops or keeps; and the cosine threshold, kept and
    dropped at each, chosen on one half of the pairs and reported on the other (JSON)."""
    from askalign.bench.claims import bench_claims
    from askalign.embedding import Embedder

    settings = read_settings()
    embedder = Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
    result = bench_claims(embedder, pairs, corpus)
    typer.echo(result.model_dump_json(indent=2))


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
    from askalign.bench.scale import QUICK_SIZES, bench_scale

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
