"""Back-off for failed logins, per user name and per client address.

Without it a password can be guessed as fast as scrypt allows (about ten a second).
After `FREE_FAILURES` failures in a row, each further failure locks the name (or the
address) for twice as long as the last, from `FIRST_LOCK_S` up to `MAX_LOCK_S`; while
locked, a login is refused with HTTP 429 and `Retry-After` before any password is
checked, the right one included. A success clears the name's count; failures are
forgotten `FORGET_AFTER_S` after the last one.

The name stops one account being guessed from many addresses; the address stops one
client trying many names. An address may stand for many people (an office behind NAT,
a share link whose tunnel hides its visitors), so it is allowed more failures. The
address is the one uvicorn reports: behind a proxy on this machine, the
`X-Forwarded-For` it sets (uvicorn trusts it from `FORWARDED_ALLOW_IPS`, by default
127.0.0.1, which is also where a `--share` tunnel connects from).

Gradio's login route sees no client address, so this is ASGI middleware around it: it
reads the name from the form, lets Gradio check the password, and counts the answer
(200 a success, 400 a failure). Every failure and lock is logged.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FREE_FAILURES = 5  # per user name
FREE_CLIENT_FAILURES = 20  # per client address, which may be many people
FIRST_LOCK_S = 1.0
MAX_LOCK_S = 15 * 60.0
FORGET_AFTER_S = 60 * 60.0
MAX_TRACKED = 10_000  # names and addresses remembered at once: memory stays bounded
MAX_LOGIN_BODY = 64 * 1024  # a name and a password
MAX_NAME_CHARS = 80  # a real one has at most 64 (auth.check_name); the key stays small
LOGIN_OK, LOGIN_REFUSED = 200, 400  # what Gradio's /login answers

log = logging.getLogger("askalign.login")


@dataclass
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


class LoginThrottle:
    """Failures in a row and lock windows, per key ("user:ada", "client:10.0.0.7")."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def wait_s(self, user: str, client: str) -> float:
        """Seconds until this name from this address may try again; 0: now."""
        now = self.clock()
        with self._lock:
            found = [self._keys.get(key) for key in (f"user:{user}", f"client:{client}")]
        return max([0.0, *(f.locked_until - now for f in found if f is not None)])

    def failed(self, user: str, client: str) -> tuple[int, float]:
        """Count a failure; (failures in a row for the name, seconds it is now locked)."""
        user_failures = self._count(f"user:{user}", FREE_FAILURES)
        self._count(f"client:{client}", FREE_CLIENT_FAILURES)
        return user_failures.count, max(0.0, user_failures.locked_until - self.clock())

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._keys.pop(f"user:{user}", None)

    def _count(self, key: str, free: int) -> _Failures:
        now = self.clock()
        with self._lock:
            failures = self._keys.pop(key, None) or _Failures()
            if now - failures.last > FORGET_AFTER_S:
                failures = _Failures()
            failures.count += 1
            failures.last = now
            if failures.count >= free:
                lock = min(MAX_LOCK_S, FIRST_LOCK_S * 2 ** min(failures.count - free, 30))
                failures.locked_until = now + lock
            self._keys[key] = failures  # most recent last
            while len(self._keys) > MAX_TRACKED:
                self._keys.popitem(last=False)
            return failures


class LoginGuard:
    """ASGI middleware: the throttle around POST …/login; every other request passes."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle | None = None) -> None:
        self.app = app
        self.throttle = throttle or LoginThrottle()
        _log_to_stderr()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"].rstrip("/").endswith("/login")
        ):
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:
            await JSONResponse({"detail": "Login form too large."}, 413)(scope, receive, send)
            return
        user, client = await _user(scope, body), _client(scope)
        wait = self.throttle.wait_s(user, client)
        if wait > 0:
            seconds = math.ceil(wait)
            log.warning("login refused for %r from %s: locked for %d s more", user, client, seconds)
            detail = f"Too many failed logins: try again in {seconds} s."
            refusal = JSONResponse({"detail": detail}, 429, {"Retry-After": str(seconds)})
            await refusal(scope, receive, send)
            return

        def answered(status: int) -> None:  # counted before the client hears the answer
            if status == LOGIN_OK:
                self.throttle.succeeded(user)
            elif status == LOGIN_REFUSED:
                count, locked = self.throttle.failed(user, client)
                log.warning("login failed for %r from %s (%d in a row)", user, client, count)
                if locked:
                    log.warning(
                        "login locked for %r for %.0f s after %d failures", user, locked, count
                    )

        await _forward(self.app, scope, receive, send, body, answered)


async def _body(receive: Receive) -> bytes | None:
    """The request body, or None past MAX_LOGIN_BODY."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_LOGIN_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _user(scope: Scope, body: bytes) -> str:
    """The name as Gradio reads it (stripped), from a urlencoded or multipart form."""

    async def once() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        async with Request(scope, once).form(max_files=0, max_fields=10) as form:
            name = form.get("username")
    except Exception:  # a malformed form: Gradio refuses it; the address still counts
        return ""
    return name.strip()[:MAX_NAME_CHARS] if isinstance(name, str) else ""


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _forward(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, body: bytes, answered: Callable
) -> None:
    """Run Gradio's login on the body read already; `answered(status)` as it answers."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()  # then only a disconnect is left to hear
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            answered(message["status"])
        await send(message)

    await app(scope, replay, sending)


def _log_to_stderr() -> None:
    """Failures and locks reach the server's log even where nothing set up logging."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("askalign: %(asctime)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
