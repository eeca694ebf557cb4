"""Contract tests: brickline's calls to Databricks, made by the real Databricks SDK against a
local HTTP server that answers the REST endpoints the SDK calls (Jobs API 2.2, Statement
Execution API 2.0) with payloads of the documented shape. They prove the requests brickline
sends and how it reads the answers; they do not prove the workspace's behaviour."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from brickline.cli import cli
from brickline.runtime import status
from click.testing import CliRunner
from conftest import PIPELINES

ORCHESTRATOR_ID = 11


class Workspace:
    """What the fake workspace knows, and every request it got."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.jobs: list[dict[str, Any]] = []
        self.runs: list[dict[str, Any]] = []           # runs/list, newest first
        self.run_pages: dict[int, list[dict[str, Any]]] = {}
        self.outputs: dict[int, dict[str, Any]] = {}
        self.statement: dict[str, Any] = {}
        self.forbidden = False

    def answer(self, method: str, path: str, query: dict[str, str],
               body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.forbidden:
            return 403, {"error_code": "PERMISSION_DENIED",
                         "message": "User does not have permission to view this job"}
        if (method, path) == ("GET", "/api/2.2/jobs/list"):
            return 200, {"jobs": [j for j in self.jobs
                                  if j["settings"]["name"] == query.get("name")]}
        if (method, path) == ("GET", "/api/2.2/jobs/runs/list"):
            runs = [r for r in self.runs if str(r["job_id"]) == query.get("job_id")]
            if query.get("active_only") == "true":
                runs = [r for r in runs if r["state"]["life_cycle_state"] == "RUNNING"]
            if query.get("completed_only") == "true":
                runs = [r for r in runs if r["state"]["life_cycle_state"] == "TERMINATED"]
            return 200, {"runs": runs[: int(query.get("limit", 25))], "has_more": False}
        if (method, path) == ("GET", "/api/2.2/jobs/runs/get"):
            pages = self.run_pages[int(query["run_id"])]
            page = int(query.get("page_token", "0"))
            return 200, pages[page]
        if (method, path) == ("GET", "/api/2.2/jobs/runs/get-output"):
            return 200, self.outputs.get(int(query["run_id"]), {})
        if (method, path) == ("POST", "/api/2.2/jobs/runs/repair"):
            return 200, {"repair_id": 501}
        if (method, path.rstrip("/")) == ("POST", "/api/2.0/sql/statements"):
            return 200, self.statement
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"no {method} {path}"}


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    state = Workspace()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}") if length else {}
            state.requests.append((method, url.path, {**query, **body}))
            code, payload = state.answer(method, url.path, query, body)
            data = json.dumps(payload).encode()
            self.send_response(code)
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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in list(__import__("os").environ):
        if name.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_HOST", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-contract-test")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
    yield state
    server.shutdown()
    server.server_close()


def task(key: str, result: str, run_id: int) -> dict[str, Any]:
    return {"task_key": key, "run_id": run_id, "attempt_number": 0,
            "state": {"life_cycle_state": "TERMINATED", "result_state": result,
                      "state_message": ""}}


def test_status_notebook_error_text_reads_only_failed_task_outputs(
        workspace: Workspace) -> None:
    """The status notebook's optional extra: the error text of the failed tasks, by the run
    ids the Jobs service resolved ({{tasks.<key>.run_id}}); no runs/get, no paging."""
    from databricks.sdk import WorkspaceClient

    workspace.outputs[1180] = {"error": "AnalysisException: table not found"}
    failed = [status.parse_outcome("t180\tfailed\tRUN_EXECUTION_ERROR\t1180"),
              status.parse_outcome("t181\tfailed\tRUN_EXECUTION_ERROR\t1181")]
    errors = status.error_texts(WorkspaceClient(), failed)
    assert errors == {"t180": "AnalysisException: table not found"}
    assert status.evaluate(failed, errors=errors).error_message == (
        "t180: FAILED [RUN_EXECUTION_ERROR]: AnalysisException: table not found\n"
        "t181: FAILED [RUN_EXECUTION_ERROR]")
    outputs = [q for m, p, q in workspace.requests if p == "/api/2.2/jobs/runs/get-output"]
    assert outputs == [{"run_id": "1180"}, {"run_id": "1181"}]
    assert not [p for m, p, q in workspace.requests if p == "/api/2.2/jobs/runs/get"]


