"""Which chunks a search may return, pushed down into each engine's search."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from askalign.documents import Role

T = TypeVar("T")


class Scope(BaseModel):
    """Which chunks a search may return: any of these speakers, roles and documents
    (None: no limit on that field). Engines apply it inside the search, never by
    dropping results after a top-k, which could leave nothing."""

    model_config = ConfigDict(frozen=True)

    speakers: tuple[str, ...] | None = None
    roles: tuple[Role, ...] | None = None
    docs: tuple[str, ...] | None = None

    @property
    def everything(self) -> bool:
        return self.speakers is None and self.roles is None and self.docs is None

    @property
    def empty(self) -> bool:
        return any(values == () for values in (self.speakers, self.roles, self.docs))

    def narrowed(self, other: Scope) -> Scope:
        """Chunks both scopes admit."""
        return Scope(
            speakers=_both(self.speakers, other.speakers),
            roles=_both(self.roles, other.roles),
            docs=_both(self.docs, other.docs),
        )


def _both(first: tuple[T, ...] | None, second: tuple[T, ...] | None) -> tuple[T, ...] | None:
    if first is None:
        return second
    if second is None:
        return first
    return tuple(value for value in first if value in second)
