"""brickline's real ops commands (`run`, `recover`, `status`) against the workspace twin
behind HTTP (tests/twin/server.py): stacks synthesized by `brickline synth`, their jobs run
as the Jobs service runs them, the status notebook for real on local Spark, and the status
view read back through the SQL Statement API."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from brickline.cli import cli
from click.testing import CliRunner, Result
from conftest import PIPELINES, write

from twin import Scenario, Workspace
from twin.local import SKIPPY, spark_session
from twin.server import TwinWorkspace, serve

pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by `make test`")
if shutil.which("java") is None:  # pragma: no cover - CI has Java 17
    pytest.skip("Spark needs Java (17 on the CI machine)", allow_module_level=True)
if tuple(int(x) for x in pyspark.__version__.split(".")[:2]) < (3, 4):  # pragma: no cover
    pytest.skip("the status query's named parameters need Spark 3.4+", allow_module_level=True)

LOCAL = {"main": "spark_catalog"}  # local Spark has one catalog
# the watch looks again every 0.2 s; a request may take long while Spark is busy
OPTIONS = ["--poll-interval", "0.2", "--timeout", "120"]
DAY = "2026-11-26"
SEED = f"seed_etl  run_key {DAY}"


def ticking(start: str = f"{DAY}T02:00:00+00:00") -> Callable[[], datetime]:
    """The twin's clock: one second later at each look, from a fixed day (the orchestrator's
    run_key default is the run's start date)."""
    seconds = itertools.count()
    first = datetime.fromisoformat(start)
    return lambda: first + timedelta(seconds=next(seconds))


