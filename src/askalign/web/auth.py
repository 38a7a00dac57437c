"""Who may log in to `askalign serve`: one `name:scrypt$n$r$p$salt$hash` line per user.

Only the standard library: scrypt is memory-hard, so a stolen file is slow to crack,
and each line carries its own salt and cost, so they can be raised later line by line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from pathlib import Path

from askalign.files import write_atomic

DEFAULT_AUTH_FILE = Path("askalign.users")
SCHEME = "scrypt"
COST_N, COST_R, COST_P = 2**14, 8, 1  # ~16 MB and tens of ms per check, OWASP's minimum
SALT_BYTES = 16
KEY_BYTES = 32
MAX_COST_N = 2**20
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class AuthFileError(Exception):
    """The auth file cannot be used; the message names the file and line."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=KEY_BYTES
    )


def hash_password(password: str) -> str:
    salt = os.urandom(SALT_BYTES)
    key = _derive(password, salt, COST_N, COST_R, COST_P)
    return f"{SCHEME}${COST_N}${COST_R}${COST_P}${_b64(salt)}${_b64(key)}"


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(
            f"user name {name!r} must be 1-64 letters, digits or . _ @ - (no colon or spaces)"
        )


def _parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, key), or ValueError saying what is wrong."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise ValueError(f"expected {SCHEME}$n$r$p$salt$hash after the colon")
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, key = (base64.b64decode(part, validate=True) for part in parts[4:6])
    except ValueError as error:
        raise ValueError(f"bad number or base64 in the hash ({error})") from None
    if n < 2 or n & (n - 1) or n > MAX_COST_N or r < 1 or p < 1 or not salt or not key:
        raise ValueError(f"scrypt cost out of range (n a power of 2 up to {MAX_COST_N}, r, p ≥ 1)")
    return n, r, p, salt, key


def read_users(path: Path) -> dict[str, str]:
    """Every user and their encoded hash; a bad line stops here, naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AuthFileError(f"cannot read the auth file {path}: {error.strerror}") from error
    users: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, colon, encoded = line.strip().partition(":")
        try:
            if not colon:
                raise ValueError("expected name:hash")
            check_name(name)
            _parse_hash(encoded)
        except ValueError as error:
            raise AuthFileError(
                f"{path}, line {number}: {error}. To fix: delete the line and run"
                f" `askalign user add NAME --auth-file {path}`"
            ) from None
        users[name] = encoded
    return users


_DUMMY = hash_password(os.urandom(8).hex())  # unknown names cost as much as known ones


def verify(users: dict[str, str], name: str, password: str) -> bool:
    encoded = users.get(name)
    n, r, p, salt, key = _parse_hash(encoded or _DUMMY)
    matches = hmac.compare_digest(_derive(password, salt, n, r, p), key)
    return matches and encoded is not None


def write_users(path: Path, users: dict[str, str]) -> None:
    """Atomic and private to the owner: the file holds hashes, which are worth guessing at."""

    def write(temp: Path) -> None:
        temp.write_text("".join(f"{name}:{h}\n" for name, h in users.items()), encoding="utf-8")
        temp.chmod(0o600)

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, write)


def add_user(path: Path, name: str, password: str) -> bool:
    """Add or replace `name`; True if it replaced one."""
    check_name(name)
    users = read_users(path) if path.exists() else {}
    replaced = name in users
    users[name] = hash_password(password)
    write_users(path, users)
    return replaced


def remove_user(path: Path, name: str) -> bool:
    """False if `name` was not there."""
    users = read_users(path)
    if users.pop(name, None) is None:
        return False
    write_users(path, users)
    return True


class Login:
    """Gradio's `auth=` callable. It reads the file at each login, so `askalign user add`
    and `remove` take effect without a restart; a file broken meanwhile lets no one in."""

    def __init__(self, path: Path) -> None:
        self.path = path
        read_users(path)  # a bad file fails at startup, not at the first login

    def __call__(self, name: str, password: str) -> bool:
        try:
            users = read_users(self.path)
        except AuthFileError:
            return False
        return verify(users, name, password)
