"""The status program and the status view on a real local Spark SQL engine: the same
DataFrame writes, reads and SQL that run on Databricks. Local tables are parquet (Delta's
jars come from Maven, which is out of reach here), so RESTORE is checked by its text and by
its failure path, not by a real restore."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from brickline.runtime import status, views
from brickline.runtime.status import START_TASK

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

    # Spark's Python workers must be the interpreter running the tests (3.9 or current)
    os.environ["PYSPARK_PYTHON"] = sys.executable
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
        self.now = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


class Values:
    """dbutils.jobs.taskValues as the status notebook uses it."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def set(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get(self, taskKey: str, key: str, default: Any = None,
            debugValue: Any = None) -> Any:
        assert taskKey == START_TASK
        return self.values.get(key, default)


def args(phase: str, job: str = "extract", *, run_id: int = 100, run_key: str = "2026-11-26",
         attempt: int = 0, orchestrator: str = "0", skip: bool = False,
         rollback: tuple[str, ...] = (), trigger: str | None = None,
         **work: str) -> dict[str, str]:
    """The widgets of a status task as the Jobs service resolved them; `work` gives each
    work task's resolved result_state (end phase). Without `trigger`, a run not started by
    the orchestrator: its RUN_KEY is the key it logs under, and `orchestrator` repairs count
    as its own. With `trigger` ({{job.trigger.type}}), a job of the orchestrator's."""
    params = {status.PHASE: phase, status.PIPELINE: "p", status.JOB_NAME: job,
              status.TABLE: TABLE, status.JOB_ID: "7", status.RUN_ID: str(run_id),
              status.RUN_KEY: run_key, status.REPAIR_COUNT: str(attempt + int(orchestrator)),
              status.START_MS: "1795658400000",
              status.SKIP_SUCCEEDED: "true" if skip else "false"}
    if trigger is not None:
        params.update({status.ORCHESTRATED: "true", status.TRIGGER: trigger,
                       status.RUN_KEY: f"{job}-{run_id}"})
    if rollback:
        params[status.ROLLBACK_TABLES] = json.dumps(list(rollback))
    if phase == "end":
        params[status.START_OUTCOME] = f"{START_TASK}\tsuccess\t1"
        params[status.TASK_COUNT] = str(len(work))
        for i, (key, state) in enumerate(sorted(work.items())):
            # key<TAB>result_state<TAB>run_id: no error_code (status.outcome_reference)
            params[status.task_widget(i)] = f"{key}\t{state}\t{10 + i}"
    return params


def rows(spark: Any, where: str = "true") -> list[Any]:
    return spark.sql(f"SELECT * FROM {TABLE} WHERE {where} ORDER BY logged_at").collect()


def latest(spark: Any, run_key: str = "2026-11-26") -> dict[str, str]:
    found = spark.table(VIEW).where(f"run_key = '{run_key}'").collect()
    return {r.job_name: r.status for r in found}


# `brickline status` runs its query on a SQL warehouse with named parameters (Spark 3.4+);
# the status notebook itself never uses them, so on Spark 3.3 only that query is not run
NAMED_PARAMETERS = tuple(int(x) for x in pyspark.__version__.split(".")[:2]) >= (3, 4)


def test_a_successful_job_logs_in_progress_then_success(log: Any) -> None:
    clock = Clock()
    pipeline_starts(log)
    status.main(args("start"), spark=log, now=clock)
    assert latest(log)["extract"] == "in-progress"
    assert latest(log)["load"] == "pending"  # no row yet: pending, derived by the view
    result = status.main(args("end", a="success"), spark=log, now=clock)
    assert result.status == "success"
    found = rows(log, "job_name IS NOT NULL")
    assert [r.status for r in found] == ["in-progress", "success"]
    done = found[1]
    assert (done.job_id, done.run_id, done.attempt, done.pipeline, done.run_key) == (
        "7", 100, 0, "p", "2026-11-26")
    assert done.start_time == datetime(2026, 11, 26, 2, 0)  # from {{job.start_time...}}
    assert done.end_time == done.logged_at and done.error_message is None
    assert found[0].end_time is None
    assert latest(log)["extract"] == "success"


def test_a_failed_job_logs_then_fails_the_run(log: Any) -> None:
    status.main(args("start", "load"), spark=log, now=Clock())
    with pytest.raises(status.JobFailed,
                       match="load failed: b: FAILED\nc: UPSTREAM"):
        status.main(args("end", "load", a="success", b="failed", c="upstream_failed"),
                    spark=log, now=Clock())
    (failed,) = rows(log, "status = 'failed'")
    assert failed.failed_tasks == ["b"]
    assert failed.error_message == ("b: FAILED\n"
                                    "c: UPSTREAM_FAILED (not run)")
    assert latest(log)["load"] == "failed"


