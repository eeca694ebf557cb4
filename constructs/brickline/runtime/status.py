# Databricks notebook source
"""brickline's status notebook: the first and the last task of every job brickline generates.

The stack uploads this file as a Python notebook (`databricks_notebook`, source format) and
runs it as a `notebook_task`; its parameters arrive as widgets (`notebook_task.base_parameters`).

    brickline_phase=start  appends an `in-progress` row before any work task starts; with
                           skip_succeeded it first looks for a `success` row of this job and
                           run_key (task value `skip`); with rollback tables it records each
                           table's Delta version (task value `versions`)
    brickline_phase=end    judges the run from each work task's outcome, which the Jobs
                           service passes in as dynamic value references
                           ({{tasks.<key>.result_state}}, {{tasks.<key>.run_id}}), appends
                           `success`, `failed` or `skipped`,
                           restores the rollback tables when the job failed, and then fails
                           itself when the job failed, so that the job run is failed and
                           nothing downstream of it runs

Judging, logging and failing need no SDK, no credentials and no library: only what the Jobs
service resolves and the notebook's own `spark` and `dbutils`. The error text of a failed
task is an optional extra read through the Databricks SDK when the runtime has one; it is
bounded in time and can never stop the row from being written.

Runs unchanged on Python 3.9 / Spark 3.3 (Databricks Runtime 11.3 LTS) up to the newest
runtime and on serverless: standard library at module level, pyspark imported where used.
Rows are appended, never updated: values travel as DataFrame data, never as SQL text.
The whole program is one notebook cell, so the __future__ import covers all of it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

START_TASK = "brickline_start"
END_TASK = "brickline_end"
GATE_TASK = "brickline_gate"
RESERVED_PREFIX = "brickline_"
# how long a status task may take (its timeout_seconds)
STATUS_TIMEOUT_SECONDS = 1800

IN_PROGRESS, SUCCESS, FAILED, SKIPPED, PENDING = (
    "in-progress", "success", "failed", "skipped", "pending")
# A run that ended without logging its outcome: cancelled, timed out at job level, or its
# end task never ran. No source says any task runs after a run is cancelled (Jobs API 2.2
# runs/cancel: "Cancels a job run or a task run"; RunResultState CANCELED "The run was
# canceled at user request"), so the next start of the same job and run_key, or of the
# pipeline, appends this row for it (see close_open and views.pipeline_start_sql).
CANCELED = "canceled"
# Which row is the latest: the last logged; at an equal logged_at the newer run's (a start
# logs its `in-progress` row at the instant it closes an older run), and of one run's an
# ended row before an `in-progress` one (two phases may log within one clock tick; a repair
# logs `in-progress` again, later). The SQL of this order is views.LATEST_FIRST.
CLOSED_MESSAGE = ("brickline: this run ended without logging its outcome (cancelled, timed "
                  "out, or its end task did not run), closed when {what} started again")

# The job_metadata table. Position matters: the provider compares columns by position, so
# new columns go at the end and none is ever removed or reordered (that would rename the
# columns of a live table).
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("job_id", "string", "Databricks job id"),
    ("job_name", "string", "Job name as written in the pipeline YAML"),
    ("status", "string", "in-progress, success, failed, skipped or canceled (pending is "
     "never stored); a row with no job_name marks the start of a pipeline run"),
    ("start_time", "timestamp", "When the job run started"),
    ("end_time", "timestamp", "When the job run ended; empty while it runs"),
    ("error_message", "string", "Error text of the tasks that failed"),
    ("pipeline", "string", "Pipeline name"),
    ("run_key", "string", "Key of the pipeline run, shared by every job of one run"),
    ("run_id", "bigint", "Databricks run id of the job run"),
    ("attempt", "int", "0 for the job's first run for this run_key, then one more for each "
     "earlier run or repair"),
    ("failed_tasks", "array<string>", "Keys of the tasks that failed"),
    ("logged_at", "timestamp", "When this row was written; rows are only ever appended"),
)
COLUMN_NAMES = tuple(name for name, _, _ in COLUMNS)
SCHEMA_DDL = ", ".join(f"{name} {kind}" for name, kind, _ in COLUMNS)

# Longest error_message stored; longer text is cut and ends with the marker below.
MAX_ERROR_CHARS = 1_000_000
CUT_MARKER = "\n... [brickline: cut {n} more characters]"
# The optional error text: fetched for at most this many failed tasks, within this time.
MAX_OUTPUTS = 20
ERROR_TEXT_SECONDS = 60.0

# Result states as the Jobs API spells them (RunResultState). The dynamic value reference
# {{tasks.<key>.result_state}} gives the same names in lowercase; both are compared upper.
OK_STATES = frozenset({"SUCCESS", "SUCCESS_WITH_FAILURES", "EXCLUDED", "DISABLED"})
NOT_RUN_STATES = frozenset({"UPSTREAM_FAILED", "UPSTREAM_CANCELED", "UPSTREAM_EVICTED"})

# The notebook's widgets (notebook_task.base_parameters). Job parameters are pushed down to
# notebook tasks as widgets of the same name and win over a task parameter with that name,
# so every widget of brickline's own starts with `brickline_` (no user parameter does).
W = "brickline_"
PHASE, PIPELINE, JOB_NAME, TABLE = W + "phase", W + "pipeline", W + "job_name", W + "table"
JOB_ID, RUN_ID, RUN_KEY, START_MS = W + "job_id", W + "run_id", W + "run_key", W + "start_ms"
REPAIR_COUNT = W + "repair_count"
# No job parameter of brickline's: job parameters are pushed down to every task that takes
# key-value parameters, the user's notebook, wheel (keyword arguments), SQL and Run Job
# tasks included (docs: "Configure task parameters", "Job parameter pushdown"). A job run by
# the orchestrator (`{{job.trigger.type}}` run_job_task) learns the pipeline run's key from
# the log instead: the row the orchestrator's first task wrote (views.pipeline_start_sql).
ORCHESTRATED, TRIGGER = W + "orchestrated", W + "trigger"
# {{job.trigger.type}}: "The trigger type of the job run" ("What is a dynamic value
# reference?"); its values are the Jobs API's TriggerType (databricks-sdk
# service/jobs.py TriggerType: RUN_JOB_TASK "Indicates a run that is triggered using a Run
# Job task"), compared without regard to case (the docs show them lowercase, the API
# uppercase). A value none of these is noted on the run's row: the run logs under its own
# key, and the note says why.
RUN_JOB_TRIGGER = "run_job_task"
TRIGGER_TYPES = frozenset({"periodic", "one_time", "onetime", "retry", "run_job_task",
                           "file_arrival", "continuous", "table", "continuous_restart",
                           "model", "job_completion"})
SKIP_SUCCEEDED, ROLLBACK_TABLES = W + "skip_succeeded", W + "rollback_tables"
TASK_COUNT, START_OUTCOME = W + "work_tasks", W + "start_outcome"
SEPARATOR = "\t"  # between a task's key and its references; a task_key is [\w-] only


def task_widget(index: int) -> str:
    """The widget that carries the outcome of the index-th work task (sorted by key)."""
    return f"{W}task_{index:04d}"


def _ref(key: str) -> str:
    # user identifiers other than letters, digits and _ are escaped with backticks
    # (docs: "What is a dynamic value reference?")
    return key if key.replace("_", "").isalnum() and key.isascii() else f"`{key}`"


def outcome_reference(task_key: str) -> str:
    """What the Jobs service resolves into a task's outcome before the end task starts:
    `key<TAB>result_state<TAB>run_id` (docs: "What is a dynamic value reference?", the
    tasks.<task_name> references). Not `error_code`: the docs' table does not list it, and
    an invalid reference in a known namespace fails the task before it runs, which would
    cost the row; the error text comes from the optional SDK read instead."""
    t = f"tasks.{_ref(task_key)}"
    return SEPARATOR.join([task_key, f"{{{{{t}.result_state}}}}", f"{{{{{t}.run_id}}}}"])


class JobFailed(RuntimeError):
    """Raised by the end task after logging, so the job run is failed."""


@dataclass(frozen=True)
class Outcome:
    """A task's outcome as the Jobs service resolved it (text, as every parameter is)."""

    task_key: str
    result_state: str
    error_code: str = ""
    run_id: str = ""

    @property
    def state(self) -> str:
        """The upper-case RunResultState, or "" when the reference was not resolved."""
        text = self.result_state.strip()
        return "" if "{{" in text or not text else text.upper()


