"""A Databricks Asset Bundle root is a pipeline: the bundles in tests/data/bundles, written
after the Databricks CLI's own templates (default-python, default-sql, dbt-sql,
lakeflow-pipelines, default-scala), validate and synthesize unchanged, and each target
deploys what the CLI would deploy (spec/bundle.py cites the CLI's source for each rule).

One synth of every example for the whole module (the `stacks` fixture)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brickline.spec.diagnostics import Diagnostic, render
from brickline.spec.load import collect
from conftest import REPO, write

BUNDLES = REPO / "tests" / "data" / "bundles"
EXAMPLES = ("python_project", "sql_project", "dbt_project", "pipelines_project",
            "scala_project")
SHORT_NAME = ('${trim(replace(lower(split("@", data.databricks_current_user.current_user.'
              'user_name)[0]), "/[^\\\\p{L}\\\\p{N}]+/", "_"), "_")}')
USER = "${data.databricks_current_user.current_user.user_name}"


def problems(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity != "note"]


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Every example's stacks, by stack name, as `brickline synth` writes them (run from
    the repository's root, as a team runs it from theirs)."""
    from brickline.app import synth

    out = tmp_path_factory.mktemp("bundles")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        written = synth([str(BUNDLES / name) for name in EXAMPLES], out)
    finally:
        os.chdir(cwd)
    yield {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in written}


@pytest.mark.parametrize("name", EXAMPLES)
def test_an_example_bundle_validates_unchanged(name: str) -> None:
    pipelines, diagnostics = collect([str(BUNDLES / name)])
    assert problems(diagnostics) == [], render(diagnostics)
    assert [p.name for p in pipelines] == [name]


def test_each_target_is_a_stack(stacks: dict[str, dict[str, Any]]) -> None:
    assert sorted(stacks) == [
        "dbt_project-dev", "dbt_project-prod", "pipelines_project-dev",
        "pipelines_project-prod", "python_project-dev", "python_project-prod",
        "scala_project-dev", "sql_project-dev", "sql_project-prod"]


def job(stack: dict[str, Any], key: str) -> dict[str, Any]:
    return dict(stack["resource"]["databricks_job"][key])


def test_development_mode_does_what_the_cli_does(stacks: dict[str, dict[str, Any]]) -> None:
    """apply_target_mode.go: "[dev <short name>] " before every name, the tag dev, 4
    concurrent runs, triggers paused where the job does not say; pipelines in development."""
    dev = stacks["python_project-dev"]
    main = job(dev, "python_project_job")
    assert main["name"] == f"[dev {SHORT_NAME}] python_project_job"
    assert main["tags"]["dev"] == SHORT_NAME
    assert main["max_concurrent_runs"] == 4
    assert main["trigger"]["pause_status"] == "PAUSED"
    assert "databricks_current_user" in dev["data"]
    pipeline = dev["resource"]["databricks_pipeline"]["pipeline_python_project_etl"]
    assert pipeline["development"] is True
    assert pipeline["name"] == f"[dev {SHORT_NAME}] python_project_etl"
    prod = job(stacks["python_project-prod"], "python_project_job")
    assert prod["name"] == "python_project_job" and "pause_status" not in prod["trigger"]
    assert "tags" not in prod or "dev" not in prod["tags"]


def test_variables_take_each_target_s_value(stacks: dict[str, dict[str, Any]]) -> None:
    dev = job(stacks["python_project-dev"], "python_project_job")
    prod = job(stacks["python_project-prod"], "python_project_job")
    assert {p["name"]: p["default"] for p in dev["parameter"]}.items() >= {
        "catalog": "dev_catalog", "schema": SHORT_NAME}.items()
    assert {p["name"]: p["default"] for p in prod["parameter"]}.items() >= {
        "catalog": "prod_catalog", "schema": "prod"}.items()
    wheel = next(t for t in prod["task"] if t["task_key"] == "python_wheel_task")
    assert wheel["python_wheel_task"]["parameters"] == ["--catalog", "prod_catalog",
                                                        "--schema", "prod"]
    # a complex variable keeps its mapping (a pure reference keeps the value's type)
    sql = job(stacks["sql_project-dev"], "sql_project_sql_job")
    assert sql["email_notifications"]["on_failure"] == ["data-team@example.com"]
    assert {p["name"]: p["default"] for p in sql["parameter"]}["bundle_target"] == "dev"


