"""What a real workspace needs (issue 13, items 2-8): a Unity Catalog access mode where the
status tasks run, grants on the status log, the metadata schema read or created, remote
state before a deploy, jobs that run once, for_each retries, renames that keep the access
list. In plain Python over the plan, and synthesized where the JSON is the point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from brickline.cli import cli
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import Ref, ResourcePlan, StackPlan, plan, plans
from brickline.spec import rules_workspace
from brickline.spec.load import collect, load_pipelines
from click.testing import CliRunner
from conftest import plan_of, write

TASK = "      - task_key: {key}\n        notebook_task: {{notebook_path: /x}}\n"
SP = "9f0c5b8e-1d2a-4c3b-8e7f-0a1b2c3d4e5f"


def synth(stack: StackPlan) -> dict[str, Any]:
    return json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))


def work(stack: StackPlan, job: int = 0) -> list[dict[str, Any]]:
    return [t for t in stack.jobs[job].settings["task"]
            if not t["task_key"].startswith("brickline_")]


def diagnostics(tmp_path: Path, files: dict[str, str]) -> list[str]:
    _, found = collect([str(write(tmp_path / "p", files))])
    return [f"{d.severity}: {d.key_path}: {d.message}" for d in found]


def of_type(stack: StackPlan, kind: str) -> dict[str, ResourcePlan]:
    return {r.address: r for r in stack.resources if r.type == kind}


# --- item 2: Unity Catalog access mode --------------------------------------------------------

def test_every_new_cluster_gets_a_uc_access_mode_unless_the_yaml_says(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": (
        "jobs:\n  - name: A\n    job_clusters:\n"
        "      - job_cluster_key: plain\n        new_cluster: {node_type_id: i3}\n"
        "      - job_cluster_key: shared\n        new_cluster: {node_type_id: i3, "
        "data_security_mode: USER_ISOLATION}\n"
        "      - job_cluster_key: governed\n        new_cluster: {policy_id: p1}\n"
        "      - job_cluster_key: preview\n        new_cluster: {node_type_id: i3, "
        "kind: CLASSIC_PREVIEW}\n"
        "    tasks:\n" + TASK.format(key="a") + "        job_cluster_key: plain\n"
        + TASK.format(key="b") + "        new_cluster: {node_type_id: i3}\n"
        "      - task_key: loop\n        for_each_task:\n          inputs: '[1]'\n"
        "          task:\n            task_key: inner\n"
        "            notebook_task: {notebook_path: /x}\n"
        "            new_cluster: {node_type_id: i3}\n")})
    stack = plan_of(tmp_path)
    modes = {c["job_cluster_key"]: c["new_cluster"].get("data_security_mode")
             for c in stack.jobs[0].settings["job_cluster"]}
    # a policy decides for its clusters (a policy that fixes another mode would reject
    # ours); a cluster with `kind` takes the new names only
    assert modes == {"plain": "SINGLE_USER", "shared": "USER_ISOLATION", "governed": None,
                     "preview": "DATA_SECURITY_MODE_AUTO"}
    tasks = {t["task_key"]: t for t in work(stack)}
    assert tasks["b"]["new_cluster"]["data_security_mode"] == "SINGLE_USER"
    inner = tasks["loop"]["for_each_task"]["task"]
    assert inner["new_cluster"]["data_security_mode"] == "SINGLE_USER"


def test_the_pipeline_default_access_mode_wins_over_brickline_s(tmp_path: Path) -> None:
    write(tmp_path, {
        "pipeline.yml": "pipeline:\n  defaults:\n    new_cluster: {node_type_id: i3, "
                        "data_security_mode: DATA_SECURITY_MODE_DEDICATED}\n",
        "j.yml": "jobs:\n  - name: A\n    tasks:\n" + TASK.format(key="a")
                 + "        new_cluster: {spark_version: '15.4.x-scala2.12'}\n"})
    (task,) = work(plan_of(tmp_path))
    assert task["new_cluster"]["data_security_mode"] == "DATA_SECURITY_MODE_DEDICATED"


CLUSTER = ("    job_clusters:\n      - job_cluster_key: c\n        new_cluster: {CLUSTER}\n"
           "    tasks:\n" + TASK.format(key="t") + "        job_cluster_key: c\n")


@pytest.mark.parametrize(("cluster", "expected"), [
    ("node_type_id: i3", None),
    ("node_type_id: i3, data_security_mode: SINGLE_USER", None),
    ("node_type_id: i3, data_security_mode: DATA_SECURITY_MODE_AUTO", None),
    ("node_type_id: i3, data_security_mode: NONE", "error: jobs[0].job_clusters[0].new_cluster"
     ".data_security_mode: data_security_mode NONE cannot reach Unity Catalog"),
    ("node_type_id: i3, data_security_mode: LEGACY_SINGLE_USER", "error: "),
    # the SDK's DataSecurityMode enum is the model's (tools/gen_jobs_model.py): the API
    # refuses a mode it does not list
    ("node_type_id: i3, data_security_mode: SOMETHING_NEW", "error: jobs[0].job_clusters[0]"
     ".new_cluster.data_security_mode: bad value 'SOMETHING_NEW': expected one of "),
    ("policy_id: p1", "warning: jobs[0].job_clusters[0].new_cluster.policy_id: brickline's "
     "status tasks run on this cluster, whose access mode comes from its policy"),
])
def test_the_status_cluster_s_access_mode_is_checked(tmp_path: Path, cluster: str,
                                                       expected: str | None) -> None:
    found = diagnostics(tmp_path, {"p.yml": "jobs:\n  - name: A\n"
                                            + CLUSTER.replace("CLUSTER", cluster)})
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(expected), found


def test_a_non_uc_cluster_the_status_tasks_do_not_use_is_left_alone(tmp_path: Path) -> None:
    """Hive work on a legacy cluster is the team's business: the status tasks run on the
    first work task's compute (by task_key), here a UC cluster."""
    found = diagnostics(tmp_path, {"p.yml": (
        "jobs:\n  - name: A\n    job_clusters:\n"
        "      - job_cluster_key: uc\n        new_cluster: {node_type_id: i3}\n"
        "      - job_cluster_key: hive\n        new_cluster: {node_type_id: i3, "
        "data_security_mode: LEGACY_TABLE_ACL}\n"
        "    tasks:\n" + TASK.format(key="a") + "        job_cluster_key: uc\n"
        + TASK.format(key="b") + "        job_cluster_key: hive\n")})
    assert found == []


