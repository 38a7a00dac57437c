"""Sides, stated only as each participant's own relation to the map's lead: someone who
disagreed with the lead, or whom the lead disagreed with, "disagrees with" them. Nobody
is put on a side by inference (two critics of one person need not agree with each
other), and someone who both agreed and disagreed has no side."""

from __future__ import annotations

from askalign.positions.map import Relation

LEADS = "leads"


def sides(lead: str | None, stances: list[tuple[str, str, Relation]]) -> dict[str, str]:
    """{speaker: side} from (from, to, relation) exchanges; absent where nothing says."""
    if lead is None:
        return {}
    relations: dict[str, set[Relation]] = {}
    for speaker, answered, relation in stances:
        if relation is Relation.RESPONDS or lead not in (speaker, answered):
            continue
        other = answered if speaker == lead else speaker
        relations.setdefault(other, set()).add(relation)
    found = {
        other: f"{said.pop().value} with {lead}"
        for other, said in relations.items()
        if len(said) == 1 and other != lead
    }
    return {lead: LEADS, **found} if found else {}
