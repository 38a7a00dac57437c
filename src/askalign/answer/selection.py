"""Which sentences an answer quotes, and in what order. Sentences are chosen by
maximal marginal relevance, with every named speaker, asked-for role and (across texts)
leading document covered once; an exchange is told to its end; the best quote leads,
and a question that asks how someone replied leads with the reply, its premise after."""

from __future__ import annotations

import numpy as np

from askalign.answer.scoring import Candidate, Pool
from askalign.answer.windows import Quote
from askalign.documents import Passage, Role
from askalign.retrieval.intent import QueryIntent, Shape
from askalign.text.terms import terms

MAX_CHOSEN = 4  # sentences chosen on merit; windows may add their neighbours
MAX_PER_PASSAGE = 2
KEEP_RATIO = 0.8  # a further sentence must score this share of the best one
REDUNDANCY = 0.5  # MMR: how much word overlap with a chosen sentence costs
CROSS_DOCUMENTS = 2


def select(pool: Pool, intent: QueryIntent) -> list[int]:
    """Maximal marginal relevance over sentences. Further sentences must come close to
    the best one: one sentence where one suffices."""
    found, relevance = pool.found, pool.relevance
    sentence_terms = [set(t) for t in terms(pool.texts)]
    chosen: list[int] = []
    for group in _must_cover(found, intent):
        theirs = [i for i in group if i not in chosen]
        if theirs and len(chosen) < MAX_CHOSEN:
            chosen.append(max(theirs, key=lambda i: relevance[i]))
    top = float(relevance.max())
    floor = top - (1 - KEEP_RATIO) * abs(top)
    while len(chosen) < min(MAX_CHOSEN, len(found)):
        best, best_score = None, -np.inf
        for i in range(len(found)):
            if i in chosen or relevance[i] < floor or _full(found, chosen, found[i]):
                continue
            overlap = max(
                (_jaccard(sentence_terms[i], sentence_terms[j]) for j in chosen), default=0.0
            )
            score = relevance[i] - REDUNDANCY * overlap
            if score > best_score:
                best, best_score = i, score
        if best is None:
            break
        chosen.append(best)
    return chosen


def _must_cover(found: list[Candidate], intent: QueryIntent) -> list[list[int]]:
    """Candidate groups the answer should each quote once: the replier a question asks
    about first, then named speakers, the roles the question asks about ("which
    commenter…" needs a comment quoted), and for a question across texts, the
    documents retrieval ranked first."""
    speakers = list(
        dict.fromkeys([intent.replier, *intent.speakers] if intent.replier else intent.speakers)
    )
    groups = [[i for i, c in enumerate(found) if c.passage.speaker == s] for s in speakers]
    groups += [[i for i, c in enumerate(found) if c.passage.role is r] for r in intent.roles]
    if intent.cross:
        documents = list(dict.fromkeys(c.doc_id for c in found))[:CROSS_DOCUMENTS]
        groups += [[i for i, c in enumerate(found) if c.doc_id == d] for d in documents]
    return groups


def _jaccard(first: set[str], second: set[str]) -> float:
    return len(first & second) / len(first | second) if first and second else 0.0


def _full(found: list[Candidate], chosen: list[int], candidate: Candidate) -> bool:
    same = sum(found[j].passage.id == candidate.passage.id for j in chosen)
    return same >= MAX_PER_PASSAGE


def named_texts(quotes: list[Quote], intent: QueryIntent) -> list[Quote]:
    """A question that names one text, and does not ask across texts, hears from that
    text alone, and from the people it names: another essay's sentences on the same
    topic only pad the answer."""
    if intent.cross or len(intent.documents) != 1:
        return quotes
    theirs = [
        q for q in quotes if q.doc_id in intent.documents or q.passage.speaker in intent.speakers
    ]
    return theirs or quotes


def arrange(quotes: list[Quote], hit_order: dict[str, int], intent: QueryIntent) -> list[Quote]:
    """A reply question: the replies first (the asked-for replier's before others', and
    those answering the person whose point it asks about before the rest), then what
    they answer. A thread: reply order (the post, then comments in page
    order), led by the best quote of the speaker the question names first. Otherwise
    the best quote (of the text or speaker the question names, if any) first, then the
    rest of its document in reading order, then the other documents in the order
    retrieval ranked them."""
    in_order = sorted(quotes, key=lambda q: _reading_key(q, hit_order))
    if not quotes:
        return in_order
    if intent.asks_reply:
        replies = [q for q in in_order if _is_reply(q, quotes, intent)]
        if replies:
            answered = {q.passage.id for q in quotes}
            point_maker = intent.subject if intent.subject != intent.replier else None
            replies.sort(
                key=lambda q: (
                    q.passage.speaker != intent.replier,
                    point_maker is not None and q.passage.replying_to_speaker != point_maker,
                    q.passage.reply_to not in answered,
                    -q.lead,
                )
            )
            return replies + [q for q in in_order if q not in replies]
    if intent.shape is Shape.THREAD:  # page order, led by whom the question is about
        theirs = [q for q in in_order if q.passage.speaker == intent.subject]
        if not theirs:
            return in_order
        first = max(theirs, key=lambda q: q.lead)
        return [first, *(q for q in in_order if q is not first)]
    best = max(quotes, key=lambda q: (*_named(q, intent), q.lead))
    rest = [q for q in in_order if q is not best]
    same_doc = [q for q in rest if q.doc_id == best.doc_id]
    return [best, *same_doc, *(q for q in rest if q.doc_id != best.doc_id)]


def _named(quote: Quote, intent: QueryIntent) -> tuple[bool, bool, bool]:
    """A question that names a text, a speaker or a role ("why does the post…") hears
    from them first; others' words follow, attributed to them."""
    return (
        not intent.documents or quote.doc_id in intent.documents,
        not intent.speakers or quote.passage.speaker in intent.speakers,
        not intent.roles or _speaks_as(quote.passage, intent.roles),
    )


def _speaks_as(passage: Passage, roles: list[Role]) -> bool:
    """A footnote speaks for its text: "what does the post say" takes the post's."""
    footnote = passage.role is Role.FOOTNOTE and bool({Role.POST, Role.ESSAY} & set(roles))
    return footnote or passage.role in roles


def _is_reply(quote: Quote, quotes: list[Quote], intent: QueryIntent) -> bool:
    answered = {q.passage.id for q in quotes if q is not quote}
    return is_asked_reply(quote.passage, answered, intent)


def is_asked_reply(passage: Passage, answered: set[str], intent: QueryIntent) -> bool:
    """A reply the question asks for: by the replier it names (not their opening
    comment), or else a passage answering one of `answered` (passage ids) or the person
    whose point the question is about."""
    if intent.replier is not None:
        return passage.speaker == intent.replier and (
            passage.reply_to is not None or passage.role is not Role.COMMENT
        )
    if intent.subject is not None and passage.speaker == intent.subject:
        return False  # the point-maker's own later words are not the reply asked for
    to_subject = intent.subject is not None and passage.replying_to_speaker == intent.subject
    return passage.reply_to in answered or to_subject


def _reading_key(quote: Quote, hit_order: dict[str, int]) -> tuple:
    is_comment = quote.passage.role is Role.COMMENT
    return (
        hit_order.get(quote.doc_id, len(hit_order)),
        is_comment,
        quote.passage.comment_index or 0,
        quote.span.start,
    )