def test_an_existing_cluster_cannot_be_checked_and_says_so(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {"p.yml": "jobs:\n  - name: A\n    tasks:\n"
                                            + TASK.format(key="t")
                                            + "        existing_cluster_id: 0101-abc\n"})
    assert found == ["warning: jobs[0].tasks[0].existing_cluster_id: brickline's status tasks "
                     "run on this existing cluster, whose access mode brickline cannot check: "
                     "it must be a Unity Catalog mode (SINGLE_USER or USER_ISOLATION) to write "
                     "main.pipeline_ops.job_metadata"]


@pytest.mark.parametrize("tasks", [
    TASK.format(key="b") + "        existing_cluster_id: x\n" + TASK.format(key="a")
    + "        new_cluster: {node_type_id: i3}\n",
    TASK.format(key="a") + TASK.format(key="b") + "        job_cluster_key: c\n",
    TASK.format(key="a") + TASK.format(key="b"),
])
def test_the_rule_judges_the_cluster_the_plan_runs_the_status_tasks_on(
        tmp_path: Path, tasks: str) -> None:
    write(tmp_path, {"p.yml": "jobs:\n  - name: A\n    job_clusters:\n      - job_cluster_key: c\n"
                              "        new_cluster: {node_type_id: i3}\n    tasks:\n" + tasks})
    (pipeline,) = load_pipelines([str(tmp_path)])
    stack = plan(pipeline)
    start = next(t for t in stack.jobs[0].settings["task"]
                 if t["task_key"] == "brickline_start")
    chosen = rules_workspace.status_compute(pipeline.jobs[0])
    keys = {"job_cluster_key", "existing_cluster_id", "new_cluster"}
    assert (chosen[0] if chosen else None) == next((k for k in keys if k in start), None)


