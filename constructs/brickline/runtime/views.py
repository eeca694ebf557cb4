"""The SQL that reads the status log: the `job_status` view (provisioned by the stack) and
the query behind `brickline status`. Both are run against a real local Spark in the tests.

Only the view embeds values (the pipeline's name and its jobs' names), as escaped string
literals, because a view cannot take parameters; queries take named parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from brickline.runtime.status import (
    CANCELED,
    CLOSED_MESSAGE,
    COLUMN_NAMES,
    IN_PROGRESS,
    PENDING,
    SKIPPED,
    quote_table,
)

VIEW_COLUMNS = ("pipeline", "run_key", "job_name", "status", "start_time", "end_time",
                "error_message", "failed_tasks", "job_id", "run_id", "attempt", "logged_at")


def sql_string(value: str) -> str:
    """A Spark / Databricks SQL string literal: backslash and quote escaped, so any text,
    including newlines and unicode, stays one literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f"'{escaped}'"


def status_view_sql(table: str, pipeline: str, job_names: Sequence[str]) -> str:
    """Latest status of every job of `pipeline` for every run_key in the log.

    A pipeline run is a run_key with a start row (no job_name: the orchestrator's first
    task writes it, views.pipeline_start_sql): each of `job_names` (the jobs the
    orchestrator runs) with no row yet for it is `pending`. Every other run_key (a job
    with `orchestrate: false`, or a job started by hand, each under a key of its own; rows
    from before start rows existed) lists the jobs that logged under it, none pending. The
    latest row wins (LATEST_FIRST), except that a `skipped` row (the job had already
    succeeded for that run_key) never hides the success.
    """
    source = quote_table(table)
    logged = _logged_only_view_sql(source, pipeline)
    if not job_names:
        return logged
    jobs = ", ".join(f"({sql_string(n)})" for n in sorted(job_names))
    return (
        f"WITH jobs AS (SELECT job_name FROM VALUES {jobs} AS jobs(job_name)),\n"
        f"log AS (SELECT * FROM {source} WHERE pipeline = {sql_string(pipeline)}),\n"
        "runs AS (SELECT DISTINCT run_key FROM log WHERE job_name IS NULL),\n"
        f"{_RANKED}"
        f"SELECT {sql_string(pipeline)} AS pipeline, runs.run_key, jobs.job_name,\n"
        f"  coalesce(r.status, '{PENDING}') AS status, r.start_time, r.end_time,"
        " r.error_message,\n"
        "  r.failed_tasks, r.job_id, r.run_id, r.attempt, r.logged_at\n"
        "FROM runs CROSS JOIN jobs\n"
        "LEFT JOIN ranked r\n"
        "  ON r.run_key = runs.run_key AND r.job_name = jobs.job_name AND r.rn = 1\n"
        "UNION ALL\n"
        # what the grid above does not show: a key with no start row, a job not in it
        + _logged(pipeline, "LEFT JOIN runs o ON o.run_key = r.run_key\n"
                            "LEFT JOIN jobs j ON j.job_name = r.job_name\n",
                  "\n  AND (o.run_key IS NULL OR j.job_name IS NULL)")
    )


def _logged_only_view_sql(source: str, pipeline: str) -> str:
    """No job runs from the orchestrator (every job has `orchestrate: false`), so no run
    waits for a job: each run_key has the jobs that logged under it, none pending. (`VALUES`
    with no rows is not SQL, so the jobs CTE goes.) The same columns as status_view_sql."""
    return (
        f"WITH log AS (SELECT * FROM {source} WHERE pipeline = {sql_string(pipeline)}),\n"
        f"{_RANKED}"
        f"{_logged(pipeline)}"
    )


