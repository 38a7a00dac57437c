"""What the command line prints: rich tables and lines on the terminal (`console`) and
messages on stderr (`errors`). The commands live in `cli`; the web UI renders in `web/`.

Every text that comes from a file (a name, an author, a note quoting front matter) goes
to rich as `Text`, never as markup: `[/x]` in a karma field would otherwise stop the
command, and a file named `[red]z.md` would be shown as `z.md`.

And every text printed, whatever its source (a speaker's name, a title, a quote, a
model's claim, a model id a server lists, a thumbs-down anyone could send), reaches
the terminal through `printable`: an escape code in it could clear the screen, rewrite
the lines above, or retitle the window."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from askalign.documents import CorpusProblem, CorpusScan, Role
from askalign.text.printable import printable

if TYPE_CHECKING:  # annotations only: printing loads nothing the command did not
    from rich.status import Status

    from askalign.answer.answers import Answer
    from askalign.assistant import Assistant, SpeakerInfo
    from askalign.bench.ingest import Measurement, RetrievalBench
    from askalign.bench.scale import ScaleBench
    from askalign.evaluation import EvalReport, Metrics
    from askalign.index.feedback import Feedback
    from askalign.ingest.pipeline import IngestReport
    from askalign.ingest.summary import FileSummary
    from askalign.retrieval.open import IndexStatus


class _Terminal(Console):
    """A console whose every text segment is `printable`: rich's own cursor and style
    codes are added after this, from the segments' styles and control codes."""

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        for segment in super().render(renderable, options):
            yield segment if segment.control else segment._replace(text=printable(segment.text))


console = _Terminal()
errors = _Terminal(stderr=True, soft_wrap=True)  # messages stay whole, so they can be grepped


def print_scan(scan: CorpusScan) -> None:
    table = Table(title="Corpus", show_lines=False)
    for column in ("document", "author", "reader", "post", "comments", "footnotes", "commenters"):
        table.add_column(column, overflow="fold")
    for doc in scan.documents:
        counts = {role: sum(p.role is role for p in doc.passages) for role in Role}
        commenters = {p.speaker for p in doc.passages if p.role is Role.COMMENT and p.speaker}
        table.add_row(
            Text(doc.id),
            Text(doc.author or "-"),
            Text(doc.format),
            str(counts[Role.POST] + counts[Role.ESSAY]),
            str(counts[Role.COMMENT]),
            str(counts[Role.FOOTNOTE]),
            str(len(commenters)),
        )
    console.print(table)


def report_problems(scan: CorpusScan) -> None:
    for doc in scan.documents:
        for note in doc.notes:
            errors.print(Text.assemble(("note:", "yellow"), f" {doc.source_file}: {note}"))
    for problem in scan.problems:
        errors.print(problem_line("problem", "red", problem))


def print_error(error: object, label: str = "error", style: str = "red") -> None:
    """A message on stderr; it may quote a path or a file's words, so it is Text."""
    errors.print(Text.assemble((f"{label}:", style), f" {error}"))


def problem_line(label: str, style: str, problem: CorpusProblem) -> Text:
    """Text, not markup: a file name may hold square brackets."""
    line = f" {problem.file}: {problem.reason}. To fix: {problem.hint}."
    return Text.assemble((f"{label}:", style), line)


def print_files(files: list[FileSummary]) -> None:
    """Red where a file looks misread: no author, no title, a forum page without comments."""
    from askalign.ingest.summary import COLUMNS

    table = Table(title="Added", box=box.SIMPLE_HEAD)
    for column in COLUMNS:
        table.add_column(column, overflow="fold", style="yellow" if column == "notes" else "")
    for row in files:
        table.add_row(*(_file_cell(text, gap) for text, gap in row.cells()))
    console.print(table)


def _file_cell(text: str | None, gap: bool) -> Text:
    return Text("missing" if text is None else text, style="bold red" if gap else "")


def print_report(report: IngestReport) -> None:
    docs, chunks = report.documents, report.chunks
    console.print(
        f"documents: {docs.added} added, {docs.updated} updated, {docs.removed} removed,"
        f" {docs.unchanged} unchanged ({report.files_unchanged} files not parsed again)\n"
        f"chunks:    {chunks.added} added, {chunks.removed} removed, {chunks.unchanged} unchanged\n"
        f"embedded:  {report.embedded} chunks and {report.embedded_sentences} sentences"
        f" in {report.seconds:.1f} s"
        + (f" ({report.resumed} vectors kept from an interrupted run)" if report.resumed else "")
    )


