"""Contract tests: brickline's calls to Databricks, made by the real Databricks SDK against a
local HTTP server (tests/databricks_fake.py) that answers the REST endpoints the SDK calls
(Jobs API 2.2, Statement Execution API 2.0) with payloads of the documented shape. They
prove the requests brickline sends and how it reads the answers; they do not prove the
workspace's behaviour."""

from __future__ import annotations

import os
from collections.abc import Iterator

import databricks_fake as fake
import pytest
from brickline import ops
from brickline.cli import cli
from brickline.ops import runs
from brickline.runtime import status
from click.testing import CliRunner, Result
from conftest import PIPELINES, plan_of
from databricks.sdk.service import jobs

FAST = ["--poll-interval", "0"]


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake.Workspace]:
    state = fake.Workspace()
    with fake.serve(state) as host:
        for name in list(os.environ):
            if name.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")):
                monkeypatch.delenv(name)
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-contract-test")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
        yield state


def brickline(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--pipelines", str(PIPELINES)])


def test_status_notebook_error_text_reads_only_failed_task_outputs(
        workspace: fake.Workspace) -> None:
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
    outputs = workspace.calls("/api/2.2/jobs/runs/get-output")
    assert outputs == [{"run_id": "1180"}, {"run_id": "1181"}]
    assert not workspace.calls("/api/2.2/jobs/runs/get")


# --- recover: which run, and what it repairs ---------------------------------------------

def orchestrator_run(run_id: int, results: dict[str, str], repairs: list[int] | None = None,
                     start: int = fake.T0) -> dict[str, object]:
    failed = any(r != "SUCCESS" for r in results.values())
    tasks = [fake.task(k, "TERMINATED", r, run_id=run_id * 10 + i)
             for i, (k, r) in enumerate(results.items())]
    history = [fake.repair("ORIGINAL", run_id, "TERMINATED", start=start)] + [
        fake.repair("REPAIR", r, "TERMINATED", "FAILED", start=start + i + 1)
        for i, r in enumerate(repairs or [])]
    return fake.run(run_id, "TERMINATED", "FAILED" if failed else "SUCCESS", tasks=tasks,
                    history=history, start=start)


def seed(workspace: fake.Workspace, *looks: dict[str, object]) -> None:
    fake.seed_workspace(workspace)
    for look in looks:
        workspace.add_run([look])


def test_recover_repairs_only_the_failed_jobs(workspace: fake.Workspace) -> None:
    seed(workspace, orchestrator_run(900, {
        "data_extract_job": "SUCCESS", "data_load_job": "FAILED",
        "es_load_job": "UPSTREAM_FAILED"}))
    result = brickline("recover", "seed_etl", "--no-wait")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "repairing run 900 of 'seed_etl_orchestrator' (repair 501)",
        "  re-runs Data_Load_Job (task data_load_job: FAILED)",
        "  re-runs ES_Load_Job (task es_load_job: UPSTREAM_FAILED)",
        "  https://example.cloud.databricks.com/jobs/11/runs/900"]
    (repair,) = workspace.calls("/api/2.2/jobs/runs/repair")
    assert repair == {"run_id": 900, "rerun_all_failed_tasks": True}
    assert workspace.calls("/api/2.2/jobs/list")[0]["name"] == "seed_etl_orchestrator"


def test_recover_passes_the_latest_of_several_repairs(workspace: fake.Workspace) -> None:
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}, repairs=[77, 78, 79]))
    result = brickline("recover", "seed_etl", "--no-wait")
    assert result.exit_code == 0, result.output
    (repair,) = workspace.calls("/api/2.2/jobs/runs/repair")
    assert repair["latest_repair_id"] == 79


def test_recover_picks_the_latest_repair_by_its_start(workspace: fake.Workspace) -> None:
    run = orchestrator_run(900, {"data_load_job": "FAILED"}, repairs=[78, 77])
    history = run["repair_history"]
    assert isinstance(history, list)
    history[1]["start_time"], history[2]["start_time"] = fake.T0 + 9, fake.T0 + 5
    seed(workspace, run)
    assert brickline("recover", "seed_etl", "--no-wait").exit_code == 0
    assert workspace.calls("/api/2.2/jobs/runs/repair")[0]["latest_repair_id"] == 78


