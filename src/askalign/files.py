"""Atomic writes: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Let `write` fill a temp file beside `path`, flush it to disk, then rename it over."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(temp)
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_json_atomic(path: Path, payload: dict) -> None:
    write_atomic(path, lambda temp: temp.write_text(json.dumps(payload, indent=2), "utf-8"))


def read_json(path: Path) -> dict | None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None


def replace_dir_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Directories cannot be renamed over: the old one steps aside first. A crash in
    between leaves no directory, which the caller treats as a cache to rebuild."""
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(parents=True)
    try:
        write(temp)
        if path.exists():
            os.replace(path, old)
        os.replace(temp, path)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