def test_the_error_text_is_added_when_it_can_be_read(log: Any) -> None:
    def errors(failed: Any) -> dict[str, str]:
        assert [(o.task_key, o.run_id) for o in failed] == [("b", "11")]
        return {"b": "ValueError: bad row"}

    with pytest.raises(status.JobFailed):
        status.main(args("end", a="success", b="failed"), spark=log, errors=errors,
                    now=Clock())
    (row,) = rows(log)
    assert row.error_message == "b: FAILED: ValueError: bad row"


def test_an_error_text_that_cannot_be_read_never_stops_the_row(log: Any) -> None:
    def errors(failed: Any) -> dict[str, str]:
        raise ValueError("default auth: cannot configure default credentials")

    with pytest.raises(status.JobFailed):
        status.main(args("end", a="failed"), spark=log, errors=errors, now=Clock())
    (row,) = rows(log)
    assert (row.status, row.error_message) == ("failed", "a: FAILED")


def test_a_failed_start_task_is_named_in_the_end_row(log: Any) -> None:
    params = args("end", a="upstream_failed")
    params[status.START_OUTCOME] = f"{START_TASK}\tfailed\t1"
    with pytest.raises(status.JobFailed):
        status.main(params, spark=log, now=Clock())
    (row,) = rows(log)
    assert row.failed_tasks == [START_TASK]
    assert row.error_message.startswith("brickline_start: FAILED")


@pytest.mark.parametrize("text", [*HOSTILE, "x" * 100_000 + "'\"\\ end"])
def test_hostile_and_long_text_is_stored_exactly(log: Any, text: str) -> None:
    with pytest.raises(status.JobFailed):
        status.main(args("end", job=JOBS[2], a="failed"), spark=log,
                    errors=lambda failed: {"a": text}, now=Clock())
    (row,) = rows(log)
    assert row.error_message == f"a: FAILED: {text}"
    assert row.job_name == JOBS[2]
    assert latest(log)[JOBS[2]] == "failed"  # the view's literal matched the stored name


def test_a_repair_gives_a_new_row_and_the_view_shows_it(log: Any) -> None:
    clock = Clock()
    status.main(args("start", "load"), spark=log, now=clock)
    with pytest.raises(status.JobFailed):
        status.main(args("end", "load", a="failed"), spark=log, now=clock)
    # the job's own repair: the end task runs again in the same run, repair_count 1
    status.main(args("end", "load", attempt=1, a="success"), spark=log, now=clock)
    assert [(r.status, r.attempt) for r in rows(log)] == [
        ("in-progress", 0), ("failed", 0), ("success", 1)]
    assert latest(log)["load"] == "success"
    # the orchestrator's repair: a new run of the job (its own repair count 0), a new
    # run_id, the same run_key; the orchestrator's repair count is passed down
    status.main(args("start", "load", run_id=200, orchestrator="1"), spark=log, now=clock)
    assert latest(log)["load"] == "in-progress"
    status.main(args("end", "load", run_id=200, orchestrator="1", a="success"), spark=log,
                now=clock)
    view = log.sql(f"SELECT * FROM {VIEW} WHERE job_name = 'load'").collect()
    assert [(r.status, r.run_id, r.attempt) for r in view] == [("success", 200, 1)]


def test_run_keys_are_kept_apart(log: Any) -> None:
    clock = Clock()
    pipeline_starts(log, "day-1", run_id=1)
    status.main(args("start", run_key="day-1"), spark=log, now=clock)
    status.main(args("end", run_key="day-1", a="success"), spark=log, now=clock)
    pipeline_starts(log, "day-2", run_id=2)
    status.main(args("start", run_key="day-2", run_id=101), spark=log, now=clock)
    assert latest(log, "day-1") == {"extract": "success", "load": "pending", JOBS[2]: "pending"}
    assert latest(log, "day-2")["extract"] == "in-progress"


