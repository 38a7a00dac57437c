"""The `askalign` command line: one Typer app (app.py) and its commands by role:
answers, corpus (reading and indexing), serving (the web UI and its users), tools
(models and benchmarks)."""

from askalign.cli import answers, corpus, positions, serving, tools  # noqa: F401  (they register the commands)
from askalign.cli.app import app

__all__ = ["app"]
