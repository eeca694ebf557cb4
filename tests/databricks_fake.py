"""A fake Databricks workspace on 127.0.0.1: an HTTP server that answers the REST endpoints
databricks-sdk 0.162 calls for brickline (Jobs API 2.2, Statement Execution API 2.0) with
payloads of the documented shape, most of them built from the SDK's own dataclasses
(`databricks.sdk.service.jobs`, `...sql`) and serialized with their `as_dict()`.

Runs change over time: a run is a list of looks, and the workspace's clock (`tick`) moves
one step each time it answers the endpoint named by `tick_on` (runs/get by default, its
first page only). Pages of one runs/get answer all come from the same look.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from databricks.sdk.service import iam, jobs, sql

JOBS = "/api/2.2/jobs"
STATEMENTS = "/api/2.0/sql/statements"
ME = "/api/2.0/preview/scim/v2/Me"
# JobsAPI.list_runs: "An active run is a run in the QUEUED, PENDING, RUNNING, or TERMINATING"
ACTIVE_ONLY = {"QUEUED", "PENDING", "RUNNING", "TERMINATING"}
COMPLETED = {"TERMINATED", "SKIPPED", "INTERNAL_ERROR"}
TASKS_PER_PAGE = 100  # runs/get pages tasks past 100 (Jobs API 2.2)


@dataclass
class Run:
    looks: list[dict[str, Any]]
    born: int = 0


@dataclass
class Workspace:
    """What the fake workspace knows, and every request it got."""

    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    runs: dict[int, Run] = field(default_factory=dict)
    outputs: dict[int, dict[str, Any]] = field(default_factory=dict)
    # what run-now starts (run id -> its looks), and what a repair does to a run
    on_run_now: Callable[[int], list[dict[str, Any]]] | None = None
    on_repair: Callable[[int, int], list[dict[str, Any]]] | None = None
    # each statement submitted takes the next script: the POST answer, then one per GET
    # (the last script is used again)
    queries: list[list[dict[str, Any]]] = field(default_factory=list)
    refuse: int | None = None   # 401 or 403 to every API request
    # (status, Retry-After or None, error_code) to every API request: a workspace in trouble
    trouble: tuple[int, str | None, str] | None = None
    probe_trouble: bool = False  # the trouble reaches the SDK's host-metadata probe too
    tick: int = 0
    tick_on: str = f"{JOBS}/runs/get"
    next_run_id: int = 1000
    user: str = "deployer@example.com"  # who the token is (scim/v2/Me)
    next_repair_id: int = 501
    _statements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add_run(self, looks: Sequence[dict[str, Any]]) -> int:
        run_id = int(looks[0]["run_id"])
        self.runs[run_id] = Run(list(looks), self.tick)
        return run_id

    def look(self, run_id: int) -> dict[str, Any]:
        run = self.runs[run_id]
        return run.looks[min(max(self.tick - run.born, 0), len(run.looks) - 1)]

    def calls(self, path: str) -> list[dict[str, Any]]:
        return [q for _, p, q in self.requests if p.rstrip("/") == path.rstrip("/")]

    # --- the endpoints ---------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, str],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path.startswith("/.well-known/") and not self.probe_trouble:
            return 404, {"error_code": "NOT_FOUND", "message": "no host metadata here"}
        if self.refuse == 401:
            return 401, {"error_code": "UNAUTHENTICATED",
                         "message": "Invalid access token. [ReqId: 1a2b]"}
        if self.refuse == 403:
            return 403, {"error_code": "PERMISSION_DENIED",
                         "message": "User does not have permission to view this job"}
        if self.trouble is not None and (self.probe_trouble or "/.well-known/" not in path):
            return self.trouble[0], {"error_code": self.trouble[2],
                                     "message": "The service is in trouble"}
        route = (method, path.rstrip("/"))
        code, payload = self._route(route, query, body)
        if path.rstrip("/") == self.tick_on and "page_token" not in query:
            self.tick += 1
        return code, payload

    def _route(self, route: tuple[str, str], query: dict[str, str],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        method, path = route
        if route == ("GET", ME):  # CurrentUserAPI.me (SDK service/iam.py)
            return 200, iam.User(user_name=self.user, active=True).as_dict()
        if route == ("GET", f"{JOBS}/list"):
            return 200, self._jobs_list(query)
        if route == ("GET", f"{JOBS}/runs/list"):
            return 200, self._runs_list(query)
        if route == ("GET", f"{JOBS}/runs/get"):
            return self._runs_get(query)
        if route == ("GET", f"{JOBS}/runs/get-output"):
            return 200, self.outputs.get(int(query["run_id"]), {})
        if route == ("POST", f"{JOBS}/run-now"):
            return self._run_now(body)
        if route == ("POST", f"{JOBS}/runs/repair"):
            return self._repair(body)
        if route == ("POST", STATEMENTS):
            return 200, self._submit(body)
        match = re.fullmatch(rf"{STATEMENTS}/([^/]+)(/cancel)?", path)
        if match and method == "GET":
            looks = self._statements[match.group(1)]
            return 200, looks.pop(0) if len(looks) > 1 else looks[0]
        if match and method == "POST":
            return 200, {}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"no {method} {path}"}

    def _jobs_list(self, query: dict[str, str]) -> dict[str, Any]:
        # JobsAPI.list: name is "a filter on the list based on the exact (case insensitive)
        # job name"; limit default 20
        found = [j for j in self.jobs if "name" not in query
                 or j["settings"]["name"].lower() == query["name"].lower()]
        return _page(found, query, "jobs", default_limit=20)

    def _runs_list(self, query: dict[str, str]) -> dict[str, Any]:
        runs = [{k: v for k, v in self.look(i).items() if k not in ("tasks", "next_page_token")}
                for i in self.runs]
        runs = [r for r in runs if "job_id" not in query or str(r["job_id"]) == query["job_id"]]
        if query.get("active_only") == "true":
            runs = [r for r in runs if _life(r) in ACTIVE_ONLY]
        if query.get("completed_only") == "true":
            runs = [r for r in runs if _life(r) in COMPLETED]
        runs.sort(key=lambda r: (r.get("start_time") or 0, r["run_id"]), reverse=True)
        return _page(runs, query, "runs", default_limit=20)

    def _runs_get(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        run_id = int(query["run_id"])
        if run_id not in self.runs:
            return 400, {"error_code": "INVALID_PARAMETER_VALUE",
                         "message": f"Run {run_id} does not exist."}
        token = query.get("page_token")
        if token:
            index, page = (int(x) for x in token.split(":"))
            run = self.runs[run_id].looks[index]
        else:
            run = self.look(run_id)
            index, page = self.runs[run_id].looks.index(run), 0
        tasks = run.get("tasks") or []
        answer = {**run, "tasks": tasks[page * TASKS_PER_PAGE:(page + 1) * TASKS_PER_PAGE]}
        if page > 0:  # later pages carry only the next tasks (and history: none here)
            answer = {"run_id": run_id, "tasks": answer["tasks"]}
        if (page + 1) * TASKS_PER_PAGE < len(tasks):
            answer["next_page_token"] = f"{index}:{page + 1}"
        if query.get("include_history") != "true":
            answer.pop("repair_history", None)
        return 200, answer

    def _run_now(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if not any(j["job_id"] == body["job_id"] for j in self.jobs):
            return 400, {"error_code": "INVALID_PARAMETER_VALUE",
                         "message": f"Job {body['job_id']} does not exist."}
        assert self.on_run_now is not None, "the test says what run-now starts"
        run_id = self.next_run_id
        self.next_run_id += 1
        self.runs[run_id] = Run(self.on_run_now(run_id), self.tick)
        return 200, jobs.RunNowResponse(run_id=run_id, number_in_job=run_id).as_dict()

    def _repair(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        repair_id = self.next_repair_id
        self.next_repair_id += 1
        run_id = int(body["run_id"])
        if self.on_repair is not None:  # else the run stays as it is
            self.runs[run_id] = Run(self.on_repair(run_id, repair_id), self.tick)
        return 200, jobs.RepairRunResponse(repair_id=repair_id).as_dict()

    def _submit(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.add_statement(self.queries.pop(0) if len(self.queries) > 1
                                  else self.queries[0])

    def add_statement(self, script: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """A statement that answers `script` (the POST answer, then one per GET)."""
        statement_id = f"s-{len(self._statements) + 1}"
        looks = [{**look, "statement_id": statement_id} for look in script]
        self._statements[statement_id] = looks[1:] or looks
        return looks[0]


def _life(run: dict[str, Any]) -> str | None:
    return (run.get("state") or {}).get("life_cycle_state") or (
        run.get("status") or {}).get("state")


def _page(items: list[dict[str, Any]], query: dict[str, str], key: str, *,
          default_limit: int) -> dict[str, Any]:
    limit = int(query.get("limit") or default_limit)
    start = int(query.get("page_token") or 0)
    answer: dict[str, Any] = {key: items[start:start + limit],
                              "has_more": start + limit < len(items)}
    if answer["has_more"]:
        answer["next_page_token"] = str(start + limit)
    return answer


@contextlib.contextmanager
def serve(workspace: Workspace) -> Iterator[str]:
    """The workspace on http://127.0.0.1:<free port>, for the length of the block."""

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}") if length else {}
            workspace.requests.append((method, url.path, {**query, **body}))
            try:
                code, payload = workspace.answer(method, url.path, query, body)
            except Exception as exc:  # a mistake in a test: say so at once, no retries
                code, payload = 500, {"error_code": "FAKE_BROKEN", "message": repr(exc)}
            data = json.dumps(payload).encode()
            self.send_response(code)
            if workspace.trouble is not None and workspace.trouble[1] is not None:
                self.send_header("Retry-After", workspace.trouble[1])
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent() -> Iterator[str]:
    """A host that accepts connections and never answers (the kernel completes the TCP
    handshake for a listening socket; nothing ever reads or writes)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


# --- payloads, from the SDK's dataclasses ----------------------------------------------

ORCHESTRATOR_ID = 11
URL = "https://example.cloud.databricks.com"


def state(life: str, result: str | None = None, message: str = "") -> jobs.RunState:
    return jobs.RunState(life_cycle_state=jobs.RunLifeCycleState(life),
                         result_state=jobs.RunResultState(result) if result else None,
                         state_message=message)


def task(key: str, life: str, result: str | None = None, *, run_id: int,
         start: int | None = None, end: int | None = None, message: str = "",
         attempt: int = 0) -> dict[str, Any]:
    return jobs.RunTask(task_key=key, run_id=run_id, attempt_number=attempt,
                        state=state(life, result, message), start_time=start,
                        end_time=end).as_dict()


def repair(kind: str, item_id: int, life: str, result: str | None = None, *,
           task_runs: Sequence[int] = (), start: int | None = None,
           end: int | None = None) -> dict[str, Any]:
    return jobs.RepairHistoryItem(
        type=jobs.RepairHistoryItemType(kind), id=item_id, state=state(life, result),
        task_run_ids=list(task_runs), start_time=start, end_time=end).as_dict()


def run(run_id: int, life: str, result: str | None = None, *,
        tasks: Sequence[dict[str, Any]] = (), history: Sequence[dict[str, Any]] = (),
        job_id: int = ORCHESTRATOR_ID, start: int | None = None, end: int | None = None,
        message: str = "") -> dict[str, Any]:
    return jobs.Run(
        run_id=run_id, job_id=job_id, number_in_job=run_id, start_time=start, end_time=end,
        run_page_url=f"{URL}/jobs/{job_id}/runs/{run_id}", state=state(life, result, message),
        tasks=[jobs.RunTask.from_dict(t) for t in tasks],
        repair_history=[jobs.RepairHistoryItem.from_dict(h) for h in history],
    ).as_dict()


def job(job_id: int, name: str) -> dict[str, Any]:
    return jobs.BaseJob(job_id=job_id, settings=jobs.JobSettings(name=name)).as_dict()


def statement(state_name: str, columns: Sequence[str] = (),
              rows: Sequence[Sequence[Any]] = (), error: str | None = None) -> dict[str, Any]:
    answer = sql.StatementResponse(
        status=sql.StatementStatus(state=sql.StatementState(state_name),
                                   error=sql.ServiceError(message=error) if error else None))
    if state_name == "SUCCEEDED":
        answer.manifest = sql.ResultManifest(format=sql.Format.JSON_ARRAY, schema=sql.ResultSchema(
            columns=[sql.ColumnInfo(name=c, position=i) for i, c in enumerate(columns)]))
        answer.result = sql.ResultData(data_array=[list(r) for r in rows])
    return answer.as_dict()


# --- runs of the seed_etl example's orchestrator ------------------------------------------

SEED_ORCHESTRATOR = "seed_etl_orchestrator"
EXTRACT, LOAD, ES = "data_extract_job", "data_load_job", "es_load_job"
T0 = 1_795_000_000_000  # epoch ms of the first run's start
S = 1000  # one second in ms


def seed_workspace(workspace: Workspace) -> None:
    workspace.jobs = [job(ORCHESTRATOR_ID, SEED_ORCHESTRATOR), job(22, "Data_Load_Job")]


def seed_progress(run_id: int, *, fail: bool = False) -> list[dict[str, Any]]:
    """The looks at one seed_etl run: queued, extract running, load running, ended (all
    succeeded, or load failed and es_load never ran)."""
    ids = {EXTRACT: run_id * 10 + 1, LOAD: run_id * 10 + 2, ES: run_id * 10 + 3}
    history = [repair("ORIGINAL", run_id, "RUNNING", task_runs=list(ids.values()), start=T0)]

    def t(key: str, life: str, result: str | None = None, start: int | None = None,
          end: int | None = None, message: str = "") -> dict[str, Any]:
        return task(key, life, result, run_id=ids[key], start=start, end=end, message=message)

    extract_done = t(EXTRACT, "TERMINATED", "SUCCESS", T0 + 2 * S, T0 + 254 * S)
    load = (t(LOAD, "TERMINATED", "FAILED", T0 + 255 * S, T0 + 371 * S,
              "Workload failed, see run output for details") if fail else
            t(LOAD, "TERMINATED", "SUCCESS", T0 + 255 * S, T0 + 555 * S))
    es = (t(ES, "TERMINATED", "UPSTREAM_FAILED", message="Upstream task failed") if fail else
          t(ES, "TERMINATED", "SUCCESS", T0 + 560 * S, T0 + 700 * S))
    end = T0 + (372 if fail else 705) * S
    history_end = [repair("ORIGINAL", run_id, "TERMINATED", "FAILED" if fail else "SUCCESS",
                          task_runs=list(ids.values()), start=T0, end=end)]
    return [
        run(run_id, "QUEUED", start=T0, history=history),
        run(run_id, "RUNNING", start=T0, history=history, tasks=[
            t(EXTRACT, "RUNNING", start=T0 + 2 * S), t(LOAD, "BLOCKED"), t(ES, "BLOCKED")]),
        run(run_id, "RUNNING", start=T0, history=history, tasks=[
            extract_done, t(LOAD, "RUNNING", start=T0 + 255 * S), t(ES, "BLOCKED")]),
        run(run_id, "TERMINATED", "FAILED" if fail else "SUCCESS", start=T0, end=end,
            history=history_end, tasks=[extract_done, load, es]),
    ]


def seed_failure_details(workspace: Workspace, run_id: int) -> None:
    """What runs/get-output says about the failed load: the job run it started, whose
    LoadTask failed (and whose status task then failed itself)."""
    child = 7000 + run_id
    workspace.outputs[run_id * 10 + 2] = jobs.RunOutput(
        run_job_output=jobs.RunJobOutput(run_id=child)).as_dict()
    workspace.add_run([run(child, "TERMINATED", "FAILED", job_id=22, tasks=[
        task("brickline_start", "TERMINATED", "SUCCESS", run_id=child * 10 + 1),
        task("LoadTask", "TERMINATED", "FAILED", run_id=child * 10 + 2),
        task("brickline_end", "TERMINATED", "FAILED", run_id=child * 10 + 3)])])
    workspace.outputs[child * 10 + 2] = jobs.RunOutput(
        error="AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] main.sales.orders\nat line 3",
        error_trace="Traceback ...").as_dict()
    workspace.outputs[child * 10 + 3] = jobs.RunOutput(
        error="JobFailed: Data_Load_Job failed").as_dict()


def seed_repair(failed: dict[str, Any], *, fail: bool = False,
                stale_first: bool = True) -> Callable[[int, int], list[dict[str, Any]]]:
    """What a repair of the failed run does: (the old look first, as the API may answer
    before the repair shows) load and es_load run again, in repair `repair_id`."""
    def looks(run_id: int, repair_id: int) -> list[dict[str, Any]]:
        load_id, es_id = run_id * 100 + 2, run_id * 100 + 3
        old = failed["tasks"]
        history = failed["repair_history"]
        start = T0 + 3600 * S

        def item(life: str, result: str | None = None, end: int | None = None) -> dict[str, Any]:
            return repair("REPAIR", repair_id, life, result, task_runs=[load_id, es_id],
                          start=start, end=end)

        load_end = task(LOAD, "TERMINATED", "FAILED" if fail else "SUCCESS", run_id=load_id,
                        start=start + S, end=start + 301 * S)
        es_end = (task(ES, "TERMINATED", "UPSTREAM_FAILED", run_id=es_id) if fail else
                  task(ES, "TERMINATED", "SUCCESS", run_id=es_id, start=start + 302 * S,
                       end=start + 420 * S))
        end = start + (302 if fail else 421) * S
        return ([failed] if stale_first else []) + [
            run(run_id, "RUNNING", start=T0, history=[*history, item("RUNNING")],
                tasks=[*old, task(LOAD, "RUNNING", run_id=load_id, start=start + S),
                       task(ES, "BLOCKED", run_id=es_id)]),
            run(run_id, "TERMINATED", "FAILED" if fail else "SUCCESS", start=T0, end=end,
                history=[*history, item("TERMINATED", "FAILED" if fail else "SUCCESS", end)],
                tasks=[*old, load_end, es_end]),
        ]
    return looks