def pipeline_starts(spark: Any, run_key: str = "2026-11-26", *, run_id: int = 1,
                    attempt: int = 0, jobs: tuple[str, ...] = tuple(JOBS)) -> None:
    """The orchestrator's first task: its SQL file, each {{name}} a string of the SQL task's
    parameters (tests/twin/jobs.py Workspace._sql says from where; here as a literal, which
    Spark 3.3 runs too)."""
    import re

    sql = views.pipeline_start_sql(TABLE, jobs, close_open=True)
    params = {"pipeline": "p", "run_key": run_key, "job_id": "1", "run_id": str(run_id),
              "start_ms": "1795658400000", "attempt": str(attempt)}
    for statement in (s.strip() for s in sql.split(";")):
        if statement:
            spark.sql(re.sub(r"\{\{(\w+)\}\}",
                             lambda m: views.sql_string(params[m.group(1)]), statement))


def test_a_job_the_orchestrator_started_logs_under_the_pipeline_runs_key(log: Any) -> None:
    clock = Clock()
    pipeline_starts(log, "day-1", run_id=1)
    status.main(args("start", trigger="run_job_task"), spark=log, now=clock)
    status.main(args("end", trigger="RUN_JOB_TASK", a="success"), spark=log, now=clock)
    (start,) = rows(log, "job_name IS NULL")
    assert (start.run_key, start.status, start.run_id, start.job_id) == (
        "day-1", "in-progress", 1, "1")
    assert [(r.run_key, r.status, r.attempt) for r in rows(log, "job_name IS NOT NULL")] == [
        ("day-1", "in-progress", 0), ("day-1", "success", 0)]
    assert latest(log, "day-1") == {"extract": "success", "load": "pending",
                                    JOBS[2]: "pending"}
    # `brickline recover`: the orchestrator's repair runs the job again as a new run under
    # the same key: its attempt counts the job's earlier run
    status.main(args("start", run_id=101, trigger="run_job_task"), spark=log, now=clock)
    assert [(r.run_key, r.attempt) for r in rows(log, "run_id = 101")] == [("day-1", 1)]
    # the next pipeline run: a new key
    pipeline_starts(log, "day-2", run_id=2)
    status.main(args("start", run_id=102, trigger="run_job_task"), spark=log, now=clock)
    assert [(r.run_key, r.attempt) for r in rows(log, "run_id = 102")] == [("day-2", 0)]


def test_a_job_started_by_hand_logs_under_its_own_key_and_an_odd_trigger_says_so(
        log: Any) -> None:
    clock = Clock()
    status.main(args("start", trigger="onetime"), spark=log, now=clock)
    status.main(args("start", run_id=101, trigger="{{job.trigger.type}}"), spark=log,
                now=clock)
    found = rows(log)
    assert [(r.run_key, r.error_message) for r in found] == [
        ("extract-100", None),
        ("extract-101", "brickline: {{job.trigger.type}} resolved to "
                        "'{{job.trigger.type}}', no trigger type of the Jobs API: this run "
                        "logs under its own run_key")]


def test_a_run_that_ended_without_its_end_task_is_closed_when_the_job_starts_again(
        log: Any) -> None:
    clock = Clock()
    status.main(args("start", "load"), spark=log, now=clock)  # then cancelled: no end row
    status.main(args("start", "load", run_id=200), spark=log, now=clock)
    assert latest(log)["load"] == "in-progress"
    closed = rows(log, "run_id = 100 AND status = 'canceled'")
    assert [(r.run_key, r.end_time is not None) for r in closed] == [("2026-11-26", True)]
    assert closed[0].error_message.startswith("brickline: this run ended without logging")
    status.main(args("end", "load", run_id=200, a="success"), spark=log, now=clock)
    # a third start closes nothing more: both earlier runs have ended
    status.main(args("start", "load", run_id=300), spark=log, now=clock)
    assert len(rows(log, "status = 'canceled'")) == 1


def test_the_pipelines_next_start_closes_its_runs_left_open_but_not_runs_by_hand(
        log: Any) -> None:
    clock = Clock()
    pipeline_starts(log, "day-1", run_id=1)
    status.main(args("start", "load", trigger="run_job_task"), spark=log, now=clock)
    status.main(args("start", JOBS[2], run_id=101, trigger="run_job_task"), spark=log,
                now=clock)
    status.main(args("start", "extract", run_id=500, run_key="extract-500"), spark=log,
                now=clock)  # by hand
    pipeline_starts(log, "day-2", run_id=2)  # day-1 was cancelled
    assert latest(log, "day-1") == {"extract": "pending", "load": "canceled",
                                    JOBS[2]: "canceled"}
    (mine,) = log.sql(f"SELECT * FROM {VIEW} WHERE run_key = 'extract-500'").collect()
    assert mine.status == "in-progress"  # a run by hand may still be running
    assert latest(log, "day-2") == dict.fromkeys(JOBS, "pending")