def test_a_lookup_variable_is_a_data_source(stacks: dict[str, dict[str, Any]]) -> None:
    dev = stacks["sql_project-dev"]
    assert dev["data"]["databricks_sql_warehouse"]["lookup_warehouse_id"]["name"] == \
        "Shared Warehouse"
    task = next(t for t in job(dev, "sql_project_sql_job")["task"]
                if t["task_key"] == "orders_raw")
    assert task["sql_task"]["warehouse_id"] == \
        "${data.databricks_sql_warehouse.lookup_warehouse_id.id}"
    # prod gives the warehouse's id as a value: no lookup there
    prod = stacks["sql_project-prod"]
    assert "databricks_sql_warehouse" not in prod.get("data", {})
    task = next(t for t in job(prod, "sql_project_sql_job")["task"]
                if t["task_key"] == "orders_raw")
    assert task["sql_task"]["warehouse_id"] == "0123456789abcdef"


def test_resource_references_are_terraform_addresses(
        stacks: dict[str, dict[str, Any]]) -> None:
    prod = stacks["python_project-prod"]
    task = next(t for t in job(prod, "python_project_job")["task"]
                if t["task_key"] == "refresh_pipeline")
    assert task["pipeline_task"]["pipeline_id"] == \
        "${databricks_pipeline.pipeline_python_project_etl.id}"
    storage = stacks["pipelines_project-prod"]
    pipeline = storage["resource"]["databricks_pipeline"]["pipeline_pipelines_project_etl"]
    assert pipeline["schema"] == "${databricks_schema.schema_bronze.name}"
    # a volume's path is known before deploy (InitializeVolumePaths)
    assert pipeline["configuration"]["landing"] == \
        "/Volumes/main/${databricks_schema.schema_bronze.name}/landing"


def test_schemas_volumes_and_their_grants(stacks: dict[str, dict[str, Any]]) -> None:
    dev = stacks["pipelines_project-dev"]["resource"]
    schema = dev["databricks_schema"]["schema_bronze"]
    # a schema takes the name prefix normalized (apply_presets.go normalizePrefix)
    assert schema["name"] == f"dev_{SHORT_NAME}_bronze"
    assert "force_destroy" not in schema  # brickline never drops a schema's tables
    grants = dev["databricks_grants"]["schema_bronze_grants"]
    assert grants["schema"] == "${databricks_schema.schema_bronze.id}"
    assert grants["grant"] == [
        {"principal": "analysts", "privileges": ["SELECT", "USE_SCHEMA"]},
        {"principal": "data-engineers", "privileges": ["CREATE_TABLE", "USE_SCHEMA"]}]
    volume = dev["databricks_volume"]["volume_landing"]
    assert volume["name"] == "landing"  # volumes keep their name in development mode
    assert dev["databricks_grants"]["volume_landing_grants"]["volume"] == \
        "${databricks_volume.volume_landing.id}"
    permissions = dev["databricks_permissions"]["pipeline_pipelines_project_etl_permissions"]
    assert permissions["pipeline_id"] == \
        "${databricks_pipeline.pipeline_pipelines_project_etl.id}"


def test_a_target_s_resource_override_is_merged(stacks: dict[str, dict[str, Any]]) -> None:
    prod = stacks["pipelines_project-prod"]["resource"]["databricks_pipeline"]
    assert prod["pipeline_pipelines_project_etl"]["continuous"] is True
    assert prod["pipeline_pipelines_project_etl"]["tags"] == {"cost-center": "42"}
    dev = stacks["pipelines_project-dev"]["resource"]["databricks_pipeline"]
    # development pauses what is continuous (trigger_pause_status PAUSED, apply_presets.go)
    assert dev["pipeline_pipelines_project_etl"]["continuous"] is False


def test_files_are_synced_where_the_cli_puts_them(stacks: dict[str, dict[str, Any]]) -> None:
    dev = stacks["python_project-dev"]["resource"]
    files = f"/Workspace/Users/{USER}/.bundle/python_project/dev/files"
    notebook = dev["databricks_notebook"]["notebook_src_notebook_ipynb"]
    assert notebook["path"] == f"{files}/src/notebook"
    synced = {r["path"] for r in dev["databricks_workspace_file"].values()}
    assert f"{files}/src/python_project_etl/transformations/sample_trips.py" in synced
    assert f"{files}/pyproject.toml" in synced
    # what .gitignore names is not synced
    assert not any(p.startswith(f"{files}/dist/") or "/files/.databricks" in p for p in synced)
    pipeline = dev["databricks_pipeline"]["pipeline_python_project_etl"]
    assert pipeline["library"] == [
        {"glob": {"include": f"{files}/src/python_project_etl/transformations/**"}}]
    assert pipeline["environment"]["dependencies"] == [f"--editable {files}"]
    prod = stacks["python_project-prod"]["resource"]["databricks_workspace_file"]
    assert any(r["path"] == "/Workspace/Users/deployer@example.com/.bundle/python_project/"
               "prod/files/pyproject.toml" for r in prod.values())