def parse_outcome(text: str) -> Outcome:
    """`key<TAB>state<TAB>run_id`; four fields are the older `key, state, error_code,
    run_id` (a job deployed before the program changed)."""
    parts = text.split(SEPARATOR)
    if len(parts) >= 4:
        return Outcome(parts[0].strip(), parts[1], _resolved(parts[2]), _resolved(parts[3]))
    parts = [*parts, "", ""][:3]
    return Outcome(parts[0].strip(), parts[1], "", _resolved(parts[2]))


def _resolved(text: str) -> str:
    text = text.strip()
    return "" if "{{" in text else text


@dataclass(frozen=True)
class Evaluation:
    status: str
    failed_tasks: list[str] = field(default_factory=list)
    error_message: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == FAILED


@dataclass(frozen=True)
class Identity:
    """Under which run_key a job run logs, and its attempt for that run_key."""

    run_key: str
    attempt: int = 0


def _describe(outcome: Outcome, text: str = "") -> str:
    state = outcome.state or f"no result ({outcome.result_state.strip() or 'empty'})"
    line = f"{outcome.task_key}: {state}"
    if outcome.error_code:
        line += f" [{outcome.error_code}]"
    return f"{line}: {text}" if text else line


def evaluate(work: Iterable[Outcome], *, skip_succeeded: bool = False,
             start: Outcome | None = None,
             errors: Mapping[str, str] | None = None) -> Evaluation:
    """The job's status from its work tasks' outcomes (brickline's own tasks are not work).
    `start` is the start task's outcome: when it failed, no work ran and the row says why.
    `errors` are optional error texts by task key."""
    errors = errors or {}
    failed: list[str] = []
    lines: list[str] = []
    if start is not None and start.state not in OK_STATES:
        failed.append(start.task_key)
        lines.append(_describe(start, errors.get(start.task_key, "")
                               or "brickline's start task failed, so no work task ran"))
    tasks = sorted((o for o in work if not o.task_key.startswith(RESERVED_PREFIX)),
                   key=lambda o: o.task_key)
    for outcome in tasks:
        if outcome.state in OK_STATES:
            continue
        if outcome.state in NOT_RUN_STATES:
            lines.append(f"{outcome.task_key}: {outcome.state} (not run)")
            continue
        failed.append(outcome.task_key)
        lines.append(_describe(outcome, errors.get(outcome.task_key, "")))
    if lines:
        return Evaluation(FAILED, failed, cut("\n".join(lines)))
    if skip_succeeded and tasks and all(o.state == "EXCLUDED" for o in tasks):
        # only the gate excludes every work task: each task without an upstream waits for
        # the gate's `true` outcome, and the rest wait for those
        return Evaluation(SKIPPED)
    return Evaluation(SUCCESS)