def test_a_job_name_with_a_semicolon_or_braces_stays_one_literal_in_the_sql_file() -> None:
    sql = views.pipeline_start_sql(TABLE, ["a;b", "{{c}}"], close_open=True)
    assert sql.count(";") == 2  # two statements, each ended by one
    assert "concat('a', chr(59), 'b')" in sql
    assert "concat(chr(123), chr(123), 'c', chr(125), chr(125))" in sql


def test_at_one_instant_an_ended_row_is_later_than_the_in_progress_row(log: Any) -> None:
    at = Clock()()
    status.append(log, TABLE, status.make_row(args("end"), status="failed", now=at, end=True))
    status.append(log, TABLE, status.make_row(args("start"), status="in-progress", now=at,
                                              end=False))
    assert latest(log)["extract"] == "failed"


def test_without_an_orchestrator_the_view_shows_what_each_job_logged(log: Any) -> None:
    """Every job `orchestrate: false` (plan/status_log.py passes no job names): no pipeline
    run waits for a job, so nothing is pending; each job's runs, under their own run_keys, show."""
    own = "ops.job_status_own"
    log.sql(f"DROP VIEW IF EXISTS {own}")
    log.sql(f"CREATE VIEW {own} AS {views.status_view_sql(TABLE, 'p', [])}")
    clock = Clock()
    status.main(args("start", run_id=100, run_key="extract-100"), spark=log, now=clock)
    status.main(args("end", run_id=100, run_key="extract-100", a="success"), spark=log,
                now=clock)
    status.main(args("start", "load", run_id=300, run_key="load-300"), spark=log, now=clock)
    found = log.sql(f"SELECT * FROM {own} ORDER BY run_key").collect()
    assert [(r.run_key, r.job_name, r.status) for r in found] == [
        ("extract-100", "extract", "success"), ("load-300", "load", "in-progress")]
    assert list(found[0].asDict()) == list(views.VIEW_COLUMNS)


def test_a_job_with_its_own_runs_beside_the_pipeline_makes_nothing_pending(log: Any) -> None:
    """A pipeline with orchestrated jobs and one `orchestrate: false` job: the latter logs
    under run_keys of its own, which must not show the pipeline's jobs as pending, and its
    runs still show; so do the runs of an orchestrated job started by hand. The pipeline's
    runs (a start row each) keep their pending jobs."""
    mixed = "ops.job_status_mixed"
    log.sql(f"DROP VIEW IF EXISTS {mixed}")
    sql = views.status_view_sql(TABLE, "p", ["extract", "load"])
    log.sql(f"CREATE VIEW {mixed} AS {sql}")
    clock = Clock()
    pipeline_starts(log, "day-1", jobs=("extract", "load"))
    status.main(args("start", trigger="run_job_task"), spark=log, now=clock)
    status.main(args("start", "audit", run_id=500, run_key="audit-500"), spark=log,
                now=clock)
    status.main(args("end", "audit", run_id=500, run_key="audit-500", a="success"),
                spark=log, now=clock)
    status.main(args("start", "load", run_id=600, trigger="onetime"), spark=log, now=clock)
    found = log.sql(f"SELECT * FROM {mixed} ORDER BY run_key, job_name").collect()
    assert [(r.run_key, r.job_name, r.status) for r in found] == [
        ("audit-500", "audit", "success"),
        ("day-1", "extract", "in-progress"), ("day-1", "load", "pending"),
        ("load-600", "load", "in-progress")]
    assert list(found[0].asDict()) == list(views.VIEW_COLUMNS)


def test_skip_succeeded_skips_only_what_succeeded_for_this_run_key(log: Any) -> None:
    clock = Clock()
    values = Values()
    status.main(args("start", skip=True), spark=log, task_values=values, now=clock)
    # the start task tells the end task under which run_key and attempt it logs
    assert values.values == {"run_key": "2026-11-26", "attempt": 0, "skip": False}
    status.main(args("end", skip=True, a="success"), spark=log, now=clock)
    # the orchestrator runs again for the same run_key: the job says skip, logs nothing yet
    again = Values()
    result = status.main(args("start", run_id=300, skip=True), spark=log, task_values=again,
                         now=clock)
    assert again.values == {"run_key": "2026-11-26", "attempt": 0, "skip": True}
    assert result.status == "skipped"
    # the gate excluded every work task; the end task logs `skipped`
    status.main(args("end", run_id=300, skip=True, a="excluded"), spark=log, now=clock)
    assert [r.status for r in rows(log)] == ["in-progress", "success", "skipped"]
    assert latest(log)["extract"] == "success"  # a skip never hides the success
    # another run_key is not skipped
    other = Values()
    status.main(args("start", run_key="day-9", skip=True), spark=log, task_values=other,
                now=clock)
    assert other.values == {"run_key": "day-9", "attempt": 0, "skip": False}


