"""Names a package exports but imports only when first used, so importing the package
stays fast (answering a question need not load the corpus readers, nor an evaluation
the Assistant)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module


def lazy_getattr(package: str, sources: dict[str, str]) -> Callable[[str], object]:
    """A module-level `__getattr__` that imports each name from its module in `sources`."""

    def __getattr__(name: str) -> object:
        if name in sources:
            return getattr(import_module(sources[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
