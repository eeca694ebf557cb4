from __future__ import annotations

import os
import re
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from brickline import engine as engines
from brickline.plan import StackPlan, plan, plans
from brickline.spec.load import load_pipelines

REPO = Path(__file__).resolve().parent.parent
PIPELINES = REPO / "pipelines"
# Node 22 from npm (package.json pins it; `make setup` installs it) runs jsii and cdktf in
# the tests as it does for `make synth`; a machine without it keeps its own Node.
NODE_BIN = REPO / "node_modules" / ".bin"
if (NODE_BIN / "node").exists():
    os.environ["PATH"] = f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
# CI sets CI=true (GitHub Actions and .ci/run both do): there every tool a test needs is
# installed by the setup steps, so a test that would skip for a missing one fails instead.
IN_CI = os.environ.get("CI", "").strip().lower() == "true"
# The tools and packages the tests need, as their skip reasons name them. A skip for
# anything else (the design document in shared/, absent from the user's own CI) stays a skip.
REQUIRED = ("terraform", "java", "node", "npm", "cdktf", "cdktn", "actionlint", "pyspark",
            "git")
# The engine this run synthesizes with (brickline.engine): cdktf in `make test`, cdktn in
# `make test-cdktn`, which runs the tests marked `engine` (and `cdktn`) again in .venv-cdktn.
ENGINE = engines.current()
CDKTN_INSTALLED = engines.is_installed(engines.CDKTN)


@pytest.fixture(scope="session")
def engine() -> engines.Engine:
    """The engine of this run, for a test whose expectation depends on it."""
    return ENGINE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `cdktn` needs the cdktn engine's packages in this interpreter: without
    them it skips, naming them (and so fails under CI=true, where `make test` runs it in
    .venv-cdktn and leaves it out of the default run)."""
    if CDKTN_INSTALLED:
        return
    skip = pytest.mark.skip(reason="needs cdktn and cdktn-provider-databricks (pip install "
                            "'brickline[cdktn]'; `make test-cdktn` runs it in .venv-cdktn)")
    for item in items:
        if item.get_closest_marker("cdktn"):
            item.add_marker(skip)


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def plan_of(path: Path | str) -> StackPlan:
    (pipeline,) = load_pipelines([str(path)])
    return plan(pipeline)


@pytest.fixture(scope="session")
def examples() -> dict[str, StackPlan]:
    """Every stack of the examples, by stack name (sales_daily-dev, seed_etl, ...)."""
    return {s.name: s for p in load_pipelines([str(PIPELINES)]) for s in plans(p)}


def _skip_reason(longrepr: Any) -> str:
    # a skip's longrepr is (file, line, "Skipped: <reason>")
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _fail_skip_in_ci(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Under CI=true the setup installed every tool in REQUIRED, so a skip for one of them
    means a broken setup step: it becomes a failure that names the tool (the skip's reason
    does)."""
    if not (IN_CI and report.skipped) or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report.longrepr)
    if not any(re.search(rf"\b{tool}\b", reason, re.IGNORECASE) for tool in REQUIRED):
        return
    report.outcome = "failed"
    report.longrepr = (f"CI=true and a required tool or package is missing: {reason}\n"
                       "(outside CI this test skips; .ci/run and `make test-setup` install "
                       "everything the tests need)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    _fail_skip_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    # a module-level skip (importorskip, skip(allow_module_level=True)) skips at collection
    outcome = yield
    _fail_skip_in_ci(outcome.get_result())