# --- item 3: grants -------------------------------------------------------------------------

PROD = ("pipeline:\n  name: p\n  metadata: {{catalog: cat, schema: ops{meta}}}\n"
        "  permissions:\n    - {{group_name: analysts, level: CAN_VIEW}}\n"
        "  targets:\n    prod:\n      run_as: {{service_principal_name: " + SP + "}}\n"
        "      permissions:\n        - {{service_principal_name: " + SP + ", level: IS_OWNER}}\n")
ONE_JOB = "jobs:\n  - name: A\n    tasks:\n" + TASK.format(key="t")


def prod(tmp_path: Path, meta: str = "") -> StackPlan:
    return plan_of(write(tmp_path, {"pipeline.yml": PROD.format(meta=meta), "j.yml": ONE_JOB}))


def grants(stack: StackPlan) -> dict[str, tuple[str, Any, str, list[str]]]:
    out = {}
    for address, r in of_type(stack, "databricks_grant").items():
        (securable,) = [k for k in r.settings if k not in ("principal", "privileges")]
        out[address] = (securable, r.settings[securable], r.settings["principal"],
                        r.settings["privileges"])
    return out


def test_run_as_writes_the_table_and_viewers_read_the_view(tmp_path: Path) -> None:
    assert grants(prod(tmp_path, ", grants: objects")) == {
        f"grant_table_{SP.replace('-', '_')}": (
            "table", Ref("job_metadata", "id"), SP, ["MODIFY", "SELECT"]),
        f"grant_view_{SP.replace('-', '_')}": ("table", Ref("job_status", "id"), SP, ["SELECT"]),
        "grant_view_analysts": ("table", Ref("job_status", "id"), "analysts", ["SELECT"]),
    }


def test_by_default_the_run_as_identity_can_also_reach_the_table(tmp_path: Path) -> None:
    """Without USE_CATALOG and USE_SCHEMA the identity the jobs run as cannot reach the
    table at all; viewers keep only SELECT on the view (their catalog grants are theirs)."""
    found = grants(prod(tmp_path))
    sp = SP.replace("-", "_")
    assert found[f"grant_catalog_{sp}"] == ("catalog", "cat", SP, ["USE_CATALOG"])
    assert found[f"grant_schema_{sp}"] == ("schema", Ref("data.metadata_schema", "id"), SP,
                                           ["USE_SCHEMA"])
    assert "grant_catalog_analysts" not in found and "grant_schema_analysts" not in found
    assert len(found) == 5


def test_grants_all_adds_the_catalog_and_the_existing_schema(tmp_path: Path) -> None:
    found = grants(prod(tmp_path, ", grants: all"))
    schema = Ref("data.metadata_schema", "id")
    assert found["grant_catalog_analysts"] == ("catalog", "cat", "analysts", ["USE_CATALOG"])
    assert found["grant_schema_analysts"] == ("schema", schema, "analysts", ["USE_SCHEMA"])
    assert found[f"grant_schema_{SP.replace('-', '_')}"][2:] == (SP, ["USE_SCHEMA"])
    assert len(found) == 7


def test_grants_none_leaves_them_to_the_team(tmp_path: Path) -> None:
    assert grants(prod(tmp_path, ", grants: none")) == {}


def test_a_stack_without_run_as_grants_only_the_viewers(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "pipeline:\n  permissions: [{user_name: a@x.com, level: CAN_VIEW}]\n"
                              + ONE_JOB})
    assert list(grants(plan_of(tmp_path))) == ["grant_view_a_x_com"]


def test_grant_names_stay_unique_when_principals_look_alike(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "pipeline:\n  permissions:\n    - {user_name: a.b@x.com, level: "
                              "CAN_VIEW}\n    - {user_name: a_b@x.com, level: CAN_VIEW}\n"
                              + ONE_JOB})
    names = list(grants(plan_of(tmp_path)))
    assert len(set(names)) == 2 and all(n.startswith("grant_view_a_b_x_com_") for n in names)