def _logged(pipeline: str, joins: str = "", where: str = "") -> str:
    """Each run_key's jobs as they logged (the latest row of each)."""
    return (f"SELECT {sql_string(pipeline)} AS pipeline, r.run_key, r.job_name,\n"
            "  r.status, r.start_time, r.end_time, r.error_message,\n"
            "  r.failed_tasks, r.job_id, r.run_id, r.attempt, r.logged_at\n"
            f"FROM ranked r\n{joins}"
            f"WHERE r.rn = 1 AND r.job_name IS NOT NULL{where}")


# the latest row first: at an equal logged_at the newer run's, and of one run's an ended
# row before an `in-progress` one (status.CANCELED says why; status._latest_first is the
# same order)
LATEST_FIRST = (f"logged_at DESC, run_id DESC, CASE WHEN status = '{IN_PROGRESS}' THEN 1 "
                "ELSE 0 END")

_RANKED = (
    "ranked AS (\n"
    "  SELECT *, row_number() OVER (PARTITION BY run_key, job_name ORDER BY\n"
    f"    CASE WHEN status = '{SKIPPED}' THEN 1 ELSE 0 END, {LATEST_FIRST},"
    " attempt DESC) AS rn\n"
    "  FROM log)\n"
)


def pipeline_start_sql(table: str, jobs: Sequence[str], *, close_open: bool) -> str:
    """The orchestrator's first task, a SQL file task on the status log's warehouse (no
    cluster): appends the pipeline run's start row (no job_name) that each job the
    orchestrator runs reads its run_key from (status.identity). With `close_open` (the
    orchestrator runs one run at a time, so no earlier pipeline run is still active) it
    first appends a `canceled` row for each run of the pipeline's jobs, under one of the
    pipeline's run keys, whose latest row is still `in-progress`: those runs ended without
    their end task (cancelled or timed out).

    Its values come from the SQL task's `parameters` (Jobs API SqlTask.parameters), written
    `{{name}}` in the file, as the Databricks CLI's own SQL file template does
    (databricks/cli libs/template/templates/default-sql: `USE IDENTIFIER({{schema}})`,
    `{{bundle_target}} = "prod"`; cli PR #1471: the value arrives as a string, hence
    IDENTIFIER). Every value is a string, so numbers are cast here. Statements are separated
    by semicolons (docs "SQL task for jobs": "The file can contain multiple SQL statements
    separated by semicolons"), so no literal may hold one, nor a brace that could read as a
    parameter (_file_literal)."""
    target = quote_table(table)
    columns = ", ".join(COLUMN_NAMES)
    statements = []
    if close_open and jobs:
        names = ", ".join(_file_literal(n) for n in sorted(jobs))
        closed = {
            "status": f"'{CANCELED}'", "end_time": "current_timestamp()",
            "error_message": _file_literal(CLOSED_MESSAGE.format(what="the pipeline")),
            "failed_tasks": "CAST(array() AS ARRAY<STRING>)", "logged_at": "current_timestamp()"}
        picked = ", ".join(closed.get(c, f"l.{c}") for c in COLUMN_NAMES)
        statements.append(
            f"INSERT INTO {target} ({columns})\n"
            f"SELECT {picked}\n"
            "FROM (SELECT *, row_number() OVER (PARTITION BY job_name, run_id"
            f" ORDER BY {LATEST_FIRST}) AS rn\n"
            f"      FROM {target} WHERE pipeline = {{{{pipeline}}}} AND job_name IN ({names})\n"
            # a run of a job started by hand logs under a key of its own: it may still run
            f"      AND run_key IN (SELECT run_key FROM {target}\n"
            "                      WHERE pipeline = {{pipeline}} AND job_name IS NULL)) l\n"
            f"WHERE l.rn = 1 AND l.status = '{IN_PROGRESS}'")
    start = {
        "job_id": "{{job_id}}", "job_name": "CAST(NULL AS STRING)",
        "status": f"'{IN_PROGRESS}'",
        "start_time": "timestamp_millis(CAST({{start_ms}} AS BIGINT))",
        "end_time": "CAST(NULL AS TIMESTAMP)", "error_message": "CAST(NULL AS STRING)",
        "pipeline": "{{pipeline}}", "run_key": "{{run_key}}",
        "run_id": "CAST({{run_id}} AS BIGINT)", "attempt": "CAST({{attempt}} AS INT)",
        "failed_tasks": "CAST(array() AS ARRAY<STRING>)", "logged_at": "current_timestamp()"}
    statements.append(f"INSERT INTO {target} ({columns})\n"
                      f"SELECT {', '.join(start[c] for c in COLUMN_NAMES)}")
    return ";\n".join(statements) + ";\n"


