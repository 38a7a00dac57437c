"""The one settings object, read at the edge (CLI, UI, Assistant.open) from ASKALIGN_* env."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from askalign.documents import MAX_FILE_MB
from askalign.embedding import Backend, default_model_cache
from askalign.reader import ReaderMode

if TYPE_CHECKING:  # imported only when a model is configured
    from askalign.llm.client import ChatModel


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASKALIGN_", extra="ignore", populate_by_name=True)

    corpus_dir: Path = Field(default=Path("corpus"), description="Where the texts live.")
    index_dir: Path = Field(default=Path("index"), description="Where the index is written.")
    engine: str = Field(
        default="local",
        validation_alias=AliasChoices("ASKALIGN_ENGINE", "ASKALIGN_STORE"),  # STORE: before 2026-12
        description="Search engine: local (FAISS + BM25 files in the index directory),"
        " milvus:PATH.db (Milvus Lite) or http(s)://HOST:19530 (a Milvus server).",
    )
    milvus_token: SecretStr | None = Field(
        default=None, description="Credentials for a Milvus server (`user:password` or a key)."
    )
    max_file_mb: float = Field(
        default=MAX_FILE_MB, gt=0, description="Larger corpus files are refused."
    )
    fetch_timeout_s: float = Field(
        default=30,
        gt=0,
        description="`add URL`: the longest one request to the site may take, all of it.",
    )
    chunk_tokens: int = Field(
        default=192, ge=32, le=254, description="Target chunk size in the model's word pieces."
    )
    embed_backend: Backend = Field(
        default=Backend.ONNX,
        description="onnx (no torch when answering) or torch: the same vectors either way.",
    )
    model_cache: Path = Field(
        default_factory=default_model_cache,
        description="Where the model exported to ONNX is kept, one folder per model version.",
    )
    reader: ReaderMode = Field(
        default=ReaderMode.OFF,
        description="The reader model that scores a question against a sentence: off (the"
        " default: on held-out questions it gained nothing and cost ~70x the time), on, or"
        " auto (on when askalign[reader] is installed).",
    )
    reader_wait_s: float = Field(
        default=0.05,
        ge=0,
        description="How long an answer waits for the reader while another answer uses it;"
        " past that it is composed without it (Answer.reader = busy).",
    )
    reader_candidates: int = Field(
        6, ge=1, le=16, description="Sentences the reader reads a question (cost ~0.1 s each)."
    )
    reader_threads: int = Field(
        default=0, ge=0, description="CPU threads the reader uses; 0: as many as cores, up to 4."
    )
    lock_timeout_s: float = Field(
        default=600, ge=0, description="How long an ingest waits for another to finish."
    )
    commit_texts: int = Field(
        default=256,
        ge=1,
        description="Vectors committed at a time; a killed ingest keeps the rest.",
    )

    auth_file: Path | None = Field(
        default=None,
        description="`user:hash` lines (`askalign user add`); with it, `serve` asks for a login.",
    )
    max_question_chars: int = Field(
        default=2000, ge=1, description="Longer questions are refused, not cut short."
    )
    queue_size: int = Field(
        default=64, ge=1, description="Requests a server holds at once; more are told to retry."
    )
    feedback_per_minute: int = Field(
        default=30, ge=1, description="Thumbs a server stores per minute; more are turned away."
    )
    exports_per_minute: int = Field(
        default=30, ge=1, description="Exports (conversation, map) a server makes per minute."
    )
    llm_url: str | None = Field(
        default=None,
        description="Your own model: an OpenAI-compatible base URL (Ollama:"
        " http://127.0.0.1:11434/v1, llama.cpp's server: http://127.0.0.1:8080/v1)."
        " Unset: extractive answers only.",
    )
    llm_model: str | None = Field(default=None, description="The model name the server knows.")
    llm_api_key: SecretStr | None = Field(default=None, description="Sent as a Bearer token.")
    llm_timeout_s: float = Field(
        default=60,
        gt=0,
        description="How long an answer waits on your model, all its calls together (not"
        " per read): a slower reply falls back to the extractive answer.",
    )
    llm_max_reply_bytes: int = Field(
        default=2**20,  # a reply is a few claims: ~2-20 kB
        ge=1024,
        description="A longer reply from your model is not read on: the answer falls back.",
    )

    @property
    def milvus_token_value(self) -> str | None:
        return self.milvus_token.get_secret_value() if self.milvus_token else None

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)

    def chat_model(self, url: str | None = None, model: str | None = None) -> ChatModel | None:
        """The user's own model, when a URL is set (given here, else ASKALIGN_LLM_URL)."""
        url, model = url or self.llm_url, model or self.llm_model
        if not url:
            return None
        from askalign.llm.client import OpenAICompatibleClient
        from askalign.llm.secrets import without_credentials

        if not model:
            raise ValueError(
                f"a model URL is set ({without_credentials(url)}) but no model name:"
                " set ASKALIGN_LLM_MODEL"
            )
        key = self.llm_api_key.get_secret_value() if self.llm_api_key else None
        return OpenAICompatibleClient(
            url,
            model,
            api_key=key,
            timeout_s=self.llm_timeout_s,
            max_reply_bytes=self.llm_max_reply_bytes,
        )
