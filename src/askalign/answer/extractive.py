"""The default composer: an answer written from the best sentences of the top hits.

Sentences are scored by meaning (cosine to the question, from vectors cached at
ingest), by the question's rare words they carry, and by their hit's rank. A chosen
sentence brings the neighbours it needs: the one before when it opens on a
back-reference ("That's not quite my position."), the ones after when it leads into
them ("Here are some reasons:") or when the next one carries on its example or reason.
The best window leads; a thread is told in reply order, both sides. Each quote is
verbatim and attributed in plain words to whoever wrote it. No LLM is involved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from askalign.answer.compose import Composition
from askalign.answer.expects import expected_answer, holds
from askalign.answer.models import Citation
from askalign.answer.strength import StrengthGauge
from askalign.answer.verify import verified
from askalign.hits import Hit
from askalign.lexical import terms
from askalign.models import Document, Passage, Role
from askalign.query import QueryIntent, Shape
from askalign.readable import readable
from askalign.sentences import MIN_WORDS
from askalign.shelf import Documents, SentenceTable
from askalign.spans import Span

MAX_HITS = 6
MAX_CHOSEN = 4  # sentences chosen on merit; windows may add their neighbours
MAX_QUOTED = 8  # sentences in the whole answer, windows included
MAX_PER_PASSAGE = 2
KEEP_RATIO = 0.8  # a further sentence must score this share of the best one
NEXT_RATIO = 0.6  # the sentence after a chosen one joins it when it scores this share
COSINE = 1.0
LEXICAL = 0.6
RANK_PRIOR = 0.15  # a sentence from the first hit is worth this much more than from a late one
NAMED_SPEAKER_BONUS = 0.1
REPLY_BONUS = 0.15  # a named speaker answering another named speaker
EXPECTED_BONUS = 0.3  # a year for "in what year", a number for "how many"
SHAPE_BONUS = 0.15  # a reason for "why", a stance for yes/no
REDUNDANCY = 0.5  # MMR: how much word overlap with a chosen sentence costs
SHORT_PENALTY = 0.1
SHORT_SENTENCE_TERMS = 5
CROSS_DOCUMENTS = 2
THREAD_REPLIES = 2

_BACK_REFERENCE = re.compile(
    r"^\W*(?:this|that|these|those|they|them|it|its|it's|so|such|but|however|thus|hence|"
    r"therefore|which|then|yes|no|also|instead|here|there|he|she|his|her|both|"
    r"and|or|because|otherwise|still|again|likewise|similarly|in (?:that|this) case|"
    r"for (?:that|this) reason|the (?:same|former|latter|other)|another|again)\b",
    re.I,
)
_CONTINUES = re.compile(
    r"^\W*(?:for (?:example|instance)|e\.g\.|i\.e\.|in other words|that is|because|since|"
    r"so\b|this (?:is|means|was|would|shows|happens)|that(?:'s|’s| is| means)|which|"
    r"as a result|the result|the reason|specifically|namely|in particular|then\b|"
    r"it (?:then|learned|found|turned))",
    re.I,
)
_EXAMPLE = re.compile(
    r"\b(?:(?:an?|one|classic|famous|another|for) (?:\w+ )?(?:example|instance|case)|"
    r"imagine|suppose|consider|picture)\b",
    re.I,
)
_REASON = re.compile(
    r"\b(?:because|since|so that|the reason|reasons?|due to|that's why|that’s why|means that|"
    r"in order to|causes?|leads? to|results? in|otherwise|unless)\b",
    re.I,
)
_STANCE = re.compile(
    r"\b(?:I (?:do(?:n['’]t)?|don['’]t|am|['’]m|think|believe|expect|doubt|agree|disagree|"
    r"claim|argue|would(?:n['’]t)?|worry|suspect)|(?:is|are|was) (?:not|n['’]t)|no,|yes,|"
    r"not (?:really|quite|necessarily)|in fact|actually)\b",
    re.I,
)


class Candidate(NamedTuple):
    rowid: int  # the sentence's row in the index
    span: Span
    doc_id: str
    passage: Passage
    hit_rank: int


class Quote(NamedTuple):
    """One or more neighbouring sentences of one passage, quoted together."""

    span: Span
    doc_id: str
    passage: Passage
    lead: float  # the best score among its sentences: the best quote leads


class ExtractiveComposer:
    """Writes the answer from the retrieved text itself: no model, no invention."""

    def __init__(
        self, documents: Documents, gauge: StrengthGauge, sentences: SentenceTable
    ) -> None:
        self.documents = documents
        self.gauge = gauge
        self.sentences = sentences

    def compose(
        self,
        question: str,
        hits: list[Hit],
        intent: QueryIntent,
        vector: np.ndarray,
        limit: int | None = None,
    ) -> Composition:
        found = self.candidates(hits)
        if not found:
            return Composition(text="", citations=[])
        texts = self._texts(found)
        relevance = self.relevance(question, found, texts, intent, vector)
        chosen = select(found, relevance, texts, intent)
        if intent.shape is Shape.THREAD:
            chosen += self._replies(found, chosen, relevance, intent)
        quotes = self._quotes(found, chosen, relevance)
        hit_order: dict[str, int] = {}
        for hit in hits:
            hit_order.setdefault(hit.chunk.doc_id, len(hit_order))
        items = self.citations_for(arrange(quotes, hit_order, intent))[:limit]
        return Composition(
            text=compose_text(items, self.documents), citations=[c for _, c in items]
        )

    # --- candidates and their scores -------------------------------------------
    def candidates(self, hits: list[Hit]) -> list[Candidate]:
        """Sentences of the top hits, leaving out text a commenter pasted from elsewhere."""
        found: list[Candidate] = []
        seen: set[int] = set()
        for rank, hit in enumerate(hits[:MAX_HITS]):
            chunk = hit.chunk
            for rowid in self.sentences.overlapping(chunk.doc_id, chunk.start, chunk.end):
                candidate = self._candidate(rowid, rank)
                if candidate is not None and rowid not in seen:
                    seen.add(rowid)
                    found.append(candidate)
        return found

    def _candidate(self, rowid: int, rank: int) -> Candidate | None:
        sentence = self.sentences.rows[rowid]
        passage = self.documents.passage(sentence.doc_id, sentence.passage_id)
        if passage is None or self._pasted(passage, sentence.span):
            return None
        text = sentence.span.cut(self.documents[sentence.doc_id].source_text)
        if len(text.split()) < MIN_WORDS:
            return None
        return Candidate(rowid, sentence.span, sentence.doc_id, passage, rank)

    @staticmethod
    def _pasted(passage: Passage, span: Span) -> bool:
        """Pasted from earlier text: the original's author said it, not this commenter."""
        return any(q.start <= span.start and span.end <= q.end for q in passage.quotes)

    def _texts(self, found: list[Candidate]) -> list[str]:
        return [c.span.cut(self.documents[c.doc_id].source_text) for c in found]

    def relevance(
        self,
        question: str,
        found: list[Candidate],
        texts: list[str],
        intent: QueryIntent,
        vector: np.ndarray,
    ) -> np.ndarray:
        """Meaning, rare words, rank, and what the question's shape asks for."""
        cosines = self.sentences.vectors_of([c.rowid for c in found]) @ vector
        weights = self.gauge.question_weights(question)
        total = sum(weights.values()) or 1.0
        expected = expected_answer(question)
        scores = []
        for c, text, words, cosine in zip(found, texts, terms(texts), cosines, strict=True):
            lexical = sum(weights.get(t, 0.0) for t in set(words)) / total
            scores.append(
                COSINE * float(cosine)
                + LEXICAL * lexical
                + RANK_PRIOR * (1 - c.hit_rank / MAX_HITS)
                + NAMED_SPEAKER_BONUS * (c.passage.speaker in intent.speakers)
                + REPLY_BONUS * _answers_named(c.passage, intent)
                + EXPECTED_BONUS * (expected is not None and holds(text, expected, question))
                + SHAPE_BONUS * _fits_shape(text, intent.shape)
                - SHORT_PENALTY * (len(set(words)) < SHORT_SENTENCE_TERMS)
            )
        return np.array(scores)

    # --- windows ---------------------------------------------------------------
    def _quotes(
        self, found: list[Candidate], chosen: list[int], relevance: np.ndarray
    ) -> list[Quote]:
        """Each chosen sentence with the neighbours it needs, neighbouring sentences of
        one passage joined into one quote."""
        spans: dict[int, float] = {}  # sentence rowid -> the score of the quote it serves
        scores = {c.rowid: float(score) for c, score in zip(found, relevance, strict=True)}
        for i in chosen:
            for rowid in self.window(found[i].rowid, scores):
                if rowid != found[i].rowid and self._pasted_sentence(rowid):
                    continue
                spans[rowid] = max(spans.get(rowid, -np.inf), float(relevance[i]))
                if len(spans) >= MAX_QUOTED:
                    break
            if len(spans) >= MAX_QUOTED:
                break
        trimmed = (self._without_open_lead_in(q) for q in self._joined(spans))
        return [q for q in trimmed if q is not None]

    def _without_open_lead_in(self, quote: Quote) -> Quote | None:
        """A quote never ends on a lead-in whose continuation it lacks (pasted from
        someone else, or past the window): that sentence goes, and a quote that was
        nothing else goes with it."""
        text = self.documents[quote.doc_id].source_text
        while _leads_in(quote.span.cut(text)):
            inside = self.sentences.overlapping(quote.doc_id, quote.span.start, quote.span.end)
            if len(inside) < 2:
                return None
            quote = quote._replace(span=Span(quote.span.start, self.sentences.rows[inside[-2]].end))
        return quote

    def window(self, rowid: int, scores: dict[int, float]) -> list[int]:
        """The sentence, the one before if it leans on it, and the ones after if it
        leads into them, they carry on its point, or they score nearly as well (the
        sentence that sets a scene is often followed by the one that answers)."""
        text = self._text(rowid)
        floor = NEXT_RATIO * scores.get(rowid, 0.0)
        before, after = self.sentences.neighbours(rowid)
        window = [rowid]
        if before is not None and (
            _BACK_REFERENCE.match(text) or len(text.split()) < 2 * MIN_WORDS
        ):
            window.insert(0, before)
        leads_in = _leads_in(text)
        following = 3 if leads_in else 2
        while after is not None and following > 0:
            next_text = self._text(after)
            carries_on = (
                _BACK_REFERENCE.match(next_text)
                or _CONTINUES.match(next_text)
                or scores.get(after, -np.inf) >= floor
            )
            if not (leads_in or carries_on or _EXAMPLE.search(text)):
                break
            window.append(after)
            text, leads_in = next_text, _leads_in(next_text)
            following = 3 if leads_in else following - 1
            _, after = self.sentences.neighbours(after)
        return window

    def _pasted_sentence(self, rowid: int) -> bool:
        sentence = self.sentences.rows[rowid]
        passage = self.documents.passage(sentence.doc_id, sentence.passage_id)
        return passage is not None and self._pasted(passage, sentence.span)

    def _text(self, rowid: int) -> str:
        sentence = self.sentences.rows[rowid]
        return sentence.span.cut(self.documents[sentence.doc_id].source_text)

    def _joined(self, scored: dict[int, float]) -> list[Quote]:
        quotes: list[Quote] = []
        for rowid in sorted(scored, key=lambda r: (self.sentences.rows[r].doc_id, r)):
            sentence = self.sentences.rows[rowid]
            passage = self.documents.passage(sentence.doc_id, sentence.passage_id)
            if passage is None:
                continue
            last = quotes[-1] if quotes else None
            before, _ = self.sentences.neighbours(rowid)
            if (
                last
                and last.passage.id == passage.id
                and before is not None
                and (self.sentences.rows[before].end == last.span.end)
            ):
                quotes[-1] = Quote(
                    Span(last.span.start, sentence.end),
                    last.doc_id,
                    passage,
                    max(last.lead, scored[rowid]),
                )
            else:
                quotes.append(Quote(sentence.span, sentence.doc_id, passage, scored[rowid]))
        return quotes

    # --- threads ---------------------------------------------------------------
    def _replies(
        self, found: list[Candidate], chosen: list[int], relevance: np.ndarray, intent: QueryIntent
    ) -> list[int]:
        """An exchange is told to its end: the best retrieved sentence of each direct
        reply to a chosen comment, when retrieval found it."""
        quoted = {found[i].passage.id for i in chosen}
        added: list[int] = []
        for passage_id in list(quoted):
            replies = [
                i
                for i, c in enumerate(found)
                if c.passage.reply_to == passage_id and c.passage.id not in quoted
            ]
            if replies and len(added) < THREAD_REPLIES:
                best = max(replies, key=lambda i: relevance[i])
                added.append(best)
                quoted.add(found[best].passage.id)
        return added

    # --- citations ---------------------------------------------------------------
    def citations_for(self, quotes: list[Quote]) -> list[tuple[Quote, Citation]]:
        """Citations built from metadata, numbered in answer order; unverifiable ones
        dropped."""
        kept: list[tuple[Quote, Citation]] = []
        for quote in quotes:
            document = self.documents[quote.doc_id]
            citation = Citation(
                n=len(kept) + 1,
                doc_id=document.id,
                doc_title=document.title,
                speaker=quote.passage.speaker,
                role=quote.passage.role,
                section=quote.passage.section,
                quote=quote.span.cut(document.source_text),
                display=readable(quote.span.cut(document.source_text), document.format),
                start=quote.span.start,
                end=quote.span.end,
                url=document.url,
                passage_id=quote.passage.id,
                replying_to_speaker=quote.passage.replying_to_speaker,
            )
            if verified(citation, document):
                kept.append((quote, citation))
        return kept