def test_recover_takes_the_newest_finished_run(workspace: fake.Workspace) -> None:
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}, start=fake.T0),
         orchestrator_run(901, {"data_load_job": "FAILED"}, start=fake.T0 + 86_400_000),
         orchestrator_run(899, {"data_load_job": "SUCCESS"}, start=fake.T0 - 86_400_000))
    assert brickline("recover", "seed_etl", "--no-wait").exit_code == 0
    assert workspace.calls("/api/2.2/jobs/runs/repair")[0]["run_id"] == 901


def test_recover_asks_for_the_orchestrators_runs_only(workspace: fake.Workspace) -> None:
    # a newer failed run of another job must not be the one repaired
    other = fake.run(950, "TERMINATED", "FAILED", job_id=22, start=fake.T0 + 86_400_000)
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}), other)
    assert brickline("recover", "seed_etl", "--no-wait").exit_code == 0
    assert workspace.calls("/api/2.2/jobs/runs/repair")[0]["run_id"] == 900
    # the latest page of its runs, then one active run at most (SDK JobsAPI.list_runs)
    assert workspace.calls("/api/2.2/jobs/runs/list") == [
        {"job_id": "11", "limit": "20"},
        {"job_id": "11", "active_only": "true", "limit": "1"}]


def test_recover_skips_runs_that_never_ran(workspace: fake.Workspace) -> None:
    skipped = fake.run(902, "SKIPPED", start=fake.T0 + 99, message="max concurrent runs")
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}), skipped)
    assert brickline("recover", "seed_etl", "--no-wait").exit_code == 0
    assert workspace.calls("/api/2.2/jobs/runs/repair")[0]["run_id"] == 900


def test_recover_reads_every_page_of_a_run_with_many_tasks(workspace: fake.Workspace) -> None:
    results = {f"job_{i:03}": "SUCCESS" for i in range(250)}
    results["job_231"] = "FAILED"  # on the third page of runs/get
    seed(workspace, orchestrator_run(905, results))
    result = brickline("recover", "seed_etl", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "  would re-run job_231 (task job_231: FAILED)" in result.output.splitlines()
    pages = [q.get("page_token") for q in workspace.calls("/api/2.2/jobs/runs/get")]
    assert pages == [None, "0:1", "0:2"]


def test_recover_dry_run_changes_nothing(workspace: fake.Workspace) -> None:
    seed(workspace, orchestrator_run(901, {"data_extract_job": "TIMEDOUT"}))
    result = brickline("recover", "seed_etl", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "would re-run Data_Extract_Job (task data_extract_job: TIMEDOUT)" in result.output
    assert not workspace.calls("/api/2.2/jobs/runs/repair")


def test_a_dry_run_returns_the_run_it_read(workspace: fake.Workspace) -> None:
    from databricks.sdk import WorkspaceClient

    seed(workspace, orchestrator_run(901, {"data_extract_job": "TIMEDOUT"}))
    recovery = runs.recover(WorkspaceClient(), plan_of(PIPELINES / "seed_etl"), dry_run=True)
    assert (recovery.repair_id, recovery.run["run_id"]) == (None, 901)
    assert recovery.message == "would repair run 901 of 'seed_etl_orchestrator' (dry run)"


def test_recover_when_every_recent_run_was_skipped(workspace: fake.Workspace) -> None:
    seed(workspace, fake.run(902, "SKIPPED", start=fake.T0, message="max concurrent runs"))
    result = brickline("recover", "seed_etl", "--no-wait")
    assert result.exit_code == 1
    assert result.output == (
        "brickline: the latest 1 runs of 'seed_etl_orchestrator' were skipped (another run "
        "was active): nothing to recover; pass --run-id for an older run\n")


def test_an_active_run_without_a_state_yet_is_called_active(
        workspace: fake.Workspace) -> None:
    stateless = fake.run(903, "QUEUED", start=fake.T0)
    del stateless["state"]
    seed(workspace, stateless)
    result = brickline("recover", "seed_etl", "--no-wait")
    assert result.exit_code == 1
    assert result.output == ("brickline: run 903 of 'seed_etl_orchestrator' is still active: "
                             "wait for it to end, then recover\n")


def test_recover_when_the_latest_run_succeeded(workspace: fake.Workspace) -> None:
    seed(workspace, orchestrator_run(902, {"data_extract_job": "SUCCESS"}))
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 0
    assert "succeeded: nothing to recover" in result.output
    assert not workspace.calls("/api/2.2/jobs/runs/repair")


ACTIVE = [s.value for s in jobs.RunLifeCycleState if s.value not in runs.ENDED_STATES]
ACTIVE_V2 = [s.value for s in jobs.RunLifecycleStateV2State if s.value != "TERMINATED"]


def test_every_documented_state_is_sorted() -> None:
    """Every RunLifeCycleState the SDK knows is either ended or active here."""
    assert sorted(ACTIVE) == ["BLOCKED", "PENDING", "QUEUED", "RUNNING", "TERMINATING",
                              "WAITING_FOR_RETRY"]
    assert sorted(ACTIVE_V2) == ["BLOCKED", "PENDING", "QUEUED", "RUNNING", "TERMINATING",
                                 "WAITING"]


@pytest.mark.parametrize("life", ACTIVE)
def test_recover_waits_while_a_run_is_active(workspace: fake.Workspace, life: str) -> None:
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}),
         fake.run(903, life, start=fake.T0 + 99))
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert result.output == (f"brickline: run 903 of 'seed_etl_orchestrator' is still "
                             f"{life.lower()}: wait for it to end, then recover\n")
    assert not workspace.calls("/api/2.2/jobs/runs/repair")


