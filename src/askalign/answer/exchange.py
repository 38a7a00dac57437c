"""A question about an exchange between two people ("how did X reply to Y", "where did
X and Y end up", "how did the author respond to X") is answered with the exchange
itself: the opening point, each reply's key sentence (the one nearest the question) and
the last turn between them, in thread order, each said by whom and to whom. Who
answered whom comes only from the reply links: the page's tree, or where a page gives
none, the links inferred from quotes, mentions and turns taken in thread order
(formats/order_links.py); never from page order alone. The
quote-by-quote answer it replaces led with whichever sentence scored best, so it told
the opening move and stopped, or mixed in another exchange."""

from __future__ import annotations

import re

import numpy as np

from askalign.answer.question import Question
from askalign.answer.scoring import MAX_HITS, Pool, pasted
from askalign.answer.windows import Quote
from askalign.documents import Document, Passage, Role, byline_names
from askalign.index.shelf import Documents, SentenceTable
from askalign.retrieval.hits import Hit
from askalign.retrieval.intent import Shape
from askalign.text.courtesy import says_something

MAX_TURNS = 5  # the opening point, the last turn and the best of the turns between

# "Where did they end up?", "how did it end", "did they settle it", "the last word",
# "what came of it"
_LANDS = re.compile(
    r"\b(?:end(?:ed|s)?(?: up)?|land(?:ed|s)?|settle[ds]?|resolved?|conclu(?:ded|sion)|"
    r"last word|in the end|ultimately|came (?:out )?of)\b",
    re.I,
)
# "the author(s)", "the post's author", "OP": the speakers of the document's own text.
AUTHOR = re.compile(r"\b(?:the (?:post['’]s |essay['’]s )?authors?|OP)\b")


def key_sentence(
    sentences: SentenceTable, vector: np.ndarray, doc_id: str, passage: Passage
) -> tuple[int, float] | None:
    """The passage's own sentence nearest the question, with its cosine: a reply often
    pastes the point it answers, which is not its own text."""
    rowids = [
        rowid
        for rowid in sentences.overlapping(doc_id, passage.start, passage.end)
        if not pasted(passage, sentences.rows[rowid].span)
    ]
    if not rowids:
        return None
    cosines = sentences.vectors_of(rowids) @ vector
    best = int(np.argmax(cosines))
    return rowids[best], float(cosines[best])


def opening(sentences: SentenceTable, document: Document, passage: Passage) -> int | None:
    """A reply's first sentence of its own, after any words it pastes or quotes: a
    reply opens on what it makes of the point it answers ("That's not quite my
    position."), which is what "how did X reply" asks, wherever the rest wanders."""
    for rowid in sentences.overlapping(document.id, passage.start, passage.end):
        span = sentences.rows[rowid].span
        own = passage.own_words(span.start, span.end) and not pasted(passage, span)
        if own and _opens(span.cut(document.source_text)):
            return rowid
    return None


def _opens(text: str) -> bool:
    """Says something of the point, and is not an aside in brackets ("(partly copying
    from other comment)", "[...]")."""
    bare = text.strip()
    aside = bare[:1] in "([" and bare.rstrip(".")[-1:] in ")]"
    return not aside and says_something(bare)


