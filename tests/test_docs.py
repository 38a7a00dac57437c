"""The docs are run, not only read: every command in a `bash` or `console` block and
every `python` block of the README and of docs/ runs against a copy of the shipped
corpus and index, as shown, and must succeed. docs/reference/docs.md explains the few
markers (an HTML comment before a block) that change how a block is run."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from .conftest import REPO, SHIPPED_CORPUS
from .servers import serving

DOCS = REPO / "docs"
PAGES = [REPO / "README.md", *sorted(DOCS.rglob("*.md"))]
SHELLS = {"bash", "sh", "console"}
SHOWN_URL = "http://127.0.0.1:7860/"
MARKER = re.compile(r"<!--\s*(not run:\s*(?P<reason>.+?)|docs-test:\s*(?P<test>.+?))\s*-->", re.S)
SHELL_SYNTAX = {"|", "||", "&&", ";", ">", ">>", "<", "&"}
MAX_NOT_RUN = 11  # long-running or external commands only: keep them few


@dataclass
class Block:
    page: Path
    line: int
    language: str
    code: str
    marker: str | None  # "not run", "exit N", 'input "..."', "server"


def page_blocks(page: Path) -> list[Block]:
    tokens = MarkdownIt("commonmark").parse(page.read_text(encoding="utf-8"))
    found = []
    for index, token in enumerate(tokens):
        if token.type != "fence":
            continue
        before = tokens[index - 1] if index else None
        match = MARKER.search(before.content) if before and before.type == "html_block" else None
        marker = None
        if match:
            marker = "not run" if match["reason"] else match["test"].strip()
        language = token.info.split()[0] if token.info else ""
        found.append(Block(page, token.map[0] + 1, language, token.content, marker))
    return found


BLOCKS = [block for page in PAGES for block in page_blocks(page)]


def commands(block: Block) -> list[str]:
    """The command lines of a shell block, continuation lines joined."""
    joined, pending = [], None
    for line in block.code.splitlines():
        if pending is None:  # not inside a command: is this line one?
            if block.language == "console":
                if not line.startswith("$ "):
                    continue  # what the command printed
                line = line[2:]
            pending = ""
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command, pending = (pending + line).strip(), None
        if command and not command.startswith("#"):
            joined.append(command)
    return joined


def run_command(command: str, workdir: Path, marker: str | None) -> None:
    """`askalign ...` runs in this process through Typer's CliRunner; anything else
    (creating a file, say, or a pipe) through bash, in the same folder."""
    from askalign.cli import app

    expected = int(marker.split()[1]) if marker and marker.startswith("exit") else 0
    typed = None
    if marker and marker.startswith("input"):
        typed = shlex.split(marker)[1].encode().decode("unicode_escape")
    words = shlex.split(command, comments=True)
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    if words and words[0] == "askalign" and not SHELL_SYNTAX & set(words):
        result = CliRunner().invoke(app, words[1:], env=env, input=typed)
        code, output = result.exit_code, result.output
        if result.exception and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"`{command}` raised") from result.exception
    else:
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # askalign
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=workdir,
            capture_output=True,
            text=True,
            input=typed,
            env=os.environ | {"PATH": path},
        )
        code, output = done.returncode, done.stdout + done.stderr
    assert code == expected, f"`{command}` exited {code}, not {expected}:\n{output[-3000:]}"


def run_python(block: Block, namespace: dict, workdir: Path) -> None:
    code = block.code
    if block.marker == "server":
        with serving(workdir / "corpus", workdir / "index") as server:
            exec(compile(code.replace(SHOWN_URL, server["url"]), str(block.page), "exec"), {})
        return
    exec(compile(code, f"{block.page}:{block.line}", "exec"), namespace)


def runnable(page: Path) -> list[Block]:
    return [
        block
        for block in BLOCKS
        if block.page == page
        and block.marker != "not run"
        and (block.language == "python" or (block.language in SHELLS and commands(block)))
    ]


RUN_PAGES = [page for page in PAGES if runnable(page)]


@pytest.mark.parametrize("page", RUN_PAGES, ids=[str(p.relative_to(REPO)) for p in RUN_PAGES])
def test_every_example_on_the_page_runs(
    page: Path, shipped_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's blocks run in order in one folder holding corpus/ and index/, so the
    commands use the default paths, as a reader would."""
    workdir = tmp_path / "work"
    shutil.copytree(SHIPPED_CORPUS, workdir / "corpus")
    shutil.copytree(shipped_index, workdir / "index")
    monkeypatch.chdir(workdir)
    for name in ("ASKALIGN_CORPUS_DIR", "ASKALIGN_INDEX_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASKALIGN_READER", "off")
    run_page(page, workdir)


