"""An answer written by the user's model, in which every claim carries a quote checked
at its span; or, when anything goes wrong, the extractive answer with the reason.

The model sees the windows the extractive composer would quote (each best sentence
with the neighbours it needs), under ids the server assigns. It returns claims; the
checks in check.py drop what does not hold; the citations are built by the extractive
composer's own `citations_for`, so they are verified exactly as extractive ones are.

Written as generators so that a model that streams shows each claim as soon as it is
verified: the partial answers come first, the answer (or the fallback) last, and a
caller that wants only the answer takes the last.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Generator, Iterator

import numpy as np
from pydantic import BaseModel

from askalign.answer.answers import Answer, Citation, DroppedClaim, LlmAudit
from askalign.answer.extractive import ExtractiveComposer
from askalign.answer.scoring import Pool
from askalign.answer.windows import Quote
from askalign.llm.check import Checked, ClaimChecker
from askalign.llm.client import (
    DEFAULT_TIMEOUT_S,
    ChatModel,
    ChatReply,
    LlmRefusedError,
    LlmUnavailableError,
)
from askalign.llm.deadline import within
from askalign.llm.parse import Claim, ClaimReader, Reply, parse_reply
from askalign.llm.prompt import (
    REPAIR,
    Source,
    messages,
    response_formats,
    standalone_messages,
)
from askalign.llm.secrets import redacted

log = logging.getLogger(__name__)

MAX_WINDOWS = 6  # the best candidates, each with its neighbours: ~1-2k tokens in all
MAX_REWRITE_CHARS = 500  # a rewritten question longer than this is not a question
MIN_KEPT = 1  # fewer verified claims than this: the extractive answer instead


class Fallback(Exception):
    """The model's answer cannot be used; `reason` goes into the answer as it is."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(detail or reason)
        self.reason = reason


class Written(BaseModel):
    text: str
    citations: list[Citation]
    kept: int  # claims: two may cite one quote
    final: bool = False  # the whole reply checked, not the claims verified so far