def test_the_prod_example_grants_its_run_as_principal(examples: dict[str, StackPlan]) -> None:
    found = grants(examples["sales_daily-prod"])
    mine = {getattr(v[1], "address", v[1]): v[3] for v in found.values() if v[2] == SP}
    assert mine == {"job_metadata": ["MODIFY", "SELECT"], "job_status": ["SELECT"],
                    "main": ["USE_CATALOG"], "data.metadata_schema": ["USE_SCHEMA"]}
    assert not any(v[2] == SP for v in grants(examples["sales_daily-dev"]).values())


@pytest.mark.parametrize(("mode", "create", "on_schema", "on_catalog"), [
    # the schema brickline creates is the stack's own: everyone it serves gets USE_SCHEMA
    ("objects", True, {"analysts", SP}, set()),
    ("run_as", True, {"analysts", SP}, {SP}),
    ("all", True, {"analysts", SP}, {"analysts", SP}),
    # a schema it only reads is shared: the mode says who gets a grant there
    ("objects", False, set(), set()),
    ("run_as", False, {SP}, {SP}),
    ("all", False, {"analysts", SP}, {"analysts", SP}),
])
def test_who_reaches_the_schema_and_the_catalog(tmp_path: Path, mode: str, create: bool,
                                               on_schema: set[str],
                                               on_catalog: set[str]) -> None:
    """Each grants mode, with and without create_schema: the run_as identity writes the
    table, so without USE_SCHEMA on a schema it owns it could not reach it at all ("Unity
    Catalog privileges and securable objects": USE_SCHEMA and USE_CATALOG are needed to
    reach a table)."""
    meta = f", grants: {mode}" + (", create_schema: true" if create else "")
    # the run_as identity holds no permission of its own here: only run_as gives it grants
    text = PROD.format(meta=meta).replace(
        "      permissions:\n        - {service_principal_name: " + SP + ", level: IS_OWNER}\n",
        "")
    assert text != PROD.format(meta=meta)
    found = grants(plan_of(write(tmp_path, {"pipeline.yml": text, "j.yml": ONE_JOB})))
    schema = Ref("metadata_schema" if create else "data.metadata_schema", "id")
    assert {p for s, obj, p, privileges in found.values() if s == "schema"} == on_schema
    assert all((obj, privileges) == (schema, ["USE_SCHEMA"])
               for s, obj, _, privileges in found.values() if s == "schema")
    assert {p for s, obj, p, privileges in found.values() if s == "catalog"} == on_catalog
    assert all((obj, privileges) == ("cat", ["USE_CATALOG"])
               for s, obj, _, privileges in found.values() if s == "catalog")


# --- item 4: the schema -----------------------------------------------------------------------

def test_the_schema_is_read_by_default(tmp_path: Path) -> None:
    stack = prod(tmp_path)
    (data,) = stack.data_sources
    assert (data.type, data.address, data.settings) == (
        "databricks_schema", "metadata_schema", {"name": "cat.ops"})
    assert not of_type(stack, "databricks_schema")
    assert stack.table.depends_on == []


def test_create_schema_creates_it_before_the_table(tmp_path: Path) -> None:
    stack = prod(tmp_path, ", create_schema: true")
    assert stack.data_sources == []
    schema = of_type(stack, "databricks_schema")["metadata_schema"]
    assert (schema.settings["catalog_name"], schema.settings["name"]) == ("cat", "ops")
    assert stack.table.depends_on == ["metadata_schema"]
    # brickline owns the schema: its users get USE_SCHEMA on it, through a reference
    found = grants(stack)
    assert found["grant_schema_analysts"] == ("schema", Ref("metadata_schema", "id"),
                                              "analysts", ["USE_SCHEMA"])
    doc = synth(stack)
    table = doc["resource"]["databricks_sql_table"]["job_metadata"]
    assert table["depends_on"] == ["databricks_schema.metadata_schema"]
    assert table["lifecycle"] == {"prevent_destroy": True}
    assert doc["resource"]["databricks_grant"]["grant_schema_analysts"]["schema"] == (
        "${databricks_schema.metadata_schema.id}")


