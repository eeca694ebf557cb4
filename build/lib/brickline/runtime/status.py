"""brickline's status program: the first and the last task of every job brickline generates.

    status.py start  ...   appends an `in-progress` row before any work task starts; with
                           --skip-succeeded it first looks for a `success` row of this job and
                           run_key; with --rollback-table it records each table's Delta version
    status.py end    ...   reads the run's task states (Jobs API, through the Databricks SDK),
                           appends `success`, `failed` or `skipped` with the failed tasks and
                           their errors, restores the rollback tables when the job failed, and
                           then fails itself when any work task failed, so that the job run is
                           failed and nothing downstream of it runs

The stack uploads this one file as a workspace file and runs it as a spark_python_task on
the job's own compute. It imports only the standard library at module level; pyspark and the
Databricks SDK come from the Databricks runtime when it runs there, and are passed in by the
tests. Rows are appended, never updated: values travel as DataFrame data, never as SQL text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

START_TASK = "brickline_start"
END_TASK = "brickline_end"
GATE_TASK = "brickline_gate"
RESERVED_PREFIX = "brickline_"

IN_PROGRESS, SUCCESS, FAILED, SKIPPED, PENDING = (
    "in-progress", "success", "failed", "skipped", "pending")

# The job_metadata table. Position matters: the provider compares columns by position, so
# new columns go at the end and none is ever removed or reordered (that would rename the
# columns of a live table).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("job_id", "string", "Databricks job id"),
    ("job_name", "string", "Job name as written in the pipeline YAML"),
    ("status", "string", "in-progress, success, failed or skipped (pending is never stored)"),
    ("start_time", "timestamp", "When the job run started"),
    ("end_time", "timestamp", "When the job run ended; empty while it runs"),
    ("error_message", "string", "Error text of the tasks that failed"),
    ("pipeline", "string", "Pipeline name"),
    ("run_key", "string", "Key of the pipeline run, shared by every job of one run"),
    ("run_id", "bigint", "Databricks run id of the job run"),
    ("attempt", "int", "Repair count of the run: 0 first, n after the n-th repair"),
    ("failed_tasks", "array<string>", "Keys of the tasks that failed"),
    ("logged_at", "timestamp", "When this row was written; rows are only ever appended"),
)
COLUMN_NAMES = tuple(name for name, _, _ in COLUMNS)
SCHEMA_DDL = ", ".join(f"{name} {kind}" for name, kind, _ in COLUMNS)

# Longest error_message stored; longer text is cut and ends with the marker below.
MAX_ERROR_CHARS = 1_000_000
CUT_MARKER = "\n... [brickline: cut {n} more characters]"
# Error output is fetched for at most this many failed tasks (one API call each).
MAX_OUTPUTS = 20

# A task's result_state (Jobs API RunResultState) decides what it counts as.
OK_STATES = frozenset({"SUCCESS", "SUCCESS_WITH_FAILURES", "EXCLUDED", "DISABLED"})
NOT_RUN_STATES = frozenset({"UPSTREAM_FAILED", "UPSTREAM_CANCELED"})


class JobFailed(RuntimeError):
    """Raised by the end task after logging, so the job run is failed."""


@dataclass(frozen=True)
class Evaluation:
    status: str
    failed_tasks: list[str] = field(default_factory=list)
    error_message: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def latest_attempts(tasks: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One entry per task_key, its latest attempt (a retried task is listed per attempt)."""
    best: dict[str, Mapping[str, Any]] = {}
    for task in tasks:
        key = task["task_key"]
        rank = (task.get("attempt_number", 0), task.get("start_time", 0))
        old = best.get(key)
        if old is None or rank >= (old.get("attempt_number", 0), old.get("start_time", 0)):
            best[key] = task
    return [best[k] for k in sorted(best)]


def result_state(task: Mapping[str, Any]) -> str | None:
    """A task's (or a run's) result: state.result_state, else the newer status object."""
    state = task.get("state") or {}
    result = state.get("result_state")
    if result is None and task.get("status"):  # the newer status object
        details = (task["status"].get("termination_details") or {})
        code = details.get("code")
        if code is not None:
            result = "SUCCESS" if code == "SUCCESS" else code
    return str(result) if result is not None else None


