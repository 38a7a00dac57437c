"""`corpus/catalog.toml`: the facts the texts don't state. It wins over the text.

Not to be confused with `index.catalog.Catalog`, the index's SQLite database: this module only
reads the user's TOML file of per-text facts (title, author, url, date, ...).

Each bad entry is reported on its own (naming its file and field) and skipped, so
one typo never keeps the rest of the corpus from loading.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from askalign.documents import CorpusProblem
from askalign.formats import DocumentMeta

FACTS_FILE = "catalog.toml"
HINT = (
    f"fix the entry in corpus/{FACTS_FILE}"
    " (fields: file, id, title, author, url, date, karma, crossposted_to)"
)


class FactsEntry(DocumentMeta):
    file: str


def load_text_facts(corpus_dir: Path) -> tuple[dict[str, DocumentMeta], list[CorpusProblem]]:
    path = corpus_dir / FACTS_FILE
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        return {}, [CorpusProblem(file=FACTS_FILE, reason=f"not valid TOML: {error}", hint=HINT)]
    entries: dict[str, DocumentMeta] = {}
    problems: list[CorpusProblem] = []
    raw_entries = data.get("document", [])
    if not isinstance(raw_entries, list):
        raw_entries = []
        problems.append(
            CorpusProblem(
                file=FACTS_FILE, reason="'document' must be [[document]] tables", hint=HINT
            )
        )
    for number, raw in enumerate(raw_entries, 1):
        try:
            entry = FactsEntry.model_validate(raw)
        except ValidationError as error:
            problems.append(_entry_problem(number, raw, error))
            continue
        entries[entry.file] = DocumentMeta.model_validate(
            entry.model_dump(exclude={"file"}, exclude_unset=True)
        )
    return entries, problems


def _entry_problem(number: int, raw: object, error: ValidationError) -> CorpusProblem:
    name = raw.get("file", "?") if isinstance(raw, dict) else "?"
    details = "; ".join(
        f"field '{'.'.join(str(part) for part in issue['loc']) or '?'}': {issue['msg']}"
        for issue in error.errors()
    )
    return CorpusProblem(
        file=FACTS_FILE,
        reason=f"entry {number} (file = {name!r}) skipped: {details}",
        hint=HINT,
    )