class LlmWriter:
    def __init__(
        self,
        model: ChatModel,
        quoting: ExtractiveComposer,
        mentioned: Callable[[str], list[str]],
        embed: Callable[[list[str]], np.ndarray],
    ) -> None:
        """`quoting`: the composer whose windows the model is shown and whose citations
        its claims become, so that they are verified as extractive ones are."""
        self.model = model
        # how long an answer may wait on the model, all its calls together: the client's
        # own timeout (ASKALIGN_LLM_TIMEOUT_S) where it has one
        self.timeout_s: float = getattr(model, "timeout_s", DEFAULT_TIMEOUT_S)
        self.secrets: tuple[str, ...] = tuple(getattr(model, "secrets", ()))
        self.documents = quoting.documents
        self.composer = quoting
        self.mentioned = mentioned
        self.embed = embed

    def deadline(self) -> float:
        """When an answer begun now must be given by (a `time.monotonic()` value)."""
        return time.monotonic() + self.timeout_s

    def answers(
        self,
        question: str,
        pool: Pool,
        extractive: Answer,
        live: bool,
        deadline: float | None = None,
    ) -> Iterator[Answer]:
        """The model's answer to `question` from the pool's best windows, or `extractive`
        marked with why the model's could not be used; last, and preceded, when `live`
        and the model streams, by the answer so far each time another claim verifies.
        Past `deadline` (by default `timeout_s` from now) it falls back with "timeout"."""
        audit = LlmAudit(model=self.model.model)
        deadline = deadline or self.deadline()
        try:
            for written in self._write(question, self.sources(pool), audit, live, deadline):
                yield extractive.model_copy(
                    update={
                        "text": written.text,
                        "citations": written.citations,
                        "abstained": False,
                        "mode": "llm",
                        "llm": audit.model_copy(update={"kept": written.kept}),
                        "writing": not written.final,
                    }
                )
        except Fallback as fallback:
            log.info("LLM answer not used (%s): %s", fallback.reason, fallback)
            audit.error = redacted(audit.error or str(fallback), self.secrets)
            yield extractive.model_copy(update={"fallback_reason": fallback.reason, "llm": audit})

    def standalone(
        self, question: str, earlier: list[str], deadline: float | None = None
    ) -> str | None:
        """The follow-up rewritten by the model to stand alone, for retrieval; None when
        the model gives nothing usable (the caller then joins the turns itself)."""
        asked = standalone_messages(question, earlier)
        try:
            [reply] = within(deadline or self.deadline(), lambda: self._replies(asked, None, False))
        except (LlmUnavailableError, LlmRefusedError) as error:
            log.info("follow-up not rewritten: %s", error)
            return None
        lines = [line.strip().strip("\"'“”") for line in reply.content.splitlines()]
        rewritten = next((line for line in lines if line), "")
        rewritten = re.sub(r"^(?:rewritten question|question)\s*:\s*", "", rewritten, flags=re.I)
        usable = reply.finish_reason != "length" and 0 < len(rewritten) <= MAX_REWRITE_CHARS
        return rewritten if usable else None

    def sources(self, pool: Pool) -> list[Source]:
        """The windows of the best candidates, those already inside an earlier one left out."""
        order = np.argsort(-np.asarray(pool.relevance, dtype=float), kind="stable")
        found: list[Source] = []
        for index in order:
            if len(found) >= MAX_WINDOWS:
                break
            candidate = pool.found[int(index)]
            windows = self.composer.windows
            for window in windows.quotes([(candidate.rowid, float(pool.relevance[index]))]):
                for quote in windows.by_voice(window):  # a source is one voice's words
                    if not any(_overlaps(quote, source) for source in found):
                        found.append(self._source(f"S{len(found) + 1}", quote))
        return found

    def _source(self, source_id: str, quote: Quote) -> Source:
        document = self.documents[quote.doc_id]
        quoted = quote.passage.quoting(quote.span.start, quote.span.end)
        return Source(
            id=source_id,
            doc_id=document.id,
            doc_title=document.title,
            speaker=quote.passage.speaker,
            role=quote.passage.role,
            replying_to=quote.passage.replying_to_speaker,
            passage_id=quote.passage.id,
            start=quote.span.start,
            end=quote.span.end,
            text=quote.span.cut(document.source_text),
            quoted=quoted is not None,
            quoted_source=quoted.source if quoted else None,
        )

    def _write(
        self, question: str, sources: list[Source], audit: LlmAudit, live: bool, deadline: float
    ) -> Iterator[Written]:
        if not sources:
            raise Fallback("no_sources")
        asked = messages(question, sources)
        checker = ClaimChecker(sources, self.mentioned, self.embed)  # one a reply: none twice
        shown = _Shown(self, checker) if live else None
        reply, response_format = yield from self._complete(asked, sources, audit, shown, deadline)
        parsed = parse_reply(reply.content)
        if parsed is None:  # one repair, in the form the server accepted
            repair = [*asked, {"role": "assistant", "content": reply.content}]
            try:
                reply = yield from self._call(
                    [*repair, {"role": "user", "content": REPAIR}], response_format, None, deadline
                )
            except LlmRefusedError as error:
                raise Fallback("http_error", f"the repair request: {error}") from None
            parsed = parse_reply(reply.content)
            if parsed is None:
                excerpt = redacted(reply.content, self.secrets)[:200]  # whole, then cut
                raise Fallback("unparseable", f"not claims after one repair: {excerpt!r}")
        if not parsed.answerable:
            raise Fallback("not_answerable", "the model said the sources do not answer")
        yield self._checked(parsed, checker, audit).model_copy(update={"final": True})

    def _complete(
        self,
        asked: list[dict[str, str]],
        sources: list[Source],
        audit: LlmAudit,
        shown: _Shown | None,
        deadline: float,
    ) -> Generator[Written, None, tuple[ChatReply, dict | None]]:
        """The first reply in an output form the server accepts, strictest form first."""
        refused: list[str] = []
        for name, response_format in response_formats([s.id for s in sources]):
            try:
                reply = yield from self._call(asked, response_format, shown, deadline)
            except LlmRefusedError as error:
                refused.append(f"{name}: {error}")
                continue
            audit.response_format = name
            return reply, response_format
        raise Fallback("http_error", "; ".join(refused))

    def _call(
        self,
        asked: list[dict[str, str]],
        response_format: dict | None,
        shown: _Shown | None,
        deadline: float,
    ) -> Generator[Written, None, ChatReply]:
        """The model's reply by the deadline; streamed where it can be and `shown` is
        given, the claims verified so far yielded as they arrive."""
        streamed = shown is not None and hasattr(self.model, "stream")
        pieces: list[str] = []
        finish_reason = None
        try:
            for piece in within(deadline, lambda: self._replies(asked, response_format, streamed)):
                pieces.append(piece.content)
                finish_reason = piece.finish_reason or finish_reason
                written = shown.grown(piece.content) if streamed and shown else None
                if written is not None:
                    yield written
        except LlmUnavailableError as error:
            raise Fallback(error.reason, str(error)) from None
        reply = ChatReply(content="".join(pieces), finish_reason=finish_reason)
        if reply.finish_reason == "length":  # cut off: what it wrote last is missing
            raise Fallback("length", "the model stopped at its token limit")
        return reply

    def _replies(
        self, asked: list[dict[str, str]], response_format: dict | None, streamed: bool
    ) -> Iterator[ChatReply]:
        """The reply whole, or piece by piece where it is `streamed`."""
        if streamed:
            yield from self.model.stream(asked, response_format)  # type: ignore[attr-defined]
        else:
            yield self.model.complete(asked, response_format)

    def _checked(self, reply: Reply, checker: ClaimChecker, audit: LlmAudit) -> Written:
        kept: list[Checked] = []
        for checked in checker.check(reply.claims):
            if checked.reason is None:
                kept.append(checked)
            else:
                audit.dropped.append(self._dropped(checked.claim, checked.reason))
        written = self.compose(kept, audit)
        audit.kept = len(kept)
        if len(kept) < MIN_KEPT:
            raise Fallback("no_verified_claims", f"{len(audit.dropped)} claims, none verified")
        return written

    def compose(self, kept: list[Checked], audit: LlmAudit) -> Written:
        """Each claim followed by the number of its quote; a quote cited twice keeps one
        number. A claim whose citation fails `verified` is dropped too."""
        quotes: list[Quote] = []
        for checked in kept:
            assert checked.source is not None and checked.span is not None
            passage = self.documents.passage(checked.source.doc_id, checked.source.passage_id)
            assert passage is not None
            quote = Quote(checked.span, checked.source.doc_id, passage, 0.0)
            if quote not in quotes:
                quotes.append(quote)
        cited = {(q.doc_id, q.span): c for q, c in self.composer.citations_for(quotes)}
        parts: list[str] = []
        for checked in list(kept):
            assert checked.source is not None
            citation = cited.get((checked.source.doc_id, checked.span))
            if citation is None:
                kept.remove(checked)
                audit.dropped.append(self._dropped(checked.claim, "citation failed verification"))
                continue
            parts.append(_marked(redacted(checked.claim.text, self.secrets), citation.n))
        return Written(text=" ".join(parts), citations=list(cited.values()), kept=len(kept))

    def _dropped(self, claim: Claim, reason: str) -> DroppedClaim:
        """Listed in the answer, which the public /ask returns: a server that echoes the
        key it was sent into a claim does not show it there."""
        return DroppedClaim(
            text=redacted(claim.text, self.secrets),
            source_id=redacted(claim.source_id, self.secrets),
            reason=redacted(reason, self.secrets),
        )


