"""`brickline run`, `status --watch` and `recover` following their run to the end, against
the fake workspace (tests/databricks_fake.py): output piped and on a terminal, Ctrl-C, and
every way reaching Databricks can fail (no answer, refused identity, no credentials)."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import databricks_fake as fake
import pytest
import requests
from brickline import ops
from brickline.cli import cli
from brickline.ops import runs, watch
from brickline.ops.connect import explain
from click.testing import CliRunner, Result
from conftest import PIPELINES, REPO, plan_of

FAST = ["--poll-interval", "0"]
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # anything but a newline
NEXT = f"next: brickline recover seed_etl --pipelines {PIPELINES}"
URL = "https://example.cloud.databricks.com/jobs/11/runs"


def clear_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake.Workspace]:
    state = fake.Workspace()
    fake.seed_workspace(state)
    with fake.serve(state) as host:
        clear_auth(monkeypatch)
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-contract-test")
        monkeypatch.setenv("TF_VAR_warehouse_id", "wh-1")
        yield state


def brickline(*args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--pipelines", str(PIPELINES), *FAST])


# --- brickline run ------------------------------------------------------------------------

def test_run_follows_a_run_that_succeeds(workspace: fake.Workspace) -> None:
    workspace.on_run_now = fake.seed_progress
    result = brickline("run", "seed_etl")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"run 1000 of 'seed_etl_orchestrator': {URL}/1000",
        "Data_Extract_Job  pending         attempt 0",
        "Data_Load_Job     pending         attempt 0",
        "ES_Load_Job       pending         attempt 0",
        "Data_Extract_Job  running         attempt 0",
        "Data_Load_Job     blocked         attempt 0",
        "ES_Load_Job       blocked         attempt 0",
        "Data_Extract_Job  success         attempt 0  4m 12s",
        "Data_Load_Job     running         attempt 0",
        "Data_Load_Job     success         attempt 0  5m 00s",
        "ES_Load_Job       success         attempt 0  2m 20s",
        "run 1000 of 'seed_etl_orchestrator': succeeded in 11m 45s"]
    assert not CONTROL.search(result.output)
    (start,) = workspace.calls("/api/2.2/jobs/run-now")
    assert start == {"job_id": 11}  # the orchestrator's own run_key default
    gets = workspace.calls("/api/2.2/jobs/runs/get")
    assert len(gets) == 4 and all(g["run_id"] == "1000" for g in gets)


def test_run_refuses_a_run_key_the_orchestrator_does_not_take(
        workspace: fake.Workspace) -> None:
    """brickline's orchestrator declares no job parameter (it would be pushed down to every
    task of every job, issue 21): --run-key is refused, saying why, and nothing starts."""
    workspace.on_run_now = fake.seed_progress
    result = brickline("run", "seed_etl", "--run-key", "2026-11-26", "--no-wait")
    assert result.exit_code == 1
    assert result.output == (
        "brickline: 'seed_etl_orchestrator' takes no run_key: a pipeline run's key is "
        "pipeline.orchestrator.run_key as the run resolves it (default: the day it starts, "
        "{{job.start_time.iso_date}}); brickline passes no job parameter, since the Jobs "
        "service pushes job parameters down to every task of every job. Run without "
        "--run-key\n")
    assert workspace.calls("/api/2.2/jobs/run-now") == []


def test_run_that_fails_names_the_job_its_error_and_what_to_do(
        workspace: fake.Workspace) -> None:
    workspace.on_run_now = lambda run_id: fake.seed_progress(run_id, fail=True)
    fake.seed_failure_details(workspace, 1000)
    result = brickline("run", "seed_etl")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-7:] == [
        "ES_Load_Job       upstream_failed attempt 0",
        "run 1000 of 'seed_etl_orchestrator': failed after 6m 12s",
        "  Data_Load_Job failed:",
        "    LoadTask: FAILED: AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] main.sales.orders",
        "    at line 3",
        "  ES_Load_Job did not run (upstream_failed)",
        f"{NEXT} --run-id 1000"]
    # the job run's error comes from the job's own run, found through the orchestrator task
    outputs = [q["run_id"] for q in workspace.calls("/api/2.2/jobs/runs/get-output")]
    assert outputs == ["10002", "80002"]


def test_run_falls_back_to_the_state_message(workspace: fake.Workspace) -> None:
    workspace.on_run_now = lambda run_id: fake.seed_progress(run_id, fail=True)
    result = brickline("run", "seed_etl")
    assert result.exit_code == 1
    assert "  Data_Load_Job failed:\n    Workload failed, see run output for details\n" \
        in result.output


def test_run_of_a_pipeline_that_is_not_deployed(workspace: fake.Workspace) -> None:
    workspace.jobs = []
    result = brickline("run", "seed_etl")
    assert result.exit_code == 1
    assert "no job named 'seed_etl_orchestrator' in this workspace: deploy the pipeline " \
           "first" in result.output
    assert not workspace.calls("/api/2.2/jobs/run-now")


def test_ctrl_c_stops_the_watching_not_the_run(workspace: fake.Workspace,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.on_run_now = fake.seed_progress

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(watch, "pause", interrupted)
    result = brickline("run", "seed_etl")
    assert result.exit_code == 130
    assert result.output.splitlines()[-1] == (
        "brickline: stopped watching; run 1000 of 'seed_etl_orchestrator' goes on (it was "
        "not cancelled); follow it again with: brickline run seed_etl --pipelines "
        f"{PIPELINES} --attach 1000")
    assert not [p for _, p, _ in workspace.requests if "cancel" in p]


@pytest.mark.parametrize("seconds, shown", [(0, "0s"), (59.9, "59s"), (60, "1m 00s"),
                                             (3599, "59m 59s"), (3600, "1h 00m"),
                                             (7384, "2h 03m")])
def test_durations(seconds: float, shown: str) -> None:
    assert watch.duration(fake.T0, fake.T0 + int(seconds * 1000)) == shown


def test_no_duration_without_both_ends() -> None:
    assert watch.duration(None, fake.T0) == watch.duration(fake.T0, None) == ""
    assert watch.duration(fake.T0, fake.T0 - 1) == ""  # clocks that disagree


def test_polls_wait_longer_and_longer_up_to_5_s() -> None:
    pauses = ops.Limits().pauses()
    assert [next(pauses) for _ in range(8)] == [1, 2, 3, 4, 5, 5, 5, 5]
    fixed = ops.Limits(poll=0.5).pauses()
    assert [next(fixed) for _ in range(3)] == [0.5, 0.5, 0.5]


# --- brickline recover, following its repair ----------------------------------------------

def failed_run(workspace: fake.Workspace, *, fail_again: bool = False) -> None:
    failed = fake.seed_progress(1000, fail=True)[-1]
    workspace.add_run([failed])
    fake.seed_failure_details(workspace, 1000)
    workspace.on_repair = fake.seed_repair(failed, fail=fail_again)


def test_recover_follows_the_repair_to_the_pipelines_end(workspace: fake.Workspace) -> None:
    failed_run(workspace)
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "repairing run 1000 of 'seed_etl_orchestrator' (repair 501)",
        "  re-runs Data_Load_Job (task data_load_job: FAILED)",
        "  re-runs ES_Load_Job (task es_load_job: UPSTREAM_FAILED)",
        f"  {URL}/1000",
        f"run 1000 of 'seed_etl_orchestrator', repair 501: {URL}/1000",
        # the first look still shows the run before the repair: it is not the end
        "Data_Extract_Job  success         attempt 0  4m 12s",
        "Data_Load_Job     failed          attempt 0  1m 56s",
        "ES_Load_Job       upstream_failed attempt 0",
        "Data_Load_Job     running         attempt 1",
        "ES_Load_Job       blocked         attempt 1",
        "Data_Load_Job     success         attempt 1  5m 00s",
        "ES_Load_Job       success         attempt 1  1m 58s",
        "run 1000 of 'seed_etl_orchestrator', repair 501: succeeded in 7m 01s"]
    gets = workspace.calls("/api/2.2/jobs/runs/get")
    assert all(g["include_history"] for g in gets)


def test_recover_whose_repair_fails_again(workspace: fake.Workspace) -> None:
    failed_run(workspace, fail_again=True)
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-5:] == [
        "run 1000 of 'seed_etl_orchestrator', repair 501: failed after 5m 02s",
        "  Data_Load_Job failed:",
        "    failed (no error text; see the run's page)",
        "  ES_Load_Job did not run (upstream_failed)",
        f"{NEXT} --run-id 1000"]
    # the repaired task's output is asked for, not the first attempt's
    assert workspace.calls("/api/2.2/jobs/runs/get-output") == [{"run_id": "100002"}]


def test_recover_on_a_server_that_never_shows_the_repair(workspace: fake.Workspace) -> None:
    """A run that keeps its old look (no repair in its history) is taken as it is after a
    few looks, instead of being waited for without end."""
    failed = fake.seed_progress(1000, fail=True)[-1]
    workspace.add_run([failed])
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    assert result.output.splitlines()[-5] == "run 1000 of 'seed_etl_orchestrator', " \
                                             "repair 501: failed after 6m 12s"
    assert len(workspace.calls("/api/2.2/jobs/runs/get")) == 1 + runs.REPAIR_PATIENCE


def test_recover_no_wait_returns_at_once(workspace: fake.Workspace) -> None:
    failed_run(workspace)
    result = brickline("recover", "seed_etl", "--no-wait")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == \
        "repairing run 1000 of 'seed_etl_orchestrator' (repair 501)"
    assert len(result.output.splitlines()) == 4
    assert len(workspace.calls("/api/2.2/jobs/runs/get")) == 1


# --- brickline status --watch -------------------------------------------------------------

LOG_COLUMNS = ["pipeline", "run_key", "job_name", "status", "start_time", "end_time",
               "error_message", "failed_tasks", "job_id", "run_id", "attempt", "logged_at"]


def log(*rows: tuple[str, str, str | None, str | None, str | None]) -> list[dict[str, object]]:
    """One answer of the status query: (job, status, start, end, error) per job."""
    return [fake.statement("SUCCEEDED", LOG_COLUMNS, [
        ["seed_etl", "2026-11-26", job, status, start, end, error, None, "1", "7", "0", end]
        for job, status, start, end, error in rows])]


def watch_scenario(workspace: fake.Workspace, *, fail: bool) -> None:
    workspace.tick_on = "/api/2.0/sql/statements"  # the run moves on once per query
    workspace.add_run([fake.run(1000, "RUNNING"), fake.run(1000, "RUNNING"),
                       fake.run(1000, "TERMINATED", "FAILED" if fail else "SUCCESS")])
    extract = ("Data_Extract_Job", "success", "2026-11-26T02:00:00Z", "2026-11-26T02:04:12Z",
               None)
    workspace.queries = [
        log(("Data_Extract_Job", "in-progress", "2026-11-26T02:00:00Z", None, None),
            ("Data_Load_Job", "pending", None, None, None),
            ("ES_Load_Job", "pending", None, None, None)),
        log(extract, ("Data_Load_Job", "in-progress", "2026-11-26T02:04:15Z", None, None),
            ("ES_Load_Job", "pending", None, None, None)),
        log(extract, ("Data_Load_Job", "failed", "2026-11-26T02:04:15Z",
                      "2026-11-26T02:06:11Z", "LoadTask: FAILED: AnalysisException: boom"),
            ("ES_Load_Job", "pending", None, None, None)) if fail else
        log(extract, ("Data_Load_Job", "success", "2026-11-26T02:04:15Z",
                      "2026-11-26T02:09:15Z", None),
            ("ES_Load_Job", "success", "2026-11-26T02:09:20Z", "2026-11-26T02:11:40Z", None)),
    ]


def test_status_watch_follows_the_log_until_the_run_ends(workspace: fake.Workspace) -> None:
    watch_scenario(workspace, fail=False)
    result = brickline("status", "seed_etl", "--watch")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "seed_etl run_key 2026-11-26",
        "Data_Extract_Job  in-progress     attempt 0",
        "Data_Load_Job     pending         attempt 0",
        "ES_Load_Job       pending         attempt 0",
        "Data_Extract_Job  success         attempt 0  4m 12s",
        "Data_Load_Job     in-progress     attempt 0",
        "Data_Load_Job     success         attempt 0  5m 00s",
        "ES_Load_Job       success         attempt 0  2m 20s",
        "seed_etl run_key 2026-11-26: succeeded"]
    assert len(workspace.calls("/api/2.0/sql/statements")) == 3


def test_status_watch_of_a_failed_run(workspace: fake.Workspace) -> None:
    watch_scenario(workspace, fail=True)
    result = brickline("status", "seed_etl", "--watch")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-5:] == [
        "seed_etl run_key 2026-11-26: failed",
        "  Data_Load_Job failed:",
        "    LoadTask: FAILED: AnalysisException: boom",
        "  ES_Load_Job did not run (pending)",
        NEXT]


def test_status_watch_ends_when_nothing_runs(workspace: fake.Workspace) -> None:
    workspace.add_run([fake.run(999, "TERMINATED", "SUCCESS")])
    workspace.queries = [[fake.statement("SUCCEEDED", LOG_COLUMNS, [])]]
    result = brickline("status", "seed_etl", "--watch")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "seed_etl",
        "Data_Extract_Job  pending         attempt 0",
        "Data_Load_Job     pending         attempt 0",
        "ES_Load_Job       pending         attempt 0",
        "seed_etl: nothing logged"]
    assert len(workspace.calls("/api/2.0/sql/statements")) == 1


def test_a_skipped_run_says_why_and_offers_no_repair(workspace: fake.Workspace) -> None:
    workspace.on_run_now = lambda run_id: [fake.run(
        run_id, "SKIPPED", message="Skipped: the maximum number of concurrent runs is reached")]
    result = brickline("run", "seed_etl")
    assert result.exit_code == 1
    assert result.output.splitlines()[-4:] == [
        "run 1000 of 'seed_etl_orchestrator': skipped (Skipped: the maximum number of "
        "concurrent runs is reached)",
        "  Data_Extract_Job did not run (pending)",
        "  Data_Load_Job did not run (pending)",
        "  ES_Load_Job did not run (pending)"]


# --- one look at a run, as the watch shows it (runs.snapshot, plain data) ----------------

def test_a_job_the_run_has_not_listed_yet_is_pending_under_its_key() -> None:
    look = fake.run(1000, "RUNNING")
    snap = runs.snapshot(look, [("extract", "Extract_Job")], title="run 1000")
    assert snap.jobs == (runs.JobProgress("Extract_Job", "pending", 0, key="extract"),)


def test_a_listed_task_without_a_state_yet_is_pending() -> None:
    look = fake.run(1000, "RUNNING")
    look["tasks"] = [{"task_key": "extract", "run_id": 10001}]
    (job,) = runs.snapshot(look, [("extract", "Extract_Job")], title="run 1000").jobs
    assert (job.state, job.over) == ("pending", False)


def test_a_running_run_has_no_end_message() -> None:
    look = fake.run(1000, "RUNNING", message="Waiting for the cluster")
    snap = runs.snapshot(look, [], title="run 1000")
    assert (snap.over, snap.result, snap.message) == (False, None, None)


def test_an_ended_run_whose_repair_is_still_running_is_not_over() -> None:
    look = fake.run(1000, "TERMINATED", "FAILED", history=[
        fake.repair("ORIGINAL", 1000, "TERMINATED", "FAILED", start=fake.T0),
        fake.repair("REPAIR", 501, "RUNNING", start=fake.T0 + 1)])
    snap = runs.snapshot(look, [], title="run 1000", repair_id=501)
    assert (snap.over, snap.result, snap.ok) == (False, None, False)


def test_repairs_are_numbered_by_their_start_not_their_place_in_the_history() -> None:
    look = fake.run(1000, "TERMINATED", "FAILED", history=[
        fake.repair("ORIGINAL", 1000, "TERMINATED", "FAILED", task_runs=[1], start=fake.T0),
        fake.repair("REPAIR", 78, "TERMINATED", "FAILED", task_runs=[3], start=fake.T0 + 9),
        fake.repair("REPAIR", 77, "TERMINATED", "FAILED", task_runs=[2], start=fake.T0 + 5)])
    assert runs.repair_numbers(look) == {1: 0, 2: 1, 3: 2}


# --- output on a terminal -----------------------------------------------------------------

def test_a_terminal_gets_a_table_redrawn_in_place() -> None:
    from rich.console import Console

    buffer = io.StringIO()
    view = ops.LiveTable(Console(file=buffer, force_terminal=True, width=100),
                         clock=lambda: (fake.T0 + 300_000) / 1000, auto_refresh=False)
    names = [(fake.EXTRACT, "Data_Extract_Job"), (fake.LOAD, "Data_Load_Job"),
             (fake.ES, "ES_Load_Job")]
    looks = fake.seed_progress(1000)
    view.show(runs.snapshot(looks[2], names, title="run 1000"))
    middle = buffer.getvalue()
    for look in looks[3:]:
        view.show(runs.snapshot(look, names, title="run 1000"))
    view.close()
    text = buffer.getvalue()
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", middle)
    # a running job's duration is counted from its start to now
    assert re.search(r"Data_Load_Job\s+running\s+0\s+45s", plain), plain
    assert "\x1b[1A\x1b[2K" in text[len(middle):]  # cursor up, erase line: a redraw
    final = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text.rsplit("\x1b[2K", 1)[-1])
    assert final.splitlines()[0] == f"run 1000: {URL}/1000"
    assert re.search(r"ES_Load_Job\s+success\s+0\s+2m 20s", final)


def test_brickline_run_on_a_pseudo_terminal(workspace: fake.Workspace) -> None:
    workspace.on_run_now = fake.seed_progress
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "xterm",
                                                                "COLUMNS": "100"}
    main, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "brickline.cli", "run", "seed_etl", "--pipelines",
         str(PIPELINES), *FAST], stdin=subprocess.DEVNULL, stdout=child,
        stderr=subprocess.PIPE, env=env, cwd=REPO)
    os.close(child)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(main)
    assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""
    text = output.decode()
    assert "\x1b[" in text  # drawn with terminal control sequences ...
    assert "\x1b[1A" in text  # ... and redrawn in place
    assert text.rstrip().splitlines()[-1].endswith(
        "run 1000 of 'seed_etl_orchestrator': succeeded in 11m 45s")


def test_piped_output_has_no_control_characters(workspace: fake.Workspace) -> None:
    progress = fake.seed_progress(1000, fail=True)
    progress[-1]["tasks"][1]["state"]["state_message"] = "\x1b[31mred\x1b[0m\r\tand\x07bell"
    workspace.on_run_now = lambda run_id: progress
    result = brickline("run", "seed_etl")
    assert result.exit_code == 1
    assert not CONTROL.search(result.output)
    assert "  Data_Load_Job failed:\n    red\n    and bell\n" in result.output


# --- reaching Databricks ------------------------------------------------------------------

def test_run_against_a_host_that_never_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: DATABRICKS_HOST on a port that accepts and never answers kept `recover`
    silent for 637 s (the SDK's 300 s retry budget for its host probe, then again for the
    first call, each request waiting up to 60 s)."""
    clear_auth(monkeypatch)
    with fake.silent() as host:
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-x")
        begun = time.monotonic()
        result = CliRunner().invoke(cli, ["run", "seed_etl", "--timeout", "3", "--pipelines",
                                          str(PIPELINES)])
        took = time.monotonic() - begun
    assert result.exit_code == 1
    assert result.output == (f"brickline: no answer from {host} within 2 s (asking it for its "
                             "settings): check the host (DATABRICKS_HOST, the profile's or the "
                             "target's host) and the network, or allow longer with "
                             "--timeout\n")
    assert took < 5, took  # the SDK's probe of the host: 1 s, and 1 s more at most