def test_a_wheel_an_artifact_builds_is_read_at_plan(stacks: dict[str, dict[str, Any]]) -> None:
    """Synth stays offline: the built file is found by Terraform (fileset) when it plans,
    and goes where the CLI puts it, <artifact_path>/.internal/<file>."""
    dev = stacks["python_project-dev"]["resource"]["databricks_workspace_file"]
    wheel = dev["file_dist_whl"]
    assert wheel["path"].startswith(
        f"/Workspace/Users/{USER}/.bundle/python_project/dev/artifacts/.internal/${{element(")
    assert 'fileset("../../../tests/data/bundles/python_project/dist", "*.whl")' in \
        wheel["source"]
    jar = stacks["scala_project-dev"]["resource"]["databricks_workspace_file"]
    built = next(r for r in jar.values() if r["path"].endswith(".jar"))
    assert built["path"] == \
        "/Volumes/main/default/artifacts/.internal/scala_project_2.12-0.1.jar"


def test_run_as_and_permissions(stacks: dict[str, dict[str, Any]]) -> None:
    prod = job(stacks["python_project-prod"], "python_project_job")
    assert prod["run_as"] == {"service_principal_name": "6b2c7a4e-1111-4222-8333-444455556666"}
    sql = stacks["sql_project-prod"]["resource"]["databricks_permissions"]
    levels = {(a.get("group_name") or a.get("user_name"), a["permission_level"])
              for p in sql.values() for a in p.get("access_control", [])}
    # top-level CAN_RUN is a job's CAN_MANAGE_RUN (apply_bundle_permissions.go levelsMap)
    assert ("data-engineers", "CAN_MANAGE_RUN") in levels and ("users", "CAN_VIEW") in levels


# --- reading a bundle as the CLI reads it ------------------------------------------------

JOB = "      tasks:\n        - task_key: t\n          notebook_task: {notebook_path: /x}\n"