@pytest.mark.parametrize("life", ACTIVE_V2)
def test_recover_reads_the_newer_status_object(workspace: fake.Workspace, life: str) -> None:
    newer = fake.run(903, "TERMINATED", start=fake.T0 + 99)
    del newer["state"]
    newer["status"] = jobs.RunStatus(state=jobs.RunLifecycleStateV2State(life)).as_dict()
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}), newer)
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert f"run 903 of 'seed_etl_orchestrator' is still {life.lower()}" in result.output
    assert not workspace.calls("/api/2.2/jobs/runs/repair")


def test_an_old_active_run_is_found_past_the_first_page(workspace: fake.Workspace) -> None:
    recent = [orchestrator_run(1000 + i, {"data_load_job": "SUCCESS"}, start=fake.T0 + i)
              for i in range(30)]
    seed(workspace, fake.run(903, "RUNNING", start=fake.T0 - 1), *recent)
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert "run 903 of 'seed_etl_orchestrator' is still running" in result.output


def test_recover_a_pipeline_that_never_ran(workspace: fake.Workspace) -> None:
    seed(workspace)
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert result.output == "brickline: 'seed_etl_orchestrator' has never run: nothing to " \
                            "recover\n"


def test_recover_a_given_run(workspace: fake.Workspace) -> None:
    seed(workspace, orchestrator_run(900, {"data_load_job": "FAILED"}),
         orchestrator_run(901, {"data_load_job": "SUCCESS"}, start=fake.T0 + 9))
    result = brickline("recover", "seed_etl", "--run-id", "900", "--no-wait")
    assert result.exit_code == 0, result.output
    assert workspace.calls("/api/2.2/jobs/runs/repair")[0]["run_id"] == 900
    assert not workspace.calls("/api/2.2/jobs/runs/list")  # no search for the latest


def test_recover_refuses_a_run_of_another_job(workspace: fake.Workspace) -> None:
    seed(workspace)
    workspace.add_run([fake.run(950, "TERMINATED", "FAILED", job_id=22)])
    result = brickline("recover", "seed_etl", "--run-id", "950")
    assert result.exit_code == 1
    assert result.output == ("brickline: run 950 is a run of job 22, not of "
                             "'seed_etl_orchestrator' (ids 11)\n")
    assert not workspace.calls("/api/2.2/jobs/runs/repair")


def test_recover_refuses_a_given_run_that_is_active(workspace: fake.Workspace) -> None:
    seed(workspace, fake.run(904, "WAITING_FOR_RETRY"))
    result = brickline("recover", "seed_etl", "--run-id", "904")
    assert result.exit_code == 1
    assert "run 904 of 'seed_etl_orchestrator' is still waiting_for_retry" in result.output


