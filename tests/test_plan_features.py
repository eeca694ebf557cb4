"""Plan features the examples do not reach, checked on the plain-data plan (no jsii): the
synthesizing tests (test_targets, test_workspace, test_constructs) check the same through
cdktf, too slow to run per mutant in tools/mutation.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from brickline.plan import Ref, StackPlan, plans
from brickline.spec.load import load_pipelines
from conftest import plan_of, write

CLUSTER = "{spark_version: 15.4.x-scala2.12, node_type_id: i3.xlarge, num_workers: %d}"
PIPELINE = """pipeline:
  name: p
  backend:
    local: {path: state/p.tfstate}
  destinations:
    ops_hook:
      display_name: Ops hook
      slack: {url: "https://hooks.example.com/x"}
"""
JOBS = f"""jobs:
  - name: A
    notifications: {{on_failure: [a@x.com]}}
    tasks:
      - task_key: a_loop
        for_each_task:
          inputs: "[1, 2]"
          task:
            task_key: inner
            notebook_task: {{notebook_path: /y}}
            new_cluster: {CLUSTER % 3}
      - task_key: b
        notebook_task: {{notebook_path: /x}}
        new_cluster: {CLUSTER % 2}
        notifications: {{on_success: [ops_hook]}}
        warn_after: 10m
"""


def stack(tmp_path: Path) -> StackPlan:
    write(tmp_path, {"pipeline.yml": PIPELINE, "j.yml": JOBS})
    return plan_of(tmp_path)


def tasks(plan: StackPlan) -> dict[str, dict[str, Any]]:
    return {t["task_key"]: t for t in plan.jobs[0].settings["task"]}


def test_a_jobs_own_notifications_reach_its_settings(tmp_path: Path) -> None:
    assert stack(tmp_path).jobs[0].settings["email_notifications"] == {
        "on_failure": ["a@x.com"]}


def test_a_tasks_notifications_and_warn_after_stay_on_the_task(tmp_path: Path) -> None:
    b = tasks(stack(tmp_path))["b"]
    assert b["webhook_notifications"] == {
        "on_success": [{"id": Ref("dest_ops_hook",
                                  "id")}]}
    assert b["health"] == {"rules": [{"metric": "RUN_DURATION_SECONDS",
                                      "op": "GREATER_THAN", "value": 600}]}
    assert "notifications" not in b and "warn_after" not in b


def test_new_clusters_get_an_access_mode_also_inside_for_each(tmp_path: Path) -> None:
    found = tasks(stack(tmp_path))
    assert found["b"]["new_cluster"]["num_workers"] == 2
    assert "data_security_mode" in found["b"]["new_cluster"]
    inner = found["a_loop"]["for_each_task"]["task"]
    assert inner["new_cluster"]["num_workers"] == 3
    assert "data_security_mode" in inner["new_cluster"]


def test_status_tasks_copy_no_task_cluster_unless_status_compute_says(
        tmp_path: Path) -> None:
    """By default the status tasks share the job's compute or run serverless, never a copy
    of a task's cluster (a start of its own each, issue 21); with status_compute:
    new_cluster they copy the first task's by task_key, a for_each task's inner one."""
    found = tasks(stack(tmp_path))
    for key in ("brickline_start", "brickline_end"):
        assert not {"new_cluster", "job_cluster_key", "existing_cluster_id"} & set(found[key])
    write(tmp_path, {"pipeline.yml": PIPELINE + "  metadata: {status_compute: new_cluster}\n"})
    found = tasks(plan_of(tmp_path))
    inner = found["a_loop"]["for_each_task"]["task"]
    assert found["brickline_start"]["new_cluster"] == inner["new_cluster"]
    assert found["brickline_end"]["new_cluster"] == inner["new_cluster"]


def test_a_local_backend_path_is_seen_from_the_stack_folder(tmp_path: Path) -> None:
    assert stack(tmp_path).backend == ("local", {"path": "../../../state/p.tfstate"})


def test_a_destinations_display_name_is_not_part_of_its_config(tmp_path: Path) -> None:
    (dest,) = stack(tmp_path).destinations
    assert dest.settings == {"display_name": "Ops hook",
                             "config": {"slack": {"url": "https://hooks.example.com/x"}}}


UPLOADING = """jobs:
  - name: archive
    environments: [{environment_key: e, spec: {environment_version: "2",
                                               dependencies: [./dist/tool.whl]}}]
    tasks:
      - task_key: one
        environment_key: e
        spark_python_task: {python_file: jobs/run.py}
      - task_key: two
        existing_cluster_id: c
        spark_python_task: {python_file: jobs/run.py}
        libraries: [{whl: dist/tool.whl}]
