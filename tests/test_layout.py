"""The layout is the architecture: folders by role in the order data flows, no module a
newcomer must scroll through, no import circles, and no import that reaches up a layer.

The layers, lowest first, are the ones `docs/concepts/design.md` draws. A module may import its
own layer or any below it; a new folder must be placed here before it can be imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "askalign"
MAX_LINES = 400
MAX_TOP_MODULES = 10
LAYERS = [
    ["files", "lazy", "documents", "text"],  # what every other part shares
    ["formats"],  # one reader per file format
    ["embedding", "reader"],  # the two packaged models
    ["index"],  # the SQLite catalog and what is kept beside it
    ["engines"],  # search engines over the catalog
    ["retrieval"],  # a question to ranked hits
    ["answer"],  # hits to a cited answer
    ["llm"],  # the user's own model writes claims, checked against the windows
    ["positions"],  # hits to a map of who holds which position
    ["ingest"],  # the corpus to the index
    ["settings", "conversation", "assistant"],  # the Python API and its one settings object
    ["evaluation", "bench"],  # measuring the product, apart from it
    ["web", "cli"],  # the two front ends
    ["", "__main__"],  # the package's front door
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def runtime_imports(path: Path) -> set[str]:
    """The askalign modules a module imports, inside functions too: a lazy import is
    still a dependency. Imports for type checking only are not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and getattr(block.test, "id", "") == "TYPE_CHECKING"
        for node in ast.walk(block)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found |= {
                name if name.removeprefix("askalign.") in MODULES else node.module for name in names
            }
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    inside = {
        name.removeprefix("askalign").removeprefix(".")
        for name in found
        if name.split(".")[0] == "askalign"
    }
    return {name for name in inside if name in MODULES}


GRAPH = {name: runtime_imports(path) - {name} for name, path in MODULES.items()}


def layer_of(module: str) -> int:
    matches = [
        (len(prefix), number)
        for number, prefixes in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"askalign.{module} is in no layer: place its folder in LAYERS"
    return max(matches)[1]


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        name: count
        for name, path in MODULES.items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_package_root_holds_few_modules() -> None:
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_reach_down(module: str) -> None:
    upward = [name for name in GRAPH[module] if layer_of(name) > layer_of(module)]
    assert upward == [], f"askalign.{module} imports from a higher layer"


def circles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    """Depth-first search: meeting a module still on the path closes a circle."""
    state: dict[str, str] = {}
    found: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                found.append([*path[path.index(imported) :], imported])
            elif imported not in state:
                visit(imported, [*path, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_no_import_circles() -> None:
    assert circles_in(GRAPH) == []


def test_the_checks_see_what_they_look_for() -> None:
    assert circles_in({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert "embedding" in GRAPH["retrieval.search"]  # a module-level import
    assert "engines.local" in GRAPH["engines"]  # an import inside a function
    assert "retrieval.search" not in GRAPH[""]  # the front door's lazy names are strings
    assert layer_of("cli.app") > layer_of("assistant") > layer_of("retrieval.search")
