"""What answering reads from the catalog, fetched as questions need it and kept in
small caches: chunks by id, documents, and each document's sentences with their
vectors. Opening an index therefore reads nothing in proportion to the corpus.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

import numpy as np

from askalign.documents import Chunk, Document, Passage
from askalign.index.contract import ChunkSource
from askalign.text.sentences import Sentence

Key = TypeVar("Key")
Value = TypeVar("Value")
DOCUMENTS_KEPT = 64
CHUNKS_KEPT = 4096


class Recent(Generic[Key, Value]):
    """The last `size` values fetched, the oldest dropped first."""

    def __init__(self, size: int, fetch: Callable[[Key], Value]) -> None:
        self.size = size
        self.fetch = fetch
        self.kept: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()  # a server's threads share one shelf

    def __call__(self, key: Key) -> Value:
        with self._lock:
            if key in self.kept:
                self.kept.move_to_end(key)
                return self.kept[key]
        value = self.fetch(key)
        with self._lock:
            self.kept[key] = value
            if len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return value


class DocumentSentences:
    """One document's sentences in text order, their rowids and vectors."""

    def __init__(self, rows: list[tuple[int, Sentence]], vectors: np.ndarray) -> None:
        self.rowids = [rowid for rowid, _ in rows]
        self.sentences = [sentence for _, sentence in rows]
        self.starts = [sentence.start for sentence in self.sentences]
        self.position = {rowid: at for at, rowid in enumerate(self.rowids)}
        self.vectors = vectors


class Documents(Mapping[str, Document]):
    """Documents by id, read from the catalog when first asked for."""

    def __init__(self, catalog: ChunkSource) -> None:
        self.catalog = catalog
        self._recent: Recent[str, Document | None] = Recent(DOCUMENTS_KEPT, catalog.document)
        self._passages: Recent[str, dict[str, Passage]] = Recent(
            DOCUMENTS_KEPT, lambda doc_id: {p.id: p for p in self[doc_id].passages}
        )

    def __getitem__(self, doc_id: str) -> Document:
        document = self._recent(doc_id)
        if document is None:
            raise KeyError(doc_id)
        return document

    def __contains__(self, doc_id: object) -> bool:
        return isinstance(doc_id, str) and self.catalog.has_document(doc_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalog.document_ids())

    def __len__(self) -> int:
        return self.catalog.counts()[0]

    def passage(self, doc_id: str, passage_id: str) -> Passage | None:
        return self._passages(doc_id).get(passage_id)


class SentenceRows(Mapping[int, Sentence]):
    """Sentences by rowid, each read with the rest of its document's."""

    def __init__(self, table: SentenceTable) -> None:
        self.table = table

    def __getitem__(self, rowid: int) -> Sentence:
        of_doc = self.table.of_document(self.table.doc_of(rowid))
        return of_doc.sentences[of_doc.position[rowid]]

    def __iter__(self) -> Iterator[int]:
        return iter(self.table.catalog.rowids("sentences").tolist())

    def __len__(self) -> int:
        return self.table.catalog.count_sentences()


class SentenceTable:
    """Sentences a document at a time: which lie in a span, their neighbours, vectors."""

    def __init__(self, catalog: ChunkSource, model_id: str, dimension: int) -> None:
        self.catalog = catalog
        self.model_id = model_id
        self.dimension = dimension
        self.rows = SentenceRows(self)
        self.of_document: Recent[str, DocumentSentences] = Recent(DOCUMENTS_KEPT, self._read)
        self._doc_of: dict[int, str] = {}

    def _read(self, doc_id: str) -> DocumentSentences:
        rows = self.catalog.sentences_of(doc_id)
        vectors = self.catalog.embeddings(
            self.model_id, self.dimension, [sentence.text_hash for _, sentence in rows]
        )
        self._doc_of.update((rowid, doc_id) for rowid, _ in rows)
        return DocumentSentences(rows, vectors)

    def doc_of(self, rowid: int) -> str:
        if rowid not in self._doc_of:
            self._doc_of[rowid] = self.catalog.sentence_document(rowid)
        return self._doc_of[rowid]

    def overlapping(self, doc_id: str, start: int, end: int) -> list[int]:
        of_doc = self.of_document(doc_id)
        first = max(bisect_right(of_doc.starts, start) - 1, 0)
        found = []
        for at in range(first, len(of_doc.sentences)):
            sentence = of_doc.sentences[at]
            if sentence.start >= end:
                break
            if sentence.end > start:
                found.append(of_doc.rowids[at])
        return found

    def neighbours(self, rowid: int) -> tuple[int | None, int | None]:
        """The sentences before and after this one in its passage."""
        of_doc = self.of_document(self.doc_of(rowid))
        at = of_doc.position[rowid]
        passage_id = of_doc.sentences[at].passage_id
        before = at - 1 if at > 0 else None
        after = at + 1 if at + 1 < len(of_doc.rowids) else None
        return (
            _in_passage(of_doc, before, passage_id),
            _in_passage(of_doc, after, passage_id),
        )

    def vectors_of(self, rowids: list[int]) -> np.ndarray:
        if not rowids:
            return np.zeros((0, self.dimension), np.float32)
        rows = []
        for rowid in rowids:
            of_doc = self.of_document(self.doc_of(rowid))
            rows.append(of_doc.vectors[of_doc.position[rowid]])
        return np.vstack(rows)


def _in_passage(of_doc: DocumentSentences, at: int | None, passage_id: str) -> int | None:
    if at is None or of_doc.sentences[at].passage_id != passage_id:
        return None
    return of_doc.rowids[at]


class Shelf:
    """The catalog as answering reads it."""

    def __init__(self, catalog: ChunkSource, model_id: str, dimension: int) -> None:
        self.catalog = catalog
        self.model_id = model_id
        self.dimension = dimension
        self.documents = Documents(catalog)
        self.sentences = SentenceTable(catalog, model_id, dimension)
        self._chunks: Recent[str, Chunk | None] = Recent(CHUNKS_KEPT, catalog.chunk)

    def chunk(self, chunk_id: str) -> Chunk | None:
        """None for a chunk an ingest removed since the engine's results were found."""
        return self._chunks(chunk_id)

    def chunk_vectors(self, chunks: list[Chunk]) -> np.ndarray:
        return self.catalog.embeddings(
            self.model_id, self.dimension, [chunk.text_hash for chunk in chunks]
        )
