"""Comment headers of LessWrong pages saved as text, in the two layouts copies take.

A copy from the page reader puts a header on one line, `[-]ryan_greenblatt19dΩ4125`:
name, age, Ω and AF karma, karma and agreement run together, so the digits are split
with the help of the comment index (lesswrong.py). A copy from the browser puts each
part on a line of its own, `[`, `-`, `]`, the name, the age, then the numbers; there
the numbers need no guessing. Other copies put `[-]` alone on its line and the rest of
the one-line header on the next (`Zack_M_Davis2yΩ19`, the karma and agreement digits
on a line of their own), or show a collapsed comment as one line of karma, name and
age (`8Buck2y`) with its first line of text below.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import NamedTuple

from askalign.text.spans import Line

ONE_LINE = re.compile(r"^\[[-+]\](?P<rest>\S.*)$")
FOLD_ALONE = re.compile(r"^\[[-+]\]$")
# The rest of a one-line header: a name, then its age, [Ω], digits.
REST = re.compile(r"^\S.{0,99}?\d+(?:mo|[smhdwy])\*?[\u03a9\u2126]?[-\d]*$")
# A collapsed comment: karma, name, age ("8Buck2y"); "6Neel Nanda11mo" reads two ways.
COLLAPSED = re.compile(r"^(?P<karma>-?\d+)(?P<rest>[^\d\s].{0,100}\d(?:mo|[smhdwy]))$")
AGE = re.compile(r"^(?P<age>\d+(?:mo|[smhdwy]))\*?$")
NUMBER = re.compile(r"^[-\u2212]?\d+$")
OMEGA = re.compile(r"^[\u03a9\u2126]\s*(?P<af>\d+)?$")
BRACKETS = ("[", ("-", "+"), "]")
MAX_NAME_CHARS = 100


class CommentHeader(NamedTuple):
    author: str
    age: str | None
    karma: int | None
    af_karma: int | None
    agreement: int | None


class HeaderAt(NamedTuple):
    """A header's first and last line (indexes into the page's lines). A one-line header
    keeps its raw text (`rest`) to be split later; a split one is read already."""

    first: int
    last: int
    rest: str | None
    header: CommentHeader | None


def find_headers(lines: list[Line], known: Collection[str] = ()) -> list[HeaderAt]:
    """Every comment header of the page, in page order, in any of its layouts; `known`:
    the names the page's comment index lists, to settle a name that may end in a digit."""
    found: list[HeaderAt] = []
    collapsed: dict[int, list[tuple[str, str]]] = {}  # found index -> (name, age) readings
    at = 0
    while at < len(lines):
        text = lines[at].text.strip()
        one_line = ONE_LINE.match(lines[at].text)
        split = split_header(lines, at) if text == "[" else None
        below = _rest_below(lines, at) if FOLD_ALONE.match(text) else None
        folded = COLLAPSED.match(text)
        if one_line:
            found.append(HeaderAt(at, at, one_line["rest"], None))
        elif split is not None or below is not None:
            found.append(split or below)
            at = (split or below).last
        elif folded and (readings := _name_and_age(folded["rest"])):
            name, age = readings[0]
            collapsed[len(found)] = readings
            found.append(
                HeaderAt(at, at, None, CommentHeader(name, age, int(folded["karma"]), None, None))
            )
        at += 1
    return _names_settled(found, collapsed, known)


def _name_and_age(rest: str) -> list[tuple[str, str]]:
    """Each way `rest` reads as a name, then an age of one or two digits: the longer
    name first."""
    unit = "mo" if rest.endswith("mo") else rest[-1]
    head = rest[: -len(unit)]
    readings = []
    for digits in (1, 2):
        number, name = head[-digits:], head[:-digits]
        if number.isdigit() and name and not name[-1].isspace():
            readings.append((name, number + unit))
    return readings


def _names_settled(
    found: list[HeaderAt], collapsed: dict[int, list[tuple[str, str]]], known: Collection[str]
) -> list[HeaderAt]:
    """A collapsed header whose name may end in a digit of its age ("6Neel Nanda11mo")
    takes the reading whose name the comment index lists."""
    for number, readings in collapsed.items():
        name, age = next((reading for reading in readings if reading[0] in known), readings[0])
        header = found[number].header
        if header is not None:
            found[number] = found[number]._replace(header=header._replace(author=name, age=age))
    return found


def _rest_below(lines: list[Line], at: int) -> HeaderAt | None:
    """`[-]` alone, then the rest of a one-line header, its digits perhaps a line below."""
    index = _content_after(lines, at)
    if index is None:
        return None
    rest, last = lines[index].text.strip(), index
    after = _content_after(lines, index)
    if after is not None and NUMBER.match(lines[after].text.strip()):
        rest, last = rest + lines[after].text.strip(), after
    return HeaderAt(at, last, rest, None) if REST.match(rest) else None


def _content_after(lines: list[Line], at: int) -> int | None:
    """The next non-blank line after `at`: a copy may put blank lines between parts."""
    for index in range(at + 1, len(lines)):
        if not lines[index].blank:
            return index
    return None


def split_header(lines: list[Line], at: int) -> HeaderAt | None:
    """`[`, `-` (or `+`), `]`, name, age, then [Ω, AF karma], karma, [agreement], each on
    a line of its own; None if the lines at `at` are not shaped so."""
    index: int | None = at
    parts: list[int] = [at]
    for _ in range(4):
        index = _content_after(lines, parts[-1])
        if index is None:
            return None
        parts.append(index)
    texts = [lines[index].text.strip() for index in parts]
    bracket_open, fold, bracket_close, name, age_text = texts
    age = AGE.match(age_text)
    if (bracket_open, bracket_close) != ("[", "]") or fold not in BRACKETS[1]:
        return None
    if not age or not name or len(name) > MAX_NAME_CHARS:
        return None
    last = parts[-1]
    af_karma: int | None = None
    numbers: list[int] = []
    while (index := _content_after(lines, last)) is not None and len(numbers) < 2:
        text = lines[index].text.strip()
        omega = OMEGA.match(text)
        if omega and af_karma is None:  # before the karma, as the one-line header has it, or after
            af_karma, last = _af_karma(lines, index, omega["af"])
            continue
        if not NUMBER.match(text):
            break
        numbers.append(int(text.replace("\u2212", "-")))
        last = index
    karma = numbers[0] if numbers else None
    agreement = numbers[1] if len(numbers) > 1 else None
    return HeaderAt(at, last, None, CommentHeader(name, age["age"], karma, af_karma, agreement))


def _af_karma(lines: list[Line], at: int, inline: str | None) -> tuple[int | None, int]:
    """AF karma after an Ω on the same line or the next, and the last line it took."""
    if inline:
        return int(inline), at
    index = _content_after(lines, at)
    text = lines[index].text.strip() if index is not None else ""
    if index is not None and NUMBER.match(text):
        return int(text.replace("\u2212", "-")), index
    return None, at
