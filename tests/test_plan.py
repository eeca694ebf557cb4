"""What gets provisioned, in plain Python: order, edges, defaults, the log table."""

from __future__ import annotations

from pathlib import Path

from brickline.plan import METADATA_COLUMNS, JobRef, Ref, StackPlan
from conftest import plan_of, write

TASK = "      - task_key: {key}\n        notebook_task: {{notebook_path: /x}}\n"


def orchestrator_edges(stack: StackPlan) -> dict[str, list[str]]:
    return {t["task_key"]: [d["task_key"] for d in t.get("depends_on", [])]
            for t in stack.orchestrator.settings["task"]}


def test_seed_orchestrator_runs_extract_then_load_then_es(examples: dict[str, StackPlan]) -> None:
    # every job waits for the pipeline run's start row (the orchestrator's first task)
    assert orchestrator_edges(examples["seed_etl"]) == {
        "brickline_start": [],
        "data_extract_job": ["brickline_start"],
        "data_load_job": ["data_extract_job"],
        "es_load_job": ["data_load_job"],
    }


def test_abcd_runs_c_in_parallel_and_d_after_b(examples: dict[str, StackPlan]) -> None:
    assert orchestrator_edges(examples["parallel_abcd"]) == {
        "brickline_start": [],
        "job_1_task_a": ["brickline_start"],
        "job_2_task_b": ["job_1_task_a"],
        "job_3_task_c": ["brickline_start"],
        "job_4_task_d": ["job_2_task_b"],
    }


def test_run_job_tasks_point_at_their_jobs(examples: dict[str, StackPlan]) -> None:
    """A Run Job task with no job_parameters, and no parameter on the orchestrator: a job
    parameter would be pushed down to every job it runs, and to their tasks (issue 21)."""
    settings = examples["seed_etl"].orchestrator.settings
    start, *runs = settings["task"]
    for task in runs:
        assert task["run_job_task"] == {"job_id": JobRef(task["task_key"])}
    assert settings["max_concurrent_runs"] == 1
    assert "parameter" not in settings
    # the run_key is a parameter of the orchestrator's own first task only: a SQL file task
    # on the status log's warehouse (no cluster), which writes the pipeline run's start row
    assert start["task_key"] == "brickline_start"
    assert start["sql_task"] == {
        "warehouse_id": "${var.warehouse_id}",
        "file": {"path": Ref("brickline_pipeline_start", "workspace_path"),
                 "source": "WORKSPACE"},
        "parameters": {"pipeline": "seed_etl", "run_key": "{{job.start_time.iso_date}}",
                       "job_id": "{{job.id}}", "run_id": "{{job.run_id}}",
                       "start_ms": "{{job.start_time.timestamp_ms}}",
                       "attempt": "{{job.repair_count}}"}}
    assert not {"job_cluster_key", "existing_cluster_id", "new_cluster",
                "environment_key"} & set(start)


def test_a_job_triggered_by_several_waits_for_all(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "jobs:\n"
        "  - name: Z\n    tasks:\n" + TASK.format(key="t") +
        "  - name: A\n    on_success: {trigger_job: {job_name: Z}}\n    tasks:\n"
        + TASK.format(key="t") +
        "  - name: B\n    on_success: {trigger_job: [{job_name: Z}]}\n    tasks:\n"
        + TASK.format(key="t") +
        "  - name: C\n    depends_on: [A]\n    on_success: {trigger_job: {job_name: Z}}\n"
        "    tasks:\n" + TASK.format(key="t")})
    assert orchestrator_edges(plan_of(tmp_path)) == {
        "a": ["brickline_start"], "b": ["brickline_start"], "brickline_start": [],
        "c": ["a"], "z": ["a", "b", "c"]}


def test_tasks_and_dependencies_are_sorted(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "jobs:\n  - name: A\n    tasks:\n"
        + TASK.format(key="zeta") + "        depends_on: [{task_key: beta}, {task_key: alpha}]\n"
        + TASK.format(key="beta") + TASK.format(key="alpha")})
    tasks = plan_of(tmp_path).jobs[0].settings["task"]
    assert [t["task_key"] for t in tasks] == ["alpha", "beta", "brickline_end",
                                              "brickline_start", "zeta"]
    assert tasks[4]["depends_on"] == [{"task_key": "alpha"}, {"task_key": "beta"}]
    assert [d["task_key"] for d in tasks[2]["depends_on"]] == [
        "alpha", "beta", "brickline_start", "zeta"]


