"""A map as Markdown, to keep or share: every quote with its source and link, so the
export can be checked without askalign. Every name, title, quote and URL in it comes from
the texts, so each goes through `escape_markdown` or `markdown_link`: what a file holds
shows as text, never as markup, and a link is http(s) or not made."""

from __future__ import annotations

from askalign.positions.map import Exchange, MapQuote, Position, PositionMap
from askalign.text.markdown_out import escape_markdown, markdown_link, one_line


def to_markdown(found: PositionMap) -> str:
    lines = [f"# Positions on “{_inline(found.topic)}”", ""]
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
    side = f" — {_inline(position.side)}" if position.side else ""
    return f"### {_inline(position.speaker)} ({_inline(', '.join(facts))}){side}"


def _inline(text: str) -> str:
    return escape_markdown(one_line(text))


def _blockquote(quote: MapQuote) -> list[str]:
    lines = escape_markdown(quote.display.strip()).splitlines() or [""]
    lines[-1] += f" [{quote.n}]"
    return [f"> {line}" for line in lines]


def _exchange(exchange: Exchange) -> list[str]:
    marker = f"{exchange.relation.value}: “{exchange.marker}”" if exchange.marker else ""
    said = _inline(marker) if marker else "responds"
    return (
        [f"- **{_inline(exchange.from_speaker)}** → **{_inline(exchange.to)}** ({said})", ""]
        + [f"  {line}" for line in _blockquote(exchange.source)]
        + [""]
    )


def _source(quote: MapQuote) -> str:
    where = markdown_link(quote.document, quote.url)
    return f"{quote.n}. {_inline(quote.speaker)}, {where}, characters {quote.start}–{quote.end}"
