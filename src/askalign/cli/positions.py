"""`askalign map`: who holds which position on a topic, printed or as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from askalign.cli.app import (
    DocOption,
    EngineOption,
    IndexOption,
    JsonOption,
    app,
    open_assistant,
    user_errors,
)
from askalign.cli.terminal import console
from askalign.positions import PositionMap, Relation

STANCE_STYLES = {Relation.AGREES: "green", Relation.DISAGREES: "red", Relation.RESPONDS: "dim"}


@app.command("map")
def map_topic(
    topic: Annotated[str, typer.Argument(help="The topic, in quotes.")],
    doc: DocOption = None,
    speakers: Annotated[
        list[str] | None,
        typer.Option("--speaker", help="Only this speaker (repeat for several)."),
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", help="Also write the map to this Markdown file.")
    ] = None,
    as_json: JsonOption = False,
    index_dir: IndexOption = None,
    engine: EngineOption = None,
) -> None:
    """Who addressed a topic, in their own verified words; who replied to whom; and
    agreement or disagreement only where a reply says so itself."""
    from askalign.assistant import QuestionTooLongError, UnknownFilterError
    from askalign.positions.markdown import to_markdown

    assistant = open_assistant(index_dir, engine, reader=False)
    with user_errors(UnknownFilterError, QuestionTooLongError):
        found = assistant.map(topic, doc=doc, speakers=speakers)
    if markdown is not None:
        markdown.write_text(to_markdown(found), encoding="utf-8")
    if as_json:
        typer.echo(found.model_dump_json(indent=2))
    else:
        print_map(found)


def print_map(found: PositionMap) -> None:
    if not found.positions:
        console.print(f"Nobody in the texts addresses “{found.topic}”.", markup=False)
        return
    console.print(Text(f"Positions on “{found.topic}”", style="bold"))
    for position in found.positions:
        facts = [position.role.value, position.document]
        if position.karma is not None:
            facts.append(f"karma {position.karma}")
        line = Text(f"\n{position.speaker}", style="bold")
        line.append(f" ({', '.join(facts)})", style="dim")
        if position.side:
            line.append(f" {position.side}", style="cyan")
        console.print(line)
        for quote in position.quotes:
            console.print(Text(f"  [{quote.n}] “{quote.display}”"), soft_wrap=True)
    if found.exchanges:
        console.print(Text("\nWho answered whom", style="bold"))
    for exchange in found.exchanges:
        line = Text(f"  {exchange.from_speaker} → {exchange.to}: ")
        said = exchange.relation.value
        line.append(
            said + (f" (“{exchange.marker}”)" if exchange.marker else ""),
            style=STANCE_STYLES[exchange.relation],
        )
        line.append(f" [{exchange.source.n}] “{exchange.quote}”")
        console.print(line, soft_wrap=True)
    console.print(Text("\nSources:", style="dim"))
    for quote in found.sources():
        where = f"{quote.document}, chars {quote.start}-{quote.end}"
        console.print(Text(f"[{quote.n}] {quote.speaker}, {where}"))
        if quote.url:
            console.print(Text(f"    {quote.url}", style="dim"))
