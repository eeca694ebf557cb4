"""Operating a pipeline against the fake workspace (tests/databricks_fake.py): jobs with
`orchestrate: false` are shown apart and never pending, a task that waits shows no
duration, `brickline run --job` runs one job with the pipeline's run_key, and
`run --attach` follows a run again after Ctrl-C or --no-wait."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import databricks_fake as fake
import pytest
from brickline.cli import cli
from brickline.ops import runs, watch
from click.testing import CliRunner, Result
from conftest import PIPELINES, plan_of
from test_ops_commands import LOG_COLUMNS, URL, clear_auth

FAST = ["--poll-interval", "0"]
LOAD_ID = 22
QUALITY = """jobs:
  - name: Data_Quality
    orchestrate: false
    schedule: {quartz_cron_expression: "0 0 4 * * ?", timezone_id: UTC}
    tasks:
      - task_key: check
        notebook_task: {notebook_path: /Workspace/Pipeline/Quality}
"""


@pytest.fixture
def pipelines(tmp_path: Path) -> Path:
    """seed_etl with one more job that runs on its own schedule (orchestrate: false)."""
    folder = shutil.copytree(PIPELINES / "seed_etl", tmp_path / "pipelines" / "seed_etl")
    (folder / "quality.yml").write_text(QUALITY, encoding="utf-8")
    return tmp_path / "pipelines"


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake.Workspace]:
    state = fake.Workspace()
    fake.seed_workspace(state)
    with fake.serve(state) as host:
        clear_auth(monkeypatch)
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-contract-test")
        monkeypatch.setenv("TF_VAR_warehouse_id", "wh-1")
        yield state


def brickline(*args: str, pipelines: Path = PIPELINES) -> Result:
    return CliRunner().invoke(cli, [*args, "--pipelines", str(pipelines), *FAST])


APART = "not in this run (orchestrate: false, each on its own schedule): Data_Quality"


# --- item 1: orchestrate: false is never pending ------------------------------------------

def test_the_plan_knows_which_jobs_a_pipeline_run_runs(pipelines: Path) -> None:
    stack = plan_of(pipelines / "seed_etl")
    assert runs.apart(stack) == ("Data_Quality",)
    assert [name for _, name in runs.job_names(stack)] == [
        "Data_Extract_Job", "Data_Load_Job", "ES_Load_Job"]
    assert runs.apart(plan_of(PIPELINES / "seed_etl")) == ()


def test_a_failed_run_never_calls_a_job_of_its_own_schedule_pending(
        workspace: fake.Workspace, pipelines: Path) -> None:
    workspace.on_run_now = lambda run_id: fake.seed_progress(run_id, fail=True)
    fake.seed_failure_details(workspace, 1000)
    result = brickline("run", "seed_etl", pipelines=pipelines)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[:2] == [f"run 1000 of 'seed_etl_orchestrator': {URL}/1000", APART]
    assert not [line for line in lines if "Data_Quality" in line and line != APART]
    assert "  ES_Load_Job did not run (upstream_failed)" in lines
    assert not [line for line in lines if "pending" in line and "Data_Quality" in line]


def test_recover_leaves_a_job_of_its_own_schedule_out(workspace: fake.Workspace,
                                                      pipelines: Path) -> None:
    failed = fake.seed_progress(1000, fail=True)[-1]
    workspace.add_run([failed])
    workspace.on_repair = fake.seed_repair(failed)
    result = brickline("recover", "seed_etl", pipelines=pipelines)
    assert result.exit_code == 0, result.output
    assert APART in result.output.splitlines()
    assert result.output.count("Data_Quality") == 1


def test_status_watch_shows_such_a_job_apart(workspace: fake.Workspace,
                                             pipelines: Path) -> None:
    row = ["seed_etl", "2026-11-26", "Data_Extract_Job", "success", "2026-11-26 02:00:00",
           "2026-11-26 02:04:12", None, None, "101", "1", "0", "2026-11-26 02:04:12"]
    log = [fake.statement("SUCCEEDED", LOG_COLUMNS, [
        row, [*row[:2], "Data_Load_Job", "success", *row[4:]],
        [*row[:2], "ES_Load_Job", "success", *row[4:]]])]
    workspace.queries = [log]
    result = brickline("status", "seed_etl", "--watch", pipelines=pipelines)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == ["seed_etl run_key 2026-11-26", APART]
    assert "pending" not in result.output
    (sent,) = workspace.calls("/api/2.0/sql/statements")
    # the latest run_key is the pipeline run's (its newest start row, which has no
    # job_name), never Data_Quality's own
    assert "AND job_name IS NULL" in sent["statement"]


def test_the_live_table_shows_such_jobs_under_the_table() -> None:
    from rich.console import Console

    console = Console(record=True, width=100, force_terminal=True)
    table = watch.LiveTable(console, auto_refresh=False, clock=lambda: fake.T0 / 1000 + 60)
    table.show(runs.Snapshot("run 1", None, (
        runs.JobProgress("A", "running", 0, started_ms=fake.T0),
        # waiting: no duration, though the Jobs API gave it a start time
        runs.JobProgress("B", "blocked", 0)), over=False, apart=("Quality",)))
    table.close()
    text = console.export_text()
    assert "not in this run (orchestrate: false, each on its own schedule): Quality" in text
    rows = [line.split() for line in text.splitlines() if line.startswith(("A ", "B "))]
    assert {tuple(r) for r in rows} == {("A", "running", "0", "1m", "00s"),
                                        ("B", "blocked", "0")}


def test_a_task_that_waits_has_no_start_time_yet() -> None:
    looks = fake.run(1, "RUNNING", tasks=[
        fake.task("a", "PENDING", run_id=11, start=fake.T0),
        fake.task("b", "BLOCKED", run_id=12, start=fake.T0),
        fake.task("c", "RUNNING", run_id=13, start=fake.T0)])
    snap = runs.snapshot(looks, [("a", "a"), ("b", "b"), ("c", "c")], title="t")
    assert [j.started_ms for j in snap.jobs] == [None, None, fake.T0]


# --- item 6: run --job, --no-wait, --attach ---------------------------------------------

def load_job_run(run_id: int, *, fail: bool = False) -> list[dict[str, Any]]:
    """The looks at one run of Data_Load_Job alone: its status tasks around LoadTask."""
    ids = {k: run_id * 10 + i for i, k in enumerate(
        ("brickline_start", "LoadTask", "brickline_end"), 1)}

    def t(key: str, life: str, result: str | None = None, start: int | None = None,
          end: int | None = None) -> dict[str, Any]:
        return fake.task(key, life, result, run_id=ids[key], start=start, end=end)

    started = t("brickline_start", "TERMINATED", "SUCCESS", fake.T0, fake.T0 + 20 * fake.S)
    params = [{"name": "run_key", "default": "{{job.start_time.iso_date}}",
               "value": "2026-11-26"}]
    end = "FAILED" if fail else "SUCCESS"
    return [{**look, "job_parameters": params} for look in (
        fake.run(run_id, "RUNNING", job_id=LOAD_ID, start=fake.T0, tasks=[
            t("brickline_start", "RUNNING", start=fake.T0), t("LoadTask", "BLOCKED", start=fake.T0),
            t("brickline_end", "BLOCKED")]),
        fake.run(run_id, "TERMINATED", end, job_id=LOAD_ID, start=fake.T0,
                 end=fake.T0 + 330 * fake.S, tasks=[
                     started, t("LoadTask", "TERMINATED", end, fake.T0 + 21 * fake.S,
                                fake.T0 + 321 * fake.S),
                     t("brickline_end", "TERMINATED", end, fake.T0 + 322 * fake.S,
                       fake.T0 + 330 * fake.S)]))]


def test_run_one_job_with_the_pipelines_run_key(workspace: fake.Workspace) -> None:
    workspace.on_run_now = load_job_run
    result = brickline("run", "seed_etl", "--job", "Data_Load_Job", "--run-key", "2026-11-26")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"run 1000 of 'Data_Load_Job': {fake.URL}/jobs/{LOAD_ID}/runs/1000",
        "brickline_start  running         attempt 0",
        "LoadTask         blocked         attempt 0",
        "brickline_end    blocked         attempt 0",
        "brickline_start  success         attempt 0  20s",
        "LoadTask         success         attempt 0  5m 00s",
        "brickline_end    success         attempt 0  8s",
        "run 1000 of 'Data_Load_Job': succeeded in 5m 30s"]
    assert workspace.calls("/api/2.2/jobs/run-now") == [
        {"job_id": LOAD_ID, "job_parameters": {"run_key": "2026-11-26"}}]


def test_run_one_job_by_its_key_with_its_own_default_run_key(
        workspace: fake.Workspace) -> None:
    workspace.on_run_now = lambda run_id: load_job_run(run_id, fail=True)
    workspace.outputs[10002] = {"error": "AnalysisException: no table main.sales.orders"}
    result = brickline("run", "seed_etl", "--job", "data_load_job")
    assert result.exit_code == 1, result.output
    # no run_key: the job's own parameter default, the orchestrator's (same as a pipeline run)
    assert workspace.calls("/api/2.2/jobs/run-now") == [{"job_id": LOAD_ID}]
    lines = result.output.splitlines()
    assert lines[-4:] == [
        "  LoadTask failed:",
        "    FAILED: AnalysisException: no table main.sales.orders",
        "  brickline_end failed:",
        f"next: brickline run seed_etl --pipelines {PIPELINES} --job Data_Load_Job "
        "--run-key 2026-11-26"]


def test_run_of_a_job_the_pipeline_does_not_have(workspace: fake.Workspace) -> None:
    result = brickline("run", "seed_etl", "--job", "Data_Lod_Job")
    assert result.exit_code == 2
    assert "pipeline 'seed_etl' has no job 'Data_Lod_Job' (did you mean 'Data_Load_Job'?)" \
        in result.output
    assert not workspace.calls("/api/2.2/jobs/run-now")


def test_no_wait_then_attach_follows_the_same_run(workspace: fake.Workspace) -> None:
    workspace.on_run_now = fake.seed_progress
    started = brickline("run", "seed_etl", "--no-wait")
    assert started.exit_code == 0, started.output
    again = started.output.splitlines()[-1].removeprefix("follow it with: ")
    assert again == f"brickline run seed_etl --pipelines {PIPELINES} --attach 1000"
    result = CliRunner().invoke(cli, [*again.split()[1:], *FAST])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"run 1000 of 'seed_etl_orchestrator': {URL}/1000"
    assert lines[-1] == "run 1000 of 'seed_etl_orchestrator': succeeded in 11m 45s"
    assert len(workspace.calls("/api/2.2/jobs/run-now")) == 1  # attaching starts nothing


def test_attach_without_the_pipeline_finds_it_by_the_runs_job_name(
        workspace: fake.Workspace) -> None:
    looks = load_job_run(4000)
    workspace.add_run([{**look, "run_name": "Data_Load_Job"} for look in looks])
    result = CliRunner().invoke(cli, ["run", "--attach", "4000", "--pipelines",
                                      str(PIPELINES / "seed_etl"), *FAST])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "run 4000 of 'Data_Load_Job': succeeded in 5m 30s"


def test_attach_to_a_repair_follows_the_repair(workspace: fake.Workspace) -> None:
    failed = fake.seed_progress(1000, fail=True)[-1]
    workspace.add_run(fake.seed_repair(failed, stale_first=False)(1000, 501))
    result = brickline("run", "seed_etl", "--attach", "1000")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == \
        "run 1000 of 'seed_etl_orchestrator', repair 501: succeeded in 7m 01s"


def test_attach_to_a_run_of_something_else(workspace: fake.Workspace) -> None:
    workspace.add_run([{**fake.run(5000, "RUNNING", job_id=99, tasks=[
        fake.task("other", "RUNNING", run_id=50001)]), "run_name": "Someone else's job"}])
    result = brickline("run", "seed_etl", "--attach", "5000")
    assert result.exit_code == 1
    assert "run 5000 is not a run of pipeline 'seed_etl' (neither its orchestrator nor one " \
           "of its jobs): it is a run of Someone else's job" in result.output


def test_ctrl_c_while_following_one_job_says_how_to_follow_it_again(
        workspace: fake.Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.on_run_now = load_job_run

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "pause", interrupted)
    result = brickline("run", "seed_etl", "--job", "Data_Load_Job")
    assert result.exit_code == 130
    assert result.output.splitlines()[-1] == (
        "brickline: stopped watching; run 1000 of 'Data_Load_Job' goes on (it was not "
        f"cancelled); follow it again with: brickline run seed_etl --pipelines {PIPELINES} "
        "--attach 1000")


def test_attach_takes_no_start_options(workspace: fake.Workspace) -> None:
    result = brickline("run", "seed_etl", "--attach", "1000", "--job", "Data_Load_Job")
    assert result.exit_code == 2 and "--attach follows a run that exists" in result.output
    bare = CliRunner().invoke(cli, ["run"])
    assert bare.exit_code == 2 and "which pipeline?" in bare.output
