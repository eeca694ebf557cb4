"""The workspace twin behind HTTP on 127.0.0.1, for brickline's real ops commands
(`brickline run / recover / status`) through databricks-sdk.

It is the fake workspace of tests/databricks_fake.py (its routing, refusals, paging of
jobs/list, runs/list and runs/get, statement polling, and payloads shaped by the SDK's
dataclasses) with the twin's runs in place of scripted looks:
- jobs/list: the stack's jobs; jobs/run-now and jobs/runs/repair: the twin's, executed on
  a worker thread so that the call returns at once, as the Jobs API's does;
- jobs/runs/get and runs/list: the twin's run as it is at that moment;
- jobs/runs/get-output: a task run's error and, for a run_job_task, the run it started;
- SQL statements: run on the twin's local Spark (Unity Catalog names mapped onto it).
A test harness, not a feature. The rules come from the REST reference pages
(https://docs.databricks.com/api/workspace/jobs/<endpoint>, Jobs API 2.2, and
.../statementexecution/executestatement) and the SDK's docstrings of the same calls
(databricks-sdk 0.162 service/jobs.py, service/sql.py), cited at each one.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import databricks_fake as fake
from databricks.sdk.service import jobs

from twin.jobs import Workspace


class TwinWorkspace(fake.Workspace):
    """The fake workspace whose runs are the twin's."""

    def __init__(self, twin: Workspace) -> None:
        super().__init__()
        self.twin = twin
        self.jobs = [fake.job(job_id, settings["name"])
                     for job_id, settings in sorted(twin.jobs.items())]
        self.broken: list[BaseException] = []  # what went wrong in the worker (a bug)
        self._lock = threading.Lock()
        self._work: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._worker = threading.Thread(target=self._drain, daemon=True, name="twin-worker")
        self._worker.start()

    def close(self) -> None:
        self._work.put(None)
        self._worker.join(60)

    # --- the worker: runs go on after the call that started them returned ------------------
    def _later(self, work: Callable[[], None]) -> None:
        self._work.put(work)

    def _drain(self) -> None:
        while (work := self._work.get()) is not None:
            try:
                work()
            except BaseException as exc:  # a bug of the twin: end its runs, never hang
                self.broken.append(exc)
                for run in list(self.twin.runs.values()):
                    if not run.result_state:
                        run.result_state = run.executions[-1].result_state = "FAILED"

    # --- what the fake workspace asks of its subclass -----------------------------------
    def answer(self, method: str, path: str, query: dict[str, str],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:  # one request at a time; the worker changes only the twin
            for run_id in list(self.twin.runs):  # child runs started by run_job_tasks
                self.runs.setdefault(run_id, fake.Run([]))
            return super().answer(method, path, query, body)

    def look(self, run_id: int) -> dict[str, Any]:
        """The run as it is now (Jobs API 2.2 "Get a single job run",
        api/workspace/jobs/getrun; runs/list "List job runs" shows the same runs without
        their tasks). Each new look is kept, so that the page tokens of one runs/get
        answer keep pointing at the look its first page came from (runs/get pages tasks
        past 100: next_page_token)."""
        twin_run = self.twin.get_run(run_id)
        current = jobs.Run.from_dict({
            **twin_run, "number_in_job": run_id,
            # Jobs API 2.2 runs/get: run_page_url, "the URL to the detail page of the run"
            "run_page_url": f"{fake.URL}/jobs/{twin_run['job_id']}/runs/{run_id}",
        }).as_dict()
        looks = self.runs[run_id].looks
        if not looks or looks[-1] != current:
            looks.append(current)
        return looks[-1]

    def _route(self, route: tuple[str, str], query: dict[str, str],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if route == ("GET", f"{fake.JOBS}/runs/get-output"):
            return self._output(int(query["run_id"]))
        return super()._route(route, query, body)

    def _run_now(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        # Jobs API 2.2 "Trigger a new job run" (api/workspace/jobs/runnow; SDK
        # JobsAPI.run_now): "Run a job and return the run_id of the triggered run"; the run
        # goes on after the answer; job_parameters override the parameters' defaults
        job_id = int(body["job_id"])
        if job_id not in self.twin.jobs:
            return 400, {"error_code": "INVALID_PARAMETER_VALUE",
                         "message": f"Job {job_id} does not exist."}
        run_id = self.twin.run_now(job_id, body.get("job_parameters") or {},
                                   execute=self._later)
        self.runs[run_id] = fake.Run([])
        return 200, jobs.RunNowResponse(run_id=run_id, number_in_job=run_id).as_dict()

    def _repair(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        # Jobs API 2.2 "Repair a job run" (api/workspace/jobs/repairrun; SDK
        # JobsAPI.repair_run): "Re-run one or more tasks. Tasks are re-run as part of the
        # original job run"; rerun_all_failed_tasks "repair all failed tasks";
        # latest_repair_id "must be provided on subsequent requests to repair the same run";
        # the answer (repair_id) comes before the repair ends
        options: dict[str, Any] = {}
        if "rerun_dependent_tasks" in body:
            options["rerun_dependent_tasks"] = bool(body["rerun_dependent_tasks"])
        try:
            repair_id = self.twin.repair(
                int(body["run_id"]), rerun_all_failed_tasks=bool(
                    body.get("rerun_all_failed_tasks")),
                rerun_tasks=body.get("rerun_tasks"), latest_repair_id=body.get(
                    "latest_repair_id"), execute=self._later, **options)
        except (KeyError, ValueError) as exc:
            return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": str(exc)}
        return 200, jobs.RepairRunResponse(repair_id=repair_id).as_dict()

    def _output(self, run_id: int) -> tuple[int, dict[str, Any]]:
        """Jobs API 2.2 "Get the output for a single run" (api/workspace/jobs/getrunoutput;
        SDK JobsAPI.get_run_output): the output of one *task* run; "returns an HTTP status
        code 400 if the run_id parameter is invalid". `error`: "why a task failed";
        `run_job_output.run_id`: the run a run_job_task started."""
        attempt = self.twin.task_run(run_id)
        if attempt is None:
            what = "is a run of a job with tasks: ask for a task run" \
                if run_id in self.twin.runs else "does not exist"
            return 400, {"error_code": "INVALID_PARAMETER_VALUE",
                         "message": f"Run {run_id} {what}."}
        return 200, jobs.RunOutput(
            error=attempt.state_message or None,
            run_job_output=jobs.RunJobOutput(run_id=attempt.child_run_id)
            if attempt.child_run_id is not None else None).as_dict()

    def _submit(self, body: dict[str, Any]) -> dict[str, Any]:
        """Statement Execution API 2.0 "Execute a SQL statement"
        (api/workspace/statementexecution/executestatement; SDK
        StatementExecutionAPI.execute_statement): the
        statement with its named parameter markers (`:name`, `parameters` as name/value
        pairs), answered INLINE as JSON_ARRAY: "each non-null value is formatted as a
        string. Null values are encoded as JSON null" (SDK sql.ResultData.data_array)."""
        args = {p["name"]: p.get("value") for p in body.get("parameters") or []}
        try:
            frame = self.twin.spark.sql(self.twin.local_sql(body["statement"]), args=args)
            rows = [[_text(v) for v in row] for row in frame.collect()]
            answer = fake.statement("SUCCEEDED", frame.columns, rows)
        except Exception as exc:  # the warehouse's answer to a statement that fails
            answer = fake.statement("FAILED", error=str(exc).splitlines()[0])
        return self.add_statement([answer])


def _text(value: Any) -> str | None:
    """One value of a JSON_ARRAY row. The exact text of a timestamp or an array is not
    documented: ISO 8601 and JSON, which brickline reads either way."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@contextlib.contextmanager
def serve(twin: Workspace) -> Iterator[tuple[str, TwinWorkspace]]:
    """The twin on http://127.0.0.1:<free port> for the length of the block."""
    workspace = TwinWorkspace(twin)
    try:
        with fake.serve(workspace) as host:
            yield host, workspace
    finally:
        workspace.close()
    assert not workspace.broken, workspace.broken