def test_a_target_can_create_the_schema_the_others_read(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": "pipeline:\n  targets:\n    dev:\n      metadata: "
                                     "{schema: ops_dev, create_schema: true}\n    prod: {}\n",
                     "j.yml": ONE_JOB})
    (pipeline,) = load_pipelines([str(tmp_path)])
    dev, prod_ = plans(pipeline)
    assert [r.type for r in dev.resources if r.address == "metadata_schema"] == [
        "databricks_schema"]
    assert [d.settings for d in prod_.data_sources] == [{"name": "main.pipeline_ops"}]


def test_the_synthesized_examples_read_their_schema(examples: dict[str, StackPlan]) -> None:
    doc = synth(examples["seed_etl"])
    assert doc["data"]["databricks_schema"]["metadata_schema"] == {"name": "main.pipeline_ops"}


# --- item 5: state that survives a fresh machine -------------------------------------------

def validate_deploy(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", "--deploy", str(folder)])
    return result.exit_code, result.output


@pytest.mark.parametrize(("backend", "stack_word"), [
    ("", "the default local file terraform.p.tfstate"),
    ("  backend: {local: {path: state/p.tfstate}}\n", "the local file state/p.tfstate"),
])
def test_validate_deploy_refuses_local_state(tmp_path: Path, backend: str,
                                             stack_word: str) -> None:
    folder = write(tmp_path, {"pipeline.yml": "pipeline:\n  name: p\n" + backend,
                              "j.yml": ONE_JOB})
    code, output = validate_deploy(folder)
    assert code == 1
    assert f"stack 'p' keeps its Terraform state in {stack_word}" in output
    assert "CREATE OR REPLACE TABLE" in output and "under pipeline.backend" in output
    plain = CliRunner().invoke(cli, ["validate", str(folder)])
    assert plain.exit_code == 0  # without --deploy, local state is fine (a laptop, a test)


def test_validate_deploy_names_each_stack_with_local_state(tmp_path: Path) -> None:
    folder = write(tmp_path, {"pipeline.yml": (
        "pipeline:\n  name: p\n  targets:\n    dev: {}\n    prod:\n      metadata: {schema: "
        "ops_prod}\n      backend:\n"
        "        s3: {bucket: b, key: p/prod.tfstate, region: eu-west-1}\n"), "j.yml": ONE_JOB})
    code, output = validate_deploy(folder)
    assert code == 1
    assert "stack 'p-dev'" in output and "stack 'p-prod'" not in output
    assert "pipeline.targets.dev.backend" in output
    assert "Found 1 error" in output


@pytest.mark.parametrize("backend", [
    "s3: {bucket: b, key: p.tfstate, region: eu-west-1}",
    "azurerm: {resource_group_name: r, storage_account_name: s, container_name: c, key: k}",
    "gcs: {bucket: b}",
    "cloud: {organization: o, workspace: w}",
])
def test_validate_deploy_passes_on_a_remote_backend(tmp_path: Path, backend: str) -> None:
    folder = write(tmp_path, {"pipeline.yml": f"pipeline:\n  name: p\n  backend: {{{backend}}}\n",
                              "j.yml": ONE_JOB})
    code, output = validate_deploy(folder)
    assert (code, output.strip()) == (0, "OK: 1 pipeline, 1 job, state in remote backends")


# --- item 6: jobs that run twice --------------------------------------------------------------

def test_a_job_outside_the_orchestrator_keeps_its_schedule_and_a_run_key_of_its_own(
        tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": (
        "jobs:\n  - name: Nightly Report\n    orchestrate: false\n"
        "    schedule: {quartz_cron_expression: '0 0 3 * * ?', timezone_id: UTC}\n"
        "    tasks:\n" + TASK.format(key="t") + "  - name: B\n    tasks:\n"
        + TASK.format(key="t"))})
    stack = plan_of(tmp_path)
    by_address = {j.address: j for j in stack.jobs}
    report = by_address["nightly_report"].settings
    assert report["schedule"]["quartz_cron_expression"] == "0 0 3 * * ?"
    assert "orchestrate" not in report
    # no job parameter (issue 21): the run_key is a parameter of brickline's own tasks; the
    # report's runs log under a key of their own, B's under the pipeline run's (the log)
    assert "parameter" not in report and "parameter" not in by_address["b"].settings
    start = {t["task_key"]: t for t in report["task"]}["brickline_start"]
    widgets = start["notebook_task"]["base_parameters"]
    assert (widgets["brickline_run_key"], widgets["brickline_orchestrated"]) == (
        "nightly_report-{{job.run_id}}", "false")
    b_start = {t["task_key"]: t for t in by_address["b"].settings["task"]}["brickline_start"]
    assert b_start["notebook_task"]["base_parameters"]["brickline_orchestrated"] == "true"
    assert [t["task_key"] for t in stack.orchestrator.settings["task"]] == [
        "b", "brickline_start"]
    view = stack.view.settings["view_definition"]
    # B is a job of every pipeline run (pending until it logs); the report's runs are its own
    assert "VALUES ('B') AS jobs" in view and "Nightly Report" not in view