def _file_literal(value: str) -> str:
    """A string expression for a SQL file task: a plain literal, except that a semicolon
    (it would end the statement) or a brace (it could read as a parameter) is written as
    chr(<code>) ("chr function"), since Databricks SQL string literals know no unicode
    escape (docs "STRING type": an unknown escape is the character itself)."""
    special = {";": 59, "{": 123, "}": 125}
    if not any(ch in value for ch in special):
        return sql_string(value)
    parts, current = [], ""
    for ch in value:
        if ch in special:
            if current:
                parts.append(sql_string(current))
            parts.append(f"chr({special[ch]})")
            current = ""
        else:
            current += ch
    if current:
        parts.append(sql_string(current))
    return f"concat({', '.join(parts)})"


def status_query(view: str, table: str, *, latest: bool) -> str:
    """`brickline status`: rows of the view for one run_key, given as the named parameter
    :run_key, or (latest=True) the latest run of :pipeline (latest_run_key)."""
    key = latest_run_key(quote_table(table), ":pipeline") if latest else ":run_key"
    columns = ", ".join(VIEW_COLUMNS)
    return (f"SELECT {columns} FROM {quote_table(view)}\n"
            f"WHERE pipeline = :pipeline AND run_key = {key}\n"
            "ORDER BY job_name")


def latest_run_key(log: str, pipeline: str) -> str:
    """The pipeline's latest run: the key of its newest start row (a job started by hand
    logs under a key of its own, later perhaps), or, with no start row (no orchestrator),
    the key most recently logged. `log` and `pipeline` are SQL (a quoted name, a literal or
    a parameter)."""
    newest = f"SELECT max_by(run_key, logged_at) FROM {log} WHERE pipeline = {pipeline}"
    return f"coalesce(({newest} AND job_name IS NULL), ({newest}))"


# --- the Lakeview dashboard --------------------------------------------------------------

def dashboard_queries(table: str, view: str, pipeline: str) -> dict[str, str]:
    """The dashboard's datasets: name -> SQL. Each is run on a local Spark in the tests."""
    log, latest_view, p = quote_table(table), quote_table(view), sql_string(pipeline)
    latest_key = latest_run_key(log, p)
    return {
        "current_run": (
            "SELECT run_key, job_name, status, start_time, end_time, attempt, error_message\n"
            f"FROM {latest_view}\nWHERE pipeline = {p} AND run_key = {latest_key}\n"
            "ORDER BY job_name"),
        "latest_status": (
            "SELECT job_name, status, run_key, start_time, end_time, error_message FROM (\n"
            "  SELECT *, row_number() OVER (PARTITION BY job_name ORDER BY logged_at DESC,"
            " run_id DESC) AS rn\n"
            f"  FROM {log} WHERE pipeline = {p} AND status <> '{SKIPPED}'"
            " AND job_name IS NOT NULL)\n"
            "WHERE rn = 1 ORDER BY job_name"),
        "failures_per_day": (
            "SELECT to_date(logged_at) AS day, count(*) AS failures\n"
            f"FROM {log} WHERE pipeline = {p} AND status = 'failed'\n"
            "GROUP BY to_date(logged_at) ORDER BY day"),
        "duration_per_job": (
            "SELECT job_name, run_key, run_id, start_time,\n"
            "  round((unix_timestamp(end_time) - unix_timestamp(start_time)) / 60.0, 1)"
            " AS minutes\n"
            f"FROM {log} WHERE pipeline = {p} AND status IN ('success', 'failed')"
            " AND end_time IS NOT NULL\nORDER BY start_time"),
        "last_errors": (
            "SELECT logged_at, job_name, run_key, attempt, failed_tasks, error_message\n"
            f"FROM {log} WHERE pipeline = {p} AND status = 'failed'\n"
            "ORDER BY logged_at DESC LIMIT 50"),
    }