def load(tmp_path: Path, files: dict[str, str]) -> tuple[list[Any], list[Diagnostic]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return collect([str(tmp_path)])


def test_includes_in_the_cli_s_order(tmp_path: Path) -> None:
    _, found = load(tmp_path, {
        "databricks.yml": "bundle: {name: b}\ninclude:\n  - resources/*.yml\n  - extra.yml\n"
                          "  - missing.yml\n",
        "resources/b.yml": "resources:\n  jobs:\n    b:\n" + JOB,
        "resources/a.yml": "resources:\n  jobs:\n    a:\n" + JOB,
        "resources/notes.txt": "",
        "extra.yml": "include: [x.yml]\nresources:\n  jobs:\n    a:\n" + JOB,
    })
    messages = sorted((d.location.file.rsplit("/", 1)[-1], d.severity, d.message)
                      for d in problems(found))
    assert messages[0][:2] == ("databricks.yml", "error")
    assert "missing.yml defined in 'include' section does not match any files" in \
        messages[0][2]
    assert messages[1][:2] == ("extra.yml", "error")
    assert "the same key: a (first at" in messages[1][2] and "resources/a.yml" in messages[1][2]
    assert messages[2][:2] == ("extra.yml", "warning")  # an include outside the root


def test_two_root_files_are_an_error(tmp_path: Path) -> None:
    _, found = load(tmp_path, {"databricks.yml": "bundle: {name: b}\n",
                               "bundle.yml": "bundle: {name: b}\n"})
    assert [d.message.split(":")[0] for d in found] == [
        f"multiple bundle root configuration files found in {tmp_path}"]


def test_unknown_keys_warn_and_anchors_are_silent(tmp_path: Path) -> None:
    (pipeline,), found = load(tmp_path, {"databricks.yml": (
        "bundle: {name: b}\nyaml-language-server: $schema=x\n"
        "new_cluster: &cluster {spark_version: 15.4.x-scala2.12, node_type_id: i3.xlarge,"
        " num_workers: 1}\ncommon_permissions: &perms\n  - {level: CAN_VIEW, group_name: users}\n"
        "resources:\n  jobs:\n    j:\n      permissions: *perms\n"
        "      job_clusters: [{job_cluster_key: c, new_cluster: *cluster}]\n"
        "      max_retires: 3\n" + JOB)})
    assert [(d.key_path, d.severity) for d in problems(found)] == [
        ("", "warning"), ("resources.jobs.j.max_retires", "warning")]
    assert "unknown field: yaml-language-server" in problems(found)[0].message
    assert pipeline.jobs[0].job_clusters[0].new_cluster.num_workers == 1


def test_values_are_normalized_as_the_cli_normalizes(tmp_path: Path) -> None:
    (pipeline,), found = load(tmp_path, {"databricks.yml": (
        "bundle: {name: b}\nvariables:\n  n: {default: 7}\n  paused: {default: PAUSED}\n"
        "resources:\n  jobs:\n    j:\n      max_concurrent_runs: \"3\"\n"
        "      schedule: {quartz_cron_expression: '0 0 1 * * ?', timezone_id: UTC,"
        " pause_status: '${var.paused}'}\n"
        "      queue: {enabled: yes}\n"
        "      tasks:\n        - task_key: t\n          notebook_task:\n"
        "            notebook_path: /x\n            base_parameters: {threshold: 100,"
        " ratio: 1.0, dry: true}\n"
        "        - task_key: each\n          for_each_task:\n"
        "            inputs: '[1, 2]'\n            concurrency: ${var.n}\n"
        "            task: {task_key: one, notebook_task: {notebook_path: /y}}\n")})
    assert problems(found) == [], render(found)
    (job,) = pipeline.jobs
    assert job.max_concurrent_runs == 3 and job.queue.enabled is True
    assert job.schedule.pause_status == "PAUSED"
    # tasks come sorted by task_key, as merge_job_tasks.go sorts them
    each, t = job.tasks
    assert t.notebook_task.base_parameters == {"threshold": "100", "ratio": "1", "dry": "true"}
    assert each.for_each_task.concurrency == 7


def test_a_reference_that_names_nothing_is_located_with_the_fix(tmp_path: Path) -> None:
    _, found = load(tmp_path, {"databricks.yml": (
        "bundle: {name: b}\nvariables:\n  catalog: {default: main}\n"
        "targets:\n  dev: {default: true}\n  prod:\n    variables: {catalgo: x}\n"
        "resources:\n  jobs:\n    j:\n      description: ${var.catalg} ${bundle.taget}\n"
        + JOB)})
    messages = sorted(f"{d.location.line}: {d.message}" for d in problems(found))
    assert messages == [
        "11: ${bundle.taget}: reference does not exist (did you mean ${bundle.target}?)",
        "11: ${var.catalg}: reference does not exist (did you mean ${var.catalog}?)",
        "7: in target prod: variable catalgo is not defined but is assigned a value in "
        "target prod (did you mean 'catalog'?): define it under the top-level variables"]


def test_other_resource_types_are_one_message_each(tmp_path: Path) -> None:
    _, found = load(tmp_path, {"databricks.yml": (
        "bundle: {name: b}\nresources:\n  apps:\n    a1: {name: a1}\n    a2: {name: a2}\n"
        "  jobs:\n    j:\n      description: ${resources.apps.a1.name}\n" + JOB)})
    (error,) = problems(found)
    assert (error.key_path, error.location.line) == ("resources.apps", 3)
    assert "resources.apps (a1, a2) is not one of them" in error.message
    assert "databricks bundle deploy" in error.message


def test_a_raw_number_in_a_string_map_of_a_pipeline_folder_still_loads(tmp_path: Path) -> None:
    (pipeline,), found = collect([str(write(tmp_path / "p", {"j.yml": (
        "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n        notebook_task:\n"
        "          notebook_path: /x\n          base_parameters: {threshold: 100}\n")}))])
    assert problems(found) == []
    assert pipeline.jobs[0].tasks[0].notebook_task.base_parameters == {"threshold": "100"}


def test_development_mode_refuses_unpaused_triggers(tmp_path: Path) -> None:
    _, found = load(tmp_path, {"databricks.yml": (
        "bundle: {name: b}\ntargets:\n  dev:\n    mode: development\n"
        "    presets: {trigger_pause_status: UNPAUSED}\n"
        "resources:\n  jobs:\n    j:\n" + JOB)})
    (error,) = problems(found)
    assert error.location.line == 5 and "cannot set trigger_pause_status to UNPAUSED" in \
        error.message


def test_a_job_another_job_runs_is_not_run_by_the_orchestrator(tmp_path: Path) -> None:
    (pipeline,), found = load(tmp_path, {"databricks.yml": (
        "bundle: {name: b}\nresources:\n  jobs:\n    controller:\n      tasks:\n"
        "        - task_key: copy\n          run_job_task:\n"
        "            job_id: ${resources.jobs.copy.id}\n"
        "    copy:\n" + JOB)})
    decided = {j.name: j.orchestrate for j in pipeline.jobs}
    assert decided == {"controller": True, "copy": False}
    (note,) = [d for d in found if d.severity == "note"]
    assert "run by another job's run_job_task: copy (by controller)" in note.message
