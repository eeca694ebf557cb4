"""`brickline plan-report` over real `terraform show -json` output.

The plans come from the terraform binary on the machine and its built-in `terraform_data`
resource, which plans creates, updates, deletes and replaces with no provider download
(the Databricks provider cannot be downloaded here). Their shape is the shape of any plan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from brickline.cli import cli
from brickline.review import plan_report
from click.testing import CliRunner

TERRAFORM = shutil.which("terraform")
pytestmark = pytest.mark.skipif(TERRAFORM is None,
                                reason="terraform is not on the PATH (CI has 1.11)")

BEFORE = """
variable "webhook" {
  type      = string
  sensitive = true
  default   = "https://hooks.slack.com/services/T000/B000/first-SECRET"
}
resource "terraform_data" "job_metadata" {
  input            = { table_type = "MANAGED", name = "job_metadata" }
  triggers_replace = ["pipeline_ops"]
}
resource "terraform_data" "data_load_job" {
  input = { name = "Data_Load_Job", task = [{ task_key = "LoadTask", max_retries = 3 },
                                            { task_key = "brickline_end", max_retries = 0 }] }
}
resource "terraform_data" "old_job" { input = { name = "Old_Job" } }
resource "terraform_data" "kept" { input = "same" }
resource "terraform_data" "hook" { input = var.webhook }
"""

# the change under review: a replace (the status log moves), an update of retries, a
# removed job, a new job, and a changed secret
AFTER = (BEFORE.replace('triggers_replace = ["pipeline_ops"]', 'triggers_replace = ["ops_v2"]')
         .replace('"LoadTask", max_retries = 3', '"LoadTask", max_retries = 1')
         .replace('"old_job" { input = { name = "Old_Job" } }',
                  '"new_job" { input = { name = "New_Job" } }')
         .replace("first-SECRET", "second-SECRET"))


def terraform(folder: Path, *args: str) -> str:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    done = subprocess.run([TERRAFORM or "terraform", f"-chdir={folder}", *args], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real plans: creating everything, then the changes above, then no change."""
    folder = tmp_path_factory.mktemp("tf")
    (folder / "main.tf").write_text(BEFORE)
    terraform(folder, "init", "-input=false", "-no-color")
    out = {}
    terraform(folder, "plan", "-input=false", "-no-color", "-out=create.tfplan")
    out["create"] = folder / "create.json"
    out["create"].write_text(terraform(folder, "show", "-json", "create.tfplan"))
    terraform(folder, "apply", "-input=false", "-no-color", "create.tfplan")
    (folder / "main.tf").write_text(AFTER)
    terraform(folder, "plan", "-input=false", "-no-color", "-out=change.tfplan")
    out["change"] = folder / "change.json"
    out["change"].write_text(terraform(folder, "show", "-json", "change.tfplan"))
    (folder / "main.tf").write_text(BEFORE)
    terraform(folder, "apply", "-input=false", "-no-color", "-auto-approve")
    terraform(folder, "plan", "-input=false", "-no-color", "-out=same.tfplan")
    out["same"] = folder / "same.json"
    out["same"].write_text(terraform(folder, "show", "-json", "same.tfplan"))
    return out


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def test_counts_per_type_and_action(plans: dict[str, Path]) -> None:
    rep = plan_report.report(load(plans["change"]))
    counts = dict(rep.counts["terraform_data"])
    assert counts == {"create": 1, "update": 2, "delete": 1, "replace": 1}
    created = plan_report.report(load(plans["create"]))
    assert dict(created.counts["terraform_data"]) == {"create": 5}
    assert created.destroys == []


def test_destroys_and_replaces_are_loud_and_name_the_status_log(
        plans: dict[str, Path]) -> None:
    rep = plan_report.report(load(plans["change"]))
    by_address = {d.address: d for d in rep.destroys}
    assert set(by_address) == {"terraform_data.job_metadata", "terraform_data.old_job"}
    table = by_address["terraform_data.job_metadata"]
    assert table.action == "replace" and table.data_loss
    assert "because triggers_replace changes" in table.reason
    assert "this is the job_metadata status log: every row in it would be lost" in table.reason
    assert by_address["terraform_data.old_job"].action == "delete"
    md = plan_report.markdown(rep)
    assert "🛑 **2 resource(s) would be destroyed or replaced, 1 of them holding data.**" in md
    assert "> **REPLACE** `terraform_data.job_metadata`" in md


def test_updates_in_the_pipelines_words_and_no_secret_printed(plans: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["plan-report", str(plans["change"])])
    assert result.exit_code == 2
    out = result.output
    assert "- input.task[LoadTask].max_retries 3 → 1" in out
    assert "| terraform_data | 1 | 2 | 1 | 1 |" in out
    assert "SECRET" not in out and "hooks.slack.com" not in out
    assert "**terraform_data.hook**\n- input (sensitive value changes)\n" in out
    assert "- output (known after apply)" in out
    assert "**Created:** `terraform_data.new_job`" in out


def test_no_changes_exit_0(plans: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["plan-report", str(plans["same"]), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.output == "Plan: 0 to add, 0 to change, 0 to destroy, 0 to replace\n"


def test_report_only_and_stdin(plans: dict[str, Path]) -> None:
    text = plans["change"].read_text()
    result = CliRunner().invoke(cli, ["plan-report", "-", "--report-only"], input=text)
    assert result.exit_code == 0
    assert "REPLACE" in result.output


def test_not_a_plan(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"resources": []}')
    result = CliRunner().invoke(cli, ["plan-report", str(bad)])
    assert result.exit_code == 1
    assert "not a plan in JSON: make it with `terraform show -json PLANFILE`" in result.output
    bad.write_text("{oops")
    assert CliRunner().invoke(cli, ["plan-report", str(bad)]).exit_code == 1
    bad.write_text('{"format_version": "1.2", "resource_changes": [{"x": 1}]}')
    edited = CliRunner().invoke(cli, ["plan-report", str(bad)])
    assert edited.exit_code == 1
    assert "resource_changes is not the list `terraform show -json PLANFILE` writes" \
        in edited.output
