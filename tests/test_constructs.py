"""Synthesized Terraform JSON: snapshots of every example, and what must hold in it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan
from brickline.runtime import views
from brickline.runtime.status import outcome_reference
from conftest import REPO
from helpers import as_cdktf
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

EXAMPLES = ["parallel_abcd", "sales_daily-dev", "sales_daily-prod", "seed_etl"]


def synth(stack_plan: StackPlan) -> dict[str, Any]:
    stack = PipelineStack(tf.Testing.app(), plan=stack_plan)
    return json.loads(tf.Testing.synth(stack))


@pytest.fixture(scope="module")
def synthesized(examples: dict[str, StackPlan]) -> dict[str, dict[str, Any]]:
    return {name: synth(examples[name]) for name in EXAMPLES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_snapshot(name: str, synthesized: dict[str, dict[str, Any]],
                  snapshot: SnapshotAssertion) -> None:
    assert as_cdktf(synthesized[name]) == snapshot.use_extension(JSONSnapshotExtension)


def test_run_job_tasks_reference_the_right_jobs(synthesized: dict[str, dict[str, Any]]) -> None:
    jobs = synthesized["seed_etl"]["resource"]["databricks_job"]
    orchestrator = jobs["orchestrator"]
    start, *runs = orchestrator["task"]
    assert start["task_key"] == "brickline_start" and "run_job_task" not in start
    for task in runs:
        assert task["run_job_task"] == {"job_id": f"${{databricks_job.{task['task_key']}.id}}"}
        assert task["task_key"] in jobs
    assert sorted(jobs) == ["data_extract_job", "data_load_job", "es_load_job", "orchestrator"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_task_list_is_sorted(name: str, synthesized: dict[str, dict[str, Any]]) -> None:
    for job in synthesized[name]["resource"]["databricks_job"].values():
        keys = [t["task_key"] for t in job["task"]]
        assert keys == sorted(keys)
        for task in job["task"]:
            deps = [d["task_key"] for d in task.get("depends_on", [])]
            assert deps == sorted(deps)


def test_retries_and_timeouts_reach_the_tasks(synthesized: dict[str, dict[str, Any]]) -> None:
    load = synthesized["seed_etl"]["resource"]["databricks_job"]["data_load_job"]
    (task,) = [t for t in load["task"] if not t["task_key"].startswith("brickline_")]
    assert (task["max_retries"], task["min_retry_interval_millis"], task["retry_on_timeout"],
            task["timeout_seconds"]) == (3, 60000, True, 3600)
    # the job's only job cluster is where its tasks run, the status tasks too
    assert {t["job_cluster_key"] for t in load["task"]} == {"load_cluster"}
    assert load["job_cluster"][0]["new_cluster"] == {
        "node_type_id": "i3.xlarge", "num_workers": 4, "spark_version": "11.3.x-scala2.12",
        # a Unity Catalog access mode: the status tasks write catalog.schema.table
        "data_security_mode": "SINGLE_USER"}


def test_metadata_table_is_protected(synthesized: dict[str, dict[str, Any]]) -> None:
    table = synthesized["seed_etl"]["resource"]["databricks_sql_table"]["job_metadata"]
    assert table["lifecycle"] == {"prevent_destroy": True}
    assert table["table_type"] == "MANAGED" and table["data_source_format"] == "DELTA"
    assert table["warehouse_id"] == "${var.warehouse_id}"
    assert [c["name"] for c in table["column"]][:6] == [
        "job_id", "job_name", "status", "start_time", "end_time", "error_message"]


def test_outputs_give_each_jobs_id_and_url(synthesized: dict[str, dict[str, Any]]) -> None:
    outputs = synthesized["parallel_abcd"]["output"]
    assert outputs["job_3_task_c_job_id"]["value"] == "${databricks_job.job_3_task_c.id}"
    assert outputs["orchestrator_job_url"]["value"] == "${databricks_job.orchestrator.url}"


def test_no_credentials_and_no_absolute_paths(synthesized: dict[str, dict[str, Any]]) -> None:
    for name, doc in synthesized.items():
        text = json.dumps(doc)
        assert doc["provider"]["databricks"] == [{}]
        assert doc["terraform"]["backend"]["local"]["path"] == f"../../../terraform.{name}.tfstate"
        assert "/work/" not in text and "/home/" not in text and "/tmp/" not in text


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_job_starts_and_ends_with_a_status_task(
        name: str, synthesized: dict[str, dict[str, Any]]) -> None:
    resources = synthesized[name]["resource"]
    path = "${databricks_notebook.brickline_status.path}"
    for address, job in resources["databricks_job"].items():
        if address == "orchestrator":
            continue
        tasks = {t["task_key"]: t for t in job["task"]}
        start, end = tasks.pop("brickline_start"), tasks.pop("brickline_end")
        assert start["notebook_task"]["notebook_path"] == path
        assert end["notebook_task"]["notebook_path"] == path
        assert start["notebook_task"]["base_parameters"]["brickline_phase"] == "start"
        ends = end["notebook_task"]["base_parameters"]
        assert ends["brickline_phase"] == "end"
        # every work task's outcome comes in as dynamic value references, nothing installed
        outcomes = sorted(v for k, v in ends.items() if k.startswith("brickline_task_"))
        assert outcomes == [outcome_reference(k) for k in sorted(tasks)]
        assert ends["brickline_work_tasks"] == str(len(tasks))
        assert "library" not in start and "library" not in end
        assert end["run_if"] == "ALL_DONE" and end["max_retries"] == 0
        # the end task waits for every work task; every root work task waits for the start
        assert {d["task_key"] for d in end["depends_on"]} == {*tasks, "brickline_start"}
        for task in tasks.values():
            assert task.get("depends_on"), f"{address}.{task['task_key']} is not after start"
        assert "depends_on" not in start


def test_serverless_status_tasks_need_no_environment(
        synthesized: dict[str, dict[str, Any]]) -> None:
    # a notebook task runs on serverless with no compute setting at all; environment_key is
    # required only for Python script, wheel and dbt tasks (docs: "Bundle configuration
    # examples", job that uses serverless compute; Jobs API: the environment is "jobs'
    # environment for non-notebook task")
    job = synthesized["parallel_abcd"]["resource"]["databricks_job"]["job_1_task_a"]
    assert "environment" not in job
    for task in job["task"]:
        assert not {"environment_key", "job_cluster_key", "new_cluster",
                    "existing_cluster_id"} & set(task), task["task_key"]


def test_status_program_and_view(synthesized: dict[str, dict[str, Any]]) -> None:
    resources = synthesized["seed_etl"]["resource"]
    # brickline's only workspace file: the SQL the orchestrator's first task runs
    (sql,) = resources["databricks_workspace_file"].values()
    assert sql["path"] == "/Shared/brickline/seed_etl/brickline_pipeline_start.sql"
    assert base64.b64decode(sql["content_base64"]).decode() == views.pipeline_start_sql(
        "main.pipeline_ops.job_metadata", ["Data_Extract_Job", "Data_Load_Job", "ES_Load_Job"],
        close_open=True)
    upload = resources["databricks_notebook"]["brickline_status"]
    program = (REPO / "constructs/brickline/runtime/status.py").read_bytes()
    assert base64.b64decode(upload["content_base64"]) == program
    assert (upload["path"], upload["language"]) == (
        "/Shared/brickline/seed_etl/brickline_status", "PYTHON")
    view = resources["databricks_sql_table"]["job_status"]
    assert view["table_type"] == "VIEW" and "lifecycle" not in view
    assert view["depends_on"] == ["databricks_sql_table.job_metadata"]
    assert "`main`.`pipeline_ops`.`job_metadata`" in view["view_definition"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_task_values_are_read_only_from_notebook_tasks(
        name: str, synthesized: dict[str, dict[str, Any]]) -> None:
    """docs "Use task values to pass information between tasks": only Python notebooks set
    task values, so every {{tasks.X.values.*}} must name a notebook task of the same job."""
    import re

    for job in synthesized[name]["resource"]["databricks_job"].values():
        tasks = {t["task_key"]: t for t in job["task"]}
        for ref in re.findall(r"\{\{tasks\.([\w-]+)\.values\.", json.dumps(job)):
            assert "notebook_task" in tasks[ref], (job["name"], ref)
        for task in job["task"]:
            assert "library" not in task or not task["task_key"].startswith("brickline_")
        assert not any(e.get("environment_key", "").startswith("brickline")
                       for e in job.get("environment", []))
