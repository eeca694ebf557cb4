"""The status log, read through a SQL warehouse (Statement Execution API): the job_status
view for one run_key, as rows (`brickline status`) or as a Snapshot (`status --watch`)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from brickline.ops.connect import Limits, OpsError
from brickline.ops.runs import JobProgress, Snapshot, apart, job_names
from brickline.plan import StackPlan
from brickline.runtime.status import CANCELED, FAILED, IN_PROGRESS, PENDING, SKIPPED, SUCCESS
from brickline.runtime.views import status_query
from brickline.spec.rules_deploy import VAR_ONLY

# what `brickline status` prints, in this order (all are columns of the view)
STATUS_COLUMNS = ("job_name", "status", "start_time", "end_time", "attempt", "run_id",
                  "error_message")
ENDED = frozenset({SUCCESS, FAILED, SKIPPED, CANCELED})
# StatementState (databricks-sdk 0.162 service/sql.py): PENDING and RUNNING go on
STILL_RUNNING = frozenset({"PENDING", "RUNNING"})


def warehouse_for(stack_warehouse: str, given: str | None) -> str:
    """--warehouse-id, else the pipeline's metadata.warehouse_id: a literal, or the value
    Terraform would get for its variable (TF_VAR_<name>)."""
    if given:
        return given
    match = VAR_ONLY.match(stack_warehouse)
    if not match:
        return stack_warehouse
    value = os.environ.get(f"TF_VAR_{match.group(1)}")
    if value:
        return value
    raise OpsError(f"which SQL warehouse? metadata.warehouse_id is {stack_warehouse}: pass "
                   f"--warehouse-id or set TF_VAR_{match.group(1)}")


def wait_timeout(limits: Limits) -> str:
    """How long the submit call itself waits for the result: 0 (return at once) or 5 to 50
    s (ExecuteStatementRequest.wait_timeout), and shorter than one request may take."""
    seconds = min(30, int(limits.request) - 2)
    return f"{seconds}s" if seconds >= 5 else "0s"


def status(ws: Any, stack: StackPlan, *, warehouse_id: str, run_key: str | None,
           limits: Limits | None = None,
           sleep: Callable[[float], None] = time.sleep) -> list[dict[str, Any]]:
    """The view's rows for `run_key` (None: the latest run_key logged)."""
    from databricks.sdk.service.sql import Disposition, Format, StatementParameterListItem

    limits = limits or Limits()
    view = stack.view.settings
    table = stack.table.settings
    view_name = f"{view['catalog_name']}.{view['schema_name']}.{view['name']}"
    table_name = f"{table['catalog_name']}.{table['schema_name']}.{table['name']}"
    # the status program logs the pipeline's name (plan/status_tasks.py: --pipeline), not
    # the stack's
    params = [StatementParameterListItem(name="pipeline", value=stack.pipeline or stack.name)]
    if run_key is not None:
        params.append(StatementParameterListItem(name="run_key", value=run_key))
    # the latest run is the pipeline's (its newest start row), never the own run of a job
    # with `orchestrate: false` (views.latest_run_key)
    response = ws.statement_execution.execute_statement(
        statement=status_query(view_name, table_name, latest=run_key is None),
        warehouse_id=warehouse_id, parameters=params, wait_timeout=wait_timeout(limits),
        disposition=Disposition.INLINE, format=Format.JSON_ARRAY)
    deadline = time.monotonic() + limits.query_timeout
    pauses: Iterator[float] = limits.pauses()
    while _state(response) in STILL_RUNNING:
        if time.monotonic() + (pause := next(pauses)) > deadline:
            _cancel(ws, response.statement_id)
            raise OpsError(f"the status query did not finish in {limits.query_timeout:.0f} s "
                           f"(still {_state(response).lower()} on warehouse {warehouse_id}; "
                           "a stopped warehouse takes a while to start): it was cancelled; "
                           "try again")
        sleep(pause)
        response = ws.statement_execution.get_statement(response.statement_id)
    state = _state(response)
    if state != "SUCCEEDED":
        error = response.status.error.message if response.status.error else state
        raise OpsError(f"the status query failed: {error}")
    columns = [c.name for c in response.manifest.schema.columns]
    rows = (response.result.data_array if response.result else None) or []
    return [dict(zip(columns, row, strict=True)) for row in rows]


def reconcile(ws: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows the log shows `in-progress`, checked against the Jobs API: a run that has ended
    without logging (cancelled, or timed out: no task runs after a cancel) is shown as it
    ended (runs/get state.result_state, e.g. canceled), never as in progress, with a note
    that the log does not say so. A run that cannot be read is left as logged."""
    from databricks.sdk.errors.base import DatabricksError

    from brickline.ops.runs import ended, outcome

    out = []
    for row in rows:
        run_id = str(row.get("run_id") or "")
        if row.get("status") == IN_PROGRESS and run_id.isdigit():
            try:
                run = ws.jobs.get_run(int(run_id)).as_dict()
            except DatabricksError:
                run = {}
            if run and ended(run):
                state = outcome(run).lower()
                note = "(Jobs API: the run ended without logging)"
                row = {**row, "status": state, "error_message": " ".join(
                    t for t in (row.get("error_message"), note) if t)}
        out.append(row)
    return out


def _state(response: Any) -> str:
    return str(response.status.state.value) if response.status and response.status.state \
        else "UNKNOWN"


def _cancel(ws: Any, statement_id: str | None) -> None:
    from databricks.sdk.errors.base import DatabricksError

    if statement_id:
        # it may just have ended: the timeout is what to report
        with contextlib.suppress(DatabricksError):
            ws.statement_execution.cancel_execution(statement_id)


def epoch_ms(value: Any) -> int | None:
    """A timestamp of the JSON_ARRAY result (an ISO 8601 string) in epoch milliseconds."""
    if value in (None, ""):
        return None
    try:
        return int(datetime.fromisoformat(str(value).replace(" ", "T")).timestamp() * 1000)
    except ValueError:
        return None


def snapshot(rows: Sequence[dict[str, Any]], stack: StackPlan, *, over: bool) -> Snapshot:
    """The view's rows as a Snapshot: one entry per job, in the pipeline's order."""
    by_name = {r.get("job_name"): r for r in rows}
    key = rows[0].get("run_key") if rows else None
    pipeline = stack.pipeline or stack.name
    title = f"{pipeline} run_key {key}" if key is not None else pipeline
    jobs = []
    for _, name in job_names(stack):
        row = by_name.get(name, {})
        state = str(row.get("status") or PENDING)
        attempt = str(row.get("attempt") or "")
        jobs.append(JobProgress(
            name, state, int(attempt) if attempt.isdigit() else 0,
            started_ms=epoch_ms(row.get("start_time")),
            ended_ms=epoch_ms(row.get("end_time")) if state in ENDED else None,
            over=state in ENDED, ok=state in (SUCCESS, SKIPPED), key=name,
            error=row.get("error_message") if state == FAILED else None))
    failed = any(j.state == FAILED for j in jobs)
    result = None
    if over:
        result = "nothing logged" if key is None else FAILED if failed else SUCCESS
    return Snapshot(title, None, tuple(jobs), over, result, ok=over and not failed,
                    apart=apart(stack))


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Rows as an aligned text table; the first line of a multi-line value, cut at 60."""
    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        first = text.splitlines()[0] if text else ""
        first = first if len(first) <= 60 else first[:57] + "..."
        return first + (" ..." if "\n" in text.strip() else "")

    grid = [list(columns)] + [[cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in grid) for i in range(len(columns))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
                     for row in grid)