def test_every_command_against_a_host_that_never_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What recover, status and status --watch call first, each in a thread of its own."""
    clear_auth(monkeypatch)
    stack = plan_of(PIPELINES / "seed_etl")
    limits = ops.Limits(timeout=3)

    def recover(session: ops.Session) -> object:
        return runs.recover(session.ws, stack, dry_run=True)

    def status(session: ops.Session) -> object:
        return ops.status(session.ws, stack, warehouse_id="w", run_key=None, limits=limits)

    def watch_status(session: ops.Session) -> object:
        return runs.orchestrator_id(session.ws, stack.orchestrator.name)

    errors: dict[str, str] = {}

    def attempt(name: str, call: Callable[[ops.Session], object]) -> None:
        try:
            session = ops.connect(limits=limits)
            with session.calls():
                call(session)
        except ops.OpsError as exc:
            errors[name] = str(exc)

    with fake.silent() as host:
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-x")
        begun = time.monotonic()
        threads = [threading.Thread(target=attempt, args=(name, call)) for name, call in
                   {"recover": recover, "status": status, "watch": watch_status}.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        took = time.monotonic() - begun
    assert sorted(errors) == ["recover", "status", "watch"]
    assert set(errors.values()) == {f"no answer from {host} within 2 s (asking it for its "
                                    "settings): check the host (DATABRICKS_HOST, the "
                                    "profile's or the target's host) and the network, or "
                                    "allow longer with --timeout"}
    assert took < 5, took


def test_a_host_that_stops_answering_after_the_probe(workspace: fake.Workspace) -> None:
    """The host's settings came back; the API calls then get no answer."""
    workspace.jobs = []
    begun = time.monotonic()
    with fake.silent() as silent_host:
        session = ops.connect(limits=ops.Limits(timeout=3))
        session.ws.config.host = silent_host
        session.ws.api_client._cfg.host = silent_host
        with pytest.raises(ops.OpsError) as caught, session.calls():
            runs.orchestrator_id(session.ws, "seed_etl_orchestrator")
    took = time.monotonic() - begun
    assert str(caught.value).endswith("within 1 s (connected, but got no reply): check the "
                                      "host (DATABRICKS_HOST, the profile's or the target's "
                                      "host) and the network, or allow longer with --timeout")
    assert took < 5, took