def test_rollback_restores_when_the_job_fails(log: Any) -> None:
    # local Spark has no Delta: RESTORE fails here, and that failure is logged, not hidden
    values = Values()
    values.set("versions", {"main.sales.orders": 41, "main.sales.new": None})
    with pytest.raises(status.JobFailed):
        status.main(args("end", rollback=("main.sales.orders", "main.sales.new"), a="failed"),
                    spark=log, task_values=values, now=Clock())
    (row,) = rows(log)
    assert row.error_message.startswith(
        "a: FAILED\n"
        "rollback: main.sales.new did not exist before the run; left as it is\n"
        "rollback: FAILED to restore main.sales.orders to version 41:")


def test_a_rollback_table_missing_on_the_first_run_is_logged_not_fatal(log: Any) -> None:
    issued: list[str] = []

    class Result:
        def collect(self) -> list[dict[str, int]]:
            return [{"version": 3}]

    class Engine:
        """Spark for the log table; DESCRIBE HISTORY answered as Databricks would."""

        def __getattr__(self, name: str) -> Any:
            return getattr(log, name)

        def sql(self, statement: str) -> Any:
            issued.append(statement)
            if "`new`" in statement:
                raise RuntimeError("[TABLE_OR_VIEW_NOT_FOUND] The table or view "
                                   "`main`.`sales`.`new` cannot be found.")
            return Result()

    values = Values()
    status.main(args("start", rollback=("main.sales.orders", "main.sales.new")),
                spark=Engine(), task_values=values, now=Clock())
    assert values.values == {"run_key": "2026-11-26", "attempt": 0,
                             "versions": {"main.sales.orders": 3, "main.sales.new": None}}
    (row,) = rows(log)
    assert (row.status, row.error_message) == (
        "in-progress", "rollback: main.sales.new does not exist yet; nothing to restore it to")
    # any other failure to read a history stops the job before its work runs
    with pytest.raises(PermissionError):
        status.capture_versions(lambda s: (_ for _ in ()).throw(PermissionError("denied")),
                                ["main.sales.orders"])


def test_rollback_without_recorded_versions_still_logs(log: Any) -> None:
    with pytest.raises(status.JobFailed):
        status.main(args("end", rollback=("main.sales.orders",), a="failed"), spark=log,
                    task_values=Values(), now=Clock())
    (row,) = rows(log)
    assert row.error_message.endswith(
        "rollback: not done, the start task recorded no table versions")


def test_rollback_statements_on_a_recording_engine() -> None:
    issued: list[str] = []

    class Result:
        def collect(self) -> list[dict[str, int]]:
            return [{"version": 41}]

    def sql(statement: str) -> Result:
        issued.append(statement)
        return Result()

    versions, notes = status.capture_versions(sql, ["main.sales.orders", "main.sales.items"])
    assert versions == {"main.sales.orders": 41, "main.sales.items": 41} and notes == []
    lines = status.restore(sql, versions)
    assert issued == [
        "DESCRIBE HISTORY `main`.`sales`.`orders` LIMIT 1",
        "DESCRIBE HISTORY `main`.`sales`.`items` LIMIT 1",
        "RESTORE TABLE `main`.`sales`.`items` TO VERSION AS OF 41",
        "RESTORE TABLE `main`.`sales`.`orders` TO VERSION AS OF 41",
    ]
    assert lines == ["rollback: restored main.sales.items to version 41",
                     "rollback: restored main.sales.orders to version 41"]


@pytest.mark.skipif(not NAMED_PARAMETERS, reason="named SQL parameters need Spark 3.4+; "
                    "the query runs on a SQL warehouse, not on the job's runtime")