def test_two_jobs_with_the_orchestrators_name(workspace: fake.Workspace) -> None:
    workspace.jobs = [fake.job(11, "seed_etl_orchestrator"), fake.job(12, "seed_etl_orchestrator"),
                      fake.job(13, "Seed_ETL_orchestrator")]  # the filter ignores case
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert result.output == ("brickline: 2 jobs are named 'seed_etl_orchestrator' (ids 11, "
                             "12); delete the extra ones, or pass --run-id\n")
    started = brickline("run", "seed_etl")
    assert started.exit_code == 1
    assert started.output == ("brickline: 2 jobs are named 'seed_etl_orchestrator' (ids 11, "
                              "12); delete the extra ones\n")
    assert not workspace.calls("/api/2.2/jobs/run-now")


def test_recover_a_pipeline_that_is_not_deployed(workspace: fake.Workspace) -> None:
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert result.output == ("brickline: no job named 'seed_etl_orchestrator' in this "
                             "workspace: deploy the pipeline first (brickline deploy), or pick "
                             "the workspace with --profile\n")


def test_recover_an_unknown_pipeline_is_a_usage_error(workspace: fake.Workspace) -> None:
    result = brickline("recover", "nope")
    assert result.exit_code == 2
    assert "no pipeline named 'nope' (found: parallel_abcd, sales_daily, seed_etl)" \
        in result.output
    untargeted = brickline("recover", "sales_daily")
    assert untargeted.exit_code == 2
    assert "pipeline 'sales_daily' has the targets dev, prod: pick one with --target" \
        in untargeted.output


@pytest.mark.parametrize("command", ["run", "recover", "status"])
def test_an_unknown_target_lists_the_real_ones(workspace: fake.Workspace, command: str) -> None:
    result = brickline(command, "sales_daily", "--target", "staging")
    assert result.exit_code == 2
    assert "unknown target 'staging' of pipeline 'sales_daily': its targets are dev, prod" \
        in result.output
    assert not workspace.requests


def test_recover_finds_the_targets_orchestrator(workspace: fake.Workspace) -> None:
    workspace.jobs = [fake.job(11, "[dev] sales_daily_orchestrator")]
    workspace.add_run([orchestrator_run(903, {"build_sales_mart": "FAILED"})])
    result = brickline("recover", "sales_daily", "--target", "dev", "--no-wait")
    assert result.exit_code == 0, result.output
    assert "re-runs Build_Sales_Mart (task build_sales_mart: FAILED)" in result.output


# --- why a job failed: runs/get-output of the orchestrator task, then of the job's run ---

LOAD = runs.JobProgress("Data_Load_Job", "failed", 0, over=True, ok=False, key="load")


def why_load_failed(workspace: fake.Workspace, output: dict[str, object],
                    child_tasks: list[dict[str, object]] = ()) -> str:
    """runs.failures for one failed orchestrator task (run id 12) whose runs/get-output
    answer is `output`; `child_tasks` make the job run 7012 it started, if any."""
    from databricks.sdk import WorkspaceClient

    workspace.outputs[12] = output
    if child_tasks:
        workspace.add_run([fake.run(7012, "TERMINATED", "FAILED", job_id=22,
                                    tasks=child_tasks)])
    orchestrator = {"tasks": [fake.task("load", "TERMINATED", "FAILED", run_id=12,
                                        message="Workload failed")]}
    return runs.failures(WorkspaceClient(), orchestrator, [LOAD])["Data_Load_Job"]


def test_a_failed_task_without_a_job_run_shows_its_own_error(
        workspace: fake.Workspace) -> None:
    assert why_load_failed(workspace, {"error": "RunJobFailed: no such job"}) == (
        "RunJobFailed: no such job")


def test_a_failed_task_without_any_error_shows_its_state_message(
        workspace: fake.Workspace) -> None:
    assert why_load_failed(workspace, {}) == "Workload failed"