def test_a_closed_port(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_auth(monkeypatch)
    with fake.silent() as host:
        pass  # the port is free again: nothing listens there
    monkeypatch.setenv("DATABRICKS_HOST", host)
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-x")
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--timeout", "1", "--pipelines",
                                      str(PIPELINES)])
    assert result.exit_code == 1
    assert result.output.startswith(f"brickline: no answer from {host} within 1 s (could not "
                                    "connect): ")


def test_a_retry_after_of_an_hour_is_not_waited_for(workspace: fake.Workspace) -> None:
    """The SDK sleeps a 503's Retry-After in full before it retries; the clock brickline
    gives it cuts each pause to one request's time."""
    workspace.trouble = (503, "3600", "TEMPORARILY_UNAVAILABLE")
    begun = time.monotonic()
    result = CliRunner().invoke(cli, ["run", "seed_etl", "--timeout", "4", "--pipelines",
                                      str(PIPELINES)])
    took = time.monotonic() - begun
    assert result.exit_code == 1
    host = os.environ["DATABRICKS_HOST"]
    assert result.output == (f"brickline: {host} could not answer (TEMPORARILY_UNAVAILABLE): "
                             "The service is in trouble; try again later (it kept answering so "
                             "for 1 s)\n")
    assert took < 8, took


