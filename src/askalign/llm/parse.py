"""Reading the model's reply, forgivingly: small local models wrap JSON in prose or code
fences, and some return the claims list as a JSON string (kotaemon's Llama 3.1 8B
users see this). Anything that still does not read as claims is `None`: the caller
asks once for a repair, then falls back."""

from __future__ import annotations

import json

from pydantic import BaseModel, ValidationError


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
        try:
            claims = json.loads(claims)
        except ValueError:
            return None
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


def complete_claims(content: str) -> list[Claim]:
    """The claims whose objects have closed so far in a reply still being written: the
    ones that can be checked and shown before the rest arrive. A claim that does not
    read as one ends the list (the whole reply, once in, decides what happens)."""
    key = content.find('"claims"')
    opening = content.find("[", key) if key != -1 else -1
    if opening == -1:
        return []
    claims: list[Claim] = []
    at = opening + 1
    while True:
        start = content.find("{", at)
        if start == -1 or content[at:start].strip(" \t\r\n,"):
            return claims
        end = _balanced_end(content, start)
        if end is None:
            return claims
        try:
            claims.append(Claim.model_validate(json.loads(content[start:end])))
        except (ValueError, ValidationError):
            return claims
        at = end


def _first_object(content: str) -> object:
    """The whole reply as JSON, else its first balanced {...} block that parses."""
    text = content.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    start = text.find("{")
    while start != -1:
        end = _balanced_end(text, start)
        if end is None:
            return None
        try:
            return json.loads(text[start:end])
        except ValueError:
            start = text.find("{", start + 1)
    return None


def _balanced_end(text: str, start: int) -> int | None:
    """Where the object opening at `start` closes, braces inside strings ignored."""
    depth = 0
    in_string = False
    escaped = False
    for at in range(start, len(text)):
        char = text[at]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return at + 1
    return None