def test_the_job_runs_failed_tasks_are_listed_by_key(workspace: fake.Workspace) -> None:
    workspace.outputs[70121] = {"error": "ValueError: b"}
    workspace.outputs[70122] = {"error": "ValueError: a"}
    text = why_load_failed(workspace, {"run_job_output": {"run_id": 7012}}, [
        fake.task("b_task", "TERMINATED", "FAILED", run_id=70121),
        fake.task("a_task", "TERMINATED", "FAILED", run_id=70122)])
    assert text == "a_task: FAILED: ValueError: a\nb_task: FAILED: ValueError: b"


def test_a_job_task_without_an_error_shows_its_state_message(
        workspace: fake.Workspace) -> None:
    text = why_load_failed(workspace, {"run_job_output": {"run_id": 7012}}, [
        fake.task("a_task", "INTERNAL_ERROR", "FAILED", run_id=70121,
                  message="Cluster terminated")])
    assert text == "a_task: FAILED: Cluster terminated"


def test_a_job_run_with_no_failed_work_task_shows_the_tasks_error(
        workspace: fake.Workspace) -> None:
    # only brickline's own status task failed in the job's run: the orchestrator task's
    # output error is the text
    text = why_load_failed(
        workspace, {"run_job_output": {"run_id": 7012}, "error": "JobFailed: status"},
        [fake.task("brickline_end", "TERMINATED", "FAILED", run_id=70121)])
    assert text == "JobFailed: status"


# --- status: the job_status view through a warehouse --------------------------------------

COLUMNS = ["pipeline", "run_key", "job_name", "status", "start_time", "end_time",
           "error_message", "failed_tasks", "job_id", "run_id", "attempt", "logged_at"]
ROWS = [
    ["seed_etl", "2026-11-26", "Data_Extract_Job", "success", "2026-11-26T02:00:00Z",
     "2026-11-26T02:10:00Z", None, "[]", "1", "100", "0", "2026-11-26T02:10:00Z"],
    ["seed_etl", "2026-11-26", "Data_Load_Job", "failed", "2026-11-26T02:10:05Z",
     "2026-11-26T02:30:00Z", "LoadTask: FAILED: boom\nmore", "[\"LoadTask\"]", "2",
     "101", "0", "2026-11-26T02:30:00Z"],
    ["seed_etl", "2026-11-26", "ES_Load_Job", "pending", None, None, None, None, None,
     None, None, None]]


