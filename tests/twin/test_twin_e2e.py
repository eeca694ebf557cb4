"""End to end on the workspace twin: synthesized stacks run as the Jobs service runs them,
brickline's status notebook for real on local Spark, user tasks as a scenario says."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan
from conftest import plan_of, write

from twin import Scenario, Workspace
from twin.local import SKIPPY, spark_session

pytest.importorskip("pyspark", reason="pyspark is installed by `make test`")
if shutil.which("java") is None:  # pragma: no cover - CI has Java 17
    pytest.skip("Spark needs Java (17 on the CI machine)", allow_module_level=True)

LOCAL = {"main": "spark_catalog"}  # local Spark has one catalog


def synth(stack_plan: StackPlan) -> dict[str, Any]:
    return json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack_plan)))


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with spark_session(tmp_path_factory.mktemp("twin-warehouse")) as session:
        yield session


@pytest.fixture
def fresh(spark: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    # the status notebook's optional error text tries the SDK's default auth: there is no
    # workspace here, so it must find none (and the row is written without the text)
    for name in ("DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CONFIG_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
    for db in ("pipeline_ops", "ops", "sales"):
        spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")
    return spark


class Clock:
    """The twin's clock: a second later at each look, from 02:00 UTC of a fixed day (a
    pipeline run's key is the orchestrator's start date by default)."""

    def __init__(self, day: str = "2026-11-26") -> None:
        self.now = datetime.fromisoformat(f"{day}T02:00:00+00:00")

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def next_day(self) -> None:
        self.now += timedelta(days=1)


def rows(spark: Any, table: str = "spark_catalog.pipeline_ops.job_metadata") -> list[Any]:
    return spark.table(table).orderBy("logged_at", "job_name").collect()


def view(spark: Any, run_key: str,
         name: str = "spark_catalog.pipeline_ops.job_status") -> dict[str, str]:
    return {r.job_name: r.status
            for r in spark.table(name).where(f"run_key = '{run_key}'").collect()}


def states(ws: Workspace, run_id: int) -> dict[str, str]:
    return {t["task_key"]: t["state"]["result_state"] for t in ws.get_run(run_id)["tasks"]}


def test_every_status_value_is_the_run_s_own(fresh: Any,
                                            examples: dict[str, StackPlan]) -> None:
    """Each column of each row, by value against what the twin's Jobs service knows: the
    job's id and the run's id (the row's job, or the orchestrator for the pipeline's start
    row), the run's start time, its end on the end row, the pipeline, the run_key. A status
    parameter that resolves to something else (a corrupt reference, another job's id)
    fails here, not only in a snapshot."""
    clock = Clock()
    ws = Workspace(synth(examples["seed_etl"]), spark=fresh, scenario=Scenario({}),
                   catalogs=LOCAL, clock=clock)
    orchestrator = ws.job_id("orchestrator")
    run_id = ws.run_now(orchestrator)
    assert ws.get_run(run_id)["state"]["result_state"] == "SUCCESS"
    addresses = {"Data_Extract_Job": "data_extract_job", "Data_Load_Job": "data_load_job",
                 "ES_Load_Job": "es_load_job"}
    runs = {None: (orchestrator, run_id)} | {
        name: (ws.job_id(address), *ws.child_runs(run_id, address))
        for name, address in addresses.items()}
    logged = rows(fresh)
    assert sorted({r.job_name or "" for r in logged}) == ["", *sorted(addresses)]
    for row in logged:
        job_id, its_run = runs[row.job_name]
        run = ws.get_run(its_run)
        assert run["job_id"] == job_id
        assert (row.job_id, row.run_id) == (str(job_id), its_run), row
        assert (row.pipeline, row.run_key, row.attempt) == ("seed_etl", "2026-11-26", 0)
        started = datetime.fromtimestamp(run["start_time"] / 1000, tz=UTC)
        assert row.start_time.replace(tzinfo=UTC) == started, row
        if row.status == "success":
            assert row.end_time is not None and row.end_time.replace(tzinfo=UTC) > started
            assert row.end_time == row.logged_at
        else:
            assert (row.status, row.end_time) == ("in-progress", None)
        assert row.failed_tasks == [] and row.error_message is None


def test_seed_pipeline_fails_at_load_then_a_repair_runs_only_load_and_es(
        fresh: Any, examples: dict[str, StackPlan]) -> None:
    scenario = Scenario({"LoadTask": ["failed"] * 4})  # the first run and its 3 retries
    ws = Workspace(synth(examples["seed_etl"]), spark=fresh, scenario=scenario,
                   catalogs=LOCAL, clock=Clock())
    run_id = ws.run_now(ws.job_id("orchestrator"))
    run = ws.get_run(run_id)
    assert run["state"]["result_state"] == "FAILED"
    assert states(ws, run_id) == {"brickline_start": "SUCCESS", "data_extract_job": "SUCCESS",
                                  "data_load_job": "FAILED", "es_load_job": "UPSTREAM_FAILED"}
    (load_run,) = ws.child_runs(run_id, "data_load_job")
    load_tasks = ws.get_run(load_run)["tasks"]
    assert [t["attempt_number"] for t in load_tasks if t["task_key"] == "LoadTask"] == [
        0, 1, 2, 3]
    logged = [(r.job_name, r.status, r.attempt) for r in rows(fresh)]
    # the pipeline run's start row (no job name) from the orchestrator's first task
    assert logged == [(None, "in-progress", 0),
                      ("Data_Extract_Job", "in-progress", 0), ("Data_Extract_Job", "success", 0),
                      ("Data_Load_Job", "in-progress", 0), ("Data_Load_Job", "failed", 0)]
    failed = rows(fresh)[-1]
    assert failed.failed_tasks == ["LoadTask"]
    # no error code: {{tasks.<key>.error_code}} is not a documented reference (item 6)
    assert failed.error_message.startswith("LoadTask: FAILED")
    assert failed.run_id == load_run and failed.run_key == "2026-11-26"
    assert view(fresh, "2026-11-26") == {"Data_Extract_Job": "success",
                                         "Data_Load_Job": "failed", "ES_Load_Job": "pending"}

    # brickline recover: one repair of the orchestrator's run; Load then succeeds
    scenario.executed.clear()
    ws.repair(run_id, rerun_all_failed_tasks=True)
    assert [key for _, key in scenario.executed] == ["LoadTask", "ESLoadTask"]
    assert ws.get_run(run_id)["state"]["result_state"] == "SUCCESS"
    assert len(ws.child_runs(run_id, "data_load_job")) == 2  # a new run of the job
    assert len(ws.child_runs(run_id, "data_extract_job")) == 1  # never run again
    logged = [(r.job_name, r.status, r.attempt) for r in rows(fresh)]
    # attempt: the job's earlier runs for the run_key (ES never ran before)
    assert logged[5:] == [("Data_Load_Job", "in-progress", 1), ("Data_Load_Job", "success", 1),
                          ("ES_Load_Job", "in-progress", 0), ("ES_Load_Job", "success", 0)]
    assert view(fresh, "2026-11-26") == {"Data_Extract_Job": "success",
                                         "Data_Load_Job": "success", "ES_Load_Job": "success"}


def rollback_pipeline(tmp_path: Path) -> Path:
    return write(tmp_path, {
        "pipeline.yml": "pipeline:\n  name: rb\n  metadata: {catalog: main, schema: ops,"
                        " table: job_metadata, warehouse_id: w}\n",
        "jobs.yml": "jobs:\n  - name: Load\n"
                    "    rollback: {tables: [main.sales.orders, main.sales.fresh]}\n"
                    "    tasks:\n      - task_key: write\n"
                    "        notebook_task: {notebook_path: /x/write}\n"})


def test_a_failed_start_task_is_named_in_the_end_row_and_no_work_runs(
        fresh: Any, tmp_path: Path) -> None:
    ws = Workspace(synth(plan_of(rollback_pipeline(tmp_path))), spark=fresh, catalogs=LOCAL)
    ws.history["spark_catalog.sales.orders"] = [41]
    ws.unreadable.add("spark_catalog.sales.orders")  # rollback impossible: stop before work
    run_id = ws.run_now(ws.job_id("load"))
    assert states(ws, run_id) == {"brickline_start": "FAILED", "write": "UPSTREAM_FAILED",
                                  "brickline_end": "FAILED"}
    assert ws.scenario.executed == []
    (row,) = rows(fresh, "spark_catalog.ops.job_metadata")
    assert (row.status, row.failed_tasks) == ("failed", ["brickline_start"])
    assert row.error_message.startswith(
        "brickline_start: FAILED: brickline's start task failed, so no "
        "work task ran\nwrite: UPSTREAM_FAILED (not run)")


def skip_pipeline(tmp_path: Path) -> Path:
    return write(tmp_path, SKIPPY)


def test_skip_succeeded_skips_only_what_succeeded_for_the_run_key(
        fresh: Any, tmp_path: Path) -> None:
    scenario = Scenario({"b1": ["failed"]})
    clock = Clock()
    ws = Workspace(synth(plan_of(skip_pipeline(tmp_path))), spark=fresh, scenario=scenario,
                   catalogs=LOCAL, clock=clock)
    orchestrator = ws.job_id("orchestrator")
    first = ws.run_now(orchestrator)
    assert states(ws, first) == {"brickline_start": "SUCCESS", "a": "SUCCESS", "b": "FAILED"}
    # the whole pipeline again for the same run_key: A already succeeded and is skipped
    scenario.executed.clear()
    again = ws.run_now(orchestrator)  # the same day: the same run_key
    assert states(ws, again) == {"brickline_start": "SUCCESS", "a": "SUCCESS", "b": "SUCCESS"}
    assert [key for _, key in scenario.executed] == ["b1"]
    (a_run,) = ws.child_runs(again, "a")
    assert states(ws, a_run) == {"brickline_start": "SUCCESS", "brickline_gate": "SUCCESS",
                                 "a1": "EXCLUDED", "a2": "EXCLUDED", "brickline_end": "SUCCESS"}
    statuses = [(r.job_name, r.status, r.attempt)
                for r in rows(fresh, "spark_catalog.ops.job_metadata")]
    assert statuses == [(None, "in-progress", 0), ("A", "in-progress", 0), ("A", "success", 0),
                        ("B", "in-progress", 0), ("B", "failed", 0), (None, "in-progress", 0),
                        ("A", "skipped", 1), ("B", "in-progress", 1), ("B", "success", 1)]
    assert view(fresh, "2026-11-26", "spark_catalog.ops.job_status") == {"A": "success",
                                                                        "B": "success"}
    # another day, another run_key: everything runs
    scenario.executed.clear()
    clock.next_day()
    ws.run_now(orchestrator)
    assert sorted(key for _, key in scenario.executed) == ["a1", "a2", "b1"]


def test_rollback_restores_the_versions_recorded_before_the_work(
        fresh: Any, tmp_path: Path) -> None:
    rollback_pipeline(tmp_path)
    ws = Workspace(synth(plan_of(tmp_path)), spark=fresh, catalogs=LOCAL,
                   scenario=Scenario({"write": ["failed"]}))
    ws.history["spark_catalog.sales.orders"] = [40, 41]
    run_id = ws.run_now(ws.job_id("load"))
    assert ws.get_run(run_id)["state"]["result_state"] == "FAILED"
    assert ws.delta_statements == [
        "DESCRIBE HISTORY `spark_catalog`.`sales`.`orders` LIMIT 1",
        "DESCRIBE HISTORY `spark_catalog`.`sales`.`fresh` LIMIT 1",
        "RESTORE TABLE `spark_catalog`.`sales`.`orders` TO VERSION AS OF 41",
    ]
    start, end = rows(fresh, "spark_catalog.ops.job_metadata")
    assert start.error_message == (
        "rollback: spark_catalog.sales.fresh does not exist yet; nothing to restore it to")
    assert end.error_message == (
        "write: FAILED\n"
        "rollback: spark_catalog.sales.fresh did not exist before the run; left as it is\n"
        "rollback: restored spark_catalog.sales.orders to version 41")


def test_a_thousand_task_job(fresh: Any, tmp_path: Path) -> None:
    """The Jobs API's largest job: 1,000 tasks, brickline's two included."""
    tasks = "".join(f"      - task_key: t{i:03d}-{'k' * 90}\n"
                    f"        notebook_task: {{notebook_path: /x/t}}\n" for i in range(998))
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  name: big\n  metadata: {catalog: main, schema: ops,"
                        " table: job_metadata, warehouse_id: w}\n",
        "jobs.yml": "jobs:\n  - name: Big\n    tasks:\n" + tasks})
    doc = synth(plan_of(tmp_path))
    job = doc["resource"]["databricks_job"]["big"]
    assert len(job["task"]) == 1000
    end = next(t for t in job["task"] if t["task_key"] == "brickline_end")
    # Jobs API: "The JSON representation of this field cannot exceed 1MB" (base_parameters)
    assert len(json.dumps(end["notebook_task"]["base_parameters"]).encode()) < 1_000_000
    bad = f"t737-{'k' * 90}"
    ws = Workspace(doc, spark=fresh, catalogs=LOCAL, scenario=Scenario({bad: ["failed"]}))
    run_id = ws.run_now(ws.job_id("big"))
    assert ws.get_run(run_id)["state"]["result_state"] == "FAILED"
    _, row = rows(fresh, "spark_catalog.ops.job_metadata")
    assert (row.status, row.failed_tasks) == ("failed", [bad])
    assert len(ws.scenario.executed) == 998


def test_a_job_outside_the_orchestrator_logs_under_its_own_run_key(
        fresh: Any, tmp_path: Path) -> None:
    """orchestrate: false: the job runs on its own schedule; its status tasks resolve every
    reference (no orchestrator parameter to read) and log a run_key of its own."""
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  name: solo\n  metadata: {catalog: main, schema: ops,"
                        " table: job_metadata, warehouse_id: w}\n",
        "jobs.yml": "jobs:\n  - name: Nightly\n    orchestrate: false\n"
                    "    schedule: {quartz_cron_expression: '0 0 3 * * ?', timezone_id: UTC}\n"
                    "    tasks:\n      - task_key: t\n"
                    "        notebook_task: {notebook_path: /x/t}\n"
                    "  - name: Other\n    tasks:\n      - task_key: o\n"
                    "        notebook_task: {notebook_path: /x/o}\n"})
    ws = Workspace(synth(plan_of(tmp_path)), spark=fresh, catalogs=LOCAL)
    run_id = ws.run_now(ws.job_id("nightly"), trigger="periodic")
    assert ws.get_run(run_id)["state"]["result_state"] == "SUCCESS"
    logged = [(r.job_name, r.status, r.run_key, r.attempt)
              for r in rows(fresh, "spark_catalog.ops.job_metadata")]
    assert logged == [("Nightly", "in-progress", f"nightly-{run_id}", 0),
                      ("Nightly", "success", f"nightly-{run_id}", 0)]


OLD_DESIGN = Path(__file__).parent.parent / "data" / "old_design" / "seed_etl.cdk.tf.json"


def test_the_design_before_the_status_notebook_fails_in_the_twin(fresh: Any) -> None:
    """The seed pipeline as brickline synthesized it before the status notebook (git
    4f63056: a Python-file status task that sets task values, the SDK as a library, no
    access mode): its status task is a script on a DBR 11.3 cluster, which has no dbutils,
    may set no task values (docs "Use task values to pass information between tasks") and
    whose SDK finds no credentials (in-cluster auth needs DBR 13+); the twin fails it there,
    and nothing is logged."""
    doc = json.loads(OLD_DESIGN.read_text(encoding="utf-8"))
    start = doc["resource"]["databricks_job"]["data_extract_job"]["task"][-1]
    assert start["task_key"] == "brickline_start" and "spark_python_task" in start
    ws = Workspace(doc, spark=fresh, catalogs=LOCAL, clock=Clock())
    run_id = ws.run_now(ws.job_id("orchestrator"), {"run_key": "2026-11-26"})
    assert ws.get_run(run_id)["state"]["result_state"] == "FAILED"
    (extract,) = ws.child_runs(run_id, "data_extract_job")
    assert states(ws, extract)["brickline_start"] == "FAILED"
    message = [t["state"]["state_message"] for t in ws.get_run(extract)["tasks"]
               if t["task_key"] == "brickline_start"][-1]
    assert message.startswith("ValueError: default auth: cannot configure default "
                              "credentials"), message
    cluster = doc["resource"]["databricks_job"]["data_extract_job"]["job_cluster"][0]
    assert cluster["new_cluster"]["spark_version"].startswith("11.3.")
    assert "data_security_mode" not in cluster["new_cluster"]
    assert rows(fresh) == []


def strict_entry_point(argv: list[str]) -> None:
    """A wheel's entry point that refuses any argument it does not know (argparse)."""
    import argparse

    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--date", required=True)
    try:
        parser.parse_args(argv)
    except argparse.ArgumentError as exc:
        raise SystemExit(2) from exc


def test_no_job_parameter_reaches_the_users_tasks(fresh: Any, tmp_path: Path) -> None:
    """Job parameters are pushed down to notebook, keyword-wheel, SQL and Run Job tasks
    (docs "Configure task parameters"); brickline declares none, so a wheel whose entry
    point refuses unknown arguments runs, and a notebook sees only its own widgets."""
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  name: strict\n  metadata: {catalog: main, schema: ops,"
                        " table: job_metadata, warehouse_id: w}\n",
        "jobs.yml": "jobs:\n  - name: Extract\n    tasks:\n      - task_key: nb\n"
                    "        notebook_task: {notebook_path: /x/nb, base_parameters: {a: '1'}}\n"
                    "  - name: Load\n    depends_on: [Extract]\n"
                    "    job_clusters: [{job_cluster_key: c, new_cluster: {spark_version: "
                    "15.4.x-scala2.12, node_type_id: i3.xlarge, num_workers: 1}}]\n"
                    "    tasks:\n      - task_key: whl\n        job_cluster_key: c\n"
                    "        python_wheel_task: {package_name: p, entry_point: run,"
                    " named_parameters: {date: '2026-11-26'}}\n"})
    doc = synth(plan_of(tmp_path))
    assert all("parameter" not in job for job in doc["resource"]["databricks_job"].values())
    scenario = Scenario(entry_points={"whl": strict_entry_point})
    ws = Workspace(doc, spark=fresh, scenario=scenario, catalogs=LOCAL, clock=Clock())
    run_id = ws.run_now(ws.job_id("orchestrator"))
    assert ws.get_run(run_id)["state"]["result_state"] == "SUCCESS"
    assert dict(scenario.seen) == {"nb": {"a": "1"}, "whl": ["--date=2026-11-26"]}
    assert view(fresh, "2026-11-26", "spark_catalog.ops.job_status") == {
        "Extract": "success", "Load": "success"}


def test_a_cancelled_run_is_not_shown_in_progress_once_the_pipeline_runs_again(
        fresh: Any, examples: dict[str, StackPlan]) -> None:
    """A cancel ends the run with nothing after it (the end task does not log), so the job
    stays in-progress until the pipeline's next start closes its row as `canceled`."""
    clock = Clock()
    ws = Workspace(synth(examples["seed_etl"]), spark=fresh, catalogs=LOCAL, clock=clock,
                   scenario=Scenario({"LoadTask": ["canceled"]}))
    run_id = ws.run_now(ws.job_id("orchestrator"))
    assert ws.get_run(run_id)["state"]["result_state"] == "CANCELED"
    assert view(fresh, "2026-11-26")["Data_Load_Job"] == "in-progress"
    clock.next_day()
    ws.run_now(ws.job_id("orchestrator"))
    assert view(fresh, "2026-11-26") == {"Data_Extract_Job": "success",
                                         "Data_Load_Job": "canceled", "ES_Load_Job": "pending"}
    assert view(fresh, "2026-11-27") == {"Data_Extract_Job": "success",
                                         "Data_Load_Job": "success", "ES_Load_Job": "success"}
