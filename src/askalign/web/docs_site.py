"""The documentation site beside the app: `make docs` builds it into this package, and a
server that has it serves it at /docs/, so the page can link to docs that match the code
it runs, offline. Without a build, the page says where the docs are instead."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

SITE = Path(__file__).resolve().parent / "site"  # mkdocs.yml's site_dir
PATH = "/docs"


def docs_routes(site: Path = SITE) -> list[Mount]:
    """The built site at /docs/, or nothing when it was never built."""
    if not (site / "index.html").is_file():
        return []
    return [Mount(PATH, app=StaticFiles(directory=site, html=True), name="docs")]


def docs_link(site: Path = SITE) -> str:
    """One line of Markdown for the page's header."""
    if (site / "index.html").is_file():
        return f"[Documentation]({PATH}/)"
    return "Documentation: `docs/` in the source (`make docs` builds it, to be served here)."
