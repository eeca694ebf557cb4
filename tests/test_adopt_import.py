"""`brickline import` against a local server that answers jobs/get as the Databricks SDK
expects, with payloads built from the SDK's own dataclasses: the YAML it writes loads,
synthesizes with an import block per job, and gives the jobs' settings back unchanged."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from brickline import engine
from brickline.cli import cli
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import plans
from brickline.spec.load import load_pipelines
from click.testing import CliRunner
from databricks.sdk.service import compute, jobs

SP = "6f1c7a52-3f3e-4a51-9d0c-0a1b2c3d4e5f"


def extract_job() -> jobs.Job:
    return jobs.Job(
        job_id=101, creator_user_name="ana@example.com", run_as_user_name=SP,
        created_time=1700000000000,
        settings=jobs.JobSettings(
            name="Data_Extract_Job", format=jobs.Format.MULTI_TASK, max_concurrent_runs=1,
            timeout_seconds=0, tags={"team": "etl"},
            schedule=jobs.CronSchedule(quartz_cron_expression="0 0 2 * * ?",
                                       timezone_id="Europe/Berlin",
                                       pause_status=jobs.PauseStatus.UNPAUSED),
            email_notifications=jobs.JobEmailNotifications(on_failure=["ops@example.com"]),
            git_source=jobs.GitSource(git_url="https://github.com/example/etl",
                                      git_provider=jobs.GitProvider.GIT_HUB,
                                      git_branch="main"),
            job_clusters=[jobs.JobCluster(job_cluster_key="etl", new_cluster=compute.ClusterSpec(
                spark_version="15.4.x-scala2.12", node_type_id="i3.xlarge", num_workers=2,
                data_security_mode=compute.DataSecurityMode.USER_ISOLATION,
                spark_conf={"spark.speculation": "true"}))],
            tasks=[
                jobs.Task(task_key="trigger_load", depends_on=[jobs.TaskDependency("transform")],
                          run_if=jobs.RunIf.ALL_SUCCESS,
                          run_job_task=jobs.RunJobTask(job_id=102)),
                jobs.Task(task_key="extract", job_cluster_key="etl", timeout_seconds=0,
                          notebook_task=jobs.NotebookTask(
                              notebook_path="notebooks/extract", source=jobs.Source.GIT,
                              base_parameters={"day": "{{job.start_time.iso_date}}"}),
                          libraries=[compute.Library(pypi=compute.PythonPyPiLibrary("requests"))],
                          max_retries=2, min_retry_interval_millis=60000),
                jobs.Task(task_key="transform", depends_on=[jobs.TaskDependency("extract")],
                          job_cluster_key="etl", run_if=jobs.RunIf.ALL_SUCCESS,
                          spark_python_task=jobs.SparkPythonTask(
                              python_file="jobs/transform.py", parameters=["--full"])),
            ]))


def load_job() -> jobs.Job:
    return jobs.Job(
        job_id=102, creator_user_name="ana@example.com", run_as_user_name="ana@example.com",
        settings=jobs.JobSettings(
            name="Data_Load_Job", format=jobs.Format.MULTI_TASK, max_concurrent_runs=3,
            description="Loads the extract.\nRuns after Data_Extract_Job.",
            parameters=[jobs.JobParameterDefinition(name="region", default="eu")],
            environments=[jobs.JobEnvironment(environment_key="default", spec=compute.Environment(
                environment_version="2", dependencies=["pandas==2.2.2"]))],
            tasks=[
                jobs.Task(task_key="load", environment_key="default",
                          for_each_task=jobs.ForEachTask(
                              inputs='["a", "b"]', concurrency=2,
                              task=jobs.Task(task_key="load_one", environment_key="default",
                                             spark_python_task=jobs.SparkPythonTask(
                                                 python_file="/Workspace/Shared/load.py",
                                                 parameters=["{{input}}"])))),
                jobs.Task(task_key="check", depends_on=[jobs.TaskDependency("load")],
                          sql_task=jobs.SqlTask(warehouse_id="wh1", file=jobs.SqlTaskFile(
                              path="/Workspace/Shared/check.sql",
                              source=jobs.Source.WORKSPACE))),
            ]))


class Workspace:
    def __init__(self) -> None:
        self.jobs = {101: extract_job().as_dict(), 102: load_job().as_dict()}
        self.requests: list[tuple[str, dict[str, str]]] = []

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        self.requests.append((path, query))
        if path == "/api/2.2/jobs/get":
            found = self.jobs.get(int(query["job_id"]))
            if found is None:
                return 400, {"error_code": "INVALID_PARAMETER_VALUE",
                             "message": f"Job {query['job_id']} does not exist."}
            return 200, found
        if path == "/api/2.2/jobs/list":
            return 200, {"jobs": [{"job_id": i, "settings": {"name": j["settings"]["name"]}}
                                  for i, j in self.jobs.items()
                                  if query.get("name") in (None, j["settings"]["name"])]}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": path}


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    state = Workspace()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            code, payload = state.answer(
                url.path, {k: v[-1] for k, v in parse_qs(url.query).items()})
            data = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

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


JOB_NAMES = {"tasks": "task", "job_clusters": "job_cluster", "parameters": "parameter",
             "environments": "environment"}
GIT_NAMES = {"git_url": "url", "git_provider": "provider", "git_branch": "branch"}


def provider(settings: dict[str, Any]) -> dict[str, Any]:
    """The Jobs API's JSON in the provider's names, renamed independently of brickline."""
    out = {JOB_NAMES.get(k, k): v for k, v in json.loads(json.dumps(settings)).items()}
    if "git_source" in out:
        out["git_source"] = {GIT_NAMES.get(k, k): v for k, v in out["git_source"].items()}
    out["task"] = [provider_task(t) for t in out.get("task", [])]
    return out


def provider_task(task: dict[str, Any]) -> dict[str, Any]:
    task = {("library" if k == "libraries" else k): v for k, v in task.items()}
    if "for_each_task" in task:
        task["for_each_task"]["task"] = provider_task(task["for_each_task"]["task"])
    return task


def without_brickline(settings: dict[str, Any]) -> dict[str, Any]:
    """A synthesized job less what brickline adds (its status tasks; it adds no job
    parameter and no environment)."""
    out = dict(settings)
    tasks = []
    for task in out["task"]:
        if task["task_key"].startswith("brickline_"):
            continue
        deps = [d for d in task.get("depends_on", []) if d["task_key"] != "brickline_start"]
        task = {k: v for k, v in task.items() if k != "depends_on"}
        tasks.append({**task, **({"depends_on": deps} if deps else {})})
    out["task"] = tasks
    return {k: v for k, v in out.items() if v not in ([], {})}


def test_import_writes_yaml_that_synthesizes_the_same_jobs(
        workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "pipelines" / "etl"
    result = CliRunner().invoke(cli, ["import", "101", "--name", "Data_Load_Job",
                                      "--pipeline", str(folder)])
    assert result.exit_code == 0, result.output
    text = (folder / "jobs.yml").read_text()
    # as a person writes it: Jobs API names, no read-only or default values, sorted tasks
    for absent in ("format:", "MULTI_TASK", "max_concurrent_runs: 1", "timeout_seconds: 0",
                   "run_if", "pause_status", "created_time", "source: GIT", " url:",
                   "\n    task:\n"):
        assert absent not in text, absent
    data = yaml.safe_load(text)
    extract, load = data["jobs"]
    # the extract's schedule started the load too (run_job_task): it is the pipeline's now
    assert data["pipeline"] == {"orchestrator": {"schedule": {
        "quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "Europe/Berlin"}}}
    assert "schedule" not in extract and "orchestrate" not in extract
    assert list(extract)[:3] == ["name", "import_id", "tags"] and list(extract)[-1] == "tasks"
    assert [t["task_key"] for t in extract["tasks"]] == ["extract", "transform"]
    assert extract["run_as"] == {"service_principal_name": SP}
    assert extract["git_source"] == {"git_url": "https://github.com/example/etl",
                                     "git_provider": "gitHub", "git_branch": "main"}
    # the run_job_task to another imported job is an edge of the pipeline now
    assert load["depends_on"] == ["Data_Extract_Job"] and "run_as" not in load
    assert "description: |-\n      Loads the extract.\n      Runs after Data_Extract_Job." in text
    assert "      - name: region\n        default: eu\n" in text
    assert "    tasks:\n      - task_key: extract\n" in text  # lists indented under their key

    (pipeline,) = load_pipelines([str(folder)])
    (stack,) = plans(pipeline)
    doc = json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))
    assert sorted(doc["import"], key=lambda i: i["id"]) == [
        {"id": "101", "to": "databricks_job.data_extract_job"},
        {"id": "102", "to": "databricks_job.data_load_job"}]
    synthesized = doc["resource"]["databricks_job"]
    for job_id, address in ((101, "data_extract_job"), (102, "data_load_job")):
        expected = provider(workspace.jobs[job_id]["settings"])
        got = without_brickline({k: v for k, v in synthesized[address].items() if k != "//"})
        # what jobs/get adds and the provider sends anyway (jobs/resource_job.go defaults)
        for key, default in (("format", "MULTI_TASK"), ("max_concurrent_runs", 1),
                             ("timeout_seconds", 0)):
            if expected.get(key) == default:
                del expected[key]
        expected.pop("schedule", None)  # the orchestrator's now
        tasks = []
        for task in expected["task"]:
            task = {k: v for k, v in task.items()
                    if (k, v) not in (("run_if", "ALL_SUCCESS"), ("timeout_seconds", 0))}
            if task.get("notebook_task", {}).get("source") == "GIT":
                task["notebook_task"] = {k: v for k, v in task["notebook_task"].items()
                                         if k != "source"}
            if task.get("sql_task", {}).get("file", {}).get("source") == "WORKSPACE":
                task["sql_task"]["file"] = {"path": task["sql_task"]["file"]["path"]}
            if "run_job_task" not in task:
                tasks.append(task)
        expected["task"] = sorted(tasks, key=lambda t: t["task_key"])
        if job_id == 101:
            expected["run_as"] = {"service_principal_name": SP}
        assert got == {k: v for k, v in expected.items() if v is not None}
    # the orchestrator runs the load after the extract, as the run_job_task did
    orchestrator = {t["task_key"]: t for t in synthesized["orchestrator"]["task"]}
    assert orchestrator["data_load_job"]["depends_on"] == [{"task_key": "data_extract_job"}]
    assert synthesized["orchestrator"]["schedule"] == {
        "quartz_cron_expression": "0 0 2 * * ?", "timezone_id": "Europe/Berlin"}


def test_jobs_with_schedules_of_their_own_keep_them(
        workspace: Workspace, tmp_path: Path) -> None:
    load = workspace.jobs[102]["settings"]
    load["trigger"] = {"periodic": {"interval": 1, "unit": "DAYS"}}
    folder = tmp_path / "etl"
    result = CliRunner().invoke(cli, ["import", "101", "102", "--pipeline", str(folder)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((folder / "jobs.yml").read_text())
    assert "pipeline" not in data
    extract, load_job = data["jobs"]
    assert extract["orchestrate"] is False and load_job["orchestrate"] is False
    assert extract["schedule"]["quartz_cron_expression"] == "0 0 2 * * ?"
    # the run_job_task stays: the orchestrator does not run either job
    assert [t["task_key"] for t in extract["tasks"]] == ["extract", "transform",
                                                         "trigger_load"]
    assert "keeps its own schedule or trigger" in result.output


def test_import_refuses_to_overwrite_and_reports_api_errors(
        workspace: Workspace, tmp_path: Path) -> None:
    (tmp_path / "jobs.yml").write_text("jobs: []\n")
    result = CliRunner().invoke(cli, ["import", "101", "--pipeline", str(tmp_path)])
    assert result.exit_code == 1
    assert "cannot add the jobs to" in result.output and "written inline" in result.output
    assert (tmp_path / "jobs.yml").read_text() == "jobs: []\n"
    result = CliRunner().invoke(cli, ["import", "999", "--pipeline", str(tmp_path / "new")])
    assert result.exit_code == 1 and "Job 999 does not exist" in result.output
    assert not (tmp_path / "new").exists()
    result = CliRunner().invoke(cli, ["import", "--name", "nope", "--pipeline",
                                      str(tmp_path / "new")])
    assert result.exit_code == 1 and "no job named 'nope'" in result.output


def test_fields_the_provider_lacks_are_reported_not_dropped(
        workspace: Workspace, tmp_path: Path) -> None:
    """alert_task came with provider 1.138 (the cdktn engine): on cdktf, it is reported."""
    workspace.jobs[101]["settings"]["tasks"][2]["alert_task"] = {"alert_id": "a"}
    with engine.override("cdktf"):
        result = CliRunner().invoke(cli, ["import", "101", "--pipeline", str(tmp_path)])
    assert result.exit_code == 1
    assert "a field the Databricks provider 1.99.0 does not take" in result.output
    assert ("job 101 (Data_Extract_Job): tasks[transform].alert_task: 'alert_task' needs "
            "Databricks provider 1.138.0") in result.output
    assert not (tmp_path / "jobs.yml").exists()


def test_import_all_matching(workspace: Workspace, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "--all-matching", "^Data_", "--pipeline",
                                      str(tmp_path / "p.yml")])
    assert result.exit_code == 0, result.output
    assert "wrote " in result.output and "Data_Extract_Job, Data_Load_Job" in result.output
    data = yaml.safe_load((tmp_path / "p.yml").read_text())
    assert [j["import_id"] for j in data["jobs"]] == [101, 102] and "pipeline" in data
    bad = CliRunner().invoke(cli, ["import", "--all-matching", "(", "--pipeline",
                                   str(tmp_path)])
    assert bad.exit_code == 2 and "bad regular expression" in bad.output


# --- importing into a pipeline that has settings and jobs ---------------------------------

SETTINGS = """pipeline:
  name: etl
  defaults:
    max_retries: 2
    min_retry_interval_millis: 120000
    retry_on_timeout: true
    timeout_seconds: 3600
  targets:
    dev: {metadata: {schema: etl_dev}}
    prod:
      run_as: {service_principal_name: 9f0c5b8e-1d2a-4c3b-8e7f-0a1b2c3d4e5f}
      tags: {environment: prod}
