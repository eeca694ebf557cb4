"""A pipeline whose every job has `orchestrate: false` (the usual bundle file: one job with a
schedule of its own; an import of scheduled jobs into a folder) is valid: the stack has no
orchestrator job, and everything else is provisioned as usual. `run` and `recover` say there
is nothing to start or repair; `status` reads the log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import databricks_fake as fake
import pytest
import yaml
from brickline import importer, names
from brickline.cli import cli
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan, plan, plans
from brickline.spec.diagnostics import errors_only, render
from brickline.spec.load import collect
from click.testing import CliRunner
from conftest import write

NIGHTLY = """\
resources:
  jobs:
    nightly:
      schedule:
        quartz_cron_expression: "0 0 2 * * ?"
        timezone_id: UTC
      tasks:
        - task_key: main
          notebook_task:
            notebook_path: /Shared/nightly
"""


def synth(stack: StackPlan, *, typed: bool = False) -> dict[str, Any]:
    return json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack,
                                                     typed=typed)))


def loaded(folder: Path) -> StackPlan:
    found, diagnostics = collect([str(folder)])
    # a note says which jobs keep their own schedule (spec/orchestration.py)
    assert [d for d in diagnostics if d.severity != "note"] == [], render(diagnostics)
    (pipeline,) = found
    return plan(pipeline)


def test_a_bundle_file_with_one_scheduled_job(tmp_path: Path) -> None:
    write(tmp_path, {"nightly_job.yml": NIGHTLY})
    stack = loaded(tmp_path)
    assert stack.orchestrator is None
    assert [j.address for j in stack.all_jobs] == ["nightly"]
    doc = synth(stack)
    jobs = doc["resource"]["databricks_job"]
    assert list(jobs) == ["nightly"]
    job = jobs["nightly"]
    # the job keeps its schedule, as in the bundle
    assert job["schedule"] == {"quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "UTC"}
    # its status tasks log under a run_key of their own (one per run of the job), a task
    # parameter of theirs: the job gets no job parameter (issue 21)
    assert "parameter" not in job
    status_tasks = [t for t in job["task"] if t["task_key"].startswith("brickline_")]
    assert [t["task_key"] for t in status_tasks] == ["brickline_end", "brickline_start"]
    for task in status_tasks:
        widgets = task["notebook_task"]["base_parameters"]
        assert (widgets["brickline_run_key"], widgets["brickline_orchestrated"]) == (
            "nightly-{{job.run_id}}", "false")
    # no orchestrator: no pipeline start file either
    assert list(doc["resource"].get("databricks_workspace_file", {})) == []
    # everything else as usual: the log, its view, the status notebook, the job's outputs
    assert set(doc["resource"]["databricks_sql_table"]) == {"job_metadata", "job_status"}
    assert "brickline_status" in doc["resource"]["databricks_notebook"]
    assert sorted(doc["output"]) == ["nightly_job_id", "nightly_job_url"]
    assert "databricks_job.orchestrator" not in json.dumps(doc)
    # the view lists what each job logged, with nothing pending (no pipeline run waits)
    view = doc["resource"]["databricks_sql_table"]["job_status"]["view_definition"]
    assert "VALUES" not in view and "pending" not in view


def test_typed_path_writes_the_same_json(tmp_path: Path) -> None:
    write(tmp_path, {"nightly_job.yml": NIGHTLY})
    stack = loaded(tmp_path)
    assert synth(stack, typed=True) == synth(stack)


PERMITTED = {
    "pipeline.yml": """\
pipeline:
  name: scheduled
  permissions:
    - group_name: analysts
      level: CAN_VIEW
  dashboard:
    warehouse_id: wh1
  destinations:
    ops:
      email: {addresses: [ops@example.com]}
  notifications:
    on_failure: [ops]
  targets:
    dev:
      run_as: {service_principal_name: 6f1c7a52-3f3e-4a51-9d0c-0a1b2c3d4e5f}
    prod:
      host: https://prod.cloud.databricks.com
""",
    "jobs.yml": """\
jobs:
  - name: nightly
    orchestrate: false
    schedule: {quartz_cron_expression: "0 0 2 * * ?", timezone_id: UTC}
    tasks:
      - task_key: main
        notebook_task: {notebook_path: /Shared/nightly}
  - name: hourly
    orchestrate: false
    trigger: {periodic: {interval: 1, unit: HOURS}}
    tasks:
      - task_key: main
        notebook_task: {notebook_path: /Shared/hourly}
