"""The one settings object, read at the edge (CLI, UI, Assistant.open) from ASKALIGN_* env."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASKALIGN_", extra="ignore")

    corpus_dir: Path = Field(default=Path("corpus"), description="Where the texts live.")
    index_dir: Path = Field(default=Path("index"), description="Where the index is written.")
    max_file_mb: float = Field(default=20.0, gt=0, description="Larger corpus files are refused.")
    chunk_tokens: int = Field(
        default=192, ge=32, le=254, description="Target chunk size in the model's word pieces."
    )
    lock_timeout_s: float = Field(
        default=600, ge=0, description="How long an ingest waits for another to finish."
    )
    commit_texts: int = Field(
        default=256,
        ge=1,
        description="Vectors committed at a time; a killed ingest keeps the rest.",
    )

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 2**20)
