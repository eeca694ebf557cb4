"""Targets, alerts, health, permissions, backends and the dashboard, as synthesized: each
override lands where it should and nowhere else, and no secret reaches the JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan, plans
from conftest import PIPELINES, REPO, plan_of, write

SECRET = "https://hooks.slack.com/services/T000/B000/test-only-SECRET-value"


def synth(stack: StackPlan) -> dict[str, Any]:
    return json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))


@pytest.fixture(scope="module")
def stacks(examples: dict[str, StackPlan]) -> dict[str, dict[str, Any]]:
    return {name: synth(examples[name]) for name in ("sales_daily-dev", "sales_daily-prod")}


def jobs(doc: dict[str, Any]) -> dict[str, Any]:
    return dict(doc["resource"]["databricks_job"])


def test_one_stack_per_target(examples: dict[str, StackPlan]) -> None:
    assert sorted(examples) == ["parallel_abcd", "sales_daily-dev", "sales_daily-prod",
                                "seed_etl"]
    assert examples["sales_daily-dev"].target == "dev"
    assert examples["seed_etl"].target is None


def test_name_prefix_and_pause_only_in_dev(stacks: dict[str, dict[str, Any]]) -> None:
    dev, prod = jobs(stacks["sales_daily-dev"]), jobs(stacks["sales_daily-prod"])
    assert dev["ingest_orders"]["name"] == "[dev] Ingest_Orders"
    assert prod["ingest_orders"]["name"] == "Ingest_Orders"
    assert dev["orchestrator"]["name"] == "[dev] sales_daily_orchestrator"
    assert dev["orchestrator"]["schedule"]["pause_status"] == "PAUSED"
    assert "pause_status" not in prod["orchestrator"]["schedule"]
    # the status log keeps the YAML name, so dev and prod rows read the same
    start = next(t for t in dev["ingest_orders"]["task"] if t["task_key"] == "brickline_start")
    assert start["notebook_task"]["base_parameters"]["brickline_job_name"] == "Ingest_Orders"


def test_cluster_sizes_and_metadata_only_in_dev(stacks: dict[str, dict[str, Any]]) -> None:
    dev, prod = jobs(stacks["sales_daily-dev"]), jobs(stacks["sales_daily-prod"])
    dev_mart = dev["build_sales_mart"]["job_cluster"][0]["new_cluster"]
    prod_mart = prod["build_sales_mart"]["job_cluster"][0]["new_cluster"]
    assert dev_mart["num_workers"] == 1 and "autoscale" not in dev_mart
    assert prod_mart["autoscale"] == {"max_workers": 8, "min_workers": 2}
    assert "num_workers" not in prod_mart
    assert prod["ingest_orders"]["job_cluster"][0]["new_cluster"]["num_workers"] == 4
    tables = {name: doc["resource"]["databricks_sql_table"]["job_metadata"]["schema_name"]
              for name, doc in stacks.items()}
    assert tables == {"sales_daily-dev": "sales_ops_dev", "sales_daily-prod": "sales_ops"}
    files = {name: doc["resource"]["databricks_notebook"]["brickline_status"]["path"]
             for name, doc in stacks.items()}
    assert files["sales_daily-dev"] == "/Shared/brickline/sales_daily-dev/brickline_status"


def test_tags_run_as_and_permissions(stacks: dict[str, dict[str, Any]]) -> None:
    dev, prod = jobs(stacks["sales_daily-dev"]), jobs(stacks["sales_daily-prod"])
    assert dev["ingest_orders"]["tags"] == {"environment": "dev", "team": "sales-data"}
    assert prod["ingest_orders"]["tags"] == {"environment": "prod", "team": "sales-data"}
    assert "run_as" not in dev["ingest_orders"]
    principal = "9f0c5b8e-1d2a-4c3b-8e7f-0a1b2c3d4e5f"
    for job in prod.values():
        assert job["run_as"] == {"service_principal_name": principal}
    grants = stacks["sales_daily-prod"]["resource"]["databricks_permissions"]
    assert sorted(grants) == ["perm_build_sales_mart", "perm_ingest_customers",
                              "perm_ingest_orders", "perm_orchestrator"]
    mart = grants["perm_build_sales_mart"]
    assert mart["job_id"] == "${databricks_job.build_sales_mart.id}"
    levels = {next(v for k, v in a.items() if k != "permission_level"): a["permission_level"]
              for a in mart["access_control"]}
    assert levels == {"finance-analysts": "CAN_VIEW", "sales-analysts": "CAN_VIEW",
                      "sales-data-engineers": "CAN_MANAGE", principal: "IS_OWNER"}
    # the job's own grant is on that job only
    orders = grants["perm_ingest_orders"]["access_control"]
    assert not any(a.get("group_name") == "finance-analysts" for a in orders)


def test_routes_reach_the_right_jobs(stacks: dict[str, dict[str, Any]]) -> None:
    dev, prod = jobs(stacks["sales_daily-dev"]), jobs(stacks["sales_daily-prod"])
    slack = {"id": "${databricks_notification_destination.dest_sales_slack.id}"}
    for name in ("ingest_orders", "ingest_customers", "build_sales_mart"):
        assert prod[name]["webhook_notifications"] == {
            "on_duration_warning_threshold_exceeded": [slack], "on_failure": [slack]}
        assert prod[name]["email_notifications"] == {"on_failure": ["sales-data@example.com"]}
        # dev replaces on_failure (no Slack) and keeps the inherited duration warning
        assert dev[name]["webhook_notifications"] == {
            "on_duration_warning_threshold_exceeded": [slack]}
        assert dev[name]["email_notifications"] == {"on_failure": ["sales-data@example.com"]}
    orchestrator = prod["orchestrator"]
    assert orchestrator["email_notifications"] == {"on_failure": ["data-oncall@example.com"]}
    # the orchestrator hears only its own routes: its duration warning, not the jobs' Slack
    assert orchestrator["webhook_notifications"] == {
        "on_duration_warning_threshold_exceeded": [slack]}
    destination = stacks["sales_daily-prod"]["resource"]["databricks_notification_destination"]
    assert destination["dest_sales_slack"]["config"] == {"slack": {"url": "${var.slack_webhook}"}}
    variable = stacks["sales_daily-prod"]["variable"]["slack_webhook"]
    assert variable["sensitive"] is True and "default" not in variable


def test_warn_after_becomes_a_health_rule(stacks: dict[str, dict[str, Any]]) -> None:
    prod = jobs(stacks["sales_daily-prod"])
    rule = {"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN"}
    assert prod["build_sales_mart"]["health"] == {"rules": [{**rule, "value": 5400}]}
    assert prod["ingest_orders"]["health"] == {"rules": [{**rule, "value": 2700}]}
    assert prod["orchestrator"]["health"] == {"rules": [{**rule, "value": 10800}]}


def test_dashboard_reads_the_targets_log(stacks: dict[str, dict[str, Any]]) -> None:
    board = stacks["sales_daily-dev"]["resource"]["databricks_dashboard"]["dashboard"]
    assert board["warehouse_id"] == "${var.warehouse_id}"
    doc = json.loads(board["serialized_dashboard"])
    assert [d["name"] for d in doc["datasets"]] == [
        "current_run", "latest_status", "failures_per_day", "duration_per_job", "last_errors"]
    sql = "".join(doc["datasets"][0]["queryLines"])
    assert "`main`.`sales_ops_dev`.`sales_job_status`" in sql
    for item in doc["pages"][0]["layout"]:
        position = item["position"]
        assert position["x"] + position["width"] <= 6  # the grid is 6 wide


def test_backends(tmp_path: Path) -> None:
    job = ("jobs:\n  - name: A\n    tasks:\n      - task_key: t\n        notebook_task: "
           "{notebook_path: /x}\n")
    write(tmp_path, {"j.yml": job, "pipeline.yml": (
        "pipeline:\n  name: p\n  backend:\n    s3: {bucket: tf-state, key: p.tfstate, "
        "region: eu-west-1, dynamodb_table: locks}\n  targets:\n    dev:\n      backend:\n"
        "        local: {path: state/dev.tfstate}\n      metadata: {schema: dev}\n"
        "    prod: {}\n    ci:\n      metadata: {schema: ci}\n      backend:\n"
        "        cloud: {organization: acme, workspace: p-ci}\n")})
    (pipeline,) = __import__("brickline.spec.load", fromlist=["x"]).load_pipelines(
        [str(tmp_path)])
    docs = {s.name: synth(s) for s in plans(pipeline)}
    assert docs["p-dev"]["terraform"]["backend"] == {
        "local": {"path": "../../../state/dev.tfstate"}}
    assert docs["p-prod"]["terraform"]["backend"]["s3"] == {
        "bucket": "tf-state", "key": "p.tfstate", "region": "eu-west-1",
        "dynamodb_table": "locks"}
    assert docs["p-ci"]["terraform"]["cloud"]["organization"] == "acme"
    assert docs["p-ci"]["terraform"]["cloud"]["workspaces"] == {"name": "p-ci"}


def test_no_secret_value_reaches_any_stack(tmp_path: Path) -> None:
    """Values come the Terraform way (TF_VAR_...): synthesis with the secret in the
    environment writes only the variable's reference."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "brickline.cli", "synth", str(PIPELINES),
                           "--outdir", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "TF_VAR_slack_webhook": SECRET,
                                            "TF_VAR_warehouse_id": "wh-SECRET-123"})
    assert done.returncode == 0, done.stderr
    files = sorted(out.rglob("*.json"))
    assert len(files) >= 4
    for file in files:
        text = file.read_text()
        assert SECRET not in text and "wh-SECRET-123" not in text and "SECRET" not in text
    # where the secrets are used, the JSON holds Terraform's references to them
    prod = (out / "stacks" / "sales_daily-prod" / "cdk.tf.json").read_text()
    assert '"url": "${var.slack_webhook}"' in prod
    assert '"warehouse_id": "${var.warehouse_id}"' in prod


def test_a_pipeline_without_targets_keeps_one_stack_named_after_it(tmp_path: Path) -> None:
    write(tmp_path, {"j.yml": "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n"
                              "        notebook_task: {notebook_path: /x}\n"})
    assert plan_of(tmp_path).name == tmp_path.name