""",
}


def test_permissions_grants_destinations_and_dashboard_without_an_orchestrator(
        tmp_path: Path) -> None:
    write(tmp_path, PERMITTED)
    found, diagnostics = collect([str(tmp_path)])
    assert diagnostics == [], render(diagnostics)
    (pipeline,) = found
    for stack in plans(pipeline):
        assert stack.orchestrator is None
        doc = synth(stack)
        resources = doc["resource"]
        assert sorted(resources["databricks_job"]) == ["hourly", "nightly"]
        assert sorted(resources["databricks_permissions"]) == [
            names.permission_address("hourly"), names.permission_address("nightly")]
        assert "dashboard" in resources["databricks_dashboard"]
        assert "dest_ops" in json.dumps(resources["databricks_notification_destination"])
        assert "databricks_grant" in resources
        assert "databricks_job.orchestrator" not in json.dumps(doc)
        assert not any("orchestrator" in name for name in doc["output"])
        if stack.target == "dev":  # paused, as every job of a dev target
            assert resources["databricks_job"]["nightly"]["schedule"]["pause_status"] == \
                "PAUSED"


def test_orchestrator_settings_without_an_orchestrator_are_a_located_warning(
        tmp_path: Path) -> None:
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  name: p\n  orchestrator:\n"
                        "    schedule: {quartz_cron_expression: \"0 0 1 * * ?\", "
                        "timezone_id: UTC}\n    warn_after: 2h\n"
                        "  targets:\n    dev:\n      orchestrator:\n"
                        "        max_concurrent_runs: 2\n",
        "nightly_job.yml": NIGHTLY})
    found, diagnostics = collect([str(tmp_path)])
    assert diagnostics and not errors_only(diagnostics), render(diagnostics)
    out = render(diagnostics)
    assert out.count(": warning: ") == 2, out
    assert "pipeline.orchestrator: warning: schedule, warn_after set for the orchestrator, " \
        "but no job runs from it (every job has `orchestrate: false`), so there is no " \
        "orchestrator job and this does nothing" in out
    assert "max_concurrent_runs set for the orchestrator" in out
    assert "pipeline.yml:3:3" in out and "pipeline.yml:8:7" in out, out
    (pipeline,) = found
    assert all(s.orchestrator is None for s in plans(pipeline))


def test_the_orchestrators_names_are_free_without_an_orchestrator(tmp_path: Path) -> None:
    # a job named as the orchestrator would be, with the orchestrator's address as its key
    write(tmp_path, {"jobs.yml": NIGHTLY.replace("nightly:", "orchestrator:\n      name: "
                                                 f"{tmp_path.name}_orchestrator")})
    stack = loaded(tmp_path)
    assert list(synth(stack)["resource"]["databricks_job"]) == ["orchestrator"]


def test_one_orchestrated_job_still_gets_the_orchestrator(tmp_path: Path) -> None:
    write(tmp_path, {"nightly_job.yml": NIGHTLY + """\
    report:
      tasks:
        - task_key: main
          notebook_task:
            notebook_path: /Shared/report