def _leads_in(text: str) -> bool:
    """Ends on a colon or an ellipsis: what it introduces comes next."""
    return text.rstrip().rstrip("”\"'’)").endswith((":", "…", "..."))


def _answers_named(passage: Passage, intent: QueryIntent) -> bool:
    return (
        passage.speaker in intent.speakers
        and passage.replying_to_speaker is not None
        and passage.replying_to_speaker in intent.speakers
    )


def _fits_shape(text: str, shape: Shape) -> bool:
    if shape in (Shape.WHY, Shape.HOW):
        return bool(_REASON.search(text))
    if shape is Shape.YESNO:
        return bool(_STANCE.search(text))
    return False


def select(
    found: list[Candidate], relevance: np.ndarray, texts: list[str], intent: QueryIntent
) -> list[int]:
    """Maximal marginal relevance over sentences. Every speaker the question names
    gets a sentence if one was retrieved, as does each role the question asks about and
    each of the first documents when the question spans several. Further sentences
    must come close to the best one: one sentence where one suffices."""
    sentence_terms = [set(t) for t in terms(texts)]
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
    """Candidate groups the answer should each quote once: named speakers, the roles
    the question asks about ("which commenter…" needs a comment quoted), and for a
    question across texts, the documents retrieval ranked first."""
    groups = [[i for i, c in enumerate(found) if c.passage.speaker == s] for s in intent.speakers]
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