def orchestrator_run(run_id: int, results: dict[str, str],
                     repairs: list[int] | None = None) -> dict[str, Any]:
    failed = any(r != "SUCCESS" for r in results.values())
    return {"run_id": run_id, "job_id": ORCHESTRATOR_ID,
            "run_page_url": f"https://example.cloud.databricks.com/jobs/11/runs/{run_id}",
            "state": {"life_cycle_state": "TERMINATED",
                      "result_state": "FAILED" if failed else "SUCCESS"},
            "tasks": [task(k, r, run_id * 10 + i) for i, (k, r) in enumerate(results.items())],
            "repair_history": [{"type": "ORIGINAL", "id": run_id}]
            + [{"type": "REPAIR", "id": r} for r in repairs or []]}


def seed_workspace(workspace: Workspace, run: dict[str, Any]) -> None:
    workspace.jobs = [{"job_id": ORCHESTRATOR_ID, "settings": {"name": "seed_etl_orchestrator"}}]
    workspace.runs = [{k: v for k, v in run.items() if k != "tasks"}]
    workspace.run_pages[run["run_id"]] = [run]


def test_recover_repairs_only_the_failed_jobs(workspace: Workspace) -> None:
    seed_workspace(workspace, orchestrator_run(900, {
        "data_extract_job": "SUCCESS", "data_load_job": "FAILED",
        "es_load_job": "UPSTREAM_FAILED"}, repairs=[77]))
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "repairing run 900 of 'seed_etl_orchestrator' (repair 501)",
        "  re-runs Data_Load_Job (task data_load_job: FAILED)",
        "  re-runs ES_Load_Job (task es_load_job: UPSTREAM_FAILED)"]
    (repair,) = [q for m, p, q in workspace.requests if p == "/api/2.2/jobs/runs/repair"]
    assert repair == {"run_id": 900, "rerun_all_failed_tasks": True, "latest_repair_id": 77}
    lists = [q for m, p, q in workspace.requests if p == "/api/2.2/jobs/list"]
    assert lists[0]["name"] == "seed_etl_orchestrator"


def test_recover_dry_run_changes_nothing(workspace: Workspace) -> None:
    seed_workspace(workspace, orchestrator_run(901, {"data_extract_job": "TIMEDOUT"}))
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--dry-run",
                                      "--pipelines", str(PIPELINES)])
    assert result.exit_code == 0, result.output
    assert "would re-run Data_Extract_Job (task data_extract_job: TIMEDOUT)" in result.output
    assert not [p for m, p, q in workspace.requests if p.endswith("/repair")]


def test_recover_when_the_latest_run_succeeded(workspace: Workspace) -> None:
    seed_workspace(workspace, orchestrator_run(902, {"data_extract_job": "SUCCESS"}))
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 0
    assert "succeeded: nothing to recover" in result.output
    assert not [p for m, p, q in workspace.requests if p.endswith("/repair")]


def test_recover_a_pipeline_that_is_not_deployed(workspace: Workspace) -> None:
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 1
    assert "no job named 'seed_etl_orchestrator'" in result.output
    assert "Traceback" not in result.output