def result_state(task: Mapping[str, Any]) -> str | None:
    """A task's (or a run's) result in a Jobs API `runs/get` payload: state.result_state,
    else the newer status object (used by `brickline recover`)."""
    state = task.get("state") or {}
    result = state.get("result_state")
    if result is None and task.get("status"):  # the newer status object
        details = (task["status"].get("termination_details") or {})
        code = details.get("code")
        if code is not None:
            result = "SUCCESS" if code == "SUCCESS" else code
    return str(result) if result is not None else None


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


def make_row(params: Mapping[str, str], *, status: str, now: datetime, end: bool,
             evaluation: Evaluation | None = None,
             identity: Identity | None = None) -> tuple[Any, ...]:
    start_ms = _whole(params.get(START_MS))
    started = (datetime.fromtimestamp(start_ms / 1000, tz=timezone.utc)
               if start_ms is not None else None)
    who = identity or Identity(params.get(RUN_KEY, ""), _whole(params.get(REPAIR_COUNT)) or 0)
    values = {
        "job_id": params.get(JOB_ID, ""), "job_name": params[JOB_NAME], "status": status,
        "start_time": started, "end_time": now if end else None,
        "error_message": evaluation.error_message if evaluation else None,
        "pipeline": params[PIPELINE], "run_key": who.run_key,
        "run_id": _whole(params.get(RUN_ID)), "attempt": who.attempt,
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


def _log(spark: Any, table: str, pipeline: str) -> Any:
    from pyspark.sql import functions as F

    return spark.table(quote_table(table)).where(F.col("pipeline") == F.lit(pipeline))


def pipeline_run_key(spark: Any, table: str, *, pipeline: str) -> str | None:
    """The run_key of the pipeline's latest run: the newest row with no job_name, which the
    orchestrator's first task appends before any job starts."""
    from pyspark.sql import functions as F

    rows = (_log(spark, table, pipeline).where(F.col("job_name").isNull())
            .orderBy(*_latest_first()).select("run_key").limit(1).collect())
    return str(rows[0]["run_key"]) if rows else None


def _latest_first() -> list[Any]:
    """The order of a run's rows, latest first (see CANCELED)."""
    from pyspark.sql import functions as F

    return [F.col("logged_at").desc(), F.col("run_id").desc(),
            F.when(F.col("status") == F.lit(IN_PROGRESS), 1).otherwise(0)]


def _other_runs(spark: Any, table: str, *, pipeline: str, job_name: str, run_key: str,
                run_id: int | None) -> list[Any]:
    """The latest row of each other run of this job logged under this run_key."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    rows = _log(spark, table, pipeline).where(
        (F.col("job_name") == F.lit(job_name)) & (F.col("run_key") == F.lit(run_key)))
    if run_id is not None:
        rows = rows.where(F.col("run_id").isNull() | (F.col("run_id") != F.lit(run_id)))
    latest = Window.partitionBy("run_id").orderBy(*_latest_first())
    found: list[Any] = (rows.withColumn("rn", F.row_number().over(latest))
                        .where(F.col("rn") == 1).drop("rn").collect())
    return found


def trigger_note(params: Mapping[str, str]) -> str | None:
    """A note for the row of an orchestrated job whose {{job.trigger.type}} is no trigger
    type brickline knows: it cannot tell whether the orchestrator started the run."""
    trigger = params.get(TRIGGER, "").strip().lower()
    if params.get(ORCHESTRATED, "false").strip().lower() != "true" or trigger in TRIGGER_TYPES:
        return None
    return (f"brickline: {{{{job.trigger.type}}}} resolved to {trigger[:100]!r}, no trigger "
            "type of the Jobs API: this run logs under its own run_key")


def identity(params: Mapping[str, str], spark: Any) -> Identity:
    """The run_key and attempt of this run. A job the orchestrator started logs under the
    pipeline run's key, read from the log (no parameter carries it: see ORCHESTRATED); any
    other run under its own key (RUN_KEY: `<job>-<run id>`). The attempt counts this job's
    earlier runs under the key plus this run's own repairs."""
    own = params.get(RUN_KEY, "")
    repairs = _whole(params.get(REPAIR_COUNT)) or 0
    started_by_orchestrator = (
        params.get(ORCHESTRATED, "false").strip().lower() == "true"
        and params.get(TRIGGER, "").strip().lower() == RUN_JOB_TRIGGER)
    if not started_by_orchestrator:
        return Identity(own, repairs)
    key = pipeline_run_key(spark, params[TABLE], pipeline=params[PIPELINE]) or own
    earlier = _other_runs(spark, params[TABLE], pipeline=params[PIPELINE],
                          job_name=params[JOB_NAME], run_key=key,
                          run_id=_whole(params.get(RUN_ID)))
    return Identity(key, repairs + len(earlier))


def close_open(spark: Any, table: str, params: Mapping[str, str], who: Identity,
               now: datetime) -> int:
    """Appends a `canceled` row for each other run of this job under this run_key whose
    latest row is still `in-progress`: that run ended without its end task (nothing runs
    after a cancel or a job timeout), and this job starting again for the key shows it."""
    stale = [r for r in _other_runs(spark, table, pipeline=params[PIPELINE],
                                    job_name=params[JOB_NAME], run_key=who.run_key,
                                    run_id=_whole(params.get(RUN_ID)))
             if r["status"] == IN_PROGRESS]
    for row in stale:
        values = row.asDict()
        values.update(status=CANCELED, end_time=now, logged_at=now,
                      error_message=CLOSED_MESSAGE.format(what="the job"), failed_tasks=[])
        append(spark, table, tuple(values[name] for name in COLUMN_NAMES))
    return len(stale)


def quote_table(name: str) -> str:
    """main.sales.orders -> `main`.`sales`.`orders` (backticks inside a part are doubled)."""
    return ".".join("`" + part.replace("`", "``") + "`" for part in name.split("."))


def version_statement(table: str) -> str:
    return f"DESCRIBE HISTORY {quote_table(table)} LIMIT 1"


def restore_statement(table: str, version: int) -> str:
    return f"RESTORE TABLE {quote_table(table)} TO VERSION AS OF {int(version)}"


def _missing_table(exc: Exception) -> bool:
    # Spark 3.3 (DBR 11.3) says "Table or view not found"; Spark 3.4+ and Databricks use
    # the error class TABLE_OR_VIEW_NOT_FOUND
    text = str(exc)
    return "TABLE_OR_VIEW_NOT_FOUND" in text or "Table or view not found" in text


def capture_versions(sql: Callable[[str], Any], tables: Sequence[str]
                     ) -> tuple[dict[str, int | None], list[str]]:
    """Each Delta table's current version, read before any work task runs; a table that does
    not exist yet (the first run creates it) is None and is logged, not fatal."""
    versions: dict[str, int | None] = {}
    notes: list[str] = []
    for table in tables:
        try:
            versions[table] = int(sql(version_statement(table)).collect()[0]["version"])
        except Exception as exc:
            if not _missing_table(exc):
                raise  # an unreadable history: rolling back would be impossible, stop here
            versions[table] = None
            notes.append(f"rollback: {table} does not exist yet; nothing to restore it to")
    return versions, notes


def restore(sql: Callable[[str], Any], versions: Mapping[str, int | None]) -> list[str]:
    """Restore each table; one line per table saying what happened (a failed restore does
    not stop the others, nor the log row)."""
    lines = []
    for table in sorted(versions):
        version = versions[table]
        if version is None:
            lines.append(f"rollback: {table} did not exist before the run; left as it is")
            continue
        try:
            sql(restore_statement(table, version))
            lines.append(f"rollback: restored {table} to version {version}")
        except Exception as exc:  # reported in the log row
            lines.append(f"rollback: FAILED to restore {table} to version {version}: {exc}")
    return lines


def error_texts(client: Any, failed: Sequence[Outcome]) -> dict[str, str]:
    """The optional extra: each failed task's error text (Jobs API runs/get-output of the
    task run the reference named). Any problem leaves a task without text."""
    texts: dict[str, str] = {}
    for outcome in [o for o in failed if o.run_id.isdigit()][:MAX_OUTPUTS]:
        try:
            output = client.jobs.get_run_output(int(outcome.run_id)).as_dict()
        except Exception:
            continue
        text = "\n".join(p for p in (output.get("error"), output.get("error_trace")) if p)
        if text:
            texts[outcome.task_key] = text
    return texts


def within(seconds: float, fn: Callable[[], dict[str, str]]) -> dict[str, str]:
    """fn's result, or {} when it raises or takes longer than `seconds`: the row waits at
    most that long for an extra."""
    box: list[dict[str, str]] = []

    def run() -> None:
        with contextlib.suppress(Exception):  # an extra never fails the row
            box.append(fn())

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    return box[0] if box else {}


def work_outcomes(params: Mapping[str, str]) -> list[Outcome]:
    count = _whole(params.get(TASK_COUNT)) or 0
    return [parse_outcome(params.get(task_widget(i), "")) for i in range(count)]


def main(params: Mapping[str, str], *, spark: Any, task_values: Any = None,
         errors: Callable[[Sequence[Outcome]], dict[str, str]] | None = None,
         now: Callable[[], datetime] | None = None) -> Evaluation:
    """Run one phase. Returns what was logged; raises JobFailed after logging a failure."""
    clock = now or (lambda: datetime.now(timezone.utc))
    table, job_name = params[TABLE], params[JOB_NAME]
    flag = params.get(SKIP_SUCCEEDED, "false").strip().lower() == "true"
    if params[PHASE] == "start":
        tables = json.loads(params.get(ROLLBACK_TABLES) or "[]")
        instant = clock()  # one instant for what this phase logs
        who = identity(params, spark)
        if task_values is not None:
            task_values.set(key="run_key", value=who.run_key)
            task_values.set(key="attempt", value=who.attempt)
        close_open(spark, table, params, who, instant)
        if flag:
            skip = succeeded_before(spark, table, pipeline=params[PIPELINE],
                                    job_name=job_name, run_key=who.run_key)
            task_values.set(key="skip", value=skip)
            if skip:  # the end task logs `skipped`; nothing runs in between
                if tables:
                    task_values.set(key="versions", value={})
                return Evaluation(SKIPPED)
        notes = [n for n in [trigger_note(params)] if n]
        if tables:
            versions, missing = capture_versions(spark.sql, tables)
            notes += missing
            task_values.set(key="versions", value=versions)
        note = Evaluation(IN_PROGRESS, [], "\n".join(notes)) if notes else None
        append(spark, table, make_row(params, status=IN_PROGRESS, now=instant, end=False,
                                      evaluation=note, identity=who))
        return Evaluation(IN_PROGRESS)
    who = _start_identity(task_values) or identity(params, spark)
    work = work_outcomes(params)
    start = parse_outcome(params[START_OUTCOME]) if params.get(START_OUTCOME) else None
    judged = evaluate(work, skip_succeeded=flag, start=start)
    if judged.failed and errors is not None:
        failing = [o for o in [*(x for x in [start] if x), *work]
                   if o.task_key in judged.failed_tasks]
        texts = within(ERROR_TEXT_SECONDS, lambda: errors(failing))
        if texts:
            judged = evaluate(work, skip_succeeded=flag, start=start, errors=texts)
    if judged.failed and params.get(ROLLBACK_TABLES, "[]") not in ("", "[]"):
        recorded = _versions(task_values)
        restored = (restore(spark.sql, recorded) if recorded is not None else
                    ["rollback: not done, the start task recorded no table versions"])
        if restored:
            text = "\n".join([judged.error_message or "", *restored]).strip()
            judged = Evaluation(FAILED, judged.failed_tasks, cut(text))
    append(spark, table, make_row(params, status=judged.status, now=clock(), end=True,
                                  evaluation=judged, identity=who))
    if judged.failed:
        raise JobFailed(f"{job_name} failed: " + (judged.error_message or "")[:2000])
    return judged


def _start_identity(task_values: Any) -> Identity | None:
    """What the start task decided, read with defaults (a start task that failed before
    setting them cannot fail this task; docs: "Use task values to pass information between
    tasks", taskValues.get with default and debugValue); None: decide again."""
    try:
        key = task_values.get(taskKey=START_TASK, key="run_key", default=None,
                              debugValue=None)
        attempt = task_values.get(taskKey=START_TASK, key="attempt", default=None,
                                  debugValue=None)
        if key is None or attempt is None:
            return None
        return Identity(str(key), int(attempt))
    except Exception:
        return None


def _versions(task_values: Any) -> dict[str, int | None] | None:
    """The start task's `versions`, read with a default so that a start task that failed
    before setting it cannot fail this task (docs: "Use task values to pass information
    between tasks", taskValues.get with default and debugValue)."""
    try:
        raw = task_values.get(taskKey=START_TASK, key="versions", default=None,
                              debugValue=None)
        if isinstance(raw, str):
            raw = json.loads(raw)
        if not isinstance(raw, dict):
            return None
        return {str(k): None if v is None else int(v) for k, v in raw.items()}
    except Exception:
        return None


def widgets(dbutils: Any, names: Iterable[str]) -> dict[str, str]:
    """The named widgets that the task passed (a missing one is left out)."""
    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = str(dbutils.widgets.get(name))
        except Exception:
            continue
    return found


FIXED = (PHASE, PIPELINE, JOB_NAME, TABLE, JOB_ID, RUN_ID, RUN_KEY, START_MS, REPAIR_COUNT,
         ORCHESTRATED, TRIGGER, SKIP_SUCCEEDED, ROLLBACK_TABLES, TASK_COUNT, START_OUTCOME)


def _sdk_error_texts(failed: Sequence[Outcome]) -> dict[str, str]:  # pragma: no cover
    from databricks.sdk import WorkspaceClient  # on the runtime when it ships one

    return error_texts(WorkspaceClient(), failed)


def run_notebook(dbutils: Any, spark: Any) -> Evaluation:
    """The notebook task's entry point, with the notebook's own dbutils and spark."""
    params = widgets(dbutils, FIXED)
    count = _whole(params.get(TASK_COUNT)) or 0
    params.update(widgets(dbutils, [task_widget(i) for i in range(count)]))
    return main(params, spark=spark, task_values=dbutils.jobs.taskValues,
                errors=_sdk_error_texts)


# Run as the job's notebook task: a notebook's globals hold `dbutils` and `spark`; an import
# of this module (the tests, brickline itself) has neither and runs nothing.
if "dbutils" in globals() and "spark" in globals():
    run_notebook(globals()["dbutils"], globals()["spark"])
