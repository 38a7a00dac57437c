"""`askalign ingest`: bring the index in line with the corpus, embedding only new text.

Order matters for crash safety: embeddings are cached first (content-addressed, so
harmless if orphaned), then one catalog transaction swaps the documents, then the
caches are updated in place. A kill at any point leaves the old or the new content.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from askalign.documents import Chunk, CorpusProblem, Document
from askalign.embedding import Embedder
from askalign.engines import Progress, SearchEngine, open_engine
from askalign.engines.local import LocalEngine
from askalign.index.catalog import Catalog
from askalign.index.errors import IndexProblem, check_model
from askalign.index.feedback import FEEDBACK_FILE
from askalign.index.lock import LOCK_FILE, IngestLock
from askalign.index.rows import StoredDocument, Written, now
from askalign.ingest.changes import KnownFiles
from askalign.ingest.chunking import CHUNKER_VERSION, Chunker
from askalign.ingest.corpus import CorpusReader
from askalign.text.sentences import document_sentences, sentence_text
from askalign.text.tokens import TokenCounter

if TYPE_CHECKING:  # read by the front ends, which sit above ingest, and handed down
    from askalign.settings import Settings

CRASH_HOOK = "ASKALIGN_TEST_CRASH_AT"  # tests: SIGKILL this process at a named stage
STAGE_TEXTS = 2048  # chunks + sentences staged at a time: bounds memory, not the corpus


class ChunkCounts(BaseModel):
    """Chunk ids follow their text, so a changed chunk is one removed and one added."""

    added: int = 0
    removed: int = 0
    unchanged: int = 0


class Counts(ChunkCounts):
    updated: int = 0


class IngestReport(BaseModel):
    documents: Counts = Field(default_factory=Counts)
    chunks: ChunkCounts = Field(default_factory=ChunkCounts)
    embedded: int = Field(0, description="Chunk embeddings computed by this run.")
    embedded_sentences: int = Field(0, description="Sentence embeddings computed by this run.")
    failed: list[CorpusProblem] = Field(default_factory=list)
    files_unchanged: int = Field(0, description="Files not parsed again: bytes unchanged.")
    resumed: int = Field(0, description="Vectors kept from an ingest that was interrupted.")
    generation: int = 0
    model_id: str = ""
    seconds: float = 0.0


class IngestHooks(BaseModel):
    """Callbacks for a front end: a progress bar, a waiting message."""

    model_config = {"arbitrary_types_allowed": True}

    on_wait: Callable[[str], None] | None = None
    on_resume: Callable[[int], None] | None = None
    on_read: Callable[[Document], None] | None = None
    on_embed_more: Callable[[int], None] | None = None
    on_embed_batch: Callable[[int], None] | None = None
    on_index: Progress | None = None


def fingerprint(document: Document, chunker: str) -> str:
    """Changes when the text, its parse or its catalog entry changes."""
    payload = f"{chunker}\n{document.model_dump_json()}"
    return hashlib.sha256(payload.encode()).hexdigest()


def _checkpoint(stage: str) -> None:
    if os.environ.get(CRASH_HOOK) == stage:
        os.kill(os.getpid(), signal.SIGKILL)


def ingest(
    corpus_dir: Path,
    index_dir: Path,
    *,
    embedder: Embedder,
    chunk_tokens: int,
    max_file_bytes: int,
    lock_timeout_s: float = 600,
    rebuild: bool = False,
    hooks: IngestHooks | None = None,
    commit_texts: int = 256,
    engine: SearchEngine | None = None,
) -> IngestReport:
    """Bring the catalog in line with the corpus, then the search engine (the local
    FAISS and BM25 files unless another `engine` is given) in line with the catalog."""
    hooks = hooks or IngestHooks()
    engine = engine or LocalEngine(index_dir, embedder.model_id, embedder.dimension)
    started = time.perf_counter()
    try:
        with IngestLock(index_dir, lock_timeout_s, hooks.on_wait):
            if rebuild:
                clear_index(index_dir)
            catalog = Catalog.open(index_dir, create=True)
            try:
                check_model(catalog, embedder.model_id)
                sync = _Sync(catalog, embedder, chunk_tokens, hooks, commit_texts)
                corpus = CorpusReader(corpus_dir, max_file_bytes, sync.known_files())
                report = sync.run(corpus)
                _checkpoint("committed")
                if not engine.in_sync(catalog):
                    engine.sync(catalog, hooks.on_index)
                    catalog.prune_embeddings(embedder.model_id)
                _checkpoint("cached")
                report.generation = catalog.generation
            finally:
                catalog.close()
    except (OSError, sqlite3.OperationalError) as error:
        if isinstance(error, FileNotFoundError) and not corpus_dir.is_dir():
            raise
        raise IndexWriteError(_write_failure(index_dir, error)) from error
    report.failed = corpus.problems
    report.model_id = embedder.model_id
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def ingest_with(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    engine: SearchEngine | None = None,
    rebuild: bool = False,
    hooks: IngestHooks | None = None,
) -> IngestReport:
    """The one wiring of an ingest run, so that the CLI, the web UI and the benchmarks
    build the index the same settings describe. A caller that holds an open embedder or
    engine passes it, rather than loading the model a second time."""
    embedder = embedder or Embedder(backend=settings.embed_backend, cache_dir=settings.model_cache)
    if engine is None:
        engine = open_engine(
            settings.engine,
            settings.index_dir,
            embedder.model_id,
            embedder.dimension,
            settings.milvus_token_value,
        )
    limits = settings.model_dump(include={"chunk_tokens", "lock_timeout_s", "commit_texts"})
    return ingest(
        settings.corpus_dir,
        settings.index_dir,
        embedder=embedder,
        max_file_bytes=settings.max_file_bytes,
        rebuild=rebuild,
        hooks=hooks,
        engine=engine,
        **limits,
    )


class IndexWriteError(IndexProblem):
    """The index directory refused a write; what was committed before stays readable."""


def _write_failure(index_dir: Path, error: Exception) -> str:
    text = str(error).lower()
    if getattr(error, "errno", None) == errno.ENOSPC or "disk is full" in text:
        cause = "the disk is full"
        fix = "free some space and run `askalign ingest` again"
    elif getattr(error, "errno", None) in (errno.EROFS, errno.EACCES) or "readonly" in text:
        cause = "it cannot be written (read-only, or no permission)"
        fix = "make it writable, or set ASKALIGN_INDEX_DIR to a writable directory"
    else:
        cause = f"writing failed ({error})"
        fix = "fix the cause and run `askalign ingest` again"
    return (
        f"ingest stopped: {index_dir}: {cause}. The index still holds what the last"
        f" finished ingest wrote, and answers from it. To fix: {fix}."
    )


def clear_index(index_dir: Path) -> None:
    """--rebuild: everything but the lock and the user's feedback goes, including files
    askalign cannot read."""
    for entry in index_dir.iterdir():
        if entry.name in (LOCK_FILE, FEEDBACK_FILE):
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


class _Sync:
    """One ingest's pass: documents stream past, new and changed ones are chunked and
    staged a batch at a time, their vectors embedded and committed per batch. Memory is
    bounded by a batch, and a killed run keeps every committed batch of vectors."""

    def __init__(
        self,
        catalog: Catalog,
        embedder: Embedder,
        chunk_tokens: int,
        hooks: IngestHooks,
        commit_texts: int,
    ) -> None:
        self.catalog = catalog
        self.commit_texts = commit_texts
        self.commits = 0
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.chunker_id = f"{CHUNKER_VERSION}/{chunk_tokens}"
        self.hooks = hooks
        self.report = IngestReport()
        self.stored = catalog.stored_documents()
        self.stored_chunks = catalog.chunk_ids_by_doc()
        self.present: set[str] = set()
        self.batch: list[Written] = []
        self.batch_texts = 0
        self.batches = 0
        self._chunker: Chunker | None = None

    def known_files(self) -> KnownFiles:
        """Files whose documents were chunked as this run would chunk them."""
        doc_ids: dict[str, list[str]] = {}
        stale: set[str] = set()
        for before in self.stored.values():
            doc_ids.setdefault(before.source_file, []).append(before.id)
            if before.chunker != self.chunker_id:
                stale.add(before.source_file)
        records = {
            path: record
            for path, record in self.catalog.files().items()
            if path in doc_ids and path not in stale  # a file that gave no document is retried
        }
        return KnownFiles(records, doc_ids, self.chunker_id)

    def run(self, corpus: CorpusReader) -> IngestReport:
        self.catalog.clear_stage()
        self.report.resumed = self.catalog.count_embeddings_since(
            self.catalog.get_meta("last_ingest") or ""
        )
        if self.report.resumed and self.hooks.on_resume:
            self.hooks.on_resume(self.report.resumed)
        for document in corpus.documents():
            if self.hooks.on_read:
                self.hooks.on_read(document)
            self.add(document)
        self.flush()
        _checkpoint("embedded")
        self.keep_unchanged_files(corpus.unchanged)
        removed = _removed(self.stored, self.present, corpus.problems)
        self.count_removed(removed)
        self.commit(removed, corpus)
        return self.report

    def add(self, document: Document) -> None:
        self.present.add(document.source_key)
        doc_print = fingerprint(document, self.chunker_id)
        before = self.stored.get(document.source_key)
        if before is not None and before.fingerprint == doc_print and before.id == document.id:
            self.report.documents.unchanged += 1
            self.report.chunks.unchanged += len(self.stored_chunks.get(before.id, ()))
            return
        self._chunker = self._chunker or Chunker(
            TokenCounter(self.embedder.model_dir), self.chunk_tokens
        )
        chunks = self._chunker.chunk(document)
        sentences = document_sentences(document)
        self.batch.append(Written(document, chunks, sentences, doc_print, self.chunker_id))
        old_ids = self.stored_chunks.get(before.id, set()) if before else set()
        _count_chunks(self.report, old_ids, chunks)
        if before is None:
            self.report.documents.added += 1
        else:
            self.report.documents.updated += 1
        self.batch_texts += len(chunks) + len(sentences)
        if self.batch_texts >= STAGE_TEXTS:
            self.flush()

    def flush(self) -> None:
        """Embed what the batch lacks and commit those vectors, then stage the batch."""
        if not self.batch:
            return
        chunks, sentences = self.embed_missing()
        self.report.embedded += chunks
        self.report.embedded_sentences += sentences
        self.catalog.stage(self.batch)
        self.batch, self.batch_texts = [], 0
        self.batches += 1

    def embed_missing(self) -> tuple[int, int]:
        """Chunks and sentences the cache lacks, embedded and committed in slices, so a
        killed run keeps all but the slice in flight; (chunks, sentences) embedded."""
        chunk_texts = {c.text_hash: c.embed_text for w in self.batch for c in w.chunks}
        sentence_texts = {
            s.text_hash: sentence_text(w.document, s.span) for w in self.batch for s in w.sentences
        }
        texts = sentence_texts | chunk_texts
        missing = sorted(self.catalog.missing_embeddings(self.embedder.model_id, texts))
        if missing and self.hooks.on_embed_more:
            self.hooks.on_embed_more(len(missing))
        for first in range(0, len(missing), self.commit_texts):
            hashes = missing[first : first + self.commit_texts]
            vectors = self.embedder.embed([texts[h] for h in hashes], self.hooks.on_embed_batch)
            self.catalog.save_embeddings(self.embedder.model_id, hashes, vectors)
            self.commits += 1
            _checkpoint(f"vectors-{self.commits}")
        chunks = sum(text_hash in chunk_texts for text_hash in missing)
        return chunks, len(missing) - chunks

    def keep_unchanged_files(self, files: list[str]) -> None:
        """A file not parsed again keeps its documents, and they count as unchanged."""
        unchanged = set(files)
        for key, before in self.stored.items():
            if before.source_file in unchanged:
                self.present.add(key)
                self.report.documents.unchanged += 1
                self.report.chunks.unchanged += len(self.stored_chunks.get(before.id, ()))
        self.report.files_unchanged = len(unchanged)

    def count_removed(self, removed: list[str]) -> None:
        for doc_id in removed:
            self.report.documents.removed += 1
            self.report.chunks.removed += len(self.stored_chunks.get(doc_id, ()))

    def commit(self, removed: list[str], corpus: CorpusReader) -> None:
        known = self.catalog.files()
        files = [record for record in corpus.files if known.get(record.path) != record]
        gone = [path for path in known if path not in corpus.on_disk]
        changed = self.batches or removed or self.catalog.get_meta("model_id") is None
        if changed:
            meta = {"model_id": self.embedder.model_id, "dimension": str(self.embedder.dimension)}
            self.catalog.commit_stage(removed, files, gone, meta | {"last_ingest": now()})
        elif files or gone:
            self.catalog.record_files(files, gone)


def _count_chunks(report: IngestReport, old_ids: set[str], chunks: list[Chunk]) -> None:
    new_ids = {chunk.id for chunk in chunks}
    report.chunks.added += len(new_ids - old_ids)
    report.chunks.removed += len(old_ids - new_ids)
    report.chunks.unchanged += len(new_ids & old_ids)


def _removed(
    stored: dict[str, StoredDocument], present: set[str], problems: list[CorpusProblem]
) -> list[str]:
    """Documents whose file (or line) is gone. A file that failed to parse keeps what it
    had; a bad line of a dataset file cannot say which article it was, so it keeps nothing."""
    failed = {problem.file for problem in problems if problem.line is None}
    return [
        before.id
        for key, before in stored.items()
        if key not in present and before.source_file not in failed
    ]