class _Shown:
    """The claims of a reply still being written that have been verified so far."""

    def __init__(self, writer: LlmWriter, checker: ClaimChecker) -> None:
        self.writer = writer
        self.checker = checker
        self.reader = ClaimReader()
        self.kept: list[Checked] = []

    def grown(self, piece: str) -> Written | None:
        """The answer so far, when the reply's next piece closes a claim that verifies;
        else None."""
        closed = self.reader.read(piece)
        if not closed:
            return None
        fresh = [c for c in self.checker.check(closed) if c.reason is None]
        if not fresh:
            return None
        self.kept += fresh
        return self.writer.compose(list(self.kept), LlmAudit(model=self.writer.model.model))


def _marked(text: str, n: int) -> str:
    """ "Claim." -> "Claim [1].": the number before the closing stop. Markers the
    model wrote itself ("[2]", "[S1]") go: only the server numbers citations."""
    text = " ".join(re.sub(r"\s*\[S?\d+\]", "", text, flags=re.I).split())
    if text and text[-1] in ".!?":
        return f"{text[:-1]} [{n}]{text[-1]}"
    return f"{text} [{n}]"


def _overlaps(quote: Quote, source: Source) -> bool:
    return (
        quote.doc_id == source.doc_id
        and quote.span.start < source.end
        and source.start < quote.span.end
    )
