"""Bytes on disk to text, refusing what is not text and saying what to do about it."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO, NamedTuple

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


KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFLNK: "a symbolic link",
}
NOT_A_FILE_HINT = "only regular files are read: save the text in a file and use that"


def open_regular(path: Path, *, follow_symlinks: bool = True) -> BinaryIO:
    """`path` opened for reading, once `stat` says it is a regular file. A FIFO blocks
    the open and a device (`/dev/zero`) never ends, so neither is ever opened; the open
    itself neither blocks nor follows a link where `follow_symlinks` is False, and what
    it opened must be the file that was checked."""
    status = os.stat(path, follow_symlinks=follow_symlinks)
    _require_regular(status)
    nofollow = 0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | nofollow)
    try:
        opened = os.fstat(descriptor)
        _require_regular(opened)
        if (opened.st_dev, opened.st_ino) != (status.st_dev, status.st_ino):
            raise ReadError("the file changed while it was opened", "add it again")
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def _require_regular(status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = KINDS.get(stat.S_IFMT(status.st_mode), "not a regular file")
        raise ReadError(f"is {kind}, not a file", NOT_A_FILE_HINT)


def read_source(path: Path, max_bytes: int) -> SourceText:
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        raw = b"" if size > max_bytes else handle.read(max_bytes + 1)  # +1: it grew
    if max(size, len(raw)) > max_bytes:
        raise ReadError(
            f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit",
            "split it into smaller files, or raise ASKALIGN_MAX_FILE_MB",
        )
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