def test_jobs_in_the_orchestrator_with_their_own_trigger_are_errors(tmp_path: Path) -> None:
    # the edge to B keeps A in the orchestrator (spec/orchestration.py)
    found = diagnostics(tmp_path, {"p.yml": (
        "jobs:\n  - name: A\n    trigger: {periodic: {interval: 1, unit: HOURS}}\n"
        "    tasks:\n" + TASK.format(key="t") + "  - name: B\n    depends_on: [A]\n"
        "    tasks:\n" + TASK.format(key="t"))})
    assert found == ["error: jobs[0].trigger: job 'A' runs from the orchestrator and also by "
                     "its own trigger: it would run twice per pipeline run, under the same "
                     "run_key. Remove trigger here (schedule the pipeline under "
                     "pipeline.orchestrator), or set `orchestrate: false` if the job is not "
                     "part of the pipeline's run"]


def test_an_edge_from_a_job_outside_the_orchestrator_is_an_error(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {"p.yml": (
        "jobs:\n  - name: A\n    orchestrate: false\n    on_success: {trigger_job: "
        "{job_name: B}}\n    tasks:\n" + TASK.format(key="t") + "  - name: B\n    tasks:\n"
        + TASK.format(key="t"))})
    assert [f.split(": ")[1] for f in found] == ["jobs[0].on_success.trigger_job[0].job_name"]


# --- item 7: for_each -------------------------------------------------------------------------

FOR_EACH = ("      - task_key: loop\n{outer}        for_each_task:\n          inputs: '[1, 2]'\n"
            "          task:\n            task_key: inner\n"
            "            notebook_task: {{notebook_path: /x}}\n")


def test_defaults_go_on_the_repeated_task_only(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": "pipeline:\n  defaults:\n    max_retries: 3\n"
                                     "    min_retry_interval_millis: 1000\n"
                                     "    retry_on_timeout: true\n    timeout_seconds: 600\n",
                     "j.yml": "jobs:\n  - name: A\n    tasks:\n" + FOR_EACH.format(outer="")})
    (loop,) = work(plan_of(tmp_path))
    for key in ("max_retries", "min_retry_interval_millis", "retry_on_timeout",
                "timeout_seconds"):
        assert key not in loop
    inner = loop["for_each_task"]["task"]
    assert (inner["max_retries"], inner["min_retry_interval_millis"],
            inner["retry_on_timeout"], inner["timeout_seconds"]) == (3, 1000, True, 600)


def test_retry_settings_on_the_outer_task(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {"p.yml": "jobs:\n  - name: A\n    tasks:\n" + FOR_EACH.format(
        outer="        max_retries: 2\n        min_retry_interval_millis: 5\n"
              "        retry_on_timeout: true\n        timeout_seconds: 60\n")})
    assert [f.split(": ")[0] + " " + f.split(": ")[1] for f in found] == [
        "error jobs[0].tasks[0].max_retries",
        "warning jobs[0].tasks[0].min_retry_interval_millis",
        "warning jobs[0].tasks[0].retry_on_timeout",
    ]  # a timeout on the whole loop is the user's to set