"""})
    stack = loaded(tmp_path)
    assert stack.orchestrator is not None
    assert [t["task_key"] for t in stack.orchestrator.settings["task"]] == [
        "brickline_start", "report"]


def scheduled_job(job_id: int, name: str) -> dict[str, Any]:
    """A jobs/get answer, as the Databricks SDK gives it."""
    from databricks.sdk.service import jobs

    return jobs.Job(job_id=job_id, creator_user_name="ana@example.com", settings=jobs.JobSettings(
        name=name, max_concurrent_runs=1,
        schedule=jobs.CronSchedule(quartz_cron_expression="0 0 2 * * ?", timezone_id="UTC",
                                   pause_status=jobs.PauseStatus.UNPAUSED),
        tasks=[jobs.Task(task_key="main", notebook_task=jobs.NotebookTask(
            notebook_path="/Shared/x"))])).as_dict()


@pytest.mark.parametrize("count", [1, 2])
def test_an_import_of_scheduled_jobs_into_a_folder_validates(tmp_path: Path,
                                                             count: int) -> None:
    payloads = [scheduled_job(101 + i, f"Nightly_{i}") for i in range(count)]
    # a folder with a pipeline.yml: the jobs keep their schedules (orchestrate: false)
    result = importer.pipeline_yaml(payloads, with_settings=False)
    write(tmp_path, {"pipeline.yml": "pipeline:\n  name: imported\n",
                     "jobs.yml": result.text})
    assert all(j["orchestrate"] is False for j in yaml.safe_load(result.text)["jobs"])
    stack = loaded(tmp_path)
    assert stack.orchestrator is None
    doc = synth(stack)
    assert sorted(doc["resource"]["databricks_job"]) == [f"nightly_{i}" for i in range(count)]
    # each job adopted by its id; the job keeps its schedule
    assert sorted(doc["import"], key=lambda b: str(b["id"])) == [
        {"id": str(101 + i), "to": f"databricks_job.nightly_{i}"} for i in range(count)]
    for job in doc["resource"]["databricks_job"].values():
        assert job["schedule"]["quartz_cron_expression"] == "0 0 2 * * ?"


def test_validate_and_graph(tmp_path: Path) -> None:
    write(tmp_path, {"nightly_job.yml": NIGHTLY})
    result = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["graph", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "nightly" in result.output


@pytest.mark.parametrize("command", [["run"], ["recover"], ["recover", "--dry-run"],
                                     ["status", "--watch"]])
def test_run_and_recover_say_there_is_no_orchestrator(tmp_path: Path, command: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # nowhere to connect: the command must stop before it tries
    monkeypatch.setenv("DATABRICKS_HOST", "http://127.0.0.1:9")
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-unused")
    write(tmp_path, {"nightly_job.yml": NIGHTLY})
    result = CliRunner().invoke(cli, [command[0], tmp_path.name, *command[1:],
                                      "--pipelines", str(tmp_path), "--timeout", "1"])
    assert result.exit_code == 2, result.output
    (line,) = [x for x in result.output.splitlines() if "orchestrator" in x]
    assert f"pipeline '{tmp_path.name}' has no orchestrator (every job has `orchestrate: " \
        "false` and runs on its own schedule)" in line


def test_status_reads_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"nightly_job.yml": NIGHTLY})
    state = fake.Workspace()
    columns = ["pipeline", "run_key", "job_name", "status", "start_time", "end_time",
               "error_message", "failed_tasks", "job_id", "run_id", "attempt", "logged_at"]
    state.queries = [[fake.statement("SUCCEEDED", columns, [
        [tmp_path.name, "nightly-100", "nightly", "success", "2026-11-26T02:00:00Z",
         "2026-11-26T02:10:00Z", None, "[]", "1", "100", "0", "2026-11-26T02:10:00Z"]])]]
    with fake.serve(state) as host:
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-contract-test")
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
        result = CliRunner().invoke(cli, ["status", tmp_path.name, "--pipelines",
                                          str(tmp_path), "--warehouse-id", "wh-1"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{tmp_path.name}  run_key nightly-100"
    assert lines[2].split()[:2] == ["nightly", "success"]


def test_review_of_a_pipeline_that_loses_its_orchestrator(tmp_path: Path) -> None:
    """From one orchestrated job to a job of its own schedule at the orchestrator's address:
    Terraform updates that job in place, and the review says so, listing the new job's
    tasks (it is a job now, not the orchestrator)."""
    from test_review_diff import review

    before = {"jobs.yml": "jobs:\n  - name: nightly\n    tasks:\n      - task_key: main\n"
                          "        notebook_task: {notebook_path: /x}\n"}
    after = {"jobs.yml": NIGHTLY.replace("nightly:", "orchestrator:")}
    (stack,) = review(tmp_path, before, after).stacks
    assert stack.jobs_removed == ["nightly"]
    assert stack.renamed == ["p_orchestrator → orchestrator (same address orchestrator: "
                             "updated in place)"]
    (change,) = stack.jobs_changed
    assert "task main added" in change.lines
    assert "schedule.quartz_cron_expression set to 0 0 2 * * ?" in change.lines
    assert stack.graph["jobs"] == {"orchestrator": "orchestrator"}
    assert stack.edges_added == stack.edges_removed == []
