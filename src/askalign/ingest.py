"""`askalign ingest`: bring the index in line with the corpus, embedding only new text.

Order matters for crash safety: embeddings are cached first (content-addressed, so
harmless if orphaned), then one catalog transaction swaps the documents, then the
caches are rebuilt. A kill at any point leaves the old or the new content.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from askalign.chunking import CHUNKER_VERSION, Chunker
from askalign.corpus import CorpusReader
from askalign.embedding import Embedder
from askalign.feedback import FEEDBACK_FILE
from askalign.index import caches_in_sync, check_model, rebuild_caches
from askalign.lock import LOCK_FILE, IngestLock
from askalign.models import Chunk, CorpusProblem, Document
from askalign.sentences import document_sentences, sentence_text
from askalign.store import Catalog, StoredDocument, Written, now
from askalign.tokens import TokenCounter

CRASH_HOOK = "ASKALIGN_TEST_CRASH_AT"  # tests: SIGKILL this process at a named stage


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
    generation: int = 0
    model_id: str = ""
    seconds: float = 0.0


class IngestHooks(BaseModel):
    """Callbacks for a front end: a progress bar, a waiting message."""

    model_config = {"arbitrary_types_allowed": True}

    on_wait: Callable[[str], None] | None = None
    on_read: Callable[[Document], None] | None = None
    on_embed_start: Callable[[int], None] | None = None
    on_embed_batch: Callable[[int], None] | None = None


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
) -> IngestReport:
    hooks = hooks or IngestHooks()
    started = time.perf_counter()
    corpus = CorpusReader(corpus_dir, max_file_bytes)
    with IngestLock(index_dir, lock_timeout_s, hooks.on_wait):
        if rebuild:
            clear_index(index_dir)
        catalog = Catalog.open(index_dir, create=True)
        try:
            check_model(catalog, embedder.model_id)
            report = _sync(catalog, corpus, embedder, chunk_tokens, hooks)
            _checkpoint("committed")
            if not caches_in_sync(index_dir, catalog):
                rebuild_caches(index_dir, catalog, embedder.model_id, embedder.dimension)
                catalog.prune_embeddings(embedder.model_id)
            _checkpoint("cached")
            report.generation = catalog.generation
        finally:
            catalog.close()
    report.failed = corpus.problems
    report.model_id = embedder.model_id
    report.seconds = round(time.perf_counter() - started, 3)
    return report


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


def _sync(
    catalog: Catalog,
    corpus: CorpusReader,
    embedder: Embedder,
    chunk_tokens: int,
    hooks: IngestHooks,
) -> IngestReport:
    """Documents stream past one at a time; only new and changed ones are kept."""
    chunker_id = f"{CHUNKER_VERSION}/{chunk_tokens}"
    report = IngestReport()
    stored = catalog.stored_documents()
    stored_chunks = catalog.chunk_ids_by_doc()
    chunker: Chunker | None = None
    changed: list[Written] = []
    present: set[str] = set()
    for document in corpus.documents():
        if hooks.on_read:
            hooks.on_read(document)
        present.add(document.source_key)
        doc_print = fingerprint(document, chunker_id)
        before = stored.get(document.source_key)
        if before is not None and before.fingerprint == doc_print and before.id == document.id:
            report.documents.unchanged += 1
            report.chunks.unchanged += len(stored_chunks.get(before.id, ()))
            continue
        chunker = chunker or Chunker(TokenCounter(embedder.model_dir), chunk_tokens)
        chunks = chunker.chunk(document)
        sentences = document_sentences(document)
        changed.append(Written(document, chunks, sentences, doc_print, chunker_id))
        _count_chunks(report, stored_chunks.get(before.id, set()) if before else set(), chunks)
        if before is None:
            report.documents.added += 1
        else:
            report.documents.updated += 1
    removed = _removed(stored, present, corpus.problems)
    for doc_id in removed:
        report.documents.removed += 1
        report.chunks.removed += len(stored_chunks.get(doc_id, ()))
    report.embedded, report.embedded_sentences = _embed_missing(catalog, embedder, changed, hooks)
    _checkpoint("embedded")
    if changed or removed or catalog.get_meta("model_id") is None:
        meta = {"model_id": embedder.model_id, "dimension": str(embedder.dimension)}
        catalog.replace_documents(changed, removed, meta | {"last_ingest": now()})
    return report


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
        if key not in present and not any(before.comes_from(file) for file in failed)
    ]


def _embed_missing(
    catalog: Catalog, embedder: Embedder, changed: list[Written], hooks: IngestHooks
) -> tuple[int, int]:
    """Chunks and sentences the cache lacks, embedded in one pass; (chunks, sentences)."""
    chunk_texts = {c.text_hash: c.embed_text for written in changed for c in written.chunks}
    sentence_texts = {
        s.text_hash: sentence_text(written.document, s.span)
        for written in changed
        for s in written.sentences
    }
    texts = sentence_texts | chunk_texts
    missing = sorted(catalog.missing_embeddings(embedder.model_id, texts))
    if not missing:
        return 0, 0
    if hooks.on_embed_start:
        hooks.on_embed_start(len(missing))
    vectors = embedder.embed([texts[text_hash] for text_hash in missing], hooks.on_embed_batch)
    catalog.save_embeddings(embedder.model_id, missing, vectors)
    chunks = sum(text_hash in chunk_texts for text_hash in missing)
    return chunks, len(missing) - chunks
