"""Keeping the user's credentials out of what is shown. A server may echo the key it was
sent into an error body, that error becomes the answer's `llm.error`, and the public
`/ask` returns it to anyone; a URL with `user:password@` in it is printed in warnings.
So every error the client raises, and every URL it names, passes through here."""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx

REDACTED = "[redacted]"

# What looks like a credential, whoever's: an Authorization header's value, an
# OpenAI-style key, and the user:password part of a URL.
_LOOKS_LIKE_A_KEY = [
    (re.compile(r"\b(Bearer|Basic)\s+[^\s\"',;]+", re.I), rf"\1 {REDACTED}"),
    (re.compile(r"\bsk-[\w-]{6,}"), REDACTED),
    (re.compile(r"(?<=://)[^/@\s\"']+@"), f"{REDACTED}@"),
]


def redacted(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each of `secrets` (the configured key, the URL's password) and anything
    that looks like a credential replaced by "[redacted]"."""
    for secret in sorted(secrets, key=len, reverse=True):  # a key before a part of it
        if secret:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _LOOKS_LIKE_A_KEY:
        text = pattern.sub(replacement, text)
    return text


def without_credentials(url: str) -> str:
    """The URL as it may be shown: no user name, no password."""
    try:
        return str(httpx.URL(url).copy_with(username=None, password=None))
    except (httpx.InvalidURL, TypeError):
        return redacted(url)
