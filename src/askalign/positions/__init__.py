"""The disagreement map: who addressed a topic, each in their own verified words, who
replied to whom, and where a reply itself says it agrees or disagrees."""

from askalign.positions.build import MapBuilder
from askalign.positions.map import Exchange, MapQuote, Position, PositionMap, Relation

__all__ = ["Exchange", "MapBuilder", "MapQuote", "Position", "PositionMap", "Relation"]