def test_recover_an_unknown_pipeline_is_a_usage_error(workspace: Workspace) -> None:
    result = CliRunner().invoke(cli, ["recover", "nope", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 2
    assert "no pipeline named 'nope' (found: parallel_abcd, sales_daily, seed_etl)" \
        in result.output
    untargeted = CliRunner().invoke(cli, ["recover", "sales_daily", "--pipelines",
                                          str(PIPELINES)])
    assert untargeted.exit_code == 2
    assert "pipeline 'sales_daily' has the targets dev, prod: pick one with --target" \
        in untargeted.output


def test_recover_finds_the_targets_orchestrator(workspace: Workspace) -> None:
    workspace.jobs = [{"job_id": ORCHESTRATOR_ID,
                       "settings": {"name": "[dev] sales_daily_orchestrator"}}]
    run = orchestrator_run(903, {"build_sales_mart": "FAILED"})
    workspace.runs = [{k: v for k, v in run.items() if k != "tasks"}]
    workspace.run_pages[903] = [run]
    result = CliRunner().invoke(cli, ["recover", "sales_daily", "--target", "dev",
                                      "--pipelines", str(PIPELINES)])
    assert result.exit_code == 0, result.output
    assert "re-runs Build_Sales_Mart (task build_sales_mart: FAILED)" in result.output


def test_status_queries_the_view_through_a_warehouse(workspace: Workspace,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_warehouse_id", "wh-123")
    columns = ["pipeline", "run_key", "job_name", "status", "start_time", "end_time",
               "error_message", "failed_tasks", "job_id", "run_id", "attempt", "logged_at"]
    workspace.statement = {
        "statement_id": "s-1", "status": {"state": "SUCCEEDED"},
        "manifest": {"format": "JSON_ARRAY", "schema": {"columns": [
            {"name": c, "position": i} for i, c in enumerate(columns)]}},
        "result": {"data_array": [
            ["seed_etl", "2026-11-26", "Data_Extract_Job", "success", "2026-11-26T02:00:00Z",
             "2026-11-26T02:10:00Z", None, "[]", "1", "100", "0", "2026-11-26T02:10:00Z"],
            ["seed_etl", "2026-11-26", "Data_Load_Job", "failed", "2026-11-26T02:10:05Z",
             "2026-11-26T02:30:00Z", "LoadTask: FAILED: boom\nmore", "[\"LoadTask\"]", "2",
             "101", "0", "2026-11-26T02:30:00Z"],
            ["seed_etl", "2026-11-26", "ES_Load_Job", "pending", None, None, None, None, None,
             None, None, None]]}}
    result = CliRunner().invoke(cli, ["status", "seed_etl", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "seed_etl  run_key 2026-11-26"
    assert lines[1].split() == ["job_name", "status", "start_time", "end_time", "attempt",
                                "run_id", "error_message"]
    assert lines[3].split()[:2] == ["Data_Load_Job", "failed"]
    assert lines[3].endswith("LoadTask: FAILED: boom ...")
    (query,) = [q for m, p, q in workspace.requests if p.rstrip("/") == "/api/2.0/sql/statements"]
    assert query["warehouse_id"] == "wh-123"
    assert query["parameters"] == [{"name": "pipeline", "value": "seed_etl"}]
    assert "FROM `main`.`pipeline_ops`.`job_status`" in query["statement"]
    assert "seed_etl" not in query["statement"]  # values go as parameters, never as SQL


def test_status_for_one_run_key(workspace: Workspace) -> None:
    workspace.statement = {"statement_id": "s-2", "status": {"state": "SUCCEEDED"},
                           "manifest": {"schema": {"columns": [{"name": "job_name"}]}},
                           "result": {}}
    result = CliRunner().invoke(cli, ["status", "seed_etl", "--run-key", "it's",
                                      "--warehouse-id", "wh-9", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 0, result.output
    assert result.output == "no runs of 'seed_etl' logged for run_key it's\n"
    (query,) = [q for m, p, q in workspace.requests if p.rstrip("/") == "/api/2.0/sql/statements"]
    assert query["parameters"] == [{"name": "pipeline", "value": "seed_etl"},
                                   {"name": "run_key", "value": "it's"}]


def test_status_query_failure_is_one_clear_line(workspace: Workspace) -> None:
    workspace.statement = {"statement_id": "s-3", "status": {
        "state": "FAILED", "error": {"message": "TABLE_OR_VIEW_NOT_FOUND: job_status"}}}
    result = CliRunner().invoke(cli, ["status", "seed_etl", "--warehouse-id", "w",
                                      "--pipelines", str(PIPELINES)])
    assert result.exit_code == 1
    assert result.output == ("brickline: the status query failed: "
                             "TABLE_OR_VIEW_NOT_FOUND: job_status\n")


def test_status_needs_a_warehouse(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_VAR_warehouse_id", raising=False)
    result = CliRunner().invoke(cli, ["status", "seed_etl", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 1
    assert "pass --warehouse-id or set TF_VAR_warehouse_id" in result.output


def test_a_refusal_from_databricks_is_one_clear_line(workspace: Workspace) -> None:
    workspace.forbidden = True
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--pipelines", str(PIPELINES)])
    assert result.exit_code == 1
    assert result.output.startswith("brickline: User does not have permission to view")
    assert "Traceback" not in result.output
