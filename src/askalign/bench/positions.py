"""The map against a careful reader's lists: for each topic, the people a reader says
address it, and the stances a reply states in its own words. A gold commenter whose
name the page dropped is given by the line their comment starts on, so that the map's
"commenter #k" can be matched to them. Beside the topics, the stances read from real
replies against a reader's labels (bench/stances.py)."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from pydantic import BaseModel

from askalign.assistant import Assistant
from askalign.bench.stances import StanceBench, bench_stances
from askalign.documents import Document
from askalign.positions import PositionMap, Relation

UNNAMED_AT_LINE = "unnamed commenter (line "


class TopicResult(BaseModel):
    id: str
    topic: str
    participants: int
    found: list[str]
    missed: list[str]
    extra: list[str] = []  # on the map, not on the reader's list: to read, not an error
    stated: list[str]  # the map's stated stances, "from -> to: relation (marker)"
    stated_in_gold: int
    quotes: int
    quotes_verified: int
    seconds: float


class MapBench(BaseModel):
    topics: list[TopicResult]
    participant_recall: float
    stated_stances: int
    stated_stances_in_gold: int
    quotes: int
    quotes_verified: int
    p50_s: float
    max_s: float
    stances: StanceBench


def bench_map(assistant: Assistant, topics_file: Path, stances_file: Path) -> MapBench:
    rows = [json.loads(line) for line in topics_file.read_text(encoding="utf-8").splitlines()]
    by_file = {d.source_file: d for d in assistant.documents.values()}
    results = [_one(assistant, row, by_file[row["doc"]]) for row in rows]
    found = sum(len(r.found) for r in results)
    wanted = sum(r.participants for r in results)
    seconds = [r.seconds for r in results]
    return MapBench(
        topics=results,
        participant_recall=round(found / wanted, 3) if wanted else 0.0,
        stated_stances=sum(len(r.stated) for r in results),
        stated_stances_in_gold=sum(r.stated_in_gold for r in results),
        quotes=sum(r.quotes for r in results),
        quotes_verified=sum(r.quotes_verified for r in results),
        p50_s=round(statistics.median(seconds), 3),
        max_s=round(max(seconds), 3),
        stances=bench_stances(stances_file),
    )


def _one(assistant: Assistant, row: dict, document: Document) -> TopicResult:
    started = time.perf_counter()
    found = assistant.map(row["topic"], doc=document.id)
    seconds = time.perf_counter() - started
    on_map = {p.speaker for p in found.positions}
    gold = [_gold_name(name, document) for name in row["participants"]]
    gold_stances = {
        (_gold_name(e["from"], document), _gold_name(e["to"], document), e["relation"])
        for e in row["exchanges"]
    }
    stated = [e for e in found.exchanges if e.relation is not Relation.RESPONDS]
    sources = found.sources()
    return TopicResult(
        id=row["id"],
        topic=row["topic"],
        participants=len(gold),
        found=[name for name in gold if name in on_map],
        missed=[name for name in gold if name not in on_map],
        extra=sorted(on_map - set(gold)),
        stated=[f"{e.from_speaker} -> {e.to}: {e.relation.value} ({e.marker})" for e in stated],
        stated_in_gold=sum(
            (e.from_speaker, e.to, e.relation.value) in gold_stances for e in stated
        ),
        quotes=len(sources),
        quotes_verified=_verified(assistant, found),
        seconds=round(seconds, 3),
    )


def _gold_name(name: str, document: Document) -> str:
    """The map's name for a reader's: "the author" is the essay's, and an unnamed
    commenter is the comment that holds their line."""
    if name == "the author":
        return document.author or f"the author of “{document.title}”"
    if not name.startswith(UNNAMED_AT_LINE):
        return name
    line = int(name.removeprefix(UNNAMED_AT_LINE).rstrip(")"))
    offset = sum(len(text) for text in document.source_text.splitlines(True)[: line - 1])
    passage = next((p for p in document.passages if p.start <= offset < p.end), None)
    if passage is None or passage.comment_index is None:
        return name
    return f"commenter #{passage.comment_index}"


def _verified(assistant: Assistant, found: PositionMap) -> int:
    return sum(
        assistant.documents[q.document].source_text[q.start : q.end] == q.quote
        for q in found.sources()
    )
