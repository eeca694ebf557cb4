"""The SQL that reads the status log: the `job_status` view (provisioned by the stack) and
the query behind `brickline status`. Both are run against a real local Spark in the tests.

Only the view embeds values (the pipeline's name and its jobs' names), as escaped string
literals, because a view cannot take parameters; queries take named parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

from brickline.runtime.status import PENDING, SKIPPED, quote_table

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

    A job with no row yet for a run_key is `pending`. The latest row wins, except that a
    `skipped` row (the job had already succeeded for that run_key) never hides the success.
    """
    source = quote_table(table)
    jobs = ", ".join(f"({sql_string(n)})" for n in sorted(job_names))
    return (
        f"WITH jobs AS (SELECT job_name FROM VALUES {jobs} AS jobs(job_name)),\n"
        f"log AS (SELECT * FROM {source} WHERE pipeline = {sql_string(pipeline)}),\n"
        "runs AS (SELECT DISTINCT run_key FROM log),\n"
        "ranked AS (\n"
        "  SELECT *, row_number() OVER (PARTITION BY run_key, job_name ORDER BY\n"
        f"    CASE WHEN status = '{SKIPPED}' THEN 1 ELSE 0 END, logged_at DESC,"
        " run_id DESC, attempt DESC) AS rn\n"
        "  FROM log)\n"
        f"SELECT {sql_string(pipeline)} AS pipeline, runs.run_key, jobs.job_name,\n"
        f"  coalesce(r.status, '{PENDING}') AS status, r.start_time, r.end_time,"
        " r.error_message,\n"
        "  r.failed_tasks, r.job_id, r.run_id, r.attempt, r.logged_at\n"
        "FROM runs CROSS JOIN jobs\n"
        "LEFT JOIN ranked r\n"
        "  ON r.run_key = runs.run_key AND r.job_name = jobs.job_name AND r.rn = 1"
    )


def status_query(view: str, table: str, *, latest: bool) -> str:
    """`brickline status`: rows of the view for one run_key, given as the named parameter
    :run_key, or (latest=True) the run_key most recently logged for :pipeline."""
    if latest:
        key = (f"(SELECT max_by(run_key, logged_at) FROM {quote_table(table)} "
               "WHERE pipeline = :pipeline)")
    else:
        key = ":run_key"
    columns = ", ".join(VIEW_COLUMNS)
    return (f"SELECT {columns} FROM {quote_table(view)}\n"
            f"WHERE pipeline = :pipeline AND run_key = {key}\n"
            "ORDER BY job_name")