"""
OWN_JOB = """# our own job, written by hand
jobs:
  - name: Report
    tasks:
      - task_key: report
        notebook_task: {notebook_path: /Workspace/Shared/report}
"""


def plain_job() -> jobs.Job:
    """A job as the UI makes it: no retries, no timeout (jobs/get leaves them out)."""
    return jobs.Job(job_id=103, creator_user_name="ana@example.com",
                    run_as_user_name="ana@example.com", settings=jobs.JobSettings(
                        name="Nightly_Export", max_concurrent_runs=1, tasks=[jobs.Task(
                            task_key="export", existing_cluster_id="0101-abc",
                            notebook_task=jobs.NotebookTask(
                                notebook_path="/Workspace/Shared/export"))]))


def test_an_adopted_job_deploys_as_it_runs_today_despite_the_pipelines_defaults(
        workspace: Workspace, tmp_path: Path) -> None:
    workspace.jobs[103] = plain_job().as_dict()
    folder = tmp_path / "etl"
    folder.mkdir()
    (folder / "pipeline.yml").write_text(SETTINGS)
    result = CliRunner().invoke(cli, ["import", "103", "--pipeline", str(folder)])
    assert result.exit_code == 0, result.output
    task = yaml.safe_load((folder / "jobs.yml").read_text())["jobs"][0]["tasks"][0]
    # what the defaults would fill in, written as the workspace has it
    assert {k: task[k] for k in ("max_retries", "min_retry_interval_millis",
                                 "retry_on_timeout", "timeout_seconds")} == {
        "max_retries": 0, "min_retry_interval_millis": 0, "retry_on_timeout": False,
        "timeout_seconds": 0}
    (pipeline,) = load_pipelines([str(folder)])
    for stack in plans(pipeline):
        doc = json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))
        job = doc["resource"]["databricks_job"]["nightly_export"]
        (export,) = [t for t in job["task"] if t["task_key"] == "export"]
        assert export["max_retries"] == 0 and export["timeout_seconds"] == 0
        assert export["min_retry_interval_millis"] == 0
        assert export["retry_on_timeout"] is False
        assert doc["import"] == [{"id": "103", "to": "databricks_job.nightly_export"}]
    # what the pipeline still changes is said, target by target, and who joins the run
    assert "note: Nightly_Export in target prod differs from the job as it runs today: " \
           "run_as.service_principal_name set to 9f0c5b8e-1d2a-4c3b-8e7f-0a1b2c3d4e5f" \
           in result.output
    assert "tags.environment set to prod" in result.output
    assert "note: Nightly_Export in target dev differs" not in result.output
    assert "note: Nightly_Export joins the orchestrator 'etl_orchestrator': it runs in " \
           "every run of the pipeline" in result.output


def test_a_task_that_sets_its_values_keeps_them_and_defaults_do_not_touch_a_condition(
        workspace: Workspace) -> None:
    from brickline import importer
    from brickline.spec.model import TaskDefaults

    payload = plain_job().as_dict()
    payload["settings"]["tasks"][0]["max_retries"] = 5
    payload["settings"]["tasks"].append({"task_key": "gate", "condition_task": {
        "op": "EQUAL_TO", "left": "a", "right": "a"}})
    result = importer.pipeline_yaml([payload], defaults=TaskDefaults(max_retries=2))
    export, gate = sorted(yaml.safe_load(result.text)["jobs"][0]["tasks"],
                          key=lambda t: t["task_key"])
    assert export["max_retries"] == 5 and "timeout_seconds" not in export
    assert "max_retries" not in gate
    without = importer.pipeline_yaml([plain_job().as_dict()])
    assert "max_retries" not in without.text  # no defaults: nothing written out


def test_import_adds_to_the_pipelines_jobs_file(workspace: Workspace, tmp_path: Path) -> None:
    workspace.jobs[103] = plain_job().as_dict()
    folder = tmp_path / "etl"
    folder.mkdir()
    (folder / "pipeline.yml").write_text(SETTINGS)
    (folder / "jobs.yml").write_text(OWN_JOB)
    result = CliRunner().invoke(cli, ["import", "103", "--pipeline", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"added to {folder / 'jobs.yml'}: Nightly_Export" in result.output
    text = (folder / "jobs.yml").read_text()
    assert text.startswith(OWN_JOB)  # comments and layout kept
    assert [j["name"] for j in yaml.safe_load(text)["jobs"]] == ["Report", "Nightly_Export"]
    (pipeline,) = load_pipelines([str(folder)])
    assert sorted(j.name for j in pipeline.jobs) == ["Nightly_Export", "Report"]
    again = CliRunner().invoke(cli, ["import", "103", "--pipeline", str(folder)])
    assert again.exit_code == 1
    assert "already in the pipeline: job 103 (Nightly_Export)" in again.output
    assert (folder / "jobs.yml").read_text() == text


def test_import_takes_a_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import databricks_fake as fake

    for name in list(__import__("os").environ):
        if name.startswith("DATABRICKS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", "/nonexistent/databrickscfg")
    with fake.silent() as host:
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-x")
        began = time.monotonic()
        result = CliRunner().invoke(cli, ["import", "101", "--pipeline", str(tmp_path / "p"),
                                          "--timeout", "4"])
        took = time.monotonic() - began
    assert result.exit_code == 1
    assert "no answer from" in result.output and "within 2 s" in result.output
    assert took < 20


def test_diff_says_an_imported_job_is_adopted_not_added(
        workspace: Workspace, tmp_path: Path) -> None:
    from brickline.review import render
    from brickline.review.diff import compare

    folder = tmp_path / "etl"
    result = CliRunner().invoke(cli, ["import", "102", "--pipeline", str(folder)])
    assert result.exit_code == 0, result.output
    (pipeline,) = load_pipelines([str(folder)])
    (stack,) = plans(pipeline)
    head = json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))
    base = {k: v for k, v in head.items() if k != "import"}
    base["resource"] = {**head["resource"], "databricks_job": {
        k: v for k, v in head["resource"]["databricks_job"].items() if k != "data_load_job"}}
    review = compare({stack.name: base}, {stack.name: head})
    (changed,) = review.stacks
    assert changed.jobs_adopted == ["Data_Load_Job (existing job 102)"]
    assert changed.jobs_added == []
    assert "**Jobs adopted (an import block: the existing job is updated in place, not " \
           "created)**\n- Data_Load_Job (existing job 102)" in render.markdown(review)


BUNDLE_ROOT = "bundle:\n  name: etl\ninclude:\n  - resources/*.yml\n"


def test_import_into_a_bundle_root_writes_a_job_file_each_as_bundle_generate_does(
        workspace: Workspace, tmp_path: Path) -> None:
    """`--pipeline BUNDLE_ROOT`: resources/<key>.job.yml per job holding resources.jobs.<key>
    (databricks/cli cmd/bundle/generate/job.go), keys from the names as the CLI makes them;
    the run_job_task between them stays, by reference; the bundle validates, each job is
    adopted (an import block) and the extract's schedule stays its own."""
    root = tmp_path / "etl"
    root.mkdir()
    (root / "databricks.yml").write_text(BUNDLE_ROOT)
    result = CliRunner().invoke(cli, ["import", "101", "102", "--pipeline", str(root)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "resources").iterdir()) == [
        "data_extract_job.job.yml", "data_load_job.job.yml"]
    extract = yaml.safe_load((root / "resources/data_extract_job.job.yml").read_text())
    (job,) = extract["resources"]["jobs"].values()
    assert list(extract["resources"]["jobs"]) == ["data_extract_job"]
    assert (job["name"], job["import_id"]) == ("Data_Extract_Job", 101)
    assert "key" not in job and "depends_on" not in job and "orchestrate" not in job
    run = next(t for t in job["tasks"] if t["task_key"] == "trigger_load")
    assert run["run_job_task"] == {"job_id": "${resources.jobs.data_load_job.id}"}
    assert job["schedule"]["quartz_cron_expression"] == "0 0 2 * * ?"
    assert "warning" not in result.output

    (pipeline,) = load_pipelines([str(root)])
    (stack,) = plans(pipeline)
    doc = json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))
    assert sorted(doc["import"], key=lambda i: i["id"]) == [
        {"id": "101", "to": "databricks_job.data_extract_job"},
        {"id": "102", "to": "databricks_job.data_load_job"}]
    synthesized = doc["resource"]["databricks_job"]
    trigger = next(t for t in synthesized["data_extract_job"]["task"]
                   if t["task_key"] == "trigger_load")
    assert trigger["run_job_task"]["job_id"] == "${databricks_job.data_load_job.id}"

    # again: already there, nothing written
    before = {p: p.read_bytes() for p in (root / "resources").iterdir()}
    again = CliRunner().invoke(cli, ["import", "102", "--pipeline", str(root)])
    assert again.exit_code == 1 and "already in the bundle: job 102 (Data_Load_Job)" in \
        again.output
    assert {p: p.read_bytes() for p in (root / "resources").iterdir()} == before


