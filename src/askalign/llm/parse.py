"""Reading the model's reply, forgivingly: small local models wrap JSON in prose or code
fences, and some return the claims list as a JSON string (kotaemon's Llama 3.1 8B
users see this). Anything that still does not read as claims is `None`: the caller
asks once for a repair, then falls back.

The reply comes from a server that is not trusted, so reading it costs time in
proportion to its length, and JSON nested too deeply to parse is simply not claims."""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, ValidationError

MAX_STARTS = 64  # "{" tried as the start of the JSON in prose: a reply has one or two
_DECODER = json.JSONDecoder()
_CLAIMS_KEY = '"claims"'
_SEPARATORS = " \t\r\n,"
_IN_STRING = re.compile(r'["\\]')
_OUTSIDE = re.compile(r'[{}"]')


class Claim(BaseModel):
    text: str
    source_id: str
    quote: str


class Reply(BaseModel):
    answerable: bool = True
    claims: list[Claim]


def parse_reply(content: str) -> Reply | None:
    data = _first_object(content)
    if not isinstance(data, dict):
        return None
    claims = data.get("claims", [])
    if isinstance(claims, str):  # the list given as a JSON string
        claims = _loads(claims)
    if not isinstance(claims, list):
        return None
    answerable = data.get("answerable", True)
    if isinstance(answerable, str):
        answerable = answerable.strip().lower() not in {"false", "no", "0"}
    try:
        return Reply(
            answerable=bool(answerable),
            claims=[Claim.model_validate(claim) for claim in claims if isinstance(claim, dict)],
        )
    except ValidationError:
        return None


class ClaimReader:
    """The claims of a reply still being written, each given once its object has
    closed: the ones that can be checked and shown before the rest arrive. Each piece
    is read once, where the claim that is open goes on (reading the whole open claim
    again at every piece made a 4 MB claim in 8-byte pieces take hours). A claim that
    does not read as one ends the list (the whole reply, once in, decides what
    happens)."""

    def __init__(self) -> None:
        self.stage = "key"  # then "list", "between", "claim", "done"
        self.seen = ""  # the end of the text before the key, where the key may begin
        self.claim: list[str] = []  # the open claim's text so far
        self.depth = 0
        self.in_string = False
        self.escaped = False  # the piece ended on a backslash inside a string

    def read(self, piece: str) -> list[Claim]:
        """The claims that closed in this piece."""
        closed: list[Claim] = []
        text = piece
        while text:
            if self.stage == "key":
                text = self._key(text)
            elif self.stage == "list":
                text = self._list(text)
            elif self.stage == "between":
                text = self._between(text)
            elif self.stage == "claim":
                text = self._claim(text, closed)
            else:
                break
        return closed

    def _key(self, text: str) -> str:
        text = self.seen + text
        at = text.find(_CLAIMS_KEY)
        if at == -1:
            self.seen = text[-len(_CLAIMS_KEY) :]
            return ""
        self.stage = "list"
        return text[at + len(_CLAIMS_KEY) :]

    def _list(self, text: str) -> str:
        at = text.find("[")
        if at == -1:
            return ""
        self.stage = "between"
        return text[at + 1 :]

    def _between(self, text: str) -> str:
        text = text.lstrip(_SEPARATORS)
        if text:
            self.stage = "claim" if text[0] == "{" else "done"
        return text

    def _claim(self, text: str, closed: list[Claim]) -> str:
        end = self._closing(text)
        self.claim.append(text[:end])
        if end == len(text) and self.depth:
            return ""
        found = _loads("".join(self.claim))
        self.claim.clear()
        try:
            closed.append(Claim.model_validate(found))
        except ValidationError:
            self.stage = "done"
            return ""
        self.stage = "between"
        return text[end:]

    def _closing(self, text: str) -> int:
        """Where in `text` the open claim's object closes (just past its brace), or its
        length when it is still open; braces inside strings are not counted."""
        at = 0
        if self.escaped:
            self.escaped, at = False, 1
        while at < len(text):
            found = (_IN_STRING if self.in_string else _OUTSIDE).search(text, at)
            if found is None:
                return len(text)
            char, at = found.group(), found.end()
            if char == "\\":
                self.escaped = at == len(text)
                at += 1
            elif char == '"':
                self.in_string = not self.in_string
            elif char == "{":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth == 0:
                    return at
        return len(text)


def _first_object(content: str) -> object:
    """The whole reply as JSON, else the first JSON object in it that parses, tried
    from each of its first MAX_STARTS "{"."""
    text = content.strip()
    whole = _loads(text)
    if whole is not None:
        return whole
    start = text.find("{")
    for _ in range(MAX_STARTS):
        if start == -1:
            return None
        try:
            return _DECODER.raw_decode(text, start)[0]
        except (ValueError, RecursionError):
            start = text.find("{", start + 1)
    return None


def _loads(text: str) -> object:
    """JSON, or None where it is not (or is nested too deeply to read)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None