def test_a_probe_told_to_retry_in_an_hour_is_not_waited_for(
        workspace: fake.Workspace) -> None:
    """The SDK's host-metadata probe has a client of its own, which sleeps a Retry-After in
    full: building the client is given a time of its own."""
    workspace.trouble = (503, "3600", "TEMPORARILY_UNAVAILABLE")
    workspace.probe_trouble = True
    begun = time.monotonic()
    result = CliRunner().invoke(cli, ["recover", "seed_etl", "--timeout", "4",
                                      "--pipelines", str(PIPELINES)])
    took = time.monotonic() - begun
    assert result.exit_code == 1
    host = os.environ["DATABRICKS_HOST"]
    assert result.output.startswith(f"brickline: no answer from {host} within 2 s (asking it "
                                    "for its settings): ")
    assert took < 5, took


def test_a_server_error_is_not_a_refusal(workspace: fake.Workspace) -> None:
    workspace.trouble = (500, None, "INTERNAL_ERROR")
    result = brickline("recover", "seed_etl")
    assert result.exit_code == 1
    host = os.environ["DATABRICKS_HOST"]
    assert result.output == (f"brickline: {host} could not answer (INTERNAL_ERROR): The "
                             "service is in trouble; try again later\n")


def test_any_other_refusal_is_one_line_with_its_code(workspace: fake.Workspace) -> None:
    result = brickline("recover", "seed_etl", "--run-id", "4242")
    assert result.exit_code == 1
    assert result.output == ("brickline: Databricks refused the request "
                             "(INVALID_PARAMETER_VALUE): Run 4242 does not exist.\n")


