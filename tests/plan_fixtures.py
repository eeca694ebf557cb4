"""Real `terraform show -json` plans for plan-report's tests, made by terraform 1.11 with its
built-in `terraform_data` resource (no provider download; the Databricks provider cannot be
downloaded here). Their shape is the shape of any plan.

They are recorded in tests/data/plans/ so that the report's tests (and mutation runs) need
no terraform; test_plan_report.py makes them again with the real terraform and checks the
reports agree. Record again with `.venv/bin/python tests/plan_fixtures.py`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent / "data" / "plans"

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

# One resource per masking layer; every secret changes between the two plans, so each
# would be printed in an update if its layer did not hide it.
SECRETS_BEFORE = """
variable "token" {
  type      = string
  sensitive = true
  default   = "dapi-0123456789-FIRST"
}
variable "only_in_text" {
  type      = string
  sensitive = true
  default   = "ghp_onlyintext_FIRST"
}
variable "pin" {
  type      = number
  sensitive = true
  default   = 482913
}
variable "short" {
  type      = string
  sensitive = true
  default   = "q7z"
}
locals {
  leaf = sensitive("leafsecret-FIRST")
  # a whole object and a whole list marked, their parts found in texts nobody marked
  creds = sensitive({ user = "u", password = "objsecret-FIRST" })
  keys  = sensitive(["listsecret-FIRST"])
  mixed = [1, sensitive("mixedsecret-FIRST")]
}
# marked by Terraform (a sensitive variable)
resource "terraform_data" "marked" { input = { token = var.token } }
# a sensitive number: only the "marked sensitive" layer can hide it (texts hold no numbers)
resource "terraform_data" "number" { input = { pin = var.pin } }
# shorter than MIN_SECRET, marked
resource "terraform_data" "short" { input = { code = var.short } }
# derived from a secret, not marked: the text layer hides them, the secret coming from a
# sensitive variable that also marks a leaf (token), from a variable only (only_in_text),
# from a marked leaf only (leaf)
resource "terraform_data" "derived" {
  input = { url = "https://x.example.com/hook?k=${nonsensitive(var.token)}" }
}
resource "terraform_data" "from_variable" {
  input = { header = "Bearer ${nonsensitive(var.only_in_text)}" }
}
resource "terraform_data" "leaf" { input = { value = local.leaf } }
resource "terraform_data" "from_leaf" { input = { value = "x-${nonsensitive(local.leaf)}" } }
# inside lists: a marked element among plain ones, and a secret's text among plain texts
resource "terraform_data" "in_list" { input = { items = [1, var.pin], names = ["a", var.token] } }
resource "terraform_data" "text_in_list" {
  input = { urls = ["https://a.example.com", "k=${nonsensitive(var.token)}"] }
}
resource "terraform_data" "whole_object" { input = local.creds }
resource "terraform_data" "whole_list" { input = local.keys }
resource "terraform_data" "mixed_list" { input = local.mixed }
resource "terraform_data" "from_object" {
  input = { text = "p=${nonsensitive(local.creds.password)}" }
}
resource "terraform_data" "from_list" { input = { text = "k=${nonsensitive(local.keys[0])}" } }
resource "terraform_data" "from_mixed" { input = { text = "m=${nonsensitive(local.mixed[1])}" } }
resource "terraform_data" "from_pin" { input = { text = "pin-${nonsensitive(var.pin)}" } }
# a secret attribute that only the new configuration has
resource "terraform_data" "added_secret" { input = { a = 1 } }
# and one that only the old configuration has
resource "terraform_data" "removed_secret" { input = { a = 1, token = var.token } }
# a short secret, unmarked: alone in its text it is hidden, inside a longer text it shows
resource "terraform_data" "short_alone" { input = { code = nonsensitive(var.short) } }
resource "terraform_data" "short_in_text" {
  input = { text = "code ${nonsensitive(var.short)} end" }
}
"""
SECRETS_AFTER = (SECRETS_BEFORE.replace("FIRST", "SECOND").replace("482913", "482914")
                 .replace('"q7z"', '"q8z"')
                 .replace('"added_secret" { input = { a = 1 } }',
                          '"added_secret" { input = { a = 1, token = var.token } }')
                 .replace('"removed_secret" { input = { a = 1, token = var.token } }',
                          '"removed_secret" { input = { a = 1 } }'))


def terraform(folder: Path, *args: str) -> str:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    done = subprocess.run([shutil.which("terraform") or "terraform", f"-chdir={folder}",
                           *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return done.stdout


def _plan(folder: Path, name: str) -> dict[str, Any]:
    terraform(folder, "plan", "-input=false", "-no-color", f"-out={name}.tfplan")
    return dict(json.loads(terraform(folder, "show", "-json", f"{name}.tfplan")))


def make_plans(folder: Path) -> dict[str, dict[str, Any]]:
    """create (everything new), change (AFTER over BEFORE), same (no change), secrets."""
    out = {}
    main = folder / "main.tf"
    main.write_text(BEFORE)
    terraform(folder, "init", "-input=false", "-no-color")
    out["create"] = _plan(folder, "create")
    terraform(folder, "apply", "-input=false", "-no-color", "create.tfplan")
    main.write_text(AFTER)
    out["change"] = _plan(folder, "change")
    main.write_text(BEFORE)
    out["same"] = _plan(folder, "same")
    main.write_text(SECRETS_BEFORE)
    terraform(folder, "apply", "-input=false", "-no-color", "-auto-approve")
    main.write_text(SECRETS_AFTER)
    out["secrets"] = _plan(folder, "secrets")
    return out


def recorded() -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(RECORDED.glob("*.json"))}


if __name__ == "__main__":
    RECORDED.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, doc in make_plans(Path(tmp)).items():
            (RECORDED / f"{name}.json").write_text(json.dumps(doc, indent=1, sort_keys=True)
                                                   + "\n", encoding="utf-8")
    sys.stdout.write(f"recorded {len(list(RECORDED.glob('*.json')))} plans in {RECORDED}\n")