def test_import_into_a_bundle_that_does_not_include_the_file_warns_as_the_cli(
        workspace: Workspace, tmp_path: Path) -> None:
    root = tmp_path / "etl"
    root.mkdir()
    (root / "databricks.yml").write_text("bundle:\n  name: etl\ninclude:\n  - jobs/*.yml\n")
    result = CliRunner().invoke(cli, ["import", "102", "--pipeline", str(root)])
    assert result.exit_code == 0, result.output
    assert "warning: resources/data_load_job.job.yml is not matched by any pattern in the " \
        "'include' section of databricks.yml" in result.output
    # a file already there is replaced only with --force
    refused = CliRunner().invoke(cli, ["import", "102", "--pipeline", str(root)])
    assert refused.exit_code == 1
    assert "resources/data_load_job.job.yml exists already: --force replaces it" in \
        refused.output


def test_bundle_keys_are_the_clis() -> None:
    """textutil.NormalizeString (databricks/cli libs/textutil/textutil.go) and its tests'
    cases: lowercase, non-alphanumerics as one '_', none at the ends, letters kept."""
    from brickline.importer import bundle_key

    # libs/textutil/textutil_test.go TestNormalizeString, every case
    for given, expected in (("test", "test"), ("test test", "test_test"),
                            ("test-test", "test_test"), ("test_test", "test_test"),
                            ("test.test", "test_test"), ("test/test", "test_test"),
                            ("test/test.test", "test_test_test"), ("TestTest", "testtest"),
                            ("TestTestTest", "testtesttest"),
                            (".test//test..test", "test_test_test")):
        assert bundle_key(given) == expected, given
    assert bundle_key("Data_Extract_Job") == "data_extract_job"
    assert bundle_key("Ünïcödé ジョブ") == "ünïcödé_ジョブ"
