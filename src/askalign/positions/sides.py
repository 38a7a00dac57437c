"""Sides, stated only between the two people of a direct exchange, and only as the
speaker's own stance: someone who replied to the map's lead saying "I disagree"
"disagrees with" them. A stance the lead stated toward someone is the lead's, not a
side of theirs ("Poster Person agrees with Ally" where Poster Person never addressed
Ally is words put in their mouth), and nobody is put on a side by inference (two
critics of one person need not agree with each other). Someone who both agreed and
disagreed has no side."""

from __future__ import annotations

from askalign.positions.map import Relation

LEADS = "leads"


def sides(lead: str | None, stances: list[tuple[str, str, Relation]]) -> dict[str, str]:
    """{speaker: side} from (from, to, relation) exchanges; absent where nothing says."""
    if lead is None:
        return {}
    relations: dict[str, set[Relation]] = {}
    for speaker, answered, relation in stances:
        if relation is Relation.RESPONDS or answered != lead or speaker == lead:
            continue
        relations.setdefault(speaker, set()).add(relation)
    found = {
        speaker: f"{said.pop().value} with {lead}"
        for speaker, said in relations.items()
        if len(said) == 1
    }
    return {lead: LEADS, **found} if found else {}
