"""The Python API: `Assistant.open()`, then `.ask(question)` or `.chat(messages)`. One
Assistant is read-only after it opens, so a server can share it between threads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

from askalign.answer.answers import Answer, hit_view
from askalign.answer.compose import Composer
from askalign.answer.expects import answered, expected_answer
from askalign.answer.extractive import READ_CANDIDATES, ExtractiveComposer
from askalign.answer.no_reply import no_reply
from askalign.answer.numbering import renumbered
from askalign.answer.premise import PremiseCheck
from askalign.answer.question import Question
from askalign.answer.scoring import Pool
from askalign.answer.strength import COVERAGE_HITS, Strength, StrengthGauge
from askalign.answer.verify import as_indexed
from askalign.conversation import Message, read_turns
from askalign.documents import Role
from askalign.embedding import Embedder
from askalign.positions import MapBuilder, PositionMap
from askalign.positions.answer import MapAnswer
from askalign.positions.build import MAP_HITS
from askalign.reader import Reader, ReaderMode
from askalign.retrieval.follow_up import followed_up, is_follow_up
from askalign.retrieval.intent import DocumentDirectory, QueryIntent, SpeakerDirectory, read_intent
from askalign.retrieval.search import Filters, Hit, Searcher, open_searcher
from askalign.settings import Settings

if TYPE_CHECKING:  # imported when a model is configured: none on the default query path
    from llama_index.core.llms import LLM

    from askalign.llm.client import ChatModel
    from askalign.llm.writer import LlmWriter

MAX_QUESTION_CHARS = 2000
NEAREST = 2
ABSTAIN_TEXT = "The corpus does not seem to address this question."
NEAREST_LEAD = " The nearest material (not an answer):\n\n"
EMPTY_TEXT = "Ask a question about the essays or the comment threads under them."


class SpeakerInfo(BaseModel):
    name: str
    passages: int = 0
    roles: list[Role] = []  # pydantic copies a default per instance
    documents: list[str] = []


class UnknownFilterError(ValueError):
    """A speaker or document filter that names nothing in the index."""


class QuestionTooLongError(ValueError):
    """Refused whole, not cut short: a cut question gets a confident answer to
    something nobody asked, and a huge one ties up a shared server."""


def _role(role: Role | str) -> Role:
    try:
        return Role(str(role).lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise UnknownFilterError(f"no role {role!r}; known: {known}") from None


class Assistant:
    def __init__(
        self,
        searcher: Searcher,
        composer: Composer | None = None,
        *,
        reader: Reader | None = None,
        read_candidates: int = READ_CANDIDATES,
        max_question_chars: int = MAX_QUESTION_CHARS,
        llm: ChatModel | LLM | None = None,
    ) -> None:
        self.searcher = searcher
        self.reader = reader
        self.max_question_chars = max_question_chars
        shelf = searcher.index.shelf
        self.documents = shelf.documents
        self.directory = SpeakerDirectory(shelf.catalog.speakers())
        self.document_names = DocumentDirectory(shelf.catalog.document_names())
        self.gauge = StrengthGauge(shelf.catalog, self.directory.speakers)
        self.premise = PremiseCheck(shelf.catalog, self.directory.speakers)
        self.composer = composer or ExtractiveComposer(
            self.documents, shelf.sentences, reader, read_candidates
        )
        self.mapper = MapBuilder(self.documents, shelf.sentences)
        self.map_answer = MapAnswer(self.mapper.composer)
        self.writer: LlmWriter | None = None
        if llm is not None:
            from askalign.llm.llama import as_chat_model
            from askalign.llm.writer import LlmWriter

            self.writer = LlmWriter(
                as_chat_model(llm),
                self.mapper.composer,  # the one quoting composer, shared with the map
                self.directory.mentioned,
                searcher.embedder.embed,
            )

    @classmethod
    def open(
        cls,
        index_dir: Path | str | None = None,
        *,
        engine: str | None = None,
        reader: ReaderMode | str | None = None,
        llm: ChatModel | LLM | None = None,
        llm_url: str | None = None,
        llm_model: str | None = None,
    ) -> Assistant:
        """Open a built index (this builds nothing); a missing or stale one raises an
        error that says to run `askalign ingest`. `engine`: `local` (the default, or
        ASKALIGN_STORE), `milvus:PATH.db` or a Milvus server's `http(s)://` URI.
        `reader`: `off` (the default, or ASKALIGN_READER), `on`, or `auto` (on when
        `askalign[reader]` is installed). `llm`: your own model (a ChatModel
        or a llama-index LLM), which writes the answer from verified claims; else one at
        `llm_url` (or ASKALIGN_LLM_URL)."""
        settings = Settings()
        embedder = Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
        searcher = open_searcher(
            Path(index_dir) if index_dir else settings.index_dir,
            embedder,
            engine or settings.engine,
            settings.milvus_token_value,
        )
        mode = ReaderMode(reader) if reader else settings.reader
        return cls(
            searcher,
            reader=Reader.open(
                mode, settings.model_cache, settings.reader_threads or None, settings.reader_wait_s
            ),
            read_candidates=settings.reader_candidates,
            max_question_chars=settings.max_question_chars,
            llm=llm or settings.chat_model(llm_url, llm_model),
        )

    def checked_question(self, question: str) -> str:
        """Every question enters through here (`ask`, `chat`, so the CLI and the web too).
        A lone surrogate (bytes a shell could not decode) becomes "?": the tokenizer
        cannot take it, and the rest of the question still can be answered."""
        if len(question) > self.max_question_chars:
            raise QuestionTooLongError(
                f"the question is {len(question):,} characters long; the limit is"
                f" {self.max_question_chars:,} (ASKALIGN_MAX_QUESTION_CHARS): ask something shorter"
            )
        return question.encode("utf-8", "replace").decode("utf-8")

    def intent(self, question: str) -> QueryIntent:
        """Who and what the question names, and the kind of answer it asks for."""
        return read_intent(question, self.directory, self.document_names)

    def speakers(self) -> list[SpeakerInfo]:
        found: dict[str, SpeakerInfo] = {}
        for speaker, role, doc_id, passages in self.searcher.index.catalog.speaker_rows():
            info = found.setdefault(speaker, SpeakerInfo(name=speaker))
            info.passages += passages
            if Role(role) not in info.roles:
                info.roles.append(Role(role))
            if doc_id not in info.documents:
                info.documents.append(doc_id)
        return sorted(found.values(), key=lambda info: (-info.passages, info.name))

    def filters(self, speaker: str | None, doc: str | None, role: Role | str | None) -> Filters:
        resolved = None
        if speaker:
            resolved = self.directory.resolve(speaker)
            if resolved is None:
                known = ", ".join(self.directory.speakers)
                raise UnknownFilterError(
                    f"no speaker named {speaker!r} in the index; known: {known}"
                )
        if doc and doc not in self.documents:
            raise UnknownFilterError(
                f"no document {doc!r} in the index; known: {', '.join(self.documents)}"
            )
        return Filters(speaker=resolved, doc=doc, role=_role(role) if role else None)

    def ask(
        self,
        question: str,
        *,
        speaker: str | None = None,
        doc: str | None = None,
        role: Role | str | None = None,
        k: int = 5,
    ) -> Answer:
        question = self.checked_question(question)
        filters = self.filters(speaker, doc, role)
        *_, answer = self._answers(question, self.intent(question), filters, max(k, 1), False)
        return answer

    def map(
        self, topic: str, *, doc: str | None = None, speakers: list[str] | None = None
    ) -> PositionMap:
        """Who addressed `topic`, in their own verified words, ranked by engagement; who
        replied to whom; and agreement or disagreement only where a reply says so."""
        topic = self.checked_question(topic)
        filters = self.filters(None, doc, None)
        named = [self.filters(name, None, None).speaker or name for name in speakers or []]
        intent = self.intent(topic)
        question = self.question(topic, intent)
        hits = self.searcher.search(
            topic, k=MAP_HITS, filters=filters, intent=intent, vector=question.vector
        )
        return self.mapper.build(topic, self.topic_vector(intent), hits, named)

    def chat(
        self,
        messages: list[Message] | list[dict],
        *,
        speaker: str | None = None,
        doc: str | None = None,
        role: Role | str | None = None,
    ) -> Answer:
        """Answer the last user message; "he", "they" and short follow-ups ("and the
        post's author?") are read against the turns before it, or rewritten to stand
        alone by the user's model where one is set. A quote an earlier answer cited
        (given in its message's `citations`) keeps its number, once the index confirms
        the citation as sent; one it does not is ignored."""
        *_, answer = self._chat(messages, self.filters(speaker, doc, role), live=False)
        return answer

    def chat_stream(
        self,
        messages: list[Message] | list[dict],
        *,
        speaker: str | None = None,
        doc: str | None = None,
        role: Role | str | None = None,
    ) -> Iterator[Answer]:
        """`chat`'s answer, preceded, where the user's model writes it, by the answer so
        far each time another of its claims is verified; the last one is the answer."""
        return self._chat(messages, self.filters(speaker, doc, role), live=True)

    def _chat(
        self, messages: list[Message] | list[dict], filters: Filters, live: bool
    ) -> Iterator[Answer]:
        turns = read_turns(messages, self.checked_question)
        if turns is None:
            yield Answer(question="", text=EMPTY_TEXT, abstained=True)
            return
        question, earlier = turns.question, turns.earlier
        query, intent = question, self.intent(question)
        deadline = None  # from the model's first call: a rewrite's time counts too
        if earlier and is_follow_up(question, intent):
            deadline = self.writer.deadline() if self.writer else None
            standalone = self.writer and self.writer.standalone(question, earlier, deadline)
            if standalone:
                query, intent = standalone, self.intent(standalone)
            else:
                query, intent = followed_up(
                    question, intent, earlier, turns.replies, self.intent, self.directory
                )
        cited = [c for c in (as_indexed(c, self.documents) for c in turns.cited) if c]
        for answer in self._answers(query, intent, filters, 5, live, deadline):
            yield renumbered(answer.model_copy(update={"question": question}), cited)

    def _answers(
        self,
        text: str,
        intent: QueryIntent,
        filters: Filters,
        k: int,
        live: bool,
        deadline: float | None = None,
    ) -> Iterator[Answer]:
        """The extractive answer, or the one the user's model writes from it where one is
        set and the evidence is strong enough to answer at all."""
        answer, pool = self._composed(text, intent, filters, k)
        if self.writer is not None and pool is not None:
            yield from self.writer.answers(text, pool, answer, live, deadline)
        elif self.writer is not None and answer.question:
            reason = "weak_evidence" if answer.abstained else "position_map"
            yield answer.model_copy(update={"fallback_reason": reason})
        else:
            yield answer

    def _composed(
        self, text: str, intent: QueryIntent, filters: Filters, k: int
    ) -> tuple[Answer, Pool | None]:
        """The extractive answer, with the pool it was chosen from where it answers (a
        model may write from that), None where it abstains or is told from the map."""
        text = text.strip()
        if not text:
            return Answer(question="", text=EMPTY_TEXT, abstained=True), None
        premise = self.premise.false_premise(text)  # someone who never wrote it: say so
        if intent.asks_positions and premise is None:
            mapped = self._positions_answer(text, intent, filters, k)
            if mapped is not None:
                return mapped, None
        question, hits = self._evidence(text, intent, filters, k)
        views = [hit_view(hit) for hit in hits[:k]]
        if not hits:
            return Answer(question=text, text=premise or ABSTAIN_TEXT, abstained=True), None
        premise = premise or no_reply(question, hits[:k], self.documents)
        pool = self.composer.pool(question, hits)
        strength = self.measure(question, hits, pool.reader_gain)
        composed = None if premise or strength.weak else self.composer.compose(question, hits, pool)
        quotes = [c.quote for c in composed.citations] if composed else []
        if composed is None or not answered(question.expected, text, quotes):
            nearest = self.composer.compose(question, hits, pool, limit=NEAREST)
            shown = f"{NEAREST_LEAD}{nearest.text}" if nearest.text else ""
            abstained = Answer(
                question=text,
                text=(premise or ABSTAIN_TEXT) + shown,
                citations=nearest.citations,
                abstained=True,
                hits=views,
            )
            return abstained, None
        if not composed.citations:
            return Answer(question=text, text=ABSTAIN_TEXT, abstained=True, hits=views), None
        told = {"text": composed.text, "citations": composed.citations, "reader": pool.reader}
        return Answer(question=text, hits=views, **told), pool

    def _positions_answer(
        self, text: str, intent: QueryIntent, filters: Filters, k: int
    ) -> Answer | None:
        """Who disagreed, or where people stand, told from the topic's map; None when the
        evidence is weak, nobody but the person asked about speaks to it, or someone the
        question names is not among those quoted."""
        question = self.question(text, intent, filters)
        hits = self.searcher.search(
            text, k=MAP_HITS, filters=filters, intent=intent, vector=question.vector
        )
        if not hits or self.measure(question, hits[:COVERAGE_HITS], None).weak:
            return None
        one_thread = not intent.cross and len(intent.documents) < 2
        vector = self.topic_vector(intent)
        found = self.mapper.build(text, vector, hits, intent.speakers, one_thread)
        body, citations = self.map_answer.compose(found, intent.subject, intent.asks_disagreement)
        if not citations or not all(name in body for name in intent.speakers):
            return None  # the people the question names must be in its answer
        views = [hit_view(hit) for hit in hits[:k]]
        return Answer(question=text, text=body, citations=citations, hits=views)

    def assess(self, text: str) -> Strength:
        """The evidence signals abstention decides on (see `answer/strength.py`), for
        calibrating it on labelled questions."""
        question, hits = self._evidence(text, self.intent(text), Filters(), 5)
        return self.measure(question, hits, self.composer.pool(question, hits).reader_gain)

    def question(self, text: str, intent: QueryIntent, filters: Filters | None = None) -> Question:
        """The question read once, with a speaker filter counted as a named speaker."""
        if filters is not None and filters.speaker:
            intent = intent.model_copy(update={"speakers": [*intent.speakers, filters.speaker]})
        return Question(
            text=text,
            intent=intent,
            vector=self.question_vector(text, intent),
            weights=self.gauge.weights(text),
            expected=expected_answer(text),
        )

    def _evidence(
        self, text: str, intent: QueryIntent, filters: Filters, k: int
    ) -> tuple[Question, list[Hit]]:
        """The question and its hits (at least 6, for the composer to choose from)."""
        question = self.question(text, intent, filters)
        hits = self.searcher.search(
            text, k=max(k, 6), filters=filters, intent=intent, vector=question.vector
        )
        return question, hits

    def question_vector(self, question: str, intent: QueryIntent) -> np.ndarray:
        """The mean of the question's vector and that of its content (names, document
        references and framing left out): on our paraphrased questions it keeps the
        content's gain (coverage 0.71 -> 0.73) without the full question's loss on
        questions worded like the text."""
        texts = list(dict.fromkeys([question, intent.content or question]))
        vector = self.searcher.embedder.embed(texts).sum(axis=0)
        return vector / np.linalg.norm(vector)

    def topic_vector(self, intent: QueryIntent) -> np.ndarray:
        """What a map scores passages against: the topic alone, since "who disagreed with
        Byrnes" pulls toward any reply to Byrnes, on whatever subject."""
        vector = self.searcher.embedder.embed([intent.topic or intent.content])[0]
        return vector / np.linalg.norm(vector)

    def measure(self, question: Question, hits: list[Hit], reader_gain: float | None) -> Strength:
        shelf = self.searcher.index.shelf
        vectors = shelf.chunk_vectors([hit.chunk for hit in hits])
        pairs = [(hit.chunk, chunk_vector) for hit, chunk_vector in zip(hits, vectors, strict=True)]
        table = shelf.sentences
        top = [
            rowid
            for hit in hits[:COVERAGE_HITS]
            for rowid in table.overlapping(hit.chunk.doc_id, hit.chunk.start, hit.chunk.end)
        ]
        return self.gauge.measure(question, pairs, table.vectors_of(top), reader_gain)
