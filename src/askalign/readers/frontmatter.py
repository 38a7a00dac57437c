"""YAML front matter as clipping tools and static-site generators write it.

Each tool names the same facts differently (`source_url`, `published`, an author list
of Obsidian `[[links]]`), so every common alias maps onto one `DocumentMeta` field.
Keys that carry nothing we use are listed in the document's notes, so a user can see
what was ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import yaml

from askalign.readers.base import DocumentMeta
from askalign.readers.decode import ReadError

FENCE = "---"
CLOSERS = ("---", "...")
TITLE_KEYS = ("title",)
AUTHOR_KEYS = ("author", "authors")
URL_KEYS = ("url", "source", "source_url", "link", "canonical_url")
DATE_KEYS = ("date", "published", "date_published", "created")  # in order of preference
KARMA_KEYS = ("karma", "score")
KNOWN_KEYS = frozenset((*TITLE_KEYS, *AUTHOR_KEYS, *URL_KEYS, *DATE_KEYS, *KARMA_KEYS))
HINT = "fix the front matter between the '---' lines at the top of the file (it is YAML)"


class FrontMatter(NamedTuple):
    meta: DocumentMeta
    body_start: int  # char offset of the first body line
    notes: list[str]


def split_front_matter(text: str) -> FrontMatter:
    """Facts from a leading `---` block; a file without one is all body."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        return FrontMatter(DocumentMeta(), 0, [])
    close = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in CLOSERS), None)
    if close is None:
        raise ReadError(
            "front matter opened on line 1 never closes",
            "add a line '---' after the last front-matter field",
        )
    fields = _load_yaml("\n".join(lines[1:close]))
    meta, notes = meta_from_fields(fields)
    body_start = sum(len(line) + 1 for line in lines[: close + 1])
    return FrontMatter(meta, min(body_start, len(text)), notes)


def _load_yaml(block: str) -> dict[str, object]:
    try:
        fields = yaml.safe_load(block)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise ReadError(f"front matter is not valid YAML{where}: {problem}", HINT) from error
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise ReadError("front matter is not a set of 'key: value' fields", HINT)
    return {str(key).strip().lower(): value for key, value in fields.items()}


def meta_from_fields(fields: dict[str, object]) -> tuple[DocumentMeta, list[str]]:
    notes: list[str] = []
    meta = DocumentMeta(
        title=_text(_first(fields, TITLE_KEYS), "title", notes),
        author=_authors(_first(fields, AUTHOR_KEYS), notes),
        url=_text(_first(fields, URL_KEYS), "url", notes),
        date=_date(_first(fields, DATE_KEYS), notes),
        karma=_karma(_first(fields, KARMA_KEYS), notes),
    )
    unknown = sorted(key for key in fields if key not in KNOWN_KEYS)
    if unknown:
        notes.append(f"front matter keys not used: {', '.join(unknown)}")
    return meta, notes


def _first(fields: dict[str, object], keys: tuple[str, ...]) -> object:
    return next((fields[key] for key in keys if fields.get(key) not in (None, "", [])), None)


def _text(value: object, field: str, notes: list[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float):
        return _unlinked(str(value)) or None
    notes.append(f"front matter {field} ignored: expected text, found {type(value).__name__}")
    return None


def _unlinked(value: str) -> str:
    """`[[Steven Byrnes]]` (an Obsidian link, as web clippers write authors) is the name."""
    name = value.strip().strip('"').strip()
    if name.startswith("[[") and name.endswith("]]"):
        name = name[2:-2].split("|")[-1].strip()
    return name


def _authors(value: object, notes: list[str]) -> str | None:
    names = value if isinstance(value, list) else [value] if value is not None else []
    return joined_names([_text(item, "author", notes) for item in names])


def joined_names(names: list[str | None]) -> str | None:
    """Several authors speak as one: "A, B and C"."""
    found = [name for name in names if name]
    if len(found) <= 1:
        return found[0] if found else None
    return f"{', '.join(found[:-1])} and {found[-1]}"


def _date(value: object, notes: list[str]) -> dt.date | None:
    found = parse_date(value)
    if found is None and value is not None:
        notes.append(f"front matter date {value!r} not understood: write it as YYYY-MM-DD")
    return found


def parse_date(value: object) -> dt.date | None:
    """A date, a timestamp, or text that starts with YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]) if value is not None else None
    except ValueError:
        return None


def _karma(value: object, notes: list[str]) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        notes.append(f"front matter karma {value!r} ignored: expected a whole number")
        return None
