"""The index as a llama-index retriever, for any llama-index query or chat engine.

Apart from `retrieve.py` because importing llama-index takes seconds: answering a
question does not need it, so it does not wait for it.
"""

from __future__ import annotations

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from askalign.retrieval.search import Filters, Hit, Mode, Searcher


def to_node(hit: Hit) -> NodeWithScore:
    chunk = hit.chunk
    metadata = {
        "doc_id": chunk.doc_id,
        "doc_title": chunk.doc_title,
        "speaker": chunk.speaker,
        "role": chunk.role.value,
        "section": " > ".join(chunk.section),
        "start": chunk.start,
        "end": chunk.end,
        "url": chunk.url,
        "reply_to": chunk.reply_to,
    }
    node = TextNode(id_=chunk.id, text=chunk.text, metadata=metadata)
    return NodeWithScore(node=node, score=hit.score)


class ChunkRetriever(BaseRetriever):
    """The index as a llama-index retriever: `retrieve(question) -> list[NodeWithScore]`."""

    def __init__(
        self,
        searcher: Searcher,
        *,
        k: int = 5,
        filters: Filters | None = None,
        mode: Mode = Mode.HYBRID,
    ) -> None:
        super().__init__()
        self.searcher = searcher
        self.k = k
        self.filters = filters or Filters()
        self.mode = mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.searcher.search(
            query_bundle.query_str, k=self.k, filters=self.filters, mode=self.mode
        )
        return [to_node(hit) for hit in hits]
