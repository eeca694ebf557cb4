"""Operations on a deployed pipeline, through the Databricks SDK and its standard auth
(DATABRICKS_HOST / DATABRICKS_TOKEN, a ~/.databrickscfg profile, OAuth, ...).

- recover: repair the orchestrator's latest failed run. Only the failed jobs and the jobs
  after them run again, inside the same run and with the same run_key; jobs that succeeded
  keep their result.
- status: the job_status view for one run_key, through a SQL warehouse.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from brickline.plan import StackPlan
from brickline.runtime.status import OK_STATES, result_state
from brickline.runtime.views import status_query
from brickline.spec.rules_deploy import VAR_ONLY

# what `brickline status` prints, in this order (all are columns of the view)
STATUS_COLUMNS = ("job_name", "status", "start_time", "end_time", "attempt", "run_id",
                  "error_message")



class OpsError(Exception):
    """A problem to tell the user about in one sentence (not a bug)."""


@dataclass
class Rerun:
    task_key: str
    job_name: str
    state: str


@dataclass
class Recovery:
    orchestrator: str
    run_id: int
    run_url: str | None
    reruns: list[Rerun]
    repair_id: int | None  # None: nothing was repaired (dry run, or nothing failed)
    message: str


def client(profile: str | None = None) -> Any:
    from databricks.sdk import WorkspaceClient

    try:
        return WorkspaceClient(profile=profile) if profile else WorkspaceClient()
    except ValueError as exc:  # the SDK's "cannot configure default credentials"
        raise OpsError(f"cannot reach Databricks: {exc}") from None


def orchestrator_id(ws: Any, name: str) -> int:
    jobs = [j for j in ws.jobs.list(name=name) if j.settings and j.settings.name == name]
    if not jobs:
        raise OpsError(f"no job named '{name}' in this workspace: deploy the pipeline first "
                       "(cdktf deploy), or pick the workspace with --profile")
    if len(jobs) > 1:
        ids = ", ".join(str(j.job_id) for j in jobs)
        raise OpsError(f"{len(jobs)} jobs are named '{name}' (ids {ids}); pass --run-id")
    return int(jobs[0].job_id)


def recover(ws: Any, stack: StackPlan, *, run_id: int | None = None,
            dry_run: bool = False) -> Recovery:
    name = stack.orchestrator.name
    if run_id is None:
        job_id = orchestrator_id(ws, name)
        active = list(ws.jobs.list_runs(job_id=job_id, active_only=True, limit=1))
        if active:
            raise OpsError(f"run {active[0].run_id} of '{name}' is still running; wait for it "
                           "to finish, then recover")
        latest = next(iter(ws.jobs.list_runs(job_id=job_id, completed_only=True, limit=1)),
                      None)
        if latest is None:
            raise OpsError(f"'{name}' has never run: nothing to recover")
        run_id = int(latest.run_id)
    run = ws.jobs.get_run(run_id, include_history=True).as_dict()
    url = run.get("run_page_url")
    jobs_by_key = {j.address: j.name for j in stack.jobs}
    reruns = [Rerun(t["task_key"], jobs_by_key.get(t["task_key"], t["task_key"]),
                    result_state(t) or "no result")
              for t in sorted(run.get("tasks", []), key=lambda t: t["task_key"])
              if result_state(t) not in OK_STATES]
    if result_state(run) in OK_STATES or not reruns:
        return Recovery(name, run_id, url, [], None,
                        f"run {run_id} of '{name}' succeeded: nothing to recover")
    if dry_run:
        return Recovery(name, run_id, url, reruns, None,
                        f"would repair run {run_id} of '{name}' (dry run)")
    repairs = [r for r in run.get("repair_history", []) if r.get("type") == "REPAIR"]
    latest_repair = repairs[-1].get("id") if repairs else None
    wait = ws.jobs.repair_run(run_id, rerun_all_failed_tasks=True,
                              latest_repair_id=latest_repair)
    repair_id = wait.response.repair_id if wait.response is not None else None
    return Recovery(name, run_id, url, reruns, repair_id,
                    f"repairing run {run_id} of '{name}' (repair {repair_id})")


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


def status(ws: Any, stack: StackPlan, *, warehouse_id: str, run_key: str | None,
           timeout_s: float = 120.0) -> list[dict[str, Any]]:
    from databricks.sdk.service.sql import Disposition, Format, StatementParameterListItem

    view = stack.view.settings
    table = stack.table.settings
    view_name = f"{view['catalog_name']}.{view['schema_name']}.{view['name']}"
    table_name = f"{table['catalog_name']}.{table['schema_name']}.{table['name']}"
    params = [StatementParameterListItem(name="pipeline", value=stack.name)]
    if run_key is not None:
        params.append(StatementParameterListItem(name="run_key", value=run_key))
    response = ws.statement_execution.execute_statement(
        statement=status_query(view_name, table_name, latest=run_key is None),
        warehouse_id=warehouse_id, parameters=params, wait_timeout="30s",
        disposition=Disposition.INLINE, format=Format.JSON_ARRAY)
    deadline = time.monotonic() + timeout_s
    while response.status.state.value in ("PENDING", "RUNNING"):
        if time.monotonic() > deadline:
            raise OpsError(f"the status query did not finish in {timeout_s:.0f} s")
        time.sleep(1)
        response = ws.statement_execution.get_statement(response.statement_id)
    state = response.status.state.value
    if state != "SUCCEEDED":
        error = response.status.error.message if response.status.error else state
        raise OpsError(f"the status query failed: {error}")
    columns = [c.name for c in response.manifest.schema.columns]
    rows = (response.result.data_array if response.result else None) or []
    return [dict(zip(columns, row, strict=True)) for row in rows]


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