def test_status_queries_the_view_through_a_warehouse(workspace: fake.Workspace,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_warehouse_id", "wh-123")
    workspace.queries = [[fake.statement("SUCCEEDED", COLUMNS, ROWS)]]
    result = brickline("status", "seed_etl")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "seed_etl  run_key 2026-11-26"
    assert lines[1].split() == ["job_name", "status", "start_time", "end_time", "attempt",
                                "run_id", "error_message"]
    assert lines[3].split()[:2] == ["Data_Load_Job", "failed"]
    assert lines[3].endswith("LoadTask: FAILED: boom ...")
    (query,) = workspace.calls("/api/2.0/sql/statements")
    assert query["warehouse_id"] == "wh-123"
    assert query["parameters"] == [{"name": "pipeline", "value": "seed_etl"}]
    assert query["wait_timeout"] == "5s"
    assert "FROM `main`.`pipeline_ops`.`job_status`" in query["statement"]
    assert "seed_etl" not in query["statement"]  # values go as parameters, never as SQL


def test_status_shows_a_run_that_ended_without_logging_as_it_ended(
        workspace: fake.Workspace) -> None:
    """A cancelled run never runs its end task: its row stays `in-progress`. `brickline
    status` asks the Jobs API about each such run (runs/get) and shows how it ended; a run
    still going on, or one it cannot read, stays as logged."""
    def row(job: str, run_id: str) -> list[str | None]:
        return ["seed_etl", "2026-11-26", job, "in-progress", "2026-11-26T02:00:00Z", None,
                None, "[]", "1", run_id, "0", "2026-11-26T02:00:00Z"]

    workspace.queries = [[fake.statement("SUCCEEDED", COLUMNS, [
        row("Data_Extract_Job", "300"), row("Data_Load_Job", "301"),
        row("ES_Load_Job", "302")])]]
    workspace.add_run([fake.run(300, "TERMINATED", "CANCELED", job_id=21)])
    workspace.add_run([fake.run(301, "RUNNING", job_id=22)])  # 302: no such run
    result = brickline("status", "seed_etl", "--warehouse-id", "w")
    assert result.exit_code == 0, result.output
    shown = {line.split()[0]: line.split()[1] for line in result.output.splitlines()[2:]}
    assert shown == {"Data_Extract_Job": "canceled", "Data_Load_Job": "in-progress",
                     "ES_Load_Job": "in-progress"}
    (extract,) = [line for line in result.output.splitlines() if "Extract" in line]
    assert extract.endswith("(Jobs API: the run ended without logging)")
    assert sorted(int(q["run_id"]) for q in workspace.calls("/api/2.2/jobs/runs/get")) == [
        300, 301, 302]


def test_status_of_a_target_asks_for_the_pipelines_rows(workspace: fake.Workspace) -> None:
    workspace.queries = [[fake.statement("SUCCEEDED", ["job_name"], [])]]
    result = brickline("status", "sales_daily", "--target", "dev", "--warehouse-id", "w")
    assert result.exit_code == 0, result.output
    (query,) = workspace.calls("/api/2.0/sql/statements")
    # the status program logs pipeline=sales_daily (not the stack name sales_daily-dev)
    assert query["parameters"] == [{"name": "pipeline", "value": "sales_daily"}]


def test_status_for_one_run_key(workspace: fake.Workspace) -> None:
    workspace.queries = [[fake.statement("SUCCEEDED", ["job_name"], [])]]
    result = brickline("status", "seed_etl", "--run-key", "it's", "--warehouse-id", "wh-9")
    assert result.exit_code == 0, result.output
    assert result.output == "no runs of 'seed_etl' logged for run_key it's\n"
    (query,) = workspace.calls("/api/2.0/sql/statements")
    assert query["parameters"] == [{"name": "pipeline", "value": "seed_etl"},
                                   {"name": "run_key", "value": "it's"}]


def test_status_polls_the_query_until_it_is_done(workspace: fake.Workspace) -> None:
    workspace.queries = [[fake.statement("PENDING"), fake.statement("RUNNING"),
                          fake.statement("RUNNING"), fake.statement("SUCCEEDED", COLUMNS, ROWS)]]
    result = brickline("status", "seed_etl", "--warehouse-id", "w", *FAST)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "seed_etl  run_key 2026-11-26"
    gets = [p for m, p, _ in workspace.requests if m == "GET" and "/sql/statements/" in p]
    assert gets == ["/api/2.0/sql/statements/s-1"] * 3


def test_status_query_that_never_finishes_is_cancelled(workspace: fake.Workspace) -> None:
    workspace.queries = [[fake.statement("PENDING")]]
    session = ops.connect(limits=ops.Limits(poll=0.01, query_timeout=0.2))
    with pytest.raises(ops.OpsError, match=r"the status query did not finish in 0 s \(still "
                       r"pending on warehouse w; a stopped warehouse takes a while to start\): "
                       r"it was cancelled; try again"):
        ops.status(session.ws, plan_of(PIPELINES / "seed_etl"), warehouse_id="w",
                   run_key=None, limits=session.limits)
    assert [p for m, p, _ in workspace.requests if m == "POST"][-1] == \
        "/api/2.0/sql/statements/s-1/cancel"
    polls = [p for m, p, _ in workspace.requests if m == "GET" and "/sql/statements/" in p]
    assert 5 <= len(polls) <= 25  # it polled until the deadline, every 0.01 s


def test_status_query_failure_is_one_clear_line(workspace: fake.Workspace) -> None:
    workspace.queries = [[fake.statement("FAILED",
                                         error="TABLE_OR_VIEW_NOT_FOUND: job_status")]]
    result = brickline("status", "seed_etl", "--warehouse-id", "w")
    assert result.exit_code == 1
    assert result.output == ("brickline: the status query failed: "
                             "TABLE_OR_VIEW_NOT_FOUND: job_status\n")


def test_status_needs_a_warehouse(workspace: fake.Workspace,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_VAR_warehouse_id", raising=False)
    result = brickline("status", "seed_etl")
    assert result.exit_code == 1
    assert "pass --warehouse-id or set TF_VAR_warehouse_id" in result.output