def arrange(quotes: list[Quote], hit_order: dict[str, int], intent: QueryIntent) -> list[Quote]:
    """A thread in reply order (the post, then comments in page order); otherwise the
    best quote first, then the rest of its document in reading order, then the other
    documents in the order retrieval ranked them."""
    in_order = sorted(quotes, key=lambda q: _reading_key(q, hit_order))
    if intent.shape is Shape.THREAD or not quotes:
        return in_order
    best = max(quotes, key=lambda q: q.lead)
    rest = [q for q in in_order if q is not best]
    same_doc = [q for q in rest if q.doc_id == best.doc_id]
    return [best, *same_doc, *(q for q in rest if q.doc_id != best.doc_id)]


def _reading_key(quote: Quote, hit_order: dict[str, int]) -> tuple:
    is_comment = quote.passage.role is Role.COMMENT
    return (
        hit_order.get(quote.doc_id, len(hit_order)),
        is_comment,
        quote.passage.comment_index or 0,
        quote.span.start,
    )


def attribution(quote: Quote, previous: Quote | None, document: Document) -> str:
    passage = quote.passage
    title = document.title
    same_voice = previous is not None and previous.passage.speaker == passage.speaker
    same_doc = previous is not None and previous.doc_id == quote.doc_id
    title = f"“{title}”"
    if passage.role is Role.COMMENT:
        who = passage.speaker or "A commenter"
        if same_voice and same_doc and passage.speaker and previous.passage.role is Role.COMMENT:
            return _says(who, "adds")
        if passage.replying_to_speaker:
            return f"{who}, replying to {passage.replying_to_speaker}, writes"
        if passage.reply_to and passage.speaker is None:
            return f"{who}, replying to an earlier comment on {title}, writes"
        return f"{who}, in a comment on {title}, writes"
    if same_voice and same_doc:
        return "The text goes on" if passage.speaker is None else _says(passage.speaker, "goes on")
    if passage.role is Role.FOOTNOTE:
        author = passage.speaker or document.author
        return (
            f"In a footnote to {title}, {_says(author, 'writes')}"
            if author
            else f"A footnote in {title} says"
        )
    if passage.role is Role.ESSAY:
        return (
            f"The essay {title} says"
            if not passage.speaker
            else f"In the essay {title}, {_says(passage.speaker, 'writes')}"
        )
    return f"In the post {title}, {_says(passage.speaker or 'the author', 'writes')}"


PLURAL_VERBS = {"writes": "write", "adds": "add", "goes on": "go on"}


def _says(who: str, verb: str) -> str:
    """Co-authors ("A and B") take the plural verb."""
    return f"{who} {PLURAL_VERBS[verb] if ' and ' in who else verb}"


def compose_text(items: list[tuple[Quote, Citation]], documents: Mapping[str, Document]) -> str:
    sentences = []
    previous: Quote | None = None
    for quote, citation in items:
        text = " ".join(citation.display.split())
        who = attribution(quote, previous, documents[quote.doc_id])
        sentences.append(f"{who}: “{text}” [{citation.n}]")
        previous = quote
    return "\n\n".join(sentences)
