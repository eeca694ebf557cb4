"""Synthesized Terraform JSON: snapshots of every example, and what must hold in it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

EXAMPLES = ["parallel_abcd", "seed_etl"]


def synth(stack_plan: StackPlan) -> dict[str, Any]:
    stack = PipelineStack(tf.Testing.app(), plan=stack_plan)
    return json.loads(tf.Testing.synth(stack))


@pytest.fixture(scope="module")
def synthesized(examples: dict[str, StackPlan]) -> dict[str, dict[str, Any]]:
    return {name: synth(examples[name]) for name in EXAMPLES}


@pytest.mark.parametrize("name", EXAMPLES)
def test_snapshot(name: str, synthesized: dict[str, dict[str, Any]],
                  snapshot: SnapshotAssertion) -> None:
    assert synthesized[name] == snapshot.use_extension(JSONSnapshotExtension)


def test_run_job_tasks_reference_the_right_jobs(synthesized: dict[str, dict[str, Any]]) -> None:
    jobs = synthesized["seed_etl"]["resource"]["databricks_job"]
    orchestrator = jobs["orchestrator"]
    for task in orchestrator["task"]:
        assert task["run_job_task"]["job_id"] == f"${{databricks_job.{task['task_key']}.id}}"
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
    (task,) = load["task"]
    assert (task["max_retries"], task["min_retry_interval_millis"], task["retry_on_timeout"],
            task["timeout_seconds"]) == (3, 60000, True, 3600)
    assert load["job_cluster"][0]["new_cluster"] == {
        "node_type_id": "i3.xlarge", "num_workers": 4, "spark_version": "11.3.x-scala2.12"}


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