def evaluate(tasks: Iterable[Mapping[str, Any]], *, skipped: bool = False,
             errors: Mapping[str, str] | None = None) -> Evaluation:
    """The job's status from its run's tasks (Jobs API `runs/get` shape), brickline's own
    tasks left out. `errors` are error texts by task key (from `runs/get-output`)."""
    errors = errors or {}
    work = [t for t in latest_attempts(tasks) if not t["task_key"].startswith(RESERVED_PREFIX)]
    failed: list[str] = []
    lines: list[str] = []
    for task in work:
        key, result = task["task_key"], result_state(task)
        if result in OK_STATES:
            continue
        state = task.get("state") or {}
        if result in NOT_RUN_STATES:
            lines.append(f"{key}: {result} (not run)")
            continue
        failed.append(key)
        text = errors.get(key) or state.get("state_message") or ""
        if result is None:
            life = state.get("life_cycle_state", "unknown")
            lines.append(f"{key}: no result (life cycle state {life}) {text}".rstrip())
        else:
            lines.append(f"{key}: {result}: {text}".rstrip(": "))
    if failed or lines:
        return Evaluation(FAILED, failed, cut("\n".join(lines)))
    if skipped and work and all(result_state(t) == "EXCLUDED" for t in work):
        return Evaluation(SKIPPED)
    return Evaluation(SUCCESS)


def cut(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """`text` itself when it fits, else its first characters and a marker; never longer
    than `limit`."""
    if len(text) <= limit:
        return text
    keep = limit - len(CUT_MARKER.format(n=len(text)))
    while len(CUT_MARKER.format(n=len(text) - keep - 1)) + keep + 1 <= limit:
        keep += 1  # the count got shorter than the first guess: use the room
    return text[:keep] + CUT_MARKER.format(n=len(text) - keep)


def _whole(text: Any) -> int | None:
    """A number passed as text, or None when it is missing or was not resolved (a literal
    {{...}}): the row is written either way, never lost to a bad argument."""
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


def make_row(*, args: argparse.Namespace, status: str, now: datetime,
             end: bool, evaluation: Evaluation | None = None) -> tuple[Any, ...]:
    start_ms = _whole(args.start_ms)
    started = (datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc)
               if start_ms is not None else None)
    values = {
        "job_id": str(args.job_id), "job_name": args.job_name, "status": status,
        "start_time": started, "end_time": now if end else None,
        "error_message": evaluation.error_message if evaluation else None,
        "pipeline": args.pipeline, "run_key": args.run_key, "run_id": int(args.run_id),
        "attempt": _whole(args.attempt) or 0,
        "failed_tasks": list(evaluation.failed_tasks) if evaluation else [],
        "logged_at": now,
    }
    return tuple(values[name] for name in COLUMN_NAMES)


def append(spark: Any, table: str, row: tuple[Any, ...]) -> None:
    """One row, appended by position: the values are DataFrame data, not SQL text."""
    spark.createDataFrame([row], schema=SCHEMA_DDL).write.insertInto(quote_table(table))


def succeeded_before(spark: Any, table: str, *, pipeline: str, job_name: str,
                     run_key: str) -> bool:
    from pyspark.sql import functions as F

    log = spark.table(quote_table(table))
    hits = log.where((F.col("pipeline") == F.lit(pipeline))
                     & (F.col("job_name") == F.lit(job_name))
                     & (F.col("run_key") == F.lit(run_key))
                     & (F.col("status") == F.lit(SUCCESS))).limit(1)
    return bool(hits.collect())


def quote_table(name: str) -> str:
    """main.sales.orders -> `main`.`sales`.`orders` (backticks inside a part are doubled)."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in name.split("."))


def version_statement(table: str) -> str:
    return f"DESCRIBE HISTORY {quote_table(table)} LIMIT 1"


def restore_statement(table: str, version: int) -> str:
    return f"RESTORE TABLE {quote_table(table)} TO VERSION AS OF {int(version)}"


def capture_versions(sql: Callable[[str], Any], tables: Sequence[str]) -> dict[str, int]:
    """Each Delta table's current version, read before any work task runs."""
    return {t: int(sql(version_statement(t)).collect()[0]["version"]) for t in tables}


def restore(sql: Callable[[str], Any], versions: Mapping[str, int]) -> list[str]:
    """Restore each table; one line per table saying what happened (a failed restore does
    not stop the others, nor the log row)."""
    lines = []
    for table in sorted(versions):
        try:
            sql(restore_statement(table, versions[table]))
            lines.append(f"rollback: restored {table} to version {versions[table]}")
        except Exception as exc:  # reported in the log row, then re-raised
            lines.append(f"rollback: FAILED to restore {table} to version "
                         f"{versions[table]}: {exc}")
    return lines


