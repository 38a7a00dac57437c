"""`askalign bench ingest`: ingest measured side by side with its ceiling and its peer.

Each measurement runs in a fresh Python process, so peak memory is its own. The
ceiling is `SentenceTransformer.encode` on the same chunk texts; the peer is
llama-index's default path (SentenceSplitter, HuggingFaceEmbedding on the same model
directory, VectorStoreIndex). Model loading is timed apart from the work itself.
`askalign bench retrieval` scores our retrieval against llama-index's pipeline twice:
as shipped, and with chunks sized to what the model embeds.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from askalign.settings import Settings

if TYPE_CHECKING:  # imported where used: llama-index's peers need the bench extra
    from llama_index.core.node_parser import SentenceSplitter

EDIT_FILE = "foom-and-doom-2-technical-alignment-is-hard.txt"
EDIT_FROM = "From my perspective, the next step is obvious"
EDIT_TO = "As I see it, the next step is obvious"


class Measurement(BaseModel):
    name: str
    seconds: float
    load_seconds: float = 0.0
    items: int = 0
    embedded: int | None = None
    model_loaded: bool | None = None
    peak_rss_mb: float = 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _chunk_texts(corpus: Path, settings: Settings) -> list[str]:
    from askalign.embedding import packaged_model_dir
    from askalign.ingest.chunking import Chunker
    from askalign.ingest.corpus import scan_corpus
    from askalign.text.tokens import TokenCounter

    chunker = Chunker(TokenCounter(packaged_model_dir()), settings.chunk_tokens)
    documents = scan_corpus(corpus, settings.max_file_bytes).documents
    return [chunk.embed_text for doc in documents for chunk in chunker.chunk(doc)]


def measure_raw_encode(corpus: Path, _index: Path) -> Measurement:
    from sentence_transformers import SentenceTransformer

    from askalign.embedding import BATCH_SIZE, packaged_model_dir

    texts = _chunk_texts(corpus, Settings())
    started = time.perf_counter()
    model = SentenceTransformer(str(packaged_model_dir()), device="cpu")
    loaded = time.perf_counter()
    model.encode(texts, batch_size=BATCH_SIZE, normalize_embeddings=True)
    done = time.perf_counter()
    return Measurement(
        name="raw encode", seconds=done - loaded, load_seconds=loaded - started, items=len(texts)
    )


def measure_ingest(corpus: Path, index: Path, *, preload: bool, name: str) -> Measurement:
    if preload:  # imported before the clock starts, as in the other measurements
        import sentence_transformers  # noqa: F401

    from askalign.embedding import Embedder
    from askalign.ingest.pipeline import ingest_with

    # the local engine whatever ASKALIGN_ENGINE says: the peers it is measured beside are local
    update = {"corpus_dir": corpus, "index_dir": index, "engine": "local"}
    settings = Settings().model_copy(update=update)
    embedder = Embedder()
    started = time.perf_counter()
    if preload:
        embedder.embed(["warm up"])
    loaded = time.perf_counter()
    report = ingest_with(settings, embedder=embedder)
    done = time.perf_counter()
    return Measurement(
        name=name,
        seconds=done - loaded,
        load_seconds=loaded - started,
        items=report.chunks.added + report.chunks.unchanged,
        embedded=report.embedded,
        model_loaded="_model" in embedder.__dict__,
    )


def measure_peer(corpus: Path, _index: Path) -> Measurement:
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from askalign.embedding import packaged_model_dir

    started = time.perf_counter()
    LlamaSettings.embed_model = HuggingFaceEmbedding(model_name=str(packaged_model_dir()))
    loaded = time.perf_counter()
    documents = SimpleDirectoryReader(
        str(corpus), required_exts=[".txt", ".md", ".html"]
    ).load_data()
    index = VectorStoreIndex.from_documents(documents, transformations=[SentenceSplitter()])
    done = time.perf_counter()
    return Measurement(
        name="llama-index default",
        seconds=done - loaded,
        load_seconds=loaded - started,
        items=len(index.docstore.docs),
    )


WORKERS = {
    "raw": measure_raw_encode,
    "ours": lambda corpus, index: measure_ingest(
        corpus, index, preload=True, name="askalign ingest"
    ),
    "noop": lambda corpus, index: measure_ingest(
        corpus, index, preload=False, name="no-op re-ingest"
    ),
    "edit": lambda corpus, index: measure_ingest(
        corpus, index, preload=True, name="one paragraph changed"
    ),
    "peer": measure_peer,
}


def run_worker(name: str, corpus: Path, index: Path) -> None:
    """Entry point of one measuring process: prints its Measurement as JSON."""
    measurement = WORKERS[name](corpus, index)
    measurement.peak_rss_mb = _peak_rss_mb()
    print(json.dumps(measurement.model_dump()))


def _spawn(name: str, corpus: Path, index: Path) -> Measurement:
    result = subprocess.run(
        [sys.executable, "-m", "askalign.bench.ingest", name, str(corpus), str(index)],
        capture_output=True,
        text=True,
        check=True,
    )
    return Measurement.model_validate_json(result.stdout.strip().splitlines()[-1])


def bench_ingest(corpus: Path) -> list[Measurement]:
    with tempfile.TemporaryDirectory(prefix="askalign-bench-") as scratch:
        work = Path(scratch)
        shutil.copytree(corpus, work / "corpus")
        index = work / "index"
        results = [_spawn(name, work / "corpus", index) for name in ("raw", "ours", "noop")]
        edited = work / "corpus" / EDIT_FILE
        if edited.exists():
            edited.write_text(edited.read_text("utf-8").replace(EDIT_FROM, EDIT_TO, 1), "utf-8")
            results.append(_spawn("edit", work / "corpus", index))
        results.append(_spawn("peer", corpus, work / "peer-index"))
    return results


class RetrievalComparison(BaseModel):
    system: str
    setup: str = ""
    recall_at_k: float
    evidence_coverage_at_k: float
    mrr: float
    chunks: int


class RetrievalBench(BaseModel):
    ours: list[RetrievalComparison]  # one per retrieval mode, hybrid (what `ask` uses) first
    peer_sized: RetrievalComparison  # the fair peer: chunks the model embeds whole
    peer_default: RetrievalComparison  # llama-index as shipped: 1,024-token chunks


PEER_CHUNK_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length: it embeds no more
PEER_CHUNK_OVERLAP = 32  # about a sentence, as askalign's chunks overlap by one


def _peer_splitter(chunk_tokens: int | None) -> SentenceSplitter:
    """llama-index's SentenceSplitter as shipped (`None`: 1,024 tiktoken tokens, its
    encoding read from the cache llama-index bundles, so nothing is fetched), or sized in
    the embedding model's own word pieces, so that a chunk (with the file-path metadata
    llama-index counts into it) is what the model embeds, bar the last two word pieces
    of the fullest chunks, which [CLS] and [SEP] push out."""
    from llama_index.core.node_parser import SentenceSplitter

    from askalign.embedding import packaged_model_dir
    from askalign.text.tokens import load_tokenizer

    if chunk_tokens is None:
        return SentenceSplitter()
    word_pieces = load_tokenizer(packaged_model_dir())
    return SentenceSplitter(
        chunk_size=chunk_tokens,
        chunk_overlap=PEER_CHUNK_OVERLAP,
        tokenizer=lambda text: word_pieces.encode(text, add_special_tokens=False).ids,
    )


def peer_retrieval(
    corpus: Path, questions_file: Path, k: int, chunk_tokens: int | None = None
) -> RetrievalComparison:
    """llama-index's pipeline on the same model: SentenceSplitter nodes (`_peer_splitter`)
    in a VectorStoreIndex, its BM25Retriever, fused by reciprocal rank as its
    QueryFusionRetriever does (which would demand an LLM, so the fusion is done here)."""
    from llama_index.core import SimpleDirectoryReader, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.retrievers.bm25 import BM25Retriever

    from askalign.embedding import packaged_model_dir
    from askalign.evaluation import evidence_recall, first_rank, load_questions, rank_metrics
    from askalign.retrieval.search import CANDIDATES

    reader = SimpleDirectoryReader(str(corpus), required_exts=[".txt", ".md", ".html"])
    splitter = _peer_splitter(chunk_tokens)
    nodes = splitter.get_nodes_from_documents(reader.load_data())
    embed_model = HuggingFaceEmbedding(model_name=str(packaged_model_dir()))
    dense = VectorStoreIndex(nodes, embed_model=embed_model).as_retriever(
        similarity_top_k=CANDIDATES
    )
    lexical = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(CANDIDATES, len(nodes)))
    texts = {node.node_id: node.get_content() for node in nodes}
    ranks, coverage = [], []
    answerable = [q for q in load_questions(questions_file) if q.evidence]
    for question in answerable:
        rankings = [
            [hit.node.node_id for hit in retriever.retrieve(question.question)]
            for retriever in (dense, lexical)
        ]
        top = [texts[node_id] for node_id in reciprocal_rank_fusion(rankings)[:k]]
        ranks.append(first_rank(top, question.evidence))
        coverage.append(evidence_recall(top, question.evidence))
    recall, mrr = rank_metrics(ranks)
    unit = "model word pieces" if chunk_tokens else "tiktoken tokens, its default"
    sizes = f"chunk_size={splitter.chunk_size}, chunk_overlap={splitter.chunk_overlap} ({unit})"
    return RetrievalComparison(
        system=f"llama-index {chunk_tokens}-token" if chunk_tokens else "llama-index default",
        setup=f"SentenceSplitter {sizes}; same model, VectorStoreIndex, BM25, RRF",
        recall_at_k=recall,
        evidence_coverage_at_k=round(sum(coverage) / (len(answerable) or 1), 3),
        mrr=mrr,
        chunks=len(nodes),
    )


RRF_K = 60  # llama-index's QueryFusionRetriever default, from Cormack et al. (2009)


def reciprocal_rank_fusion(rankings: list[list[str]]) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            scores[item] = scores.get(item, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(scores, key=lambda item: -scores[item])


def bench_retrieval(corpus: Path, index: Path, questions_file: Path, k: int) -> RetrievalBench:
    """Ours (each retrieval mode) and both peers, on the same questions, in one run."""
    from askalign.assistant import Assistant
    from askalign.evaluation import load_questions, retrieval_only

    assistant = Assistant.open(index)
    chunks = assistant.searcher.index.catalog.counts()[1]
    ours = [
        RetrievalComparison(
            system=f"askalign {metrics.mode}",
            recall_at_k=metrics.recall_at_k,
            evidence_coverage_at_k=metrics.evidence_coverage_at_k,
            mrr=metrics.mrr,
            chunks=chunks,
        )
        for metrics in retrieval_only(assistant, load_questions(questions_file), k)
    ]
    return RetrievalBench(
        ours=ours,
        peer_sized=peer_retrieval(corpus, questions_file, k, PEER_CHUNK_TOKENS),
        peer_default=peer_retrieval(corpus, questions_file, k),
    )


if __name__ == "__main__":
    run_worker(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