# --- item 8: renames keep the access list ---------------------------------------------------

def test_a_renamed_job_s_permissions_move_with_it(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "pipeline:\n  permissions: [{group_name: g, level: CAN_VIEW}]\n"
                              "jobs:\n  - name: New Name\n    renamed_from: Old Name\n"
                              "    tasks:\n" + TASK.format(key="t")})
    stack = plan_of(tmp_path)
    perms = of_type(stack, "databricks_permissions")
    assert perms["perm_new_name"].moved_from == "databricks_permissions.perm_old_name"
    assert perms["perm_orchestrator"].moved_from is None
    doc = synth(stack)
    moved = sorted((m["from"], m["to"]) for m in doc["moved"])
    assert moved == [("databricks_job.old_name", "databricks_job.new_name"),
                     ("databricks_permissions.perm_old_name",
                      "databricks_permissions.perm_new_name")]


# --- item 9: warn_after on the orchestrator -------------------------------------------------

@pytest.mark.parametrize(("routes", "warned"), [
    ("", True),
    ("    notifications: {on_duration_warning_threshold_exceeded: [a@x.com]}\n", False),
    ("    email_notifications: {on_duration_warning_threshold_exceeded: [a@x.com]}\n", False),
    ("    notifications: {on_failure: [a@x.com]}\n", True),
])
def test_orchestrator_warn_after_without_recipients(tmp_path: Path, routes: str,
                                                    warned: bool) -> None:
    found = diagnostics(tmp_path, {
        "pipeline.yml": "pipeline:\n  orchestrator:\n    warn_after: 2h\n" + routes,
        "j.yml": ONE_JOB})
    assert found == ([
        "warning: pipeline.orchestrator.warn_after: warn_after, but no one hears of it: route "
        "on_duration_warning_threshold_exceeded under pipeline.orchestrator.notifications "
        "(the pipeline's notifications do not reach the orchestrator)"] if warned else [])


# --- issue 21, item 2: what the status tasks run on (metadata.status_compute) -------------

OWN_CLUSTER = ("jobs:\n  - name: A\n    tasks:\n" + TASK.format(key="a")
               + "        new_cluster: {node_type_id: i3, spark_version: 15.4.x-scala2.12}\n")
SHARED = ("jobs:\n  - name: A\n    job_clusters:\n      - job_cluster_key: c\n"
          "        new_cluster: {node_type_id: i3}\n    tasks:\n" + TASK.format(key="a")
          + "        job_cluster_key: c\n")
SQL_ONLY = ("jobs:\n  - name: A\n    tasks:\n      - task_key: q\n"
            "        sql_task: {warehouse_id: w, file: {path: /q.sql}}\n")


def status_tasks(stack: StackPlan) -> list[dict[str, Any]]:
    return [t for t in stack.jobs[0].settings["task"]
            if t["task_key"] in ("brickline_start", "brickline_end")]


def compute_of(task: dict[str, Any]) -> dict[str, Any]:
    return {k: task[k] for k in ("job_cluster_key", "existing_cluster_id", "new_cluster")
            if k in task}


@pytest.mark.parametrize(("jobs", "mode", "expected"), [
    (SHARED, "auto", {"job_cluster_key": "c"}),
    (SHARED, "serverless", {}),
    (SHARED, "new_cluster", {"job_cluster_key": "c"}),  # shared compute first: no start
    (OWN_CLUSTER, "auto", {}),  # never a copy of a task's cluster: serverless
    (OWN_CLUSTER, "serverless", {}),
    (OWN_CLUSTER, "new_cluster", {"new_cluster": {
        "data_security_mode": "SINGLE_USER", "node_type_id": "i3",
        "spark_version": "15.4.x-scala2.12"}}),
    (SQL_ONLY, "auto", {}),
    (SQL_ONLY, "new_cluster", {}),  # nothing to copy, no default cluster: serverless
])
def test_status_compute_chooses_what_the_status_tasks_run_on(
        tmp_path: Path, jobs: str, mode: str, expected: dict[str, Any]) -> None:
    write(tmp_path, {"pipeline.yml": f"pipeline:\n  metadata: {{status_compute: {mode}}}\n",
                     "j.yml": jobs})
    stack = plan_of(tmp_path)
    assert [compute_of(t) for t in status_tasks(stack)] == [expected, expected]
    # validate judges the cluster the plan chose
    (pipeline,) = load_pipelines([str(tmp_path)])
    chosen = rules_workspace.status_compute(pipeline.jobs[0], mode)
    assert (chosen[0] if chosen else None) == next(iter(expected), None)