def test_the_default_limits_reach_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_auth(monkeypatch)
    monkeypatch.setenv("DATABRICKS_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-x")
    monkeypatch.setattr("databricks.sdk.config.Config._resolve_host_metadata",
                        lambda self: None)
    session = ops.connect()
    config = session.ws.config
    # within 30 s for a host that never answers: two requests (the host probe, the first
    # call), each 7.5 s plus the SDK's pause of 1-2 s before it gives up, and the start
    assert (config.http_timeout_seconds, config.retry_timeout_seconds) == (7.5, 7)
    assert session.ws.api_client._api_client._http_timeout_seconds == 7.5
    assert session.ws.api_client._api_client._retry_timeout_seconds == 7


@pytest.mark.parametrize(("cause", "why"), [
    (requests.ConnectTimeout(), "could not connect in time"),
    (requests.ReadTimeout(), "connected, but got no reply"),
    (requests.ConnectionError(), "could not connect"),
    (TimeoutError(), "TimeoutError"),
    (TimeoutError("read stalled\nat byte 9"), "read stalled")])
def test_each_kind_of_no_answer_is_named(cause: BaseException, why: str) -> None:
    limits = ops.Limits()
    assert str(explain(cause, "https://h", limits)) == (
        f"no answer from https://h within {limits.request:.0f} s ({why}): check the host "
        "(DATABRICKS_HOST, the profile's or the target's host) and the network, or allow "
        "longer with --timeout")