def brickline(pipelines: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--pipelines", str(pipelines), *OPTIONS])


def synth(pipelines: Path, outdir: Path) -> dict[str, dict[str, Any]]:
    """`brickline synth`: stack name -> its cdk.tf.json."""
    result = CliRunner().invoke(cli, ["synth", str(pipelines), "--outdir", str(outdir)])
    assert result.exit_code == 0, result.output
    return {Path(line).parent.name: json.loads(Path(line).read_text(encoding="utf-8"))
            for line in result.output.splitlines()}


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with spark_session(tmp_path_factory.mktemp("twin-warehouse")) as session:
        yield session


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return synth(PIPELINES, tmp_path_factory.mktemp("synth") / "cdktf.out")


@pytest.fixture
def fronts() -> list[TwinWorkspace]:
    """The HTTP fronts the test started (their requests)."""
    return []


@pytest.fixture
def twin(spark: Any, monkeypatch: pytest.MonkeyPatch,
         fronts: list[TwinWorkspace]) -> Iterator[Callable[..., Workspace]]:
    """Starts the twin of a stack on 127.0.0.1; the CLI (and the status notebook's optional
    error text, through the SDK's default auth) reach it through DATABRICKS_HOST."""
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-twin")
    monkeypatch.setenv("TF_VAR_warehouse_id", "wh-twin")
    for db in ("pipeline_ops", "sales_ops", "ops", "sales"):
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")
    with contextlib.ExitStack() as stack:
        def start(doc: dict[str, Any], scenario: Scenario | None = None) -> Workspace:
            ws = Workspace(doc, spark=spark, scenario=scenario, catalogs=LOCAL,
                           clock=ticking())
            host, front = stack.enter_context(serve(ws))
            fronts.append(front)
            monkeypatch.setenv("DATABRICKS_HOST", host)
            return ws

        yield start


def runs_of(ws: Workspace, job: str) -> list[int]:
    return [r.run_id for r in ws.runs.values() if r.job_id == ws.job_id(job)]


def logged(spark: Any, table: str) -> list[tuple[str, str, int]]:
    return [(r.job_name, r.status, r.attempt)
            for r in spark.table(table).orderBy("logged_at", "job_name").collect()]


def last_lines(result: Result) -> dict[str, tuple[str, str]]:
    """The watch's last line of each job: (state, attempt)."""
    found = {}
    for line in result.output.splitlines():
        words = line.split()
        if len(words) >= 4 and words[2] == "attempt":
            found[words[0]] = (words[1], words[3])
    return found


def status_table(result: Result, heading: str) -> dict[str, str]:
    """`brickline status`'s table: job name -> status."""
    assert result.exit_code == 0, result.output
    first, columns, *rows = result.output.splitlines()
    assert first == heading, result.output
    assert columns.split()[:2] == ["job_name", "status"], result.output
    return {row.split()[0]: row.split()[1] for row in rows}


def test_run_fails_at_load_then_recover_runs_only_load_and_es(
        twin: Callable[..., Workspace], examples: dict[str, dict[str, Any]],
        spark: Any) -> None:
    table = "spark_catalog.pipeline_ops.job_metadata"
    scenario = Scenario({"LoadTask": ["failed"] * 4})  # the first run and its 3 retries
    ws = twin(examples["seed_etl"], scenario)

    result = brickline(PIPELINES, "run", "seed_etl")
    assert result.exit_code == 1, result.output
    (run_id,) = runs_of(ws, "orchestrator")
    lines = result.output.splitlines()
    assert lines[0] == (f"run {run_id} of 'seed_etl_orchestrator': "
                        f"https://example.cloud.databricks.com/jobs/{ws.job_id('orchestrator')}"
                        f"/runs/{run_id}")
    assert lines[-4:] == [
        "  Data_Load_Job failed:",
        "    LoadTask: FAILED",  # the job run's failed task, found through runs/get-output
        "  ES_Load_Job did not run (upstream_failed)",
        f"next: brickline recover seed_etl --pipelines {PIPELINES} --run-id {run_id}"]
    assert lines[-5].startswith(f"run {run_id} of 'seed_etl_orchestrator': failed after ")
    assert logged(spark, table) == [
        (None, "in-progress", 0),  # the pipeline run's start, from the orchestrator
        ("Data_Extract_Job", "in-progress", 0), ("Data_Extract_Job", "success", 0),
        ("Data_Load_Job", "in-progress", 0), ("Data_Load_Job", "failed", 0)]
    failed = spark.table(table).where("status = 'failed'").collect()[0]
    assert failed.error_message.startswith("LoadTask: FAILED")
    assert failed.run_key == DAY  # the orchestrator's default: its start date
    assert status_table(brickline(PIPELINES, "status", "seed_etl"), SEED) == {
        "Data_Extract_Job": "success", "Data_Load_Job": "failed", "ES_Load_Job": "pending"}

    scenario.executed.clear()
    result = brickline(PIPELINES, "recover", "seed_etl")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    repair_id = ws.runs[run_id].repair_ids[0]
    assert lines[:3] == [
        f"repairing run {run_id} of 'seed_etl_orchestrator' (repair {repair_id})",
        "  re-runs Data_Load_Job (task data_load_job: FAILED)",
        "  re-runs ES_Load_Job (task es_load_job: UPSTREAM_FAILED)"]
    assert last_lines(result) == {"Data_Extract_Job": ("success", "0"),
                                  "Data_Load_Job": ("success", "1"),
                                  "ES_Load_Job": ("success", "1")}
    assert lines[-1].startswith(f"run {run_id} of 'seed_etl_orchestrator', repair "
                                f"{repair_id}: succeeded in ")
    # only load and ES ran again; extract's job was not started again
    assert [key for _, key in scenario.executed] == ["LoadTask", "ESLoadTask"]
    assert len(ws.child_runs(run_id, "data_extract_job")) == 1
    assert len(ws.child_runs(run_id, "data_load_job")) == 2
    # attempt: the job's earlier runs for the run_key (ES had never run)
    assert logged(spark, table)[5:] == [
        ("Data_Load_Job", "in-progress", 1), ("Data_Load_Job", "success", 1),
        ("ES_Load_Job", "in-progress", 0), ("ES_Load_Job", "success", 0)]
    assert status_table(brickline(PIPELINES, "status", "seed_etl"), SEED) == {
        "Data_Extract_Job": "success", "Data_Load_Job": "success", "ES_Load_Job": "success"}


def test_a_pipeline_with_targets_runs_in_its_prod_target(
        twin: Callable[..., Workspace], examples: dict[str, dict[str, Any]],
        spark: Any) -> None:
    ws = twin(examples["sales_daily-prod"])
    result = brickline(PIPELINES, "run", "sales_daily", "--target", "prod")
    assert result.exit_code == 0, result.output
    assert last_lines(result) == {"Ingest_Orders": ("success", "0"),
                                  "Ingest_Customers": ("success", "0"),
                                  "Build_Sales_Mart": ("success", "0")}
    (run_id,) = runs_of(ws, "orchestrator")
    assert result.output.splitlines()[-1].startswith(
        f"run {run_id} of 'sales_daily_orchestrator': succeeded in ")
    assert [key for _, key in ws.scenario.executed] == ["ingest", "ingest", "build", "check"]
    assert status_table(brickline(PIPELINES, "status", "sales_daily", "--target", "prod"),
                        f"sales_daily  run_key {DAY}") == {
        "Build_Sales_Mart": "success", "Ingest_Customers": "success",
        "Ingest_Orders": "success"}
    # Build_Sales_Mart's rollback table does not exist yet: noted, not fatal
    (start,) = spark.table("spark_catalog.sales_ops.sales_job_metadata").where(
        "job_name = 'Build_Sales_Mart' AND status = 'in-progress'").collect()
    assert start.error_message == ("rollback: spark_catalog.sales.daily_sales does not exist "
                                   "yet; nothing to restore it to")


def test_skip_succeeded_a_second_run_of_the_run_key_skips_what_succeeded(
        twin: Callable[..., Workspace], tmp_path: Path, spark: Any) -> None:
    pipelines = write(tmp_path / "pipelines" / "skippy", SKIPPY).parent
    scenario = Scenario({"b1": ["failed"]})
    ws = twin(synth(pipelines, tmp_path / "cdktf.out")["skippy"], scenario)
    first = brickline(pipelines, "run", "skippy")
    assert first.exit_code == 1, first.output
    assert last_lines(first) == {"A": ("success", "0"), "B": ("failed", "0")}

    # the whole pipeline again, the same day, so the same run_key: A succeeded for it and
    # is skipped
    scenario.executed.clear()
    again = brickline(pipelines, "run", "skippy")
    assert again.exit_code == 0, again.output
    assert last_lines(again) == {"A": ("success", "0"), "B": ("success", "0")}
    assert [key for _, key in scenario.executed] == ["b1"]
    _, second_a = runs_of(ws, "a")  # the first run of A, then the one that skips
    assert {t["task_key"]: t["state"]["result_state"] for t in ws.get_run(second_a)["tasks"]
            } == {"brickline_start": "SUCCESS", "brickline_gate": "SUCCESS",
                  "a1": "EXCLUDED", "a2": "EXCLUDED", "brickline_end": "SUCCESS"}
    assert logged(spark, "spark_catalog.ops.job_metadata") == [
        (None, "in-progress", 0), ("A", "in-progress", 0), ("A", "success", 0),
        ("B", "in-progress", 0), ("B", "failed", 0), (None, "in-progress", 0),
        ("A", "skipped", 1), ("B", "in-progress", 1), ("B", "success", 1)]
    assert status_table(brickline(pipelines, "status", "skippy", "--run-key", DAY),
                        f"skippy  run_key {DAY}") == {"A": "success", "B": "success"}


def test_a_run_of_many_tasks_is_read_in_pages(twin: Callable[..., Workspace],
                                              fronts: list[TwinWorkspace],
                                              tmp_path: Path) -> None:
    """runs/get pages a run's tasks past 100 (Jobs API 2.2 runs/get: next_page_token); the
    SDK's get_run reads every page, each from the same look at the run."""
    from databricks.sdk import WorkspaceClient

    tasks = "".join(f"      - task_key: t{i:03d}\n        notebook_task: {{notebook_path: /x/t}}\n"
                    for i in range(148))
    pipelines = write(tmp_path / "pipelines" / "wide", {
        "pipeline.yml": "pipeline:\n  name: wide\n  metadata: {catalog: main, schema: ops,"
                        " table: job_metadata, warehouse_id: w}\n",
        "jobs.yml": "jobs:\n  - name: Wide\n    tasks:\n" + tasks}).parent
    ws = twin(synth(pipelines, tmp_path / "cdktf.out")["wide"])
    client = WorkspaceClient(host=os.environ["DATABRICKS_HOST"], token="dapi-twin")
    run_id = client.jobs.run_now(ws.job_id("wide")).run_id
    run = client.jobs.get_run(run_id)
    while run.state is None or run.state.result_state is None:
        time.sleep(0.2)
        run = client.jobs.get_run(run_id)
    assert run.state.result_state.value == "SUCCESS"
    assert len(run.tasks or []) == 150
    assert len({t.run_id for t in run.tasks or []}) == 150
    last = [q for q in fronts[0].calls("/api/2.2/jobs/runs/get")][-2:]
    # the last look's first page, then its second page ("<look>:<page>")
    assert "page_token" not in last[0]
    assert last[1]["page_token"] == f"{len(fronts[0].runs[run_id].looks) - 1}:1"


def test_status_watch_follows_a_run_started_without_waiting(
        twin: Callable[..., Workspace], examples: dict[str, dict[str, Any]]) -> None:
    """`run --no-wait` returns while the twin's worker runs the pipeline; `status --watch`
    then reads the status view (SQL statements, on Spark while the run writes to it) until
    the orchestrator has no active run."""
    twin(examples["seed_etl"])
    started = brickline(PIPELINES, "run", "seed_etl", "--no-wait")
    assert started.exit_code == 0, started.output
    assert started.output.startswith("started run ")
    watched = brickline(PIPELINES, "status", "seed_etl", "--watch")
    assert watched.exit_code == 0, watched.output
    assert last_lines(watched) == {"Data_Extract_Job": ("success", "0"),
                                   "Data_Load_Job": ("success", "0"),
                                   "ES_Load_Job": ("success", "0")}
    assert watched.output.splitlines()[-1].startswith(f"seed_etl run_key {DAY}: succeeded")