_TITLES = {"current_run": "Current run", "latest_status": "Latest status of each job",
           "failures_per_day": "Failures per day", "duration_per_job": "Duration per job run",
           "last_errors": "Last error messages"}
_COLUMNS = {
    "current_run": ("job_name", "status", "start_time", "end_time", "attempt",
                    "error_message"),
    "latest_status": ("job_name", "status", "run_key", "start_time", "end_time",
                      "error_message"),
    "failures_per_day": ("day", "failures"),
    "duration_per_job": ("job_name", "run_key", "start_time", "minutes"),
    "last_errors": ("logged_at", "job_name", "run_key", "attempt", "error_message"),
}
# The canvas is 6 columns wide and each row is filled (same guidance, "LAYOUT (6-Column
# Grid, NO GAPS)"); no current evidence of a wider grid was found, so it stays 6.
GRID_WIDTH = 6
_LAYOUT = {"current_run": (0, 0, 6, 6), "latest_status": (0, 6, 6, 6),
           "failures_per_day": (0, 12, 3, 6), "duration_per_job": (3, 12, 3, 6),
           "last_errors": (0, 18, 6, 8)}


def _widget(name: str) -> dict[str, object]:
    """One widget. Versions and query shapes as Databricks' own dashboard guidance gives them
    (databricks-solutions/ai-dev-kit, databricks-skills/databricks-aibi-dashboards/SKILL.md,
    "CRITICAL VERSION REQUIREMENTS"): a table is version 2 with disaggregated rows (version
    1 renders "Invalid widget definition"); a bar chart is version 3 and aggregates
    (disaggregated rows on a chart give MISSING_GROUP_BY)."""
    columns = _COLUMNS[name]
    frame = {"showTitle": True, "title": _TITLES[name]}
    spec: dict[str, object]
    if name == "failures_per_day":
        fields = [{"name": "day", "expression": "`day`"},
                  {"name": "sum(failures)", "expression": "SUM(`failures`)"}]
        disaggregated = False
        spec = {"version": 3, "widgetType": "bar", "frame": frame, "encodings": {
            "x": {"fieldName": "day", "scale": {"type": "temporal"}, "displayName": "Day"},
            "y": {"fieldName": "sum(failures)", "scale": {"type": "quantitative"},
                  "displayName": "Failures"}}}
    else:
        fields = [{"name": c, "expression": f"`{c}`"} for c in columns]
        disaggregated = True
        spec = {"version": 2, "widgetType": "table", "frame": frame,
                "encodings": {"columns": [{"fieldName": c, "displayName": c}
                                          for c in columns]}}
    query = {"name": "main_query", "query": {"datasetName": name, "fields": fields,
                                             "disaggregated": disaggregated}}
    x, y, width, height = _LAYOUT[name]
    return {"widget": {"name": f"w_{name}", "queries": [query], "spec": spec},
            "position": {"x": x, "y": y, "width": width, "height": height}}


def dashboard_json(table: str, view: str, pipeline: str) -> str:
    """A Lakeview dashboard (serialized_dashboard) over the status log: a grid 6 wide."""
    queries = dashboard_queries(table, view, pipeline)
    doc = {
        "datasets": [{"name": name, "displayName": _TITLES[name],
                      "queryLines": sql.splitlines(keepends=True)}
                     for name, sql in queries.items()],
        "pages": [{"name": "status", "displayName": f"{pipeline} status",
                   "layout": [_widget(name) for name in queries]}],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"))