class Exchanges:
    def __init__(self, documents: Documents, sentences: SentenceTable) -> None:
        self.documents = documents
        self.sentences = sentences

    def turns(self, question: Question, hits: list[Hit], pool: Pool) -> list[tuple[int, float]]:
        """The key sentences (rowid, score) of the exchange the question asks about,
        those that must be told first: the asked-for reply, the opening point and the
        last turn, then the turns between. Empty when it asks about no exchange, or
        the two people never answered each other where retrieval found them. The
        exchange is the one with the best-scored candidate; a turn's key sentence is
        its best candidate, or where retrieval did not reach it, its own sentence
        nearest the question."""
        intent = question.intent
        if not (intent.asks_reply or intent.shape is Shape.THREAD or asks_landing(question)):
            return []
        scored: dict[str, tuple[int, float]] = {}  # passage id -> its best candidate
        for candidate, score in zip(pool.found, pool.relevance, strict=True):
            best = scored.get(candidate.passage.id)
            if best is None or score > best[1]:
                scored[candidate.passage.id] = (candidate.rowid, float(score))
        found: tuple[float, list[tuple[int, float]]] = (-np.inf, [])
        for doc_id in dict.fromkeys(hit.chunk.doc_id for hit in hits[:MAX_HITS]):
            document = self.documents[doc_id]
            people = set(intent.speakers)
            if AUTHOR.search(question.text):
                people.update(byline_names(document.author))
            if len(people) < 2:
                continue
            for chain in _chains(document, people, intent.subject, intent.replier):
                keys = [
                    scored.get(p.id) or key_sentence(self.sentences, question.vector, doc_id, p)
                    for p in chain
                ]
                best = max((scored[p.id][1] for p in chain if p.id in scored), default=-np.inf)
                if None not in keys and best > found[0]:
                    told = _first_told(chain, [k for k in keys if k is not None], intent.replier)
                    found = (best, told)
        return found[1]


def _chains(
    document: Document, people: set[str], subject: str | None, replier: str | None
) -> list[list[Passage]]:
    """Each run of replies between two of `people`, in thread order, from the point
    the question is about: the one the replier it names answers, or else the first
    turn of the person it names first. Where it names a replier, only runs where they
    reply."""
    by_id = {p.id: p for p in document.passages}
    roots: dict[str, str] = {}  # passage id -> the id of the point that opened its run
    for passage in sorted(document.passages, key=_thread_order):
        parent = by_id.get(passage.reply_to or "")
        if (
            parent is not None
            and passage.role is Role.COMMENT
            and passage.speaker in people
            and parent.speaker in people
            and parent.speaker != passage.speaker
        ):
            roots.setdefault(parent.id, parent.id)
            roots[passage.id] = roots[parent.id]
    runs: dict[str, list[Passage]] = {}
    for passage_id, root in roots.items():
        runs.setdefault(root, []).append(by_id[passage_id])
    chains = []
    for run in runs.values():
        chain = sorted(run, key=_thread_order)
        if replier is not None:
            reply = next((p for p in chain[1:] if p.speaker == replier), None)
            point = by_id.get(reply.reply_to or "") if reply else None
            chain = chain[chain.index(point) :] if point in chain else []
        elif subject is not None:
            chain = next((chain[i:] for i, p in enumerate(chain) if p.speaker == subject), [])
        if len(chain) >= 2:
            chains.append(chain)
    return chains


def _first_told(
    chain: list[Passage], keys: list[tuple[int, float]], replier: str | None
) -> list[tuple[int, float]]:
    """The turns that must be told, first: the reply asked about (the replier's
    first, or the first reply), the opening point, the last turn; then the best of the
    turns between, up to MAX_TURNS."""
    asked = next((i for i in range(1, len(chain)) if chain[i].speaker == replier), 1)
    first = list(dict.fromkeys([asked, 0, len(chain) - 1]))
    between = sorted((i for i in range(len(chain)) if i not in first), key=lambda i: -keys[i][1])
    return [keys[i] for i in [*first, *between][:MAX_TURNS]]


def asks_landing(question: Question) -> bool:
    """ "Where did they end up?", "what came of it": the last turn is the answer."""
    return bool(_LANDS.search(question.text))


def in_thread_order(quotes: list[Quote], lead: str | None, landing: bool) -> list[Quote]:
    """The exchange as it happened, led by the turn the question asks for: the reply
    (`lead`: its passage id), else where it asks where they landed, the last turn. The
    question states the point; the reply or the landing is what it asks."""
    ordered = sorted(quotes, key=lambda q: (_thread_order(q.passage), q.span.start))
    if lead is None and landing and ordered:
        lead = ordered[-1].passage.id
    asked = [q for q in ordered if q.passage.id == lead]
    return [*asked, *(q for q in ordered if q not in asked)]


def _thread_order(passage: Passage) -> tuple[bool, int, int]:
    return (passage.role is Role.COMMENT, passage.comment_index or 0, passage.start)
