"""The search engine's setting kept its older names when "store" became "engine": a
deployment configured with `ASKALIGN_STORE` or scripts passing `--store` still work."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from askalign.cli import app
from askalign.settings import Settings


@pytest.mark.parametrize("variable", ["ASKALIGN_ENGINE", "ASKALIGN_STORE"])
def test_either_variable_names_the_engine(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(variable, "milvus:somewhere.db")
    assert Settings().engine == "milvus:somewhere.db"


def test_the_default_engine_is_local() -> None:
    assert Settings().engine == "local"
    assert Settings(engine="milvus:x.db").engine == "milvus:x.db"


@pytest.mark.parametrize("flag", ["--engine", "--store"])
def test_either_flag_names_the_engine(flag: str, shipped_index: Path) -> None:
    result = CliRunner().invoke(app, ["status", "--index", str(shipped_index), flag, "bogus"])
    assert result.exit_code == 2
    assert "unknown engine 'bogus'" in result.output
