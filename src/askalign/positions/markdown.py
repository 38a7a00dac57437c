"""A map as Markdown, to keep or share: every quote with its source and link, so the
export can be checked without askalign."""

from __future__ import annotations

from askalign.positions.map import Exchange, MapQuote, Position, PositionMap


def to_markdown(found: PositionMap) -> str:
    lines = [f"# Positions on “{found.topic}”", ""]
    if not found.positions:
        lines.append("Nobody in the texts addresses this topic.")
        return "\n".join(lines) + "\n"
    lines += ["## Who says what", ""]
    for position in found.positions:
        lines += [_heading(position), ""]
        for quote in position.quotes:
            lines += [*_blockquote(quote), ""]
    if found.exchanges:
        lines += ["## Who answered whom", ""]
        lines += [line for exchange in found.exchanges for line in _exchange(exchange)]
    lines += ["## Sources", ""]
    lines += [_source(quote) for quote in found.sources()]
    return "\n".join(lines) + "\n"


def _heading(position: Position) -> str:
    facts = [position.role.value, position.document]
    if position.karma is not None:
        facts.append(f"karma {position.karma}")
    side = f" — {position.side}" if position.side else ""
    return f"### {position.speaker} ({', '.join(facts)}){side}"


def _blockquote(quote: MapQuote) -> list[str]:
    lines = quote.display.strip().splitlines() or [""]
    lines[-1] += f" [{quote.n}]"
    return [f"> {line}" for line in lines]


def _exchange(exchange: Exchange) -> list[str]:
    said = f"{exchange.relation.value}: “{exchange.marker}”" if exchange.marker else "responds"
    return (
        [f"- **{exchange.from_speaker}** → **{exchange.to}** ({said})", ""]
        + [f"  {line}" for line in _blockquote(exchange.source)]
        + [""]
    )


def _source(quote: MapQuote) -> str:
    where = f"[{quote.document}]({quote.url})" if quote.url else quote.document
    return f"{quote.n}. {quote.speaker}, {where}, characters {quote.start}–{quote.end}"
