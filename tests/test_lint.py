"""The code stays clean: ruff, and mypy --strict on the package (STYLE.md)."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_ruff() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "constructs", "tests",
                             "tools", "main.py"], cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout


def test_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stdout


def _pins(path: str) -> dict[str, str]:
    pins = {}
    for line in (REPO / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_locks_agree_with_pyproject() -> None:
    """What pyproject pins is what the locks install: run-time pins in requirements.lock,
    the test extras in requirements-test.lock, and no package in both."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    runtime, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    assert not runtime.keys() & test.keys()
    for spec in project["dependencies"]:
        name, version = spec.split("==")
        assert runtime.get(name.lower().replace("_", "-")) == version, spec
    for spec in project["optional-dependencies"]["test"]:
        name, version = spec.split("==")
        assert test.get(name.lower().replace("_", "-")) == version, spec
    # the cdktn extra: requirements-cdktn.lock adds it to requirements.lock
    cdktn = _pins("requirements-cdktn.lock")
    assert not cdktn.keys() & (runtime.keys() | test.keys())
    assert {n.lower(): v for n, v in (s.split("==") for s in
                                      project["optional-dependencies"]["cdktn"])} == cdktn