@pytest.mark.parametrize("refusal, words", [
    (401, "refused the identity (401 unauthenticated: Invalid access token. [ReqId: 1a2b]): "
          "check DATABRICKS_TOKEN or the profile's credentials; a token may have expired"),
    (403, "refused the identity (403 permission denied: User does not have permission to view "
          "this job): ask for access to the pipeline's jobs, or use another identity "
          "(--profile)")])
@pytest.mark.parametrize("command", [["run", "seed_etl"], ["recover", "seed_etl"],
                                     ["status", "seed_etl"], ["status", "seed_etl", "--watch"]])
def test_a_refused_identity_is_one_clear_line(workspace: fake.Workspace, refusal: int,
                                              words: str, command: list[str]) -> None:
    workspace.refuse = refusal
    result = brickline(*command)
    assert result.exit_code == 1
    host = os.environ["DATABRICKS_HOST"]
    assert result.output == f"brickline: {host} {words}\n"


def test_no_credentials_says_what_is_looked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_auth(monkeypatch)
    monkeypatch.setenv("HOME", "/nonexistent-home")
    result = brickline("run", "seed_etl")
    assert result.exit_code == 1
    assert result.output == (
        "brickline: no Databricks credentials: brickline looks for DATABRICKS_HOST and "
        "DATABRICKS_TOKEN (or another DATABRICKS_* auth setting), the DEFAULT profile in "
        "/nonexistent/databrickscfg, or a profile named with --profile (found only: "
        "config_file=/nonexistent/databrickscfg, Env: DATABRICKS_CONFIG_FILE)\n")


def test_a_missing_profile_lists_the_real_ones(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    clear_auth(monkeypatch)
    config = tmp_path / "databrickscfg"
    config.write_text("[DEFAULT]\nhost = http://127.0.0.1:9\ntoken = x\n[dev]\n"
                      "host = http://127.0.0.1:9\ntoken = y\n")
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    result = brickline("recover", "seed_etl", "--profile", "prod")
    assert result.exit_code == 1
    assert result.output == (f"brickline: no profile 'prod' in {config} (it has DEFAULT, "
                             "dev): pick one with --profile, or set DATABRICKS_HOST and "
                             "DATABRICKS_TOKEN\n")


def test_a_host_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_auth(monkeypatch)
    monkeypatch.setenv("DATABRICKS_HOST", "http://127.0.0.1:9")
    monkeypatch.setattr("databricks.sdk.config.Config._resolve_host_metadata",
                        lambda self: None)
    result = brickline("status", "seed_etl", "--warehouse-id", "w")
    assert result.exit_code == 1
    assert result.output.startswith("brickline: no Databricks credentials: brickline looks "
                                    "for DATABRICKS_HOST and DATABRICKS_TOKEN")
    assert "(found only: host=http://127.0.0.1:9" in result.output