def test_defaults_fill_only_what_a_task_leaves_open(tmp_path: Path) -> None:
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  defaults:\n    max_retries: 3\n    timeout_seconds: 600\n"
                        "    retry_on_timeout: true\n    new_cluster: {node_type_id: i3.xlarge, "
                        "num_workers: 2}\n",
        "j.yml": "jobs:\n  - name: A\n    job_clusters:\n"
                 "      - job_cluster_key: pool\n        new_cluster: {instance_pool_id: p1,"
                 " autoscale: {min_workers: 1, max_workers: 4}}\n"
                 "      - job_cluster_key: plain\n        new_cluster: {spark_version: '15.4'}\n"
                 "    tasks:\n" + TASK.format(key="a") + "        max_retries: 0\n"
                 "      - task_key: check\n        condition_task: {op: EQUAL_TO, left: '1', "
                 "right: '1'}\n"})
    job = plan_of(tmp_path).jobs[0].settings
    a, check = (t for t in job["task"] if not t["task_key"].startswith("brickline_"))
    assert (a["task_key"], a["max_retries"], a["timeout_seconds"], a["retry_on_timeout"]) == (
        "a", 0, 600, True)
    assert "max_retries" not in check and "timeout_seconds" not in check
    pool, plain = job["job_cluster"][0]["new_cluster"], job["job_cluster"][1]["new_cluster"]
    assert pool == {"instance_pool_id": "p1", "autoscale": {"min_workers": 1, "max_workers": 4},
                    "data_security_mode": "SINGLE_USER"}
    assert plain == {"spark_version": "15.4", "node_type_id": "i3.xlarge", "num_workers": 2,
                     "data_security_mode": "SINGLE_USER"}


def test_a_job_has_the_users_parameters_and_none_of_brickline_s(tmp_path: Path) -> None:
    """Job parameters are pushed down to the user's tasks (docs "Configure task
    parameters"): brickline declares none; a user's own `run_key` is the user's."""
    write(tmp_path, {"p.yml": "jobs:\n  - name: A\n    parameters: [{name: run_key, default: "
                              "x}, {name: day, default: '1'}]\n    tasks:\n"
                              + TASK.format(key="t") + "  - name: B\n    tasks:\n"
                              + TASK.format(key="t")})
    a, b = plan_of(tmp_path).jobs
    assert a.settings["parameter"] == [{"name": "run_key", "default": "x"},
                                       {"name": "day", "default": "1"}]
    assert "parameter" not in b.settings
    for job in (a, b):
        for task in job.settings["task"]:
            values = task.get("notebook_task", {}).get("base_parameters", {}).values()
            assert not any("job.parameters" in v for v in values)


def test_metadata_table_has_the_documents_columns_first(examples: dict[str, StackPlan]) -> None:
    table = examples["seed_etl"].table.settings
    names = [c["name"] for c in table["column"]]
    assert names[:6] == ["job_id", "job_name", "status", "start_time", "end_time",
                         "error_message"]
    assert {"pipeline", "run_key", "run_id", "attempt"} <= set(names)
    for column in table["column"]:
        assert column["type"] == column["type"].lower() and " " not in column["type"]
    assert (table["table_type"], table["data_source_format"]) == ("MANAGED", "DELTA")
    assert (table["catalog_name"], table["schema_name"], table["name"]) == (
        "main", "pipeline_ops", "job_metadata")
    assert len(METADATA_COLUMNS) == len(table["column"])


def test_pipeline_tags_reach_every_job_and_job_tags_win(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": "pipeline:\n  tags: {team: data, cost: a}\n",
                     "j.yml": "jobs:\n  - name: A\n    tags: {cost: b}\n    tasks:\n"
                              + TASK.format(key="t")})
    stack = plan_of(tmp_path)
    assert stack.jobs[0].settings["tags"] == {"cost": "b", "team": "data"}
    assert stack.orchestrator.settings["tags"] == {"cost": "a", "team": "data"}


def test_warehouse_variable_is_declared_by_default(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "jobs:\n  - name: A\n    tasks:\n" + TASK.format(key="t")})
    stack = plan_of(tmp_path)
    assert [v.name for v in stack.variables] == ["warehouse_id"]
    assert stack.table.settings["warehouse_id"] == "${var.warehouse_id}"


def _by_key(stack: StackPlan) -> dict[str, dict[str, object]]:
    return {t["task_key"]: t for t in stack.jobs[0].settings["task"]}


