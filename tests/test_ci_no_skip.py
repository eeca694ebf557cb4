"""Under CI=true a test that would skip for a missing tool fails instead and names it
(the hook in conftest.py), so a broken setup step in CI cannot pass as green."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

TERRAFORM_TEST = "tests/test_plan_report.py::test_the_recorded_plans_are_what_terraform_makes"


def without(tool: str) -> str:
    """The PATH minus every folder that holds `tool`."""
    return os.pathsep.join(d for d in os.environ.get("PATH", "").split(os.pathsep)
                           if d and not (Path(d) / tool).exists())


def run_tests(target: str, path: str, ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path, "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                           "-p", "no:cacheprovider", target], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize(("tool", "target", "names"), [
    ("terraform", TERRAFORM_TEST,
     "terraform is not on the PATH"),
    ("java", "tests/test_runtime_spark.py", "Spark needs Java"),
])
def test_a_missing_tool_fails_in_ci_and_is_named(tool: str, target: str, names: str) -> None:
    result = run_tests(target, without(tool), "true")
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert f"CI=true and a required tool or package is missing: {names}" in out


def test_outside_ci_the_same_test_skips() -> None:
    result = run_tests(TERRAFORM_TEST, without("terraform"), "")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout


def test_a_skip_for_something_else_stays_a_skip_in_ci(tmp_path: Path) -> None:
    # the design document lives in shared/, which the user's own CI does not have
    (tmp_path / "test_doc.py").write_text(
        "import pytest\n\n\n@pytest.mark.skip(reason='the design document (shared/) is "
        "not here')\ndef test_doc():\n    pass\n")
    env = {**os.environ, "CI": "true", "PYTHONPATH": str(REPO / "tests")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "conftest",
                             "-p", "no:randomly", "-p", "no:cacheprovider", str(tmp_path)],
                            cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
