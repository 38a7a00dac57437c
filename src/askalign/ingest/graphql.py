"""One GraphQL request to a public site, made politely and failing in words a user can act on.

Polite: one request at a time (the caller waits for each), a User-Agent that names
askalign and its version, a redirect followed (with the same POST) a few hops at most,
and on 429 or a 5xx a pause (the server's Retry-After, or a doubling wait) before a
bounded number of tries. Bounded: `timeout_s` limits the whole
request (connecting, sending, the headers and the body together), not each read, so a
server that sends a byte a second cannot hold a fetch for ever; and a body over
`max_bytes` is refused. The standard library's http.client does it: it hands us the
socket, whose timeout is set to what is left before every step.
"""

from __future__ import annotations

import json
import math
import socket
import ssl
import time
from email.message import Message
from email.utils import parsedate_to_datetime
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from importlib.metadata import PackageNotFoundError, version
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

READ_CHUNK = 64 * 1024
MAX_WAIT_S = 60.0  # the longest pause a Retry-After gets
AGAIN = "try again in a few minutes"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 4  # requests, the first included


def user_agent() -> str:
    try:
        found = version("askalign")
    except PackageNotFoundError:  # run from a checkout that was never installed
        found = "dev"
    return f"askalign/{found} (fetches one thread, one request at a time)"


class Limits(NamedTuple):
    timeout_s: float = 30.0
    tries: int = 4
    first_wait_s: float = 1.0  # then 2, 4…: where the server names no Retry-After
    max_bytes: int = 64 * 2**20


class FetchError(Exception):
    """What went wrong, in words, and what to do about it."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(f"{reason}. To fix: {hint}")
        self.reason = reason
        self.hint = hint


class Reply(NamedTuple):
    status: int
    headers: Message
    body: bytes


def post_graphql(
    endpoint: str,
    query: str,
    variables: dict[str, object],
    limits: Limits,
) -> dict[str, object]:
    """The `data` of one query's answer, after retrying 429s and 5xx; else FetchError."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    for attempt in range(1, limits.tries + 1):
        reply = post_following(endpoint, body, limits)
        if reply.status != 429 and reply.status < 500:
            return graphql_data(endpoint, reply)
        if attempt < limits.tries:
            time.sleep(wait_before_retry(reply.headers, attempt, limits))
    what = "asked us to slow down (429)" if reply.status == 429 else f"failed ({reply.status})"
    raise FetchError(f"{host_of(endpoint)} {what} {limits.tries} times in a row", AGAIN)


def host_of(endpoint: str) -> str:
    return urlsplit(endpoint).netloc


def wait_before_retry(headers: Message, attempt: int, limits: Limits) -> float:
    """The server's Retry-After (seconds or a date) where it gives one, up to MAX_WAIT_S;
    else a wait that doubles with each try."""
    asked = retry_after(headers.get("Retry-After"))
    wait = limits.first_wait_s * 2 ** (attempt - 1) if asked is None else asked
    return min(max(wait, 0.0), MAX_WAIT_S)


def retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            return parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return seconds if math.isfinite(seconds) else None


def post_following(endpoint: str, body: bytes, limits: Limits) -> Reply:
    """One POST, and again where the site moved (`lesswrong.com` to `www.lesswrong.com`,
    http to https), a few hops at most and only to http(s)."""
    for _ in range(MAX_REDIRECTS):
        reply = post_once(endpoint, body, limits)
        location = reply.headers.get("Location")
        if reply.status not in REDIRECTS or not location:
            return reply
        endpoint = urljoin(endpoint, location)
        if urlsplit(endpoint).scheme not in ("http", "https"):
            break
    raise FetchError(
        f"{host_of(endpoint)} sends the request on and on ({reply.status} to {location})",
        "give the post's address as it shows in a browser",
    )


def post_once(endpoint: str, body: bytes, limits: Limits) -> Reply:
    """One POST, the whole of it within `timeout_s`."""
    url = urlsplit(endpoint)
    deadline = time.monotonic() + limits.timeout_s
    kind = HTTPSConnection if url.scheme == "https" else HTTPConnection
    connection = kind(url.hostname or "", url.port, timeout=limits.timeout_s)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": user_agent(),
    }
    try:
        connection.connect()
        sock = connection.sock  # kept: http.client drops it once a reply says "close"
        sock.settimeout(time_left(deadline))
        connection.request("POST", url.path or "/", body=body, headers=headers)
        sock.settimeout(time_left(deadline))
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while True:
            sock.settimeout(time_left(deadline))
            chunk = response.read1(READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limits.max_bytes:
                raise FetchError(
                    f"{url.netloc} sent more than {limits.max_bytes / 2**20:.0f} MiB",
                    "this is not a thread's data: check the address",
                )
            chunks.append(chunk)
        return Reply(response.status, response.headers, b"".join(chunks))
    except TimeoutError as error:
        raise FetchError(
            f"{url.netloc} did not answer within {limits.timeout_s:g} s",
            f"{AGAIN}, or raise ASKALIGN_FETCH_TIMEOUT_S",
        ) from error
    except (OSError, HTTPException) as error:
        raise FetchError(
            f"could not reach {url.netloc}: {why_unreachable(error)}", AGAIN
        ) from error
    finally:
        connection.close()


def time_left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def why_unreachable(error: Exception) -> str:
    if isinstance(error, socket.gaierror):
        return "its name does not resolve (offline, or a mistyped address)"
    if isinstance(error, ConnectionRefusedError):
        return "the connection was refused (nothing answers at that address)"
    if isinstance(error, ssl.SSLError):
        return f"the secure connection failed ({error.reason or error})"
    if isinstance(error, HTTPException):
        return f"it did not answer in HTTP ({type(error).__name__})"
    return f"{error.strerror or error} (offline?)"


def graphql_data(endpoint: str, reply: Reply) -> dict[str, object]:
    """The answer's `data`; a status or an answer that is not GraphQL, in words."""
    host = host_of(endpoint)
    if reply.status == 404:
        raise FetchError(
            f"{endpoint} does not exist (404): {host} is not a LessWrong, Alignment Forum"
            " or EA Forum site (no GraphQL API there)",
            "give the address of a post on one of those sites",
        )
    if reply.status in (401, 403):
        raise FetchError(f"{host} refused the request ({reply.status})", AGAIN)
    if reply.status != 200:
        raise FetchError(f"{host} answered {reply.status} to {endpoint}", AGAIN)
    try:
        answer = json.loads(reply.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FetchError(
            f"{endpoint} did not answer with GraphQL's JSON: is {host} a LessWrong,"
            " Alignment Forum or EA Forum site?",
            "give the address of a post on one of those sites",
        ) from error
    data = answer.get("data") if isinstance(answer, dict) else None
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        said = "; ".join(
            str(item.get("message", item)) for item in errors or [] if isinstance(item, dict)
        )
        raise FetchError(
            f"{host} answered with no data" + (f": {said}" if said else ""),
            "check the address; if it opens in a browser, please report this as a bug",
        )
    return data
