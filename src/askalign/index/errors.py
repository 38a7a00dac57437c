"""What goes wrong with an index, apart from the catalog that finds it: the engines, the
server and the command line catch these without importing SQLite code."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from askalign.index.contract import ChunkSource


class IndexProblem(Exception):
    """The index cannot be used as it is; the message says what to run."""


class IndexMissingError(IndexProblem):
    pass


class IndexMismatchError(IndexProblem):
    pass


def check_model(catalog: ChunkSource, model_id: str) -> None:
    """Vectors of two models do not compare: an index built with another is refused."""
    built_with = catalog.get_meta("model_id")
    if built_with is not None and built_with != model_id:
        raise IndexMismatchError(
            f"the index at {catalog.path.parent} was built with {built_with},"
            f" but askalign now embeds with {model_id}: run `askalign ingest --rebuild`"
        )
