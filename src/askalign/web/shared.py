"""The one Assistant a server shares between its threads, replaced whole when an
ingest commits a new generation. Apart from the page so that `serve` can open it while
Gradio, which takes seconds to import, is still loading."""

from __future__ import annotations

import sys
import threading
import time

from askalign.assistant import Assistant
from askalign.embedding import Embedder
from askalign.engines import SearchEngine, open_engine
from askalign.index.errors import IndexProblem
from askalign.index.lock import no_ingest_running
from askalign.reader import Reader
from askalign.retrieval.open import index_version
from askalign.retrieval.search import open_searcher
from askalign.settings import Settings

CHECK_EVERY_S = 1.0  # how stale an answer may be after an ingest elsewhere


class SharedAssistant:
    """The Assistant for the index's newest complete generation. Each question first
    checks (at most once a second, a few ms) whether an ingest committed a newer one;
    it loads only while no ingest runs, so a half-written cache is never read."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index_dir = settings.index_dir
        self.embedder = Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
        # one reader for every generation: the model does not change with the index
        self.reader = Reader.open(
            settings.reader, settings.model_cache, settings.reader_threads or None
        )
        self.llm = settings.chat_model()  # one client (and its connections) for every generation
        self._reloading = threading.Lock()
        self._checked = time.monotonic()
        self.watched = self.engine()  # one connection for the once-a-second version check
        self.version = index_version(self.index_dir, self.watched)
        self.assistant = self._open()

    def engine(self) -> SearchEngine:
        return open_engine(
            self.settings.engine,
            self.index_dir,
            self.embedder.model_id,
            self.embedder.dimension,
            self.settings.milvus_token_value,
        )

    def _open(self) -> Assistant:
        searcher = open_searcher(
            self.index_dir, self.embedder, self.settings.engine, self.settings.milvus_token_value
        )
        return Assistant(
            searcher,
            reader=self.reader,
            read_candidates=self.settings.reader_candidates,
            max_question_chars=self.settings.max_question_chars,
            llm=self.llm,
        )

    def current(self) -> Assistant:
        due = time.monotonic() - self._checked >= CHECK_EVERY_S
        if due and self._reloading.acquire(blocking=False):  # one thread checks, none wait
            try:
                self._checked = time.monotonic()
                self._refresh()
            finally:
                self._reloading.release()
        return self.assistant

    def reload(self) -> None:
        with self._reloading:
            self._refresh()

    def _refresh(self) -> None:
        with no_ingest_running(self.index_dir) as quiet:
            version = index_version(self.index_dir, self.watched) if quiet else None
            if version is None or version == self.version:
                return
            try:
                fresh = self._open()
            except IndexProblem as error:  # keep answering from the old one
                print(f"askalign: not reloading the index: {error}", file=sys.stderr)
                return
        self.assistant, self.version = fresh, version

    @classmethod
    def warmed(cls, settings: Settings) -> SharedAssistant:
        """Opened, with the models loaded (one embedding, the reader's weights): the
        first question waits for neither."""
        shared = cls(settings)
        shared.embedder.embed(["warm up"])
        if shared.reader:
            shared.reader.load()
        return shared
