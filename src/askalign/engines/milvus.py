"""Milvus as the search engine: Milvus Lite (a `.db` file, served inside this process)
or a Milvus server by URI, with the same client code.

Chunks and sentences live in two collections keyed as the catalog keys them (chunk id,
sentence rowid), so `sync` is a set difference, and a sync killed midway converges when
run again: rows are upserted by key, and the catalog generation is recorded last.

BM25 runs inside Milvus over the terms the catalog keeps for the local engine (stemmed,
English stop words dropped), joined by spaces: Milvus Lite's analyzer has no stemmer and
no English stop list, and analysing here keeps Lite, a server and the local engine in
agreement.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np

from askalign.engines.base import (
    SENTENCE_CANDIDATES,
    MissingExtraError,
    Progress,
    Ranked,
    Scope,
    SyncReport,
)
from askalign.index.contract import ChunkSource
from askalign.index.errors import IndexProblem, check_model
from askalign.index.rows import ChunkRow, SentenceRow
from askalign.text.terms import terms

LIST_BATCH = 4096  # keys per page when listing what a collection holds, and per delete
KEY_LENGTH = 512  # chunk and document ids, speaker names: bytes
MAX_VARCHAR = 65535  # Milvus's limit for a VARCHAR field: bytes
MAX_CHUNKS_PER_SENTENCE = 256
GENERATION = "askalign.generation"  # collection properties of the chunks collection
MODEL = "askalign.model_id"
CATALOG = "askalign.catalog_id"  # a rebuilt catalog restarts rowids and generations
BM25 = {"bm25_k1": 1.5, "bm25_b": 0.75}  # bm25s's defaults, as the local engine scores
R = TypeVar("R")


class MilvusEngine:
    """Searches `{collection}_chunks` (dense, BM25) and `{collection}_sentences` (dense).

    Milvus Lite serves a `.db` file to one process at a time, until that process exits:
    sync and search in the same process, or use a server."""

    name = "milvus"

    def __init__(
        self,
        uri: str,
        *,
        dimension: int,
        model_id: str,
        collection: str = "askalign",
        token: str | None = None,
    ) -> None:
        self.uri = uri
        self.dimension = dimension
        self.model_id = model_id
        self.chunk_collection = f"{collection}_chunks"
        self.sentence_collection = f"{collection}_sentences"
        self.lite = uri.endswith(".db")
        self.pymilvus = _modules(self.lite)
        self.client = self._connect(token)
        if self._holds_model():  # Lite leaves collections released when it restarts
            for name in (self.chunk_collection, self.sentence_collection):
                self.client.load_collection(name)

    def _connect(self, token: str | None) -> Any:
        if self.lite:  # pymilvus will not create the folder
            Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
        try:
            return self.pymilvus.MilvusClient(self.uri, token=token or "")
        except self.pymilvus.MilvusException as error:
            hint = " (Milvus Lite lets one process at a time open a file)" if self.lite else ""
            raise IndexProblem(f"cannot open Milvus at {self.uri}{hint}: {error}") from error

    def describe(self) -> str:
        where = "Milvus Lite file" if self.lite else "Milvus server"
        collections = f"{self.chunk_collection} and {self.sentence_collection}"
        return f"milvus ({where} {self.uri}, collections {collections})"

    def open(self, catalog: ChunkSource) -> MilvusEngine:
        """Nothing to read from the catalog: hits carry chunk ids, and the collections
        were loaded on connecting."""
        return self

    # --- keeping in line with the catalog -------------------------------------------
    def in_sync(self, catalog: ChunkSource) -> bool:
        properties = self._properties()
        return (
            properties.get(MODEL) == self.model_id
            and properties.get(CATALOG) == catalog.identity
            and properties.get(GENERATION) == str(catalog.generation)
            and self.client.has_collection(self.sentence_collection)
        )

    def sync(self, catalog: ChunkSource, progress: Progress | None = None) -> SyncReport:
        check_model(catalog, self.model_id)
        generation = catalog.generation  # before reading rows: a commit meanwhile re-syncs
        rebuilt = self._prepare(catalog)
        chunks_removed, chunks_added = self._sync_chunks(catalog, progress)
        sentences_removed, sentences_added = self._sync_sentences(catalog, progress)
        for name in (self.chunk_collection, self.sentence_collection):
            self.client.flush(name)
        self.client.alter_collection_properties(
            self.chunk_collection, properties={GENERATION: str(generation)}
        )
        return SyncReport(
            chunks_added=chunks_added,
            chunks_removed=chunks_removed,
            sentences_added=sentences_added,
            sentences_removed=sentences_removed,
            rebuilt=rebuilt,
        )

    def _sync_chunks(self, catalog: ChunkSource, progress: Progress | None) -> tuple[int, int]:
        """A chunk whose catalog rowid changed was rewritten (its document re-ingested,
        perhaps with another speaker under the same id): it is upserted again."""
        held = {
            row["id"]: row["rowid"] for row in self._held(self.chunk_collection, ["id", "rowid"])
        }
        wanted = catalog.chunk_rowids()
        gone = [chunk_id for chunk_id in held if chunk_id not in wanted]
        missing = sorted(rowid for chunk_id, rowid in wanted.items() if held.get(chunk_id) != rowid)
        self._delete(self.chunk_collection, gone)
        batches = catalog.chunk_rows(self.model_id, self.dimension, np.array(missing, np.int64))
        entities = partial(_chunk_entities, catalog)
        added = self._upsert(
            self.chunk_collection, batches, entities, progress, "chunks", len(missing)
        )
        return len(gone), added

    def _sync_sentences(self, catalog: ChunkSource, progress: Progress | None) -> tuple[int, int]:
        """Sentence rowids are never reused by a catalog: a rewritten sentence is a new row."""
        held = {row["rowid"] for row in self._held(self.sentence_collection, ["rowid"])}
        wanted = set(catalog.rowids("sentences").tolist())
        gone = sorted(held - wanted)
        missing = np.array(sorted(wanted - held), np.int64)
        self._delete(self.sentence_collection, gone)
        batches = catalog.sentence_rows(self.model_id, self.dimension, missing)
        added = self._upsert(
            self.sentence_collection,
            batches,
            _sentence_entities,
            progress,
            "sentences",
            len(missing),
        )
        return len(gone), added

    def _held(self, collection: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        """Paged, so a collection of 10^6 rows is listed in bounded memory."""
        pages = self.client.query_iterator(collection, batch_size=LIST_BATCH, output_fields=fields)
        try:
            while page := pages.next():
                yield from page
        finally:
            pages.close()

    def _delete(self, collection: str, keys: list[Any]) -> None:
        for start in range(0, len(keys), LIST_BATCH):
            self.client.delete(collection, ids=keys[start : start + LIST_BATCH])

    def _upsert(
        self,
        collection: str,
        batches: Iterable[list[R]],
        entities: Callable[[list[R]], list[dict[str, Any]]],
        progress: Progress | None,
        what: str,
        total: int,
    ) -> int:
        done = 0
        for rows in batches:
            self.client.upsert(collection, entities(rows))
            done += len(rows)
            if progress:
                progress(what, done, total)
        return done

    # --- collections -----------------------------------------------------------------
    def _properties(self) -> dict[str, str]:
        if not self.client.has_collection(self.chunk_collection):
            return {}
        return self.client.describe_collection(self.chunk_collection).get("properties", {})

    def _holds_model(self) -> bool:
        return self._properties().get(MODEL) == self.model_id and self.client.has_collection(
            self.sentence_collection
        )

    def _prepare(self, catalog: ChunkSource) -> bool:
        """Whether the collections were made afresh: missing, half made, holding another
        model's vectors (whose dimension may differ too) or another catalog's rows."""
        if self._holds_model() and self._properties().get(CATALOG) == catalog.identity:
            return False
        for name in (self.chunk_collection, self.sentence_collection):
            if self.client.has_collection(name):
                self.client.drop_collection(name)
        self._create(
            self.chunk_collection,
            self._chunk_schema(),
            self._index("sparse"),
            {MODEL: self.model_id, CATALOG: catalog.identity},
        )
        self._create(self.sentence_collection, self._sentence_schema(), self._index(), {})
        return True

    def _create(self, name: str, schema: Any, index: Any, properties: dict[str, str]) -> None:
        """Strong consistency: a search right after a sync sees all of it. Lite builds an
        index as it is asked to: waiting for it would poll an RPC Lite lacks, which logs
        a traceback, and sleep half a second per index."""
        self.client.create_collection(
            name, schema=schema, consistency_level="Strong", properties=properties
        )
        self.client.create_index(name, index, sync=not self.lite)
        self.client.load_collection(name)

    def _chunk_schema(self) -> Any:
        types = self.pymilvus.DataType
        schema = self._schema("id", types.VARCHAR)
        schema.add_field("rowid", types.INT64)
        schema.add_field(
            "terms",
            types.VARCHAR,
            max_length=MAX_VARCHAR,
            enable_analyzer=True,
            analyzer_params={"tokenizer": "standard"},
        )
        schema.add_field("sparse", types.SPARSE_FLOAT_VECTOR)
        schema.add_function(
            self.pymilvus.Function(
                name="terms_bm25",
                function_type=self.pymilvus.FunctionType.BM25,
                input_field_names=["terms"],
                output_field_names=["sparse"],
            )
        )
        return schema

    def _sentence_schema(self) -> Any:
        types = self.pymilvus.DataType
        schema = self._schema("rowid", types.INT64)
        schema.add_field(
            "chunk_ids",
            types.ARRAY,
            element_type=types.VARCHAR,
            max_capacity=MAX_CHUNKS_PER_SENTENCE,
            max_length=KEY_LENGTH,
        )
        return schema

    def _schema(self, key: str, key_type: Any) -> Any:
        """A key, a vector and the fields a `Scope` filters on."""
        types = self.pymilvus.DataType
        schema = self.pymilvus.MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field(key, key_type, is_primary=True, max_length=KEY_LENGTH)
        schema.add_field("vector", types.FLOAT_VECTOR, dim=self.dimension)
        for field in ("speaker", "role", "doc_id"):
            schema.add_field(field, types.VARCHAR, max_length=KEY_LENGTH)
        return schema

    def _index(self, sparse: str | None = None) -> Any:
        """Exact dense search on Lite, whose scale a scan serves; a server picks its own."""
        index = self.client.prepare_index_params()
        kind = "FLAT" if self.lite else "AUTOINDEX"
        index.add_index("vector", index_type=kind, metric_type="IP")
        if sparse:
            index.add_index(
                sparse, index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params=BM25
            )
        return index

    # --- searching -------------------------------------------------------------------
    def dense(self, vector: np.ndarray, k: int, scope: Scope) -> Ranked:
        hits = self._search(self.chunk_collection, "vector", _float32(vector), k, scope, ["id"])
        return [(hit["id"], float(hit["distance"])) for hit in hits]

    def lexical(self, query: str, k: int, scope: Scope) -> Ranked:
        """Milvus Lite reports BM25 scores negated, a server as they are: both are ≥ 0."""
        [query_terms] = terms([query])
        if not query_terms:
            return []
        hits = self._search(
            self.chunk_collection, "sparse", " ".join(query_terms), k, scope, ["id"]
        )
        return [(hit["id"], abs(float(hit["distance"]))) for hit in hits]

    def by_sentence(self, vector: np.ndarray, k: int, scope: Scope) -> Ranked:
        hits = self._search(
            self.sentence_collection,
            "vector",
            _float32(vector),
            SENTENCE_CANDIDATES,
            scope,
            ["chunk_ids"],
        )
        best: dict[str, float] = {}
        for hit in hits:  # best first: a chunk keeps its best sentence's score
            for chunk_id in hit["entity"]["chunk_ids"]:
                best.setdefault(chunk_id, float(hit["distance"]))
        return sorted(best.items(), key=lambda pair: -pair[1])[: max(k, 0)]

    def _search(
        self, collection: str, field: str, query: Any, limit: int, scope: Scope, output: list[str]
    ) -> list[dict[str, Any]]:
        """The scope is a filter inside the search, so a top-k is never emptied by it."""
        if scope.empty or limit <= 0:
            return []
        [hits] = self.client.search(
            collection,
            data=[query],
            anns_field=field,
            limit=limit,
            filter=_filter(scope),
            output_fields=output,
        )
        return list(hits)

    def count(self) -> int:
        if not self.client.has_collection(self.chunk_collection):
            return 0
        [row] = self.client.query(self.chunk_collection, filter="", output_fields=["count(*)"])
        return int(row["count(*)"])

    def close(self) -> None:
        self.client.close()


def _modules(lite: bool) -> ModuleType:
    """pymilvus, imported on first use so that askalign imports without the extra."""
    try:
        if lite:
            importlib.import_module("milvus_lite")
        return importlib.import_module("pymilvus")
    except ImportError as error:
        raise MissingExtraError(
            f"the Milvus engine needs {error.name}: pip install 'askalign[milvus]'"
        ) from error


def _chunk_entities(catalog: ChunkSource, rows: list[ChunkRow]) -> list[dict[str, Any]]:
    """Terms as the catalog keeps them, tokenized once when the chunk was stored."""
    found = catalog.chunk_terms(np.array([row.rowid for row in rows], np.int64))
    return [
        {"id": row.id, "rowid": row.rowid, "terms": _fit(found[row.rowid]), **_scope_fields(row)}
        for row in rows
    ]


def _sentence_entities(rows: list[SentenceRow]) -> list[dict[str, Any]]:
    return [{"rowid": row.rowid, "chunk_ids": row.chunk_ids, **_scope_fields(row)} for row in rows]


def _scope_fields(row: ChunkRow | SentenceRow) -> dict[str, Any]:
    """The vector and what a `Scope` filters on (no speaker: an empty string)."""
    speaker = row.speaker or ""
    return {"vector": row.vector, "speaker": speaker, "role": row.role, "doc_id": row.doc_id}


def _fit(words: list[str]) -> str:
    """Space-separated, cut at a term if need be to fit a VARCHAR."""
    joined = " ".join(words)
    if len(joined.encode()) <= MAX_VARCHAR:
        return joined
    return joined.encode()[:MAX_VARCHAR].decode(errors="ignore").rsplit(" ", 1)[0]


def _filter(scope: Scope) -> str:
    """`field in [...]` per limited field. Values are quoted here: Milvus Lite ignores
    expression templates (`filter_params`)."""
    limits = {
        "speaker": scope.speakers,
        "role": None if scope.roles is None else [role.value for role in scope.roles],
        "doc_id": scope.docs,
    }
    return " and ".join(
        f"{field} in [{', '.join(_quoted(value) for value in values)}]"
        for field, values in limits.items()
        if values is not None
    )


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def _float32(vector: np.ndarray) -> np.ndarray:
    return np.asarray(vector, dtype=np.float32).reshape(-1)