def run_page(page: Path, workdir: Path) -> None:
    namespace: dict = {}
    for block in runnable(page):
        if block.language == "python":
            run_python(block, namespace, workdir)
        else:
            for command in commands(block):
                run_command(command, workdir, block.marker)


def test_blocks_not_run_are_few_and_say_why() -> None:
    skipped = [block for block in BLOCKS if block.marker == "not run"]
    assert len(skipped) <= MAX_NOT_RUN, [(b.page.name, b.line) for b in skipped]
    texts = [page.read_text(encoding="utf-8") for page in PAGES]
    assert all(
        match["reason"].strip()
        for text in texts
        for match in MARKER.finditer(text)
        if match["test"] is None
    )


def test_the_markers_are_read() -> None:
    page = DOCS / "guides" / "adding-texts.md"
    markers = {block.marker for block in page_blocks(page)}
    assert "exit 1" in markers
    [command] = commands(Block(page, 1, "console", "$ askalign a \\\n  b\nprinted\n", None))
    assert shlex.split(command) == ["askalign", "a", "b"]


def load_hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    return hooks


def test_the_settings_table_names_every_setting() -> None:
    from askalign.settings import Settings

    table = load_hooks().settings_table()
    for name in Settings.model_fields:
        assert f"`ASKALIGN_{name.upper()}`" in table
    assert "`ASKALIGN_STORE`" in table  # an older name is listed with the new one
    assert len(table.splitlines()) == len(Settings.model_fields) + 2


def test_the_command_reference_names_every_command() -> None:
    import click
    import typer

    from askalign.cli import app

    reference = load_hooks().cli_reference()
    root = typer.main.get_command(app)
    for name in root.list_commands(click.Context(root)):
        assert f"## `askalign {name}`" in reference
    assert "## `askalign user add`" in reference
    assert "`--llm-url`" in reference


def test_every_page_is_in_the_table_of_contents() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))

    def pages(nav) -> list[str]:
        if isinstance(nav, str):
            return [nav]
        items = nav.values() if isinstance(nav, dict) else nav
        return [page for item in items for page in pages(item)]

    listed = set(pages(config["nav"]))
    on_disk = {str(page.relative_to(DOCS)) for page in DOCS.rglob("*.md")}
    assert on_disk == listed


def test_the_readme_is_short_and_the_help_names_the_docs() -> None:
    from askalign.cli import app

    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 150
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert "Docs: docs/ in the source" in result.output, result.output


def test_a_built_site_is_served_at_docs_and_linked(tmp_path: Path) -> None:
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from askalign.web.docs_site import docs_link, docs_routes

    site = tmp_path / "site"
    assert docs_routes(site) == []  # never built: nothing served, and the page says so
    assert "make docs" in docs_link(site)
    (site / "guides").mkdir(parents=True)
    (site / "index.html").write_text("<h1>askalign docs</h1>", encoding="utf-8")
    (site / "guides" / "index.html").write_text("<h1>Guides</h1>", encoding="utf-8")
    client = TestClient(Starlette(routes=docs_routes(site)))
    assert "askalign docs" in client.get("/docs/").text
    assert "Guides" in client.get("/docs/guides/").text
    assert client.get("/docs/missing/").status_code == 404
    assert docs_link(site) == "[Documentation](/docs/)"


def test_the_readmes_links_lead_to_files() -> None:
    """mkdocs --strict checks the site's links; the README is read on its own."""
    tokens = MarkdownIt("commonmark").parse((REPO / "README.md").read_text(encoding="utf-8"))
    targets = [
        child.attrs.get("href") or child.attrs.get("src")
        for token in tokens
        if token.children
        for child in token.children
        if child.type in ("link_open", "image")
    ]
    local = [target for target in targets if "://" not in target]
    assert len(local) >= 10
    missing = [target for target in local if not (REPO / target.split("#")[0]).exists()]
    assert missing == []