def read_run(client: Any, run_id: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The run's tasks (every page) and the error text of its failed tasks."""
    run = client.jobs.get_run(run_id).as_dict()
    tasks = latest_attempts(run.get("tasks", []))
    errors: dict[str, str] = {}
    failing = [t for t in tasks if not t["task_key"].startswith(RESERVED_PREFIX)
               and result_state(t) not in OK_STATES | NOT_RUN_STATES and t.get("run_id")]
    for task in failing[:MAX_OUTPUTS]:
        try:
            output = client.jobs.get_run_output(task["run_id"]).as_dict()
        except Exception:  # the state message is the fallback
            continue
        text = "\n".join(p for p in (output.get("error"), output.get("error_trace")) if p)
        if text:
            errors[task["task_key"]] = text
    return [dict(t) for t in tasks], errors


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brickline-status", description=__doc__.split("\n")[0])
    p.add_argument("phase", choices=["start", "end"])
    p.add_argument("--pipeline", required=True)
    p.add_argument("--job-name", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--job-id", required=True)
    p.add_argument("--run-id", required=True, type=int)
    p.add_argument("--run-key", required=True)
    p.add_argument("--attempt", default="0")
    p.add_argument("--start-ms", default=None)
    p.add_argument("--skip-succeeded", action="store_true")
    p.add_argument("--skip", default="false", help="the start task's `skip` value (end)")
    p.add_argument("--rollback-table", action="append", default=[])
    p.add_argument("--versions", default="{}", help="the start task's `versions` value (end)")
    return p


def main(argv: Sequence[str], *, spark: Any, client: Any = None,
         task_values: Any = None, now: Callable[[], datetime] | None = None) -> Evaluation:
    """Run one phase. Returns what was logged; raises JobFailed after logging a failure."""
    args = parser().parse_args(argv)
    clock = now or (lambda: datetime.now(timezone.utc))
    if args.phase == "start":
        if args.skip_succeeded:
            skip = succeeded_before(spark, args.table, pipeline=args.pipeline,
                                    job_name=args.job_name, run_key=args.run_key)
            task_values.set(key="skip", value=skip)
            if skip:  # the end task logs `skipped`; nothing runs in between
                if args.rollback_table:  # the end task reads it either way
                    task_values.set(key="versions", value={})
                return Evaluation(SKIPPED)
        if args.rollback_table:
            task_values.set(key="versions", value=capture_versions(spark.sql,
                                                                   args.rollback_table))
        append(spark, args.table, make_row(args=args, status=IN_PROGRESS, now=clock(),
                                           end=False))
        return Evaluation(IN_PROGRESS)
    try:
        tasks, errors = read_run(client, args.run_id)
        evaluation = evaluate(tasks, skipped=args.skip.strip().lower() == "true",
                              errors=errors)
    except Exception as exc:  # an unreadable run is a failed job, logged
        evaluation = Evaluation(FAILED, [], cut(f"brickline could not read run "
                                               f"{args.run_id}: {type(exc).__name__}: {exc}"))
    if evaluation.failed:
        try:
            versions = {k: int(v) for k, v in json.loads(args.versions or "{}").items()}
            restored = restore(spark.sql, versions)
        except (ValueError, TypeError, AttributeError):
            restored = [f"rollback: not done, the table versions were not recorded "
                        f"({args.versions[:200]!r})"]
        if restored:
            text = "\n".join([evaluation.error_message or "", *restored]).strip()
            evaluation = Evaluation(FAILED, evaluation.failed_tasks, cut(text))
    append(spark, args.table, make_row(args=args, status=evaluation.status, now=clock(),
                                       end=True, evaluation=evaluation))
    if evaluation.failed:
        raise JobFailed(f"{args.job_name} failed: " + (evaluation.error_message or "")[:2000])
    return evaluation


def _databricks() -> tuple[Any, Any, Any]:  # pragma: no cover - only on Databricks
    from databricks.sdk import WorkspaceClient
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    try:
        from databricks.sdk.runtime import dbutils
    except ImportError:
        from pyspark.dbutils import DBUtils  # type: ignore[import-not-found]

        dbutils = DBUtils(spark)
    return spark, WorkspaceClient(), dbutils.jobs.taskValues


if __name__ == "__main__":  # pragma: no cover - the spark_python_task entry point
    _spark, _client, _values = _databricks()
    main(sys.argv[1:], spark=_spark, client=_client, task_values=_values)
