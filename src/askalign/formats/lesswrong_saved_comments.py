r"""The comments of a LessWrong page saved as Markdown (lesswrong_saved.py).

Each comment opens with one header line,
`[-][Name](/users/slug)[2y](/posts/ID/slug?commentId=CID)Ω1225`: the name is the link
text, the age links to the comment's own address (tools that write whole addresses
may leave it plain, and escape the brackets: `\[-\][Name](https://…/users/slug)5mo\*14`), and
the digits are its karma with the Alignment Forum karma run in front of it when an
`Ω` shows one. Nothing separates the two numbers, so the page's comment index
(`25Charlie Steiner`: each comment's karma, in page order) settles the split; where it
cannot, two digits can only be one each, and any other split is left unknown. The
agreement score is the line below the header, the body runs to `Reply`, and a count
of replies may follow it. Nesting is not shown: replies are inferred from quotes and
@names (pasted.py), then from thread order (order_links.py).
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from askalign.formats.lesswrong import REPLY
from askalign.text.spans import Line, Span, trim

_AGE = r"\d+(?:mo|[smhdwy])"
_LINKED_AGE = rf"\[(?P<age>{_AGE})\*?\]\((?P<link>[^)\s]*commentId=[^)\s]*)\)"
# The age links to the comment; where the page writes whole addresses, it may stand plain.
HEADER = re.compile(
    r"^\\?\[[-+]\\?\]\[(?P<name>(?:\\.|[^\]\\\n])*)\]"
    r"(?:\((?P<profile>(?P<whole>https?://)?[^)\s]*)\))?"
    rf"(?:{_LINKED_AGE}|(?(whole)(?P<plain_age>{_AGE})(?:\\?\*)?|(?!)))"
    r"(?P<omega>[\u03a9\u2126])?(?P<digits>[-\d]*)[ \t]*$",
    re.MULTILINE,
)
NUMBER = re.compile(r"^\s*-?\d+\s*$")
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# What the page shows after its last comment.
AFTER_COMMENTS = re.compile(
    r"^(?:\[Moderation Log\]\((?:https?://[^/)\s]+)?/moderation\)|More from .*"
    r"|Curated and popular this week)$"
)


class SavedComment(NamedTuple):
    """A comment's header and body, as base.CommentHeading reads it, with its address."""

    author: str | None
    age: str | None
    karma: int | None
    af_karma: int | None
    agreement: int | None
    url: str | None
    body: Span | None


class Header(NamedTuple):
    at: int  # the header's line
    name: str
    has_profile: bool  # no profile link: an anonymous or deleted account
    age: str
    link: str
    omega: bool
    digits: str


def find_headers(lines: list[Line]) -> list[Header]:
    found: list[Header] = []
    for at, line in enumerate(lines):
        match = HEADER.match(line.text) if line.text.startswith(("[", "\\[")) else None
        if match:
            name = MARKDOWN_ESCAPE.sub(r"\1", match["name"])
            profile, omega = bool(match["profile"]), bool(match["omega"])
            age, link = match["age"] or match["plain_age"], match["link"] or ""
            found.append(Header(at, name, profile, age, link, omega, match["digits"]))
    return found


def split_karma(digits: str, omega: bool, indexed: int | None) -> tuple[int | None, int | None]:
    """(af_karma, karma) from the digits after the age. The index's karma, where the
    digits end with it, settles the split; else two digits are one each."""
    if not omega:
        return None, (int(digits) if NUMBER.match(digits) else None)
    needle = str(indexed) if indexed is not None else None
    if needle and digits.endswith(needle) and NUMBER.match(digits[: -len(needle)]):
        return int(digits[: -len(needle)]), indexed
    if re.fullmatch(r"\d\d", digits):
        return int(digits[0]), int(digits[1])
    return None, None


def comment_url(link: str, host: str | None) -> str | None:
    """The comment's own address, from its commentId, on the site's host."""
    parts = urlsplit(link)
    comment_id = parse_qs(parts.query).get("commentId", [""])[0]
    if not host or not comment_id or parts.netloc:
        return None
    return f"{host}{parts.path}?commentId={comment_id}"


def indexed_karma(header: Header, entry: tuple[int, str] | None) -> int | None:
    """The index's karma for this comment, if the index names the same person here (an
    account with no profile shows as `[anonymous]` there)."""
    if entry is None:
        return None
    karma, name = entry
    return karma if name in (header.name, f"[{header.name}]") else None


def read_comments(
    lines: list[Line], text: str, index: list[tuple[int, str]], host: str | None
) -> tuple[list[SavedComment], list[Line]]:
    """Every comment in page order, and the lines between comments that belong to none."""
    headers = find_headers(lines)
    use_index = len(index) == len(headers)
    comments: list[SavedComment] = []
    stray: list[Line] = []
    for number, header in enumerate(headers):
        last = number + 1 == len(headers)
        stop = len(lines) if last else headers[number + 1].at
        body, after = comment_lines(lines[header.at + 1 : stop], last=last)
        if not last:  # after the last comment comes the page's chrome
            stray += [line for line in after if not (line.blank or NUMBER.match(line.text))]
        agreement: int | None = None
        if body and NUMBER.match(body[0].text.strip()):
            agreement = int(body.pop(0).text.strip())
        content = [line for line in body if not line.blank]
        span = trim(text, content[0].start, content[-1].end) if content else None
        entry = index[number] if use_index else None
        af_karma, karma = split_karma(header.digits, header.omega, indexed_karma(header, entry))
        author = header.name if header.has_profile else None
        url = comment_url(header.link, host)
        comments.append(SavedComment(author, header.age, karma, af_karma, agreement, url, span))
    return comments, stray


def comment_lines(lines: list[Line], *, last: bool) -> tuple[list[Line], list[Line]]:
    """A comment's lines (blank lines before the agreement dropped) up to `Reply`, and
    what follows it before the next comment. The last comment ends where the page's
    chrome starts, if it shows no `Reply`."""
    body: list[Line] = []
    for at, line in enumerate(lines):
        stripped = line.text.strip()
        if REPLY.match(stripped):
            return body, lines[at + 1 :]
        if last and AFTER_COMMENTS.match(stripped):
            return body, []
        if body or not line.blank:
            body.append(line)
    return body, []
