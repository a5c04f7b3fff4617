"""The pre-commit hooks check what make lint checks: ruff as pinned, the venv's mypy."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _pinned(name: str) -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pins = [pin for pins in project["project"]["optional-dependencies"].values() for pin in pins]
    [version] = [m[1] for pin in pins if (m := re.fullmatch(rf"{name}==(\S+)", pin))]
    return version


def _repos() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return {repo["repo"]: repo for repo in config["repos"]}


def test_the_ruff_hooks_are_the_ruff_pinned_in_pyproject():
    ruff = _repos()["https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"] == f"v{_pinned('ruff')}"
    assert {hook["id"] for hook in ruff["hooks"]} == {"ruff-check", "ruff-format"}


def test_the_mypy_hook_runs_the_venvs_mypy_as_make_typecheck_does():
    [hook] = _repos()["local"]["hooks"]
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("mypy", "system", False)
    assert "\t$(VENV)/bin/mypy\n" in (ROOT / "Makefile").read_text()
    assert hook["entry"] == ".venv/bin/mypy"  # VENV's default in the Makefile