def test_new_cluster_falls_back_to_the_pipeline_default_cluster(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": "pipeline:\n  metadata: {status_compute: new_cluster}\n"
                                     "  defaults:\n    new_cluster: {node_type_id: m5, "
                                     "spark_version: 15.4.x-scala2.12}\n",
                     "j.yml": SQL_ONLY})
    assert [compute_of(t) for t in status_tasks(plan_of(tmp_path))] == [{"new_cluster": {
        "data_security_mode": "SINGLE_USER", "node_type_id": "m5",
        "spark_version": "15.4.x-scala2.12"}}] * 2


def test_a_target_chooses_its_own_status_compute(tmp_path: Path) -> None:
    write(tmp_path, {"pipeline.yml": "pipeline:\n  targets:\n    dev: {}\n    prod:\n"
                                     "      metadata: {status_compute: new_cluster, "
                                     "schema: ops_prod}\n",
                     "j.yml": OWN_CLUSTER})
    (pipeline,) = load_pipelines([str(tmp_path)])
    dev, prod_ = plans(pipeline)
    assert [compute_of(t) for t in status_tasks(dev)] == [{}, {}]
    assert [list(compute_of(t)) for t in status_tasks(prod_)] == [["new_cluster"]] * 2


@pytest.mark.parametrize(("meta", "jobs", "expected"), [
    ("", SHARED, []),
    ("", SQL_ONLY, []),
    ("", OWN_CLUSTER, ["note: jobs[0].tasks[0].new_cluster: brickline's status tasks run "
                       "on serverless compute, not on a copy of this task's cluster (each "
                       "copy would start a cluster of its own, twice per run): the workspace "
                       "must have serverless jobs enabled; else give the job a job cluster "
                       "(job_clusters) for its tasks to share, or set "
                       "metadata.status_compute: new_cluster (two cluster starts per run)"]),
    ("{status_compute: serverless}", OWN_CLUSTER, []),
    ("{status_compute: new_cluster}", SHARED, []),
    ("{status_compute: new_cluster}", OWN_CLUSTER, [
        "warning: jobs[0].tasks[0].new_cluster: brickline's status tasks each start a copy of "
        "this task's cluster (metadata.status_compute: new_cluster): two cluster starts per "
        "run, minutes and DBUs each; a job cluster (job_clusters) the tasks share, or "
        "serverless, costs none"]),
])
def test_validate_says_what_the_status_tasks_cost(tmp_path: Path, meta: str, jobs: str,
                                                  expected: list[str]) -> None:
    files = {"j.yml": jobs}
    if meta:
        files["pipeline.yml"] = f"pipeline:\n  metadata: {meta}\n"
    assert diagnostics(tmp_path, files) == expected


def test_a_copied_cluster_must_reach_unity_catalog(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {
        "pipeline.yml": "pipeline:\n  metadata: {status_compute: new_cluster}\n",
        "j.yml": OWN_CLUSTER.replace("i3,", "i3, data_security_mode: NONE,")})
    assert [f.split(": ")[0] + ": " + f.split(": ")[1] for f in found] == [
        "error: jobs[0].tasks[0].new_cluster.data_security_mode",
        "warning: jobs[0].tasks[0].new_cluster"]


def test_a_status_compute_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, {
        "pipeline.yml": "pipeline:\n  metadata: {status_compute: warehouse}\n",
        "j.yml": SHARED})
    assert found == ["error: pipeline.metadata.status_compute: bad value 'warehouse': "
                     "expected one of auto, serverless, new_cluster"]
