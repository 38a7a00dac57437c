"""Bytes on disk to text, refusing what is not text and saying what to do about it."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

from charset_normalizer import from_bytes

BINARY_SNIFF_BYTES = 8192
MAX_CONTROL_SHARE = 0.05
FIRST_GUESS = "cp1252"


class ReadError(Exception):
    """A file that cannot be taken into the corpus, with the reason and a fix."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class SourceText(NamedTuple):
    text: str
    content_hash: str
    notes: list[str]


def read_source(path: Path, max_bytes: int) -> SourceText:
    size = path.stat().st_size
    if size > max_bytes:
        raise ReadError(
            f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit",
            "split it into smaller files, or raise ASKALIGN_MAX_FILE_MB",
        )
    raw = path.read_bytes()
    if _looks_binary(raw[:BINARY_SNIFF_BYTES]):
        raise ReadError(
            "looks like a binary file, not text",
            "corpus/ takes .txt, .md, .html and .jsonl files: export the text and add that",
        )
    text, notes = _decode(raw)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ReadError("the file is empty", "add its text, or remove it from corpus/")
    return SourceText(text, hashlib.sha256(raw).hexdigest(), notes)


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(byte < 32 and byte not in b"\t\n\r\f\b" for byte in head)
    return bool(head) and controls / len(head) > MAX_CONTROL_SHARE


def _decode(raw: bytes) -> tuple[str, list[str]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        encoding = _guess_encoding(raw)
        note = (
            f"not valid UTF-8 (byte {error.start}); decoded as {encoding}:"
            " check the text and re-save the file as UTF-8"
        )
        return raw.decode(encoding, errors="replace"), [note]


def _guess_encoding(raw: bytes) -> str:
    """Windows-1252 first: it is what non-UTF-8 English text almost always is, and
    statistical detection misreads short English text as Central European."""
    try:
        raw.decode(FIRST_GUESS)
    except UnicodeDecodeError:
        guess = from_bytes(raw).best()
        return guess.encoding if guess else "latin-1"
    return FIRST_GUESS


def lone_surrogate(text: str) -> str | None:
    """The first half of a surrogate pair standing alone (JSON and YAML may write one as
    `\\ud800`), or None: such a text can be neither stored as UTF-8 nor printed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"\\u{ord(text[error.start]):04x}"
    return None