def test_the_status_query_runs_on_spark(log: Any) -> None:
    clock = Clock()
    for number, key in enumerate(("day-1", "day-2"), start=1):
        pipeline_starts(log, key, run_id=number)
        status.main(args("start", run_key=key, run_id=100 + number), spark=log, now=clock)
    # a job started by hand later: not the pipeline's latest run
    status.main(args("start", run_id=900, trigger="onetime"), spark=log, now=clock)
    by_key = log.sql(views.status_query(VIEW, TABLE, latest=False),
                     args={"pipeline": "p", "run_key": "day-1"}).collect()
    # day-2's start closed day-1's run that never logged its end
    assert [(r.run_key, r.job_name, r.status) for r in by_key] == [
        ("day-1", JOBS[2], "pending"), ("day-1", "extract", "canceled"),
        ("day-1", "load", "pending")]
    newest = log.sql(views.status_query(VIEW, TABLE, latest=True),
                     args={"pipeline": "p"}).collect()
    assert {r.run_key for r in newest} == {"day-2"}
    assert list(newest[0].asDict()) == list(views.VIEW_COLUMNS)


@pytest.mark.skipif(not NAMED_PARAMETERS, reason="named SQL parameters need Spark 3.4+; "
                    "the query runs on a SQL warehouse, not on the job's runtime")
def test_the_latest_run_is_the_pipelines_not_a_job_with_its_own_runs(log: Any) -> None:
    """`brickline status` of a pipeline whose `orchestrate: false` job logged after the
    pipeline's run: the latest run_key is still the pipeline run's (the key of the newest
    start row), not the job's own run_key."""
    clock = Clock()
    pipeline_starts(log, "day-1")
    status.main(args("start", run_key="day-1"), spark=log, now=clock)
    status.main(args("start", "audit", run_id=500, run_key="audit-500"), spark=log, now=clock)
    rows = log.sql(views.status_query(VIEW, TABLE, latest=True),
                   args={"pipeline": "p"}).collect()
    assert {r.run_key for r in rows} == {"day-1"}


def test_every_dashboard_dataset_runs_on_spark(log: Any) -> None:
    """The dashboard's SQL, on the same engine as the view's; the figures it shows."""
    clock = Clock()
    pipeline_starts(log, "day-1", run_id=1)
    status.main(args("start", "extract", run_key="day-1"), spark=log, now=clock)
    with pytest.raises(status.JobFailed):
        status.main(args("end", "extract", run_key="day-1", a="failed"), spark=log, now=clock)
    pipeline_starts(log, "day-2", run_id=2)
    status.main(args("start", "extract", run_key="day-2", run_id=101), spark=log, now=clock)
    status.main(args("end", "extract", run_key="day-2", run_id=101, a="success"), spark=log,
                now=clock)
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
    assert [r.error_message for r in results["last_errors"]] == [
        "a: FAILED"]
    doc = json.loads(views.dashboard_json(TABLE, VIEW, "p"))
    assert ["".join(d["queryLines"]) for d in doc["datasets"]] == list(queries.values())


def test_unresolved_arguments_still_log_a_row(log: Any) -> None:
    """If a {{...}} reference were left as literal text (a syntax error stays literal, per
    the docs), the end task still writes its row and fails the run."""
    params = args("end", a="failed")
    params[status.REPAIR_COUNT] = "{{job.repair_count}}"
    params[status.START_MS] = "{{job.start_time.timestamp_ms}}"
    params[status.task_widget(0)] = status.outcome_reference("a")
    with pytest.raises(status.JobFailed):
        status.main(params, spark=log, now=Clock())
    (row,) = rows(log)
    assert row.status == "failed" and row.attempt == 0 and row.start_time is None
    assert row.failed_tasks == ["a"]
    assert row.error_message == "a: no result ({{tasks.a.result_state}})"


def test_the_notebook_runs_as_databricks_runs_it(log: Any) -> None:
    """The uploaded source executed as a notebook: `dbutils` and `spark` are globals,
    parameters are widgets (an absent widget raises, as dbutils.widgets.get does)."""
    from pathlib import Path

    class Widgets:
        def __init__(self, params: dict[str, str]) -> None:
            self.params = params

        def get(self, name: str) -> str:
            return self.params[name]

    class DBUtils:
        def __init__(self, params: dict[str, str]) -> None:
            self.widgets = Widgets(params)
            self.jobs = type("Jobs", (), {"taskValues": Values()})()

    source = Path(status.__file__).read_text(encoding="utf-8")
    code = compile(source, "brickline_status", "exec")
    exec(code, {"__name__": "__main__", "dbutils": DBUtils(args("start")), "spark": log})
    with pytest.raises(Exception, match="failed: a: FAILED"):
        exec(code, {"__name__": "__main__", "dbutils": DBUtils(args("end", a="failed")),
                    "spark": log})
    assert [r.status for r in rows(log)] == ["in-progress", "failed"]
