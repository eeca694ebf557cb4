"""The status program and the status view on a real local Spark SQL engine: the same
DataFrame writes, reads and SQL that run on Databricks. Local tables are parquet (Delta's
jars come from Maven, which is out of reach here), so RESTORE is checked by its text and by
its failure path, not by a real restore."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from brickline.runtime import status, views
from brickline.runtime.status import END_TASK, START_TASK

pyspark = pytest.importorskip("pyspark", reason="pyspark is installed by `make test`")
if shutil.which("java") is None:  # pragma: no cover - CI has Java 17
    pytest.skip("Spark needs Java (17 on the CI machine)", allow_module_level=True)

TABLE = "ops.job_metadata"
VIEW = "ops.job_status"
JOBS = ["extract", "load", "It's a \"quoted\" \\ job\n✓"]
HOSTILE = [
    "it's \"x\"\n; DROP TABLE ops.job_metadata; --",
    "back\\slash \\n not a newline, tab\there",
    "ünïcødé ✓ 日本語 🚀 \u0000 nul",
    "'); DELETE FROM ops.job_metadata WHERE ('1'='1",
    "${var.secret} {{job.id}} %s %(x)s",
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (SparkSession.builder.master("local[1]").appName("brickline-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def log(spark: Any) -> Any:
    """A fresh job_metadata table with brickline's columns, and the view over it."""
    spark.sql("CREATE DATABASE IF NOT EXISTS ops")
    spark.sql(f"DROP VIEW IF EXISTS {VIEW}")
    spark.sql(f"DROP TABLE IF EXISTS {TABLE}")
    spark.sql(f"CREATE TABLE {TABLE} ({status.SCHEMA_DDL}) USING parquet")
    spark.sql(f"CREATE VIEW {VIEW} AS {views.status_view_sql(TABLE, 'p', JOBS)}")
    return spark


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Values:
    """dbutils.jobs.taskValues as the start task uses it."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value


class Payload:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        return self.data


class Jobs:
    def __init__(self, tasks: list[dict[str, Any]], outputs: dict[int, dict[str, Any]]):
        self.tasks, self.outputs = tasks, outputs

    def get_run(self, run_id: int) -> Payload:
        return Payload({"run_id": run_id, "tasks": self.tasks})

    def get_run_output(self, run_id: int) -> Payload:
        return Payload(self.outputs.get(run_id, {}))


class Client:
    def __init__(self, tasks: list[dict[str, Any]],
                 outputs: dict[int, dict[str, Any]] | None = None) -> None:
        self.jobs = Jobs(tasks, outputs or {})


def run_tasks(**results: str) -> list[dict[str, Any]]:
    tasks = [{"task_key": START_TASK, "run_id": 1, "state": {"result_state": "SUCCESS"}},
             {"task_key": END_TASK, "run_id": 2, "state": {"life_cycle_state": "RUNNING"}}]
    for i, (key, result) in enumerate(sorted(results.items()), start=10):
        tasks.append({"task_key": key, "run_id": i, "state": {
            "life_cycle_state": "TERMINATED", "result_state": result,
            "state_message": f"{key} said {result}"}})
    return tasks


def args(phase: str, job: str = "extract", *, run_id: int = 100, run_key: str = "2026-11-26",
         attempt: int = 0, extra: tuple[str, ...] = ()) -> list[str]:
    return [phase, "--pipeline", "p", "--job-name", job, "--table", TABLE, "--job-id", "7",
            "--run-id", str(run_id), "--run-key", run_key, "--attempt", str(attempt),
            "--start-ms", "1795658400000", *extra]


def rows(spark: Any, where: str = "true") -> list[Any]:
    return spark.sql(f"SELECT * FROM {TABLE} WHERE {where} ORDER BY logged_at").collect()


def latest(spark: Any, run_key: str = "2026-11-26") -> dict[str, str]:
    found = spark.sql(f"SELECT job_name, status FROM {VIEW} WHERE run_key = :k",
                      args={"k": run_key}).collect()
    return {r.job_name: r.status for r in found}


def test_a_successful_job_logs_in_progress_then_success(log: Any) -> None:
    clock = Clock()
    status.main(args("start"), spark=log, now=clock)
    assert latest(log)["extract"] == "in-progress"
    assert latest(log)["load"] == "pending"  # no row yet: pending, derived by the view
    result = status.main(args("end"), spark=log, client=Client(run_tasks(a="SUCCESS")),
                         now=clock)
    assert result.status == "success"
    found = rows(log)
    assert [r.status for r in found] == ["in-progress", "success"]
    done = found[1]
    assert (done.job_id, done.run_id, done.attempt, done.pipeline, done.run_key) == (
        "7", 100, 0, "p", "2026-11-26")
    assert done.start_time == datetime(2026, 11, 26, 2, 0)  # from {{job.start_time...}}
    assert done.end_time == done.logged_at and done.error_message is None
    assert found[0].end_time is None
    assert latest(log)["extract"] == "success"


def test_a_failed_job_logs_then_fails_the_run(log: Any) -> None:
    client = Client(run_tasks(a="SUCCESS", b="FAILED", c="UPSTREAM_FAILED"),
                    outputs={11: {"error": "ValueError: bad row", "error_trace": "Traceback"}})
    status.main(args("start", "load"), spark=log, now=Clock())
    with pytest.raises(status.JobFailed, match="load failed: b: FAILED: ValueError: bad row"):
        status.main(args("end", "load"), spark=log, client=client, now=Clock())
    (failed,) = rows(log, "status = 'failed'")
    assert failed.failed_tasks == ["b"]
    assert failed.error_message == ("b: FAILED: ValueError: bad row\nTraceback\n"
                                    "c: UPSTREAM_FAILED (not run)")
    assert latest(log)["load"] == "failed"


def test_an_unreadable_run_is_logged_as_a_failure(log: Any) -> None:
    class Broken:
        class jobs:
            @staticmethod
            def get_run(run_id: int) -> Any:
                raise PermissionError("403 Forbidden")

    with pytest.raises(status.JobFailed):
        status.main(args("end"), spark=log, client=Broken(), now=Clock())
    (row,) = rows(log)
    assert row.status == "failed"
    assert row.error_message == "brickline could not read run 100: PermissionError: 403 Forbidden"


@pytest.mark.parametrize("text", [*HOSTILE, "x" * 100_000 + "'\"\\ end"])
def test_hostile_and_long_text_is_stored_exactly(log: Any, text: str) -> None:
    client = Client(run_tasks(a="FAILED"), outputs={10: {"error": text}})
    with pytest.raises(status.JobFailed):
        status.main(args("end", job=JOBS[2]), spark=log, client=client, now=Clock())
    (row,) = rows(log)
    assert row.error_message == f"a: FAILED: {text}"
    assert row.job_name == JOBS[2]
    assert latest(log)[JOBS[2]] == "failed"  # the view's literal matched the stored name


def test_a_repair_gives_a_new_row_and_the_view_shows_it(log: Any) -> None:
    clock = Clock()
    status.main(args("start", "load"), spark=log, now=clock)
    with pytest.raises(status.JobFailed):
        status.main(args("end", "load"), spark=log, client=Client(run_tasks(a="FAILED")),
                    now=clock)
    # the job's own repair: the end task runs again in the same run, repair_count 1
    status.main(args("end", "load", attempt=1), spark=log,
                client=Client(run_tasks(a="SUCCESS")), now=clock)
    assert [(r.status, r.attempt) for r in rows(log)] == [
        ("in-progress", 0), ("failed", 0), ("success", 1)]
    assert latest(log)["load"] == "success"
    # the orchestrator's repair: a new run of the job, a new run_id, same run_key
    status.main(args("start", "load", run_id=200), spark=log, now=clock)
    assert latest(log)["load"] == "in-progress"
    status.main(args("end", "load", run_id=200), spark=log,
                client=Client(run_tasks(a="SUCCESS")), now=clock)
    view = log.sql(f"SELECT * FROM {VIEW} WHERE job_name = 'load'").collect()
    assert [(r.status, r.run_id) for r in view] == [("success", 200)]


def test_run_keys_are_kept_apart(log: Any) -> None:
    clock = Clock()
    status.main(args("start", run_key="day-1"), spark=log, now=clock)
    status.main(args("end", run_key="day-1"), spark=log, client=Client(run_tasks(a="SUCCESS")),
                now=clock)
    status.main(args("start", run_key="day-2"), spark=log, now=clock)
    assert latest(log, "day-1") == {"extract": "success", "load": "pending", JOBS[2]: "pending"}
    assert latest(log, "day-2")["extract"] == "in-progress"


def test_skip_succeeded_skips_only_what_succeeded_for_this_run_key(log: Any) -> None:
    clock, skip = Clock(), ("--skip-succeeded",)
    values = Values()
    status.main(args("start", extra=skip), spark=log, task_values=values, now=clock)
    assert values.values == {"skip": False}
    status.main(args("end", extra=("--skip", "false")), spark=log,
                client=Client(run_tasks(a="SUCCESS")), now=clock)
    # the orchestrator runs again for the same run_key: the job says skip, logs nothing yet
    again = Values()
    result = status.main(args("start", run_id=300, extra=skip), spark=log, task_values=again,
                         now=clock)
    assert again.values == {"skip": True} and result.status == "skipped"
    # the gate excluded every work task; the end task logs `skipped`
    status.main(args("end", run_id=300, extra=("--skip", "true")), spark=log,
                client=Client(run_tasks(a="EXCLUDED")), now=clock)
    assert [r.status for r in rows(log)] == ["in-progress", "success", "skipped"]
    assert latest(log)["extract"] == "success"  # a skip never hides the success
    # another run_key is not skipped
    other = Values()
    status.main(args("start", run_key="day-9", extra=skip), spark=log, task_values=other,
                now=clock)
    assert other.values == {"skip": False}


def test_rollback_restores_when_the_job_fails(log: Any) -> None:
    # local Spark has no Delta: RESTORE fails here, and that failure is logged, not hidden
    versions = '{"main.sales.orders": 41}'
    with pytest.raises(status.JobFailed):
        status.main(args("end", extra=("--versions", versions)), spark=log,
                    client=Client(run_tasks(a="FAILED")), now=Clock())
    (row,) = rows(log)
    assert row.error_message.startswith(
        "a: FAILED: a said FAILED\nrollback: FAILED to restore main.sales.orders to version 41:")


def test_rollback_statements_on_a_recording_engine() -> None:
    issued: list[str] = []

    class Result:
        def collect(self) -> list[dict[str, int]]:
            return [{"version": 41}]

    def sql(statement: str) -> Result:
        issued.append(statement)
        return Result()

    versions = status.capture_versions(sql, ["main.sales.orders", "main.sales.items"])
    assert versions == {"main.sales.orders": 41, "main.sales.items": 41}
    lines = status.restore(sql, versions)
    assert issued == [
        "DESCRIBE HISTORY `main`.`sales`.`orders` LIMIT 1",
        "DESCRIBE HISTORY `main`.`sales`.`items` LIMIT 1",
        "RESTORE TABLE `main`.`sales`.`items` TO VERSION AS OF 41",
        "RESTORE TABLE `main`.`sales`.`orders` TO VERSION AS OF 41",
    ]
    assert lines == ["rollback: restored main.sales.items to version 41",
                     "rollback: restored main.sales.orders to version 41"]


def test_the_status_query_runs_on_spark(log: Any) -> None:
    clock = Clock()
    for key in ("day-1", "day-2"):
        status.main(args("start", run_key=key), spark=log, now=clock)
    by_key = log.sql(views.status_query(VIEW, TABLE, latest=False),
                     args={"pipeline": "p", "run_key": "day-1"}).collect()
    assert [(r.run_key, r.job_name, r.status) for r in by_key] == [
        ("day-1", JOBS[2], "pending"), ("day-1", "extract", "in-progress"),
        ("day-1", "load", "pending")]
    newest = log.sql(views.status_query(VIEW, TABLE, latest=True),
                     args={"pipeline": "p"}).collect()
    assert {r.run_key for r in newest} == {"day-2"}
    assert list(newest[0].asDict()) == list(views.VIEW_COLUMNS)


def test_every_dashboard_dataset_runs_on_spark(log: Any) -> None:
    """The dashboard's SQL, on the same engine as the view's; the figures it shows."""
    clock = Clock()
    status.main(args("start", "extract", run_key="day-1"), spark=log, now=clock)
    with pytest.raises(status.JobFailed):
        status.main(args("end", "extract", run_key="day-1"), spark=log,
                    client=Client(run_tasks(a="FAILED")), now=clock)
    status.main(args("start", "extract", run_key="day-2", run_id=101), spark=log, now=clock)
    status.main(args("end", "extract", run_key="day-2", run_id=101), spark=log,
                client=Client(run_tasks(a="SUCCESS")), now=clock)
    queries = views.dashboard_queries(TABLE, VIEW, "p")
    results = {name: log.sql(sql).collect() for name, sql in queries.items()}
    assert {(r.job_name, r.status) for r in results["current_run"]} == {
        ("extract", "success"), ("load", "pending"), (JOBS[2], "pending")}
    assert [(r.job_name, r.status, r.run_key) for r in results["latest_status"]] == [
        ("extract", "success", "day-2")]
    assert [(str(r.day), r.failures) for r in results["failures_per_day"]] == [
        ("2026-11-26", 1)]
    durations = results["duration_per_job"]
    assert [r.run_key for r in durations] == ["day-1", "day-2"]
    assert all(0 <= float(r.minutes) < 1 for r in durations)  # seconds after the start
    assert [r.error_message for r in results["last_errors"]] == ["a: FAILED: a said FAILED"]
    doc = __import__("json").loads(views.dashboard_json(TABLE, VIEW, "p"))
    assert ["".join(d["queryLines"]) for d in doc["datasets"]] == list(queries.values())


def test_unresolved_arguments_still_log_a_row(log: Any) -> None:
    """If Databricks left a {{...}} reference unresolved (the start task failed before it
    recorded the versions, say), the end task still writes its row and fails the run."""
    unresolved = [a if a not in ("0", "1795658400000") else "{{job.repair_count}}"
                  for a in args("end")]
    with pytest.raises(status.JobFailed):
        status.main([*unresolved, "--versions", "{{tasks.brickline_start.values.versions}}"],
                    spark=log, client=Client(run_tasks(a="FAILED")), now=Clock())
    (row,) = rows(log)
    assert row.status == "failed" and row.attempt == 0 and row.start_time is None
    assert row.error_message.endswith(
        "rollback: not done, the table versions were not recorded "
        "('{{tasks.brickline_start.values.versions}}')")
