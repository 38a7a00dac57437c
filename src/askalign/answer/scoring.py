"""Which sentences of the top hits answer the question: every candidate scored by
meaning (cosine to the question, from vectors cached at ingest), by the question's rare
words it carries, by its hit's rank and by the shape the question asks for; then the
best few read by the reader, whose score is fused in. Text a commenter pasted from
elsewhere is no candidate: its author said it, not the commenter."""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from askalign.answer.expects import holds
from askalign.answer.question import Question
from askalign.documents import Passage
from askalign.index.shelf import Documents, SentenceTable
from askalign.reader import Reader, ReaderUse
from askalign.retrieval.hits import Hit
from askalign.retrieval.intent import QueryIntent, Shape
from askalign.text.readable import only_names
from askalign.text.sentences import MIN_WORDS
from askalign.text.spans import Span
from askalign.text.terms import terms

MAX_HITS = 6
COSINE = 1.0
LEXICAL = 0.6
RANK_PRIOR = 0.15  # a sentence from the first hit is worth this much more than from a late one
NAMED_SPEAKER_BONUS = 0.1
REPLY_BONUS = 0.15  # a named speaker answering another named speaker
EXPECTED_BONUS = 0.3  # a year for "in what year", a number for "how many"
SHAPE_BONUS = 0.15  # a reason for "why", a stance for yes/no
SHORT_PENALTY = 0.1
SHORT_SENTENCE_TERMS = 5
# The reader's z-score, in units of the shortlist's spread of relevance. Tuned on our
# paraphrased questions (benchmarks/reader_fusion.py), reading 6 candidates: the best
# candidate is gold evidence for 0.522 of them by relevance alone, 0.449 by the reader
# alone, 0.565 fused at this weight (stable from 0.4 to 0.5 at 6 to 12 candidates).
READER_WEIGHT = 0.4

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


class Pool(NamedTuple):
    """The scored candidates an answer is chosen from."""

    found: list[Candidate]
    texts: list[str]
    relevance: np.ndarray  # with the reader fused in, where it read
    reader_gain: float | None  # the reader's best score on the shortlist over its baseline
    reader: ReaderUse | None  # None: no reader configured


QUOTE_MARKS = "> \t\r\n"


def pasted(passage: Passage, span: Span) -> bool:
    """Pasted from earlier text: the original's author said it, not this commenter. A
    sentence that starts on the block-quote marks before a pasted span ("> > agents
    with…") is pasted too."""
    for q in passage.pasted:
        if span.end <= q.end and span.start < q.end:
            lead = passage.text[span.start - passage.start : max(q.start - passage.start, 0)]
            if not lead.strip(QUOTE_MARKS):
                return True
    return False


def candidates(
    documents: Documents, sentences: SentenceTable, hits: list[Hit], titles: bool = False
) -> list[Candidate]:
    """The hits' sentences an answer may quote: the speaker's own words, long enough to
    say something, and not a bare link to another text unless the question asks for
    a name (`titles`)."""
    found: list[Candidate] = []
    seen: set[int] = set()
    for rank, hit in enumerate(hits[:MAX_HITS]):
        chunk = hit.chunk
        for rowid in sentences.overlapping(chunk.doc_id, chunk.start, chunk.end):
            if rowid in seen:
                continue
            sentence = sentences.rows[rowid]
            passage = documents.passage(sentence.doc_id, sentence.passage_id)
            if passage is None or pasted(passage, sentence.span):
                continue
            text = sentence.span.cut(documents[sentence.doc_id].source_text)
            if len(text.split()) >= MIN_WORDS and (titles or not only_names(text)):
                seen.add(rowid)
                found.append(Candidate(rowid, sentence.span, sentence.doc_id, passage, rank))
    return found


def relevance(
    question: Question, found: list[Candidate], texts: list[str], cosines: np.ndarray
) -> np.ndarray:
    """Meaning, rare words, rank, and what the question's shape asks for."""
    weights, intent = question.weights, question.intent
    total = sum(weights.values()) or 1.0
    scores = []
    for c, text, words, cosine in zip(found, texts, terms(texts), cosines, strict=True):
        lexical = sum(weights.get(t, 0.0) for t in set(words)) / total
        expected = question.expected is not None and holds(text, question.expected, question.text)
        scores.append(
            COSINE * float(cosine)
            + LEXICAL * lexical
            + RANK_PRIOR * (1 - c.hit_rank / MAX_HITS)
            + NAMED_SPEAKER_BONUS * (c.passage.speaker in intent.speakers)
            + REPLY_BONUS * _answers_named(c.passage, intent)
            + EXPECTED_BONUS * expected
            + SHAPE_BONUS * _fits_shape(text, intent.shape)
            - SHORT_PENALTY * (len(set(words)) < SHORT_SENTENCE_TERMS)
        )
    return np.array(scores)


def read(
    reader: Reader | None, question: Question, texts: list[str], scores: np.ndarray, size: int
) -> tuple[np.ndarray, float | None, ReaderUse | None]:
    """The reader reads the `size` best candidates; its z-score, scaled to their spread
    of relevance, is added to theirs. The rest keep their scores, and all of them do
    when the reader is busy with another answer past its wait."""
    if reader is None or size <= 0 or not len(scores):
        return scores, None, None
    shortlist = np.argsort(-scores, kind="stable")[:size]
    scored = reader.score(question.text, [texts[i] for i in shortlist])
    if scored is None:
        return scores, None, ReaderUse.BUSY
    read_scores, baseline = scored
    fused = scores.copy()
    spread = float(scores[shortlist].std()) or 1.0
    fused[shortlist] += READER_WEIGHT * spread * _zscored(read_scores)
    return fused, float(read_scores.max()) - baseline, ReaderUse.READ


def _zscored(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


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
