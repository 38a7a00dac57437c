"""Stances against a careful reader's labels on real replies: every comment in the
labelled threads that holds a marker word ("agree", "skeptical", "wrong", "right", …),
with whom it answers and the stance its own words state toward them. Precision counts
the stances the reader states that the labels hold; recall, the labelled stances it
states. A missed stance is grey on a map, a wrong one misleads: precision is the target.

The reader is given the labelled addressee: this measures the stance read from a
reply's words, not the thread structure a page lost (a saved page's flat comments)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from askalign.documents import Document, Passage, Role
from askalign.formats import read_document
from askalign.formats.base import DocumentMeta
from askalign.ingest.corpus import MAX_FILE_BYTES, slug
from askalign.positions import Relation
from askalign.positions.stance import stance

MARKER_WORDS = re.compile(
    r"\b(?:dis)?agree\w*|\bconcur|skeptic|sceptic|convinc|persua|\bbuy\b|\baccept\b"
    r"|push(?:ed)? back|\bwrong\b|mistaken|incorrect|\+1|\bpoint\b|\bright\b|\btrue\b"
    r"|\bcorrect\b|\bfalse\b",
    re.IGNORECASE,
)


class StanceCase(BaseModel):
    file: str  # relative to the labels' folder
    says: str  # words of the reply's own, enough to find it: unique in its thread
    speaker: str
    to: str  # whom it answers, as the reader of the labels judged from the thread
    author: str  # the post's author
    stance: Relation
    why: str


class StanceResult(BaseModel):
    says: str
    speaker: str
    to: str
    gold: Relation
    found: Relation
    marker: str | None
    why: str


class StanceBench(BaseModel):
    replies: int
    stated: int  # stances the reader states
    stated_right: int
    labelled: int  # stances the labels hold
    labelled_found: int
    precision: float
    recall: float
    unlabelled: list[str]  # replies with a marker word or a stance, unlabelled: the set is short
    wrong: list[StanceResult]
    missed: list[StanceResult]


def bench_stances(labels_file: Path) -> StanceBench:
    cases = [
        StanceCase.model_validate_json(line)
        for line in labels_file.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    root = labels_file.parent
    documents = {name: _read(root / name) for name in dict.fromkeys(c.file for c in cases)}
    results, labelled_at = [], set()
    for case in cases:
        document = documents[case.file]
        passage = _reply(document, case.says)
        labelled_at.add((case.file, passage.id))
        said = stance(document, passage, case.to, case.author)
        results.append(
            StanceResult(
                **case.model_dump(include={"says", "speaker", "to", "why"}),
                gold=case.stance,
                found=said.relation,
                marker=said.marker,
            )
        )
    stated = [r for r in results if r.found is not Relation.RESPONDS]
    labelled = [r for r in results if r.gold is not Relation.RESPONDS]
    right = [r for r in stated if r.found is r.gold]
    found = [r for r in labelled if r.found is r.gold]
    return StanceBench(
        replies=len(results),
        stated=len(stated),
        stated_right=len(right),
        labelled=len(labelled),
        labelled_found=len(found),
        precision=round(len(right) / len(stated), 3) if stated else 1.0,
        recall=round(len(found) / len(labelled), 3) if labelled else 1.0,
        unlabelled=[
            f"{name}: {_opening(document, p)}"
            for name, document in documents.items()
            for p in _marked_replies(document)
            if (name, p.id) not in labelled_at
        ],
        wrong=[r for r in stated if r.found is not r.gold],
        missed=[r for r in labelled if r.found is not r.gold],
    )


def _read(path: Path) -> Document:
    return read_document(
        path,
        doc_id=slug(path.stem),
        source_file=path.name,
        catalog=DocumentMeta(),
        max_bytes=MAX_FILE_BYTES,
    )


def _reply(document: Document, says: str) -> Passage:
    found = [
        p
        for p in document.passages
        if p.role is Role.COMMENT and says in document.source_text[p.start : p.end]
    ]
    if len(found) != 1:
        raise ValueError(f"{len(found)} replies in {document.source_file} hold {says!r}")
    return found[0]


def _marked_replies(document: Document) -> list[Passage]:
    """Replies with a marker word, or with any stance the reader finds in them."""
    return [
        p
        for p in document.passages
        if p.role is Role.COMMENT
        and (
            MARKER_WORDS.search(document.source_text[p.start : p.end])
            or stance(document, p, None, None).relation is not Relation.RESPONDS
        )
    ]


def _opening(document: Document, passage: Passage) -> str:
    return " ".join(document.source_text[passage.start : passage.end].split())[:80]