def print_answer(answer: Answer) -> None:
    style = "yellow" if answer.abstained else "bold"
    console.print(answer.text, style=style, markup=False, highlight=False, soft_wrap=True)
    if answer.citations:
        console.print("\nSources:", style="dim")
    for citation in answer.citations:
        where = " > ".join(citation.section) if citation.section else citation.role.value
        who = citation.credit(
            citation.speaker or ("a commenter" if citation.role == "comment" else "the text")
        )
        karma = "" if citation.karma is None else f", karma {citation.karma}"
        console.print(
            f"[{citation.n}] {who} ({citation.role.value}{karma}), “{citation.doc_title}”, {where},"
            f" chars {citation.start}-{citation.end}",
            markup=False,
            highlight=False,
        )
        if citation.url:
            console.print(f"    {citation.url}", style="dim", markup=False)
    authorship = answer.authorship()
    if authorship:
        console.print(f"\n{authorship}", style="dim", markup=False, highlight=False)


def warn_if_unready(model: object | None) -> None:
    """Said once, at the start, rather than under every answer that falls back: what is
    wrong with the user's model, and how it is authenticated."""
    authentication = getattr(model, "authentication", None)
    if authentication:
        print_error(f"your model: authentication: {authentication}", label="note", style="dim")
    check = getattr(model, "problem", None)
    problem = check() if check is not None else None
    if problem:
        print_error(f"your model: {problem}", label="warning", style="yellow")


@contextmanager
def waiting_on(assistant: Assistant, quiet: bool = False) -> Iterator[Status | None]:
    """A spinner while the user's model writes (a local one can take a minute); nothing
    without one, or when the output is JSON."""
    if assistant.writer is None or quiet:
        yield None
        return
    with console.status(f"Asking {assistant.writer.model.model}…") as status:
        yield status


def shown_as_written(assistant: Assistant, answers: Iterator[Answer]) -> Answer:
    """The last of a streamed answer, the spinner counting the claims verified so far."""
    answer: Answer | None = None
    with waiting_on(assistant) as status:
        for answer in answers:
            if status is not None and answer.writing:
                status.update(answer.authorship() or "")
    assert answer is not None  # a stream ends on the answer
    return answer


def _metric_columns(k: int, graded: bool) -> list[tuple[str, str, str]]:
    """(short header, full name, Metrics field) of each reported metric: the overall list
    and the per-kind table show the same ones, in the same order, so that the full names
    explain the short headers."""
    columns = [
        ("n", "questions", "questions"),
        (f"R@{k}", f"recall@{k} (any evidence in the top {k})", "recall_at_k"),
        (f"cov@{k}", f"coverage@{k} (evidence quotes in the top {k})", "evidence_coverage_at_k"),
        ("MRR", "MRR of the evidence", "mrr"),
        ("cited", "cited evidence (the answer quotes it)", "cited_evidence"),
        ("first", "first quote is evidence", "first_cited_evidence"),
        ("spkr", "right speaker named", "speaker_named"),
        ("unans", "abstained on unanswerable", "abstained_unanswerable"),
        ("false", "false abstention", "false_abstention"),
        ("verb", "citations verbatim in the source file", "citations_verbatim"),
        ("p50/max", "latency p50 / max (ms)", "latency_p50_ms"),
    ]
    if graded:
        columns += [
            ("graded", "graded answerable questions", "graded"),
            ("full", "answered fully (graded)", "answered_fully"),
            ("≥part", "answered at least partly (graded)", "answered_at_least_partly"),
            ("leads", "leads with its most useful sentence (graded)", "leads_with_most_useful"),
        ]
    return columns


def _cell(metrics: Metrics, field: str) -> str:
    value = getattr(metrics, field)
    if value is None:
        return "-"
    if field == "latency_p50_ms":  # one cell for both latencies
        return f"{value:.0f}/{metrics.latency_max_ms:.0f}"
    return str(value)


