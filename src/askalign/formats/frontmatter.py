"""YAML front matter as clipping tools and static-site generators write it.

Each tool names the same facts differently (`source_url`, `published`, an author list
of Obsidian `[[links]]`), so every common alias maps onto one `DocumentMeta` field.
Keys that carry nothing we use are listed in the document's notes, so a user can see
what was ignored.

The YAML is read by a loader that refuses aliases and explicit tags: a chain of nine
aliases stands for a billion values, and front matter never needs either. A date that
cannot be (`2025-02-30`) is kept as text, with a note.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import yaml

from askalign.formats.base import DocumentMeta
from askalign.formats.dates import parse_date
from askalign.formats.decode import ReadError, lone_surrogate

FENCE = "---"
CLOSERS = ("---", "...")
TITLE_KEYS = ("title",)
AUTHOR_KEYS = ("author", "authors")
URL_KEYS = ("url", "source", "source_url", "link", "canonical_url")
DATE_KEYS = ("date", "published", "date_published", "created")  # in order of preference
KARMA_KEYS = ("karma", "score")
KNOWN_KEYS = frozenset((*TITLE_KEYS, *AUTHOR_KEYS, *URL_KEYS, *DATE_KEYS, *KARMA_KEYS))
HINT = "fix the front matter between the '---' lines at the top of the file (it is YAML)"
REFUSED_HINT = "write each value out in full: aliases (*name) and tags (!!type) are not read"
MAX_CHARS = 64 * 1024  # a few fields; PyYAML reads about a megabyte a second
SHOWN_CHARS = 80  # of a value quoted in a note


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
    fields, notes = _load_yaml("\n".join(lines[1:close]))
    meta, field_notes = meta_from_fields(fields)
    notes.extend(field_notes)
    body_start = sum(len(line) + 1 for line in lines[: close + 1])
    return FrontMatter(meta, min(body_start, len(text)), notes)


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that front matter may not use."""


class _Loader(yaml.SafeLoader):
    """safe_load without aliases or tags, and with impossible dates kept as text."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.notes: list[str] = []

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                problem=f"uses an alias (*{event.anchor})",
                problem_mark=event.start_mark,
            )
        if getattr(event, "tag", None) is not None:
            raise _Refused(
                problem=f"uses a tag ({event.tag})",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def lenient_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError as error:
            note = f"front matter value {_shown(node.value)} is not a real date ({error})"
            self.notes.append(note)
            return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.lenient_timestamp)


def _load_yaml(block: str) -> tuple[dict[str, object], list[str]]:
    if len(block) > MAX_CHARS:
        raise ReadError(
            f"front matter is {len(block):,} characters, over the {MAX_CHARS:,} limit",
            "keep a few 'key: value' fields there and move the rest into the text",
        )
    notes: list[str] = []
    try:
        loader = _Loader(block)  # which already refuses a control character
        notes = loader.notes
        try:
            fields = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as error:
        line = block[: error.position].count("\n") + 2
        problem = f"a control character (#x{error.character:x}) on line {line}"
        raise ReadError(f"front matter is not valid YAML: {problem}", HINT) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" on line {mark.line + 2}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        if isinstance(error, _Refused):
            raise ReadError(f"front matter {problem}{where}", REFUSED_HINT) from error
        raise ReadError(f"front matter is not valid YAML{where}: {problem}", HINT) from error
    except RecursionError as error:  # the composer recurses once per nested bracket
        raise ReadError("front matter is nested too deeply", HINT) from error
    if fields is None:
        return {}, notes
    if not isinstance(fields, dict):
        raise ReadError("front matter is not a set of 'key: value' fields", HINT)
    return {str(key).strip().lower(): value for key, value in fields.items()}, notes


def _shown(value: object) -> str:
    """A value quoted in a note, clipped: front matter is the file's, of any size."""
    shown = repr(value)
    return shown if len(shown) <= SHOWN_CHARS else f"{shown[: SHOWN_CHARS - 1]}…"


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
        text = str(value)
        surrogate = lone_surrogate(text)
        if surrogate:
            notes.append(f"front matter {field} ignored: {surrogate} is half a surrogate pair")
            return None
        return _unlinked(text) or None
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
        notes.append(f"front matter date {_shown(value)} not understood: write it as YYYY-MM-DD")
    return found


def _karma(value: object, notes: list[str]) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        notes.append(f"front matter karma {_shown(value)} ignored: expected a whole number")
        return None
