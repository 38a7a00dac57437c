"""MkDocs hook: the reference pages that must not drift from the code are generated
from it at build time, so a new setting or option cannot be left out of the docs.

- `<!-- settings-table -->` becomes one row per field of `askalign.settings.Settings`.
- `<!-- cli-reference -->` becomes every `askalign` command, from the Typer app.

tests/test_docs.py calls the same functions, so the tables are checked without a build.
"""

from __future__ import annotations

import enum
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
if str(SRC) not in sys.path:  # document the tree being built, not an older install
    sys.path.insert(0, str(SRC))

SETTINGS_MARK = "<!-- settings-table -->"
CLI_MARK = "<!-- cli-reference -->"


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def shown_default(field) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
        home = str(Path.home())
        return f"`{str(value).replace(home, '~', 1)}`"
    value = field.default
    if value is None:
        return "none"
    if isinstance(value, enum.Enum):
        value = value.value
    return f"`{value}`"


def env_names(name: str, field) -> list[str]:
    alias = field.validation_alias
    names = list(getattr(alias, "choices", [])) if alias is not None else []
    return names or [f"ASKALIGN_{name.upper()}"]


def settings_table() -> str:
    """Every setting: its environment variable(s), default and meaning, from the model."""
    from askalign.settings import Settings

    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        variables = ", ".join(f"`{variable}`" for variable in env_names(name, field))
        rows.append(f"| {variables} | {shown_default(field)} | {cell(field.description or '')} |")
    return "\n".join(rows)


def option_names(param) -> str:
    names = [*param.opts, *getattr(param, "secondary_opts", [])]
    return " / ".join(f"`{name}`" for name in names)


def is_argument(param) -> bool:
    return param.param_type_name == "argument"


def is_group(command) -> bool:
    return hasattr(command, "list_commands")


def command_section(path: str, command, parent) -> list[str]:
    """Typer brings its own copy of click, so commands and parameters are told apart by
    what they have, not by click's classes."""
    context = command.context_class(command, info_name=path, parent=parent)
    lines = [f"## `{path}`", ""]
    help_text = (command.help or "").strip()
    if help_text:
        lines += [help_text.split("\b")[0].strip(), ""]
    lines += ["```text", usage(path, command), "```", ""]
    params = [param for param in command.params if not getattr(param, "hidden", False)]
    if params:
        lines += ["| argument or option | default | meaning |", "|---|---|---|"]
        for param in params:
            name = f"`{param.name.upper()}`" if is_argument(param) else option_names(param)
            default = "required" if param.required else shown_value(param.default)
            lines.append(f"| {name} | {default} | {cell(getattr(param, 'help', None) or '')} |")
        lines.append("")
    if is_group(command):
        for name in command.list_commands(context):
            lines += command_section(f"{path} {name}", command.get_command(context, name), context)
    return lines


def usage(path: str, command) -> str:
    """As `--help` writes it: options first, then the arguments in capitals."""
    words = [path, "[OPTIONS]"]
    if is_group(command):
        words.append("COMMAND [ARGS]...")
    for param in command.params:
        if is_argument(param):
            name = param.name.upper() + ("..." if param.nargs == -1 else "")
            words.append(name if param.required else f"[{name}]")
    return " ".join(words)


def shown_value(value: object) -> str:
    if value is None or value == () or value is False:
        return ""
    return f"`{value}`"


def cli_reference() -> str:
    """Every command of `askalign`, with its usage and options, from the Typer app."""
    import typer

    from askalign.cli import app

    root = typer.main.get_command(app)
    context = root.context_class(root, info_name="askalign")
    lines: list[str] = []
    for name in root.list_commands(context):
        lines += command_section(f"askalign {name}", root.get_command(context, name), context)
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: object) -> str:
    if SETTINGS_MARK in markdown:
        markdown = markdown.replace(SETTINGS_MARK, settings_table())
    if CLI_MARK in markdown:
        markdown = markdown.replace(CLI_MARK, cli_reference())
    return markdown