"""


def test_relative_files_become_uploads_under_the_stacks_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the project root: uploads are placed relative to it
    project = tmp_path / "pipelines" / "p"
    write(project, {"jobs.yml": UPLOADING,
                    "pipeline.yml": "pipeline:\n  metadata: {warehouse_id: w}\n"})
    write(project / "jobs", {"run.py": "print('run')\n"})
    write(project / "dist", {"tool.whl": "wheel bytes"})
    plan = plan_of(tmp_path / "pipelines" / "p")
    folder = "/Shared/brickline/p/files/pipelines/p"
    uploads = {r.address: (r.type, r.settings["path"]) for r in plan.resources
               if r.type == "databricks_workspace_file"}
    # the file two tasks name is uploaded once, under one address; brickline's own file is
    # the SQL of the orchestrator's first task
    assert uploads == {
        "brickline_pipeline_start": ("databricks_workspace_file",
                                     "/Shared/brickline/p/brickline_pipeline_start.sql"),
        "file_pipelines_p_dist_tool_whl": ("databricks_workspace_file",
                                           f"{folder}/dist/tool.whl"),
        "file_pipelines_p_jobs_run_py": ("databricks_workspace_file",
                                         f"{folder}/jobs/run.py")}
    settings = plan.jobs[0].settings
    run = Ref("file_pipelines_p_jobs_run_py", "workspace_path")
    wheel = Ref("file_pipelines_p_dist_tool_whl", "workspace_path")
    assert [t["spark_python_task"]["python_file"] for t in settings["task"]
            if t["task_key"] in ("one", "two")] == [run, run]
    assert [t.get("library") for t in settings["task"] if t["task_key"] == "two"] == [
        [{"whl": wheel}]]
    assert settings["environment"][0]["spec"]["dependencies"] == [wheel]


def test_a_created_schema_names_its_catalog(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": PIPELINE + "  metadata: {catalog: main, schema: ops, "
                                                "create_schema: true}\n",
                     "j.yml": JOBS})
    (schema,) = [r for r in plan_of(tmp_path).resources if r.type == "databricks_schema"]
    assert schema.settings == {
        "catalog_name": "main", "name": "ops",
        "comment": "Created by brickline for the status log of pipeline p."}


def test_a_renamed_job_moves_from_its_old_address(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": PIPELINE, "j.yml": JOBS.replace("  - name: A\n",
                                           "  - name: A\n    renamed_from: Old Name\n")})
    job = plan_of(tmp_path).jobs[0]
    assert (job.address, job.moved_from) == ("a", "old_name")


def test_a_targets_autoscale_replaces_a_clusters_worker_count(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": PIPELINE + "  targets:\n    prod:\n"
                                                "      clusters: {autoscale: {min_workers: 1, "
                                     "max_workers: 3}}\n",
                     "j.yml": JOBS})
    (pipeline,) = load_pipelines([str(tmp_path)])
    (prod,) = plans(pipeline)
    cluster = tasks(prod)["b"]["new_cluster"]
    assert cluster["autoscale"] == {"min_workers": 1, "max_workers": 3}
    assert "num_workers" not in cluster