def print_metrics(report: EvalReport) -> None:
    columns = _metric_columns(report.k, graded=report.overall.graded is not None)
    overall = Table(title=f"Evaluation (k={report.k}), all questions")
    overall.add_column("metric")
    overall.add_column("value", justify="right")
    for _, name, field in columns:
        overall.add_row(name, _cell(report.overall, field))
    console.print(overall)
    by_kind = Table(title="By kind", box=box.SIMPLE_HEAD, padding=0)  # fits 100 columns
    by_kind.add_column("kind")
    for header, _, _ in columns:
        by_kind.add_column(header, justify="right")
    for kind, m in report.by_kind.items():
        by_kind.add_row(kind, *(_cell(m, field) for _, _, field in columns))
    console.print(by_kind)
    retrieval = Table(title="Retrieval alone")
    for column in ("mode", f"recall@{report.k}", "coverage", "MRR"):
        retrieval.add_column(column)
    for r in report.retrieval:
        retrieval.add_row(r.mode, str(r.recall_at_k), str(r.evidence_coverage_at_k), str(r.mrr))
    console.print(retrieval)


def print_status(found: IndexStatus) -> None:
    for field, value in found.model_dump().items():
        console.print(f"{field.replace('_', ' ')}: {value}", markup=False, highlight=False)


def print_ingest_bench(results: list[Measurement]) -> None:
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


def print_speakers(found: list[SpeakerInfo]) -> None:
    table = Table(title="Speakers")
    for column in ("speaker", "passages", "roles", "documents"):
        table.add_column(column, overflow="fold")
    for info in found:
        roles = ", ".join(role.value for role in info.roles)
        table.add_row(Text(info.name), str(info.passages), roles, Text(", ".join(info.documents)))
    console.print(table)


def print_retrieval_bench(bench: RetrievalBench, k: int, questions_name: str) -> None:
    table = Table(title=f"Retrieval benchmark (k={k}, {questions_name})")
    for column in ("system", f"recall@{k}", "evidence coverage", "MRR", "chunks"):
        table.add_column(column, overflow="fold")
    peers = (bench.peer_sized, bench.peer_default)
    for r in [*bench.ours, *peers]:
        table.add_row(
            r.system, str(r.recall_at_k), str(r.evidence_coverage_at_k), str(r.mrr), str(r.chunks)
        )
    console.print(table)
    for peer in peers:
        console.print(f"{peer.system}: {peer.setup}", style="dim", highlight=False)
    hybrid = bench.ours[0]
    for peer in peers:
        if peer.recall_at_k:
            console.print(
                f"{hybrid.system} / {peer.system}:"
                f" {hybrid.recall_at_k / peer.recall_at_k:.2f}x recall@{k},"
                f" {hybrid.evidence_coverage_at_k / peer.evidence_coverage_at_k:.2f}x coverage,"
                f" {hybrid.mrr / peer.mrr:.2f}x MRR",
                style="bold" if peer is bench.peer_sized else None,
            )


def print_scale_bench(bench: ScaleBench) -> None:
    table = Table(title=f"Scale benchmark (generated text, {bench.cpus} CPUs)", box=box.SIMPLE_HEAD)
    columns = (
        "engine", "chunks", "vectors", "build s", "no-op s", "add 20 s (embed)", "index MB",
        "ingest peak MB", "warm ask p50/p95 ms", "cold ask s", "ask peak MB",
    )  # fmt: skip
    for column in columns:
        table.add_column(column, justify="right")
    for row in bench.rows:
        table.add_row(
            row.engine,
            f"{row.chunks:,}",
            "random" if row.random_vectors else "real",
            f"{row.build_wall:.1f}",
            f"{row.noop_wall:.1f}",
            f"{row.add_wall:.1f} ({row.add_embed_seconds:.1f})",
            f"{row.index_mb:.0f}",
            f"{max(row.build_peak_rss_mb, row.noop_peak_rss_mb, row.add_peak_rss_mb):.0f}",
            f"{row.warm_ask_p50_ms:.0f}/{row.warm_ask_p95_ms:.0f}",
            f"{row.cold_ask_wall:.1f}",
            f"{max(row.ask_peak_rss_mb, row.cold_ask_peak_rss_mb):.0f}",
        )
    console.print(table)
    if any(row.random_vectors for row in bench.rows):
        console.print(f"random: seeded random unit vectors ({bench.note})", style="dim")


def print_feedback(found: list[Feedback]) -> None:
    if not found:
        console.print("No feedback yet: use the thumbs under an answer in the web UI.")
    for item in found:
        mark = ("up", "green") if item.liked else ("down", "red")
        console.print(Text.assemble(f"{item.at} ", mark, f" {item.question}"), highlight=False)