def test_skip_succeeded_puts_a_gate_between_start_and_the_work(tmp_path: Path) -> None:
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  recovery: {skip_succeeded: true}\n",
        "j.yml": "jobs:\n  - name: A\n    tasks:\n" + TASK.format(key="first")
                 + TASK.format(key="second") + "        depends_on: [{task_key: first}]\n"})
    tasks = _by_key(plan_of(tmp_path))
    assert tasks["brickline_gate"]["condition_task"] == {
        "op": "EQUAL_TO", "left": "{{tasks.brickline_start.values.skip}}", "right": "false"}
    assert tasks["brickline_gate"]["depends_on"] == [{"task_key": "brickline_start"}]
    # only the roots wait for the gate; the rest keep their own dependencies
    assert tasks["first"]["depends_on"] == [{"task_key": "brickline_gate", "outcome": "true"}]
    assert tasks["second"]["depends_on"] == [{"task_key": "first"}]
    start = tasks["brickline_start"]["notebook_task"]["base_parameters"]  # type: ignore[index]
    end = tasks["brickline_end"]["notebook_task"]["base_parameters"]  # type: ignore[index]
    assert start["brickline_skip_succeeded"] == end["brickline_skip_succeeded"] == "true"
    # the end task reads no task value: a skip is every work task excluded by the gate
    assert not any(".values." in v for v in end.values())


def test_rollback_tables_reach_both_status_tasks(tmp_path: Path) -> None:
    write(tmp_path, {"j.yml": "jobs:\n  - name: A\n    rollback: {tables: [main.s.t1, main.s.t2]}"
                              "\n    tasks:\n" + TASK.format(key="a")})
    tasks = _by_key(plan_of(tmp_path))
    start = tasks["brickline_start"]["notebook_task"]["base_parameters"]  # type: ignore[index]
    end = tasks["brickline_end"]["notebook_task"]["base_parameters"]  # type: ignore[index]
    assert start["brickline_rollback_tables"] == '["main.s.t1", "main.s.t2"]'
    assert end["brickline_rollback_tables"] == start["brickline_rollback_tables"]
    assert (start["brickline_phase"], end["brickline_phase"]) == ("start", "end")


def test_status_tasks_use_the_first_work_tasks_compute(tmp_path: Path) -> None:
    write(tmp_path, {"j.yml": "jobs:\n  - name: A\n    tasks:\n" + TASK.format(key="b")
                              + "        existing_cluster_id: c-1\n" + TASK.format(key="c")
                              + "        existing_cluster_id: c-2\n"})
    stack = plan_of(tmp_path)
    tasks = _by_key(stack)
    for key in ("brickline_start", "brickline_end"):
        assert tasks[key]["existing_cluster_id"] == "c-1"
        assert "library" not in tasks[key]  # nothing to install: no SDK, no PyPI
    assert "environment" not in stack.jobs[0].settings


def test_the_status_program_is_uploaded_per_pipeline(examples: dict[str, StackPlan]) -> None:
    import base64

    from brickline.plan import status_program

    (upload,) = [r for r in examples["parallel_abcd"].resources
                 if r.type == "databricks_notebook"]
    assert upload.settings["path"] == "/Shared/brickline/parallel_abcd/brickline_status"
    assert upload.settings["language"] == "PYTHON"
    source = base64.b64decode(upload.settings["content_base64"])
    assert source == status_program()
    assert source.startswith(b"# Databricks notebook source\n")  # a notebook, not a file
    assert examples["parallel_abcd"].view.settings["name"] == "abcd_job_status"


def test_an_unnamed_only_job_cluster_is_where_tasks_run(tmp_path: Path) -> None:
    cluster = ("    job_clusters:\n      - job_cluster_key: c\n        new_cluster: "
               "{spark_version: '15.4', node_type_id: x, num_workers: 1}\n")
    write(tmp_path / "a", {"j.yml": "jobs:\n  - name: A\n" + cluster + "    tasks:\n"
                                    + TASK.format(key="t")})
    (task,) = [t for t in plan_of(tmp_path / "a").jobs[0].settings["task"]
               if t["task_key"] == "t"]
    assert task["job_cluster_key"] == "c"  # the design document's jobs
    # a job that names compute somewhere keeps its other tasks serverless, as written
    write(tmp_path / "b", {"j.yml": "jobs:\n  - name: A\n" + cluster + "    tasks:\n"
                                    + TASK.format(key="t") + TASK.format(key="u")
                                    + "        job_cluster_key: c\n"})
    tasks = {t["task_key"]: t for t in plan_of(tmp_path / "b").jobs[0].settings["task"]}
    assert "job_cluster_key" not in tasks["t"] and tasks["u"]["job_cluster_key"] == "c"
