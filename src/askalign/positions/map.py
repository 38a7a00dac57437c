"""What a map holds, and its JSON: the interface other tools build on."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from askalign.documents import Role


class Relation(StrEnum):
    DISAGREES = "disagrees"
    AGREES = "agrees"
    RESPONDS = "responds"  # a reply whose own words state no stance


class MapQuote(BaseModel):
    """A verified citation: `quote` is the source text at [start, end) of `document`."""

    n: int = Field(description="Its source number, shared by every place that cites it.")
    quote: str
    display: str = Field(description="The quote as a reader sees it: Markdown links as text.")
    document: str
    start: int
    end: int
    url: str | None = None
    speaker: str
    karma: int | None = None


class Position(BaseModel):
    speaker: str
    role: Role
    document: str
    karma: int | None = Field(description="Of the post or comment holding the first quote.")
    engagement: float = Field(description="How much of what they wrote is on the topic.")
    side: str | None = Field(
        default=None,
        description="Only from their own words in a reply to X, where X leads the map:"
        " 'agrees with X' or 'disagrees with X'; 'leads' for X; null where nothing says.",
    )
    quotes: list[MapQuote]


class Exchange(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    from_speaker: str = Field(alias="from")
    to: str
    quote: str
    relation: Relation
    marker: str | None = Field(
        default=None, description="The reply's own words that state its stance."
    )
    relevance: float = Field(description="The cosine of the reply's best sentence with the topic.")
    source: MapQuote


class PositionMap(BaseModel):
    topic: str
    positions: list[Position]
    exchanges: list[Exchange]

    def sources(self) -> list[MapQuote]:
        """Every quote once, in source-number order."""
        found = {q.n: q for p in self.positions for q in p.quotes}
        found.update({e.source.n: e.source for e in self.exchanges})
        return [found[n] for n in sorted(found)]
