"""`brickline deploy`, `destroy` and `summary` against the local workspace server
(tests/databricks_fake.py) and a stand-in `terraform` on the PATH that records each call
(its arguments, folder and environment) and answers with plans made from a plan the real
terraform recorded (tests/data/plans/), because the Databricks provider cannot be downloaded
on these machines. The Terraform steps themselves run on the real terraform 1.11 where no
provider is needed (its built-in terraform_data resource)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import databricks_fake as fake
import pytest
from brickline.cli import cli
from brickline.ops import OpsError, terraform
from brickline.review import plan_report
from click.testing import CliRunner, Result
from conftest import PIPELINES, REPO
from test_ops_commands import clear_auth

RECORDED = REPO / "tests" / "data" / "plans" / "create.json"
BACKEND = "  backend:\n    s3: {bucket: tf-state, key: seed_etl.tfstate, region: eu-west-1}\n"

STAND_IN = r'''#!{python}
"""A stand-in for terraform: records each call, answers from the test's files."""
import json, os, sys
from pathlib import Path

here = Path.cwd()
stack = here.name
files = Path(os.environ["STANDIN_DIR"])
doc = json.loads((here / "cdk.tf.json").read_text()) if (here / "cdk.tf.json").exists() else {{}}
table = doc.get("resource", {{}}).get("databricks_sql_table", {{}}).get("job_metadata", {{}})
with open(files / "calls.jsonl", "a") as log:
    log.write(json.dumps({{"args": sys.argv[1:], "cwd": str(here),
        "profile": os.environ.get("DATABRICKS_CONFIG_PROFILE"),
        "checkpoint": os.environ.get("CHECKPOINT_DISABLE"),
        "prevent_destroy": table.get("lifecycle", {{}}).get("prevent_destroy")}}) + "\n")
command = sys.argv[1]
failing = os.environ.get("STANDIN_FAIL")
if failing == command:
    print("Error: Failed to query available provider packages", file=sys.stderr)
    print("Could not retrieve the list of available versions for provider "
          "databricks/databricks", file=sys.stderr)
    sys.exit(1)
print("warning on stderr, as terraform writes its CLI-configuration warnings", file=sys.stderr)
destroy = "-destroy" in sys.argv
if command == "init":
    print("Terraform has been successfully initialized!")
elif command == "plan":
    out = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("-out="))
    Path(out).write_text("destroy" if destroy else "apply")
elif command == "show":
    kind = Path(sys.argv[-1]).read_text()
    found = files / f"{{stack}}.{{kind}}.json"
    print(found.read_text() if found.exists() else json.dumps(
        {{"format_version": "1.2", "resource_changes": []}}))
elif command == "apply":
    print("databricks_job.data_load_job: Creating...")
    print("databricks_job.data_load_job: Creation complete after 1s [id=22]")
    print("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.")
elif command == "state":
    found = files / f"{{stack}}.state.txt"
    if not found.exists():
        print("No state file was found!", file=sys.stderr)
        sys.exit(1)
    print(found.read_text(), end="")
elif command == "output":
    found = files / f"{{stack}}.outputs.json"
    print(found.read_text() if found.exists() else "{{}}")
'''


class StandIn:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def calls(self) -> list[dict[str, Any]]:
        log = self.folder / "calls.jsonl"
        return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []

    def commands(self) -> list[str]:
        return [" ".join(c["args"][:2] if c["args"][0] in ("state", "show") else c["args"][:1])
                for c in self.calls()]

    def answer(self, name: str, value: Any) -> None:
        text = value if isinstance(value, str) else json.dumps(value)
        (self.folder / name).write_text(text)


@pytest.fixture
def standin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    folder = tmp_path / "standin"
    (folder / "bin").mkdir(parents=True)
    script = folder / "bin" / "terraform"
    script.write_text(STAND_IN.format(python=sys.executable))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_DIR", str(folder))
    monkeypatch.delenv("CHECKPOINT_DISABLE", raising=False)
    return StandIn(folder)


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[fake.Workspace]:
    state = fake.Workspace()
    with fake.serve(state) as host:
        clear_auth(monkeypatch)
        monkeypatch.setenv("DATABRICKS_HOST", host)
        monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-contract-test")
        monkeypatch.setenv("TF_VAR_warehouse_id", "wh-1")
        yield state


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """seed_etl with its state in S3 (validate --deploy's requirement), in a project
    folder that is the working directory."""
    root = tmp_path / "project"
    folder = shutil.copytree(PIPELINES / "seed_etl", root / "pipelines" / "seed_etl")
    settings = folder / "pipeline.yml"
    settings.write_text(settings.read_text().replace("pipeline:\n", "pipeline:\n" + BACKEND, 1))
    monkeypatch.chdir(root)
    return root


def brickline(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input)


def stack_json(project: Path, stack: str = "seed_etl") -> dict[str, Any]:
    """The stack as synthesized (by `brickline synth`, whose output deploy then reuses)."""
    path = project / "cdktf.out/stacks" / stack / "cdk.tf.json"
    if not path.exists():
        assert brickline("synth").exit_code == 0
    return dict(json.loads(path.read_text()))


def plan_from(stack: dict[str, Any], actions: dict[str, list[str]] | None = None, *,
              default: list[str] | None = None, importing: dict[str, str] | None = None
              ) -> dict[str, Any]:
    """A plan of the stack's resources in the shape of the recorded real plan (its
    envelope and the fields of each resource change)."""
    recorded = json.loads(RECORDED.read_text())
    template = recorded["resource_changes"][0]
    changes = []
    for kind, resources in sorted(stack.get("resource", {}).items()):
        for name, values in sorted(resources.items()):
            address = f"{kind}.{name}"
            chosen = (actions or {}).get(address, default or ["create"])
            change = copy.deepcopy(template)
            before = values if chosen != ["create"] else None
            after = values if chosen != ["delete"] else None
            change.update(address=address, type=kind, name=name,
                          provider_name="registry.terraform.io/databricks/databricks")
            change["change"] = {"actions": chosen, "before": before, "after": after,
                                "after_unknown": {"id": True} if after else {},
                                "before_sensitive": {} if before else False,
                                "after_sensitive": {} if after else False}
            if importing and address in importing:
                change["change"]["importing"] = {"id": importing[address]}
            changes.append(change)
    return {**{k: recorded[k] for k in ("format_version", "terraform_version")},
            "resource_changes": changes}


def outputs(stack: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for number, name in enumerate(sorted(stack["output"]), 100):
        url = f"{fake.URL}/jobs/{number}"
        values[name] = {"sensitive": False, "type": "string",
                        "value": url if name.endswith("_url") else str(number)}
    return values


# --- the commands exist ---------------------------------------------------------------

@pytest.mark.parametrize("command, words", [
    ("deploy", ["validate --deploy", "--auto-approve", "--target"]),
    ("destroy", ["--delete-status-log", "--auto-approve", "--target"]),
    ("summary", ["URL", "--target"]),
])
def test_help(command: str, words: list[str]) -> None:
    result = brickline(command, "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for word in words:
        assert word in text


# --- deploy ----------------------------------------------------------------------------

def test_deploy_refuses_a_local_state_before_any_terraform_call(
        standin: StandIn, workspace: fake.Workspace, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = brickline("deploy", "seed_etl", "--pipelines", str(PIPELINES))
    assert result.exit_code == 1
    assert "stack 'seed_etl' keeps its Terraform state in the default local file " \
           "terraform.seed_etl.tfstate" in result.output
    assert standin.calls() == [] and workspace.requests == []


def test_deploy_plans_reports_asks_applies_and_lists_the_jobs(
        standin: StandIn, workspace: fake.Workspace, project: Path) -> None:
    stack = stack_json(project)
    standin.answer("seed_etl.apply.json", plan_from(stack))
    # "no": planned and shown, nothing applied
    refused = brickline("deploy", "seed_etl", input="no\n")
    assert refused.exit_code == 1, refused.output
    assert "brickline: nothing applied" in refused.output
    assert standin.commands() == ["init", "plan", "show -json"]
    standin.answer("seed_etl.outputs.json", outputs(stack))
    (standin.folder / "calls.jsonl").unlink()
    result = brickline("deploy", "seed_etl", input="yes\n")
    assert result.exit_code == 0, result.output
    assert standin.commands() == ["init", "plan", "show -json", "apply", "output"]
    calls = standin.calls()
    folder = str(project / "cdktf.out/stacks/seed_etl")
    assert {c["cwd"] for c in calls} == {folder}
    assert calls[1]["args"] == ["plan", "-input=false", "-no-color", "-out=brickline.tfplan"]
    assert calls[3]["args"] == ["apply", "-input=false", "-no-color", "brickline.tfplan"]
    assert {c["checkpoint"] for c in calls} == {"1"}
    lines = result.output.splitlines()
    assert lines[0] == f"workspace {os.environ['DATABRICKS_HOST']}, as deployer@example.com"
    assert "planning stack seed_etl (1 of 1)" in lines
    assert any(x.startswith("  Plan: ") and " to add" in x for x in lines)
    assert "  + job Data_Load_Job (databricks_job.data_load_job)" in lines
    assert "applying stack seed_etl (1 of 1)" in lines
    assert "  Apply complete! Resources: 1 added, 0 changed, 0 destroyed." in lines
    values = {k: v["value"] for k, v in outputs(stack).items()}
    assert lines[-5:] == ["seed_etl:"] + [
        f"  {name:<21}  {values[key + '_job_id']}  {values[key + '_job_url']}"
        for name, key in (("seed_etl_orchestrator", "orchestrator"),
                          ("Data_Extract_Job", "data_extract_job"),
                          ("Data_Load_Job", "data_load_job"), ("ES_Load_Job", "es_load_job"))]
    me = workspace.calls(fake.ME)
    assert len(me) == 2  # one look at who deploys per run, before any terraform call


def test_deploy_shows_a_destroy_loudly(standin: StandIn, workspace: fake.Workspace,
                                       project: Path) -> None:
    stack = stack_json(project)
    gone = {"databricks_job.data_load_job": ["delete"],
            "databricks_sql_table.job_metadata": ["delete", "create"]}
    standin.answer("seed_etl.apply.json", plan_from(stack, gone, default=["no-op"]))
    result = brickline("deploy", "seed_etl", input="no\n")
    assert result.exit_code == 1
    assert "  !! DELETE job Data_Load_Job (databricks_job.data_load_job): removed from the " \
           "configuration; the job's run history would be lost" in result.output
    assert "  !! REPLACE databricks_sql_table.job_metadata: replaced (destroyed, then " \
           "created again); this is the job_metadata status log: every row in it would be " \
           "lost" in result.output
    assert "!! 2 resource(s) would be destroyed or replaced (listed with !! above), some " \
           "holding data" in result.output
    assert "apply" not in standin.commands()


def test_deploy_auto_approve_applies_without_asking(standin: StandIn,
                                                    workspace: fake.Workspace,
                                                    project: Path) -> None:
    standin.answer("seed_etl.apply.json", plan_from(stack_json(project)))
    result = brickline("deploy", "--auto-approve")  # every pipeline
    assert result.exit_code == 0, result.output
    assert "apply" in standin.commands()
    assert "seed_etl: nothing deployed (its state has no job outputs)" in result.output


def test_deploy_with_nothing_to_change_applies_nothing(standin: StandIn,
                                                       workspace: fake.Workspace,
                                                       project: Path) -> None:
    result = brickline("deploy", "seed_etl")
    assert result.exit_code == 0, result.output
    assert "  no changes" in result.output
    assert "nothing to apply: every stack is as planned" in result.output
    assert "apply" not in standin.commands()


def test_deploy_adopts_imported_jobs(standin: StandIn, workspace: fake.Workspace,
                                     project: Path) -> None:
    stack = stack_json(project)
    standin.answer("seed_etl.apply.json", plan_from(
        stack, {"databricks_job.data_load_job": ["no-op"]},
        importing={"databricks_job.data_load_job": "22"}))
    result = brickline("deploy", input="no\n")
    assert "  = adopt job Data_Load_Job (databricks_job.data_load_job), existing id 22" \
        in result.output
    assert "Plan: 1 to adopt (import), " in result.output


def test_deploy_names_missing_variables_before_terraform(
        standin: StandIn, workspace: fake.Workspace, project: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_VAR_warehouse_id")
    result = brickline("deploy", "seed_etl")
    assert result.exit_code == 1
    assert "stack 'seed_etl' needs TF_VAR_warehouse_id" in result.output
    assert standin.calls() == [] and workspace.requests == []


def test_deploy_without_credentials_stops_before_terraform(
        standin: StandIn, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clear_auth(monkeypatch)
    monkeypatch.setenv("TF_VAR_warehouse_id", "wh-1")
    result = brickline("deploy", "seed_etl")
    assert result.exit_code == 1
    assert "no Databricks credentials" in result.output
    assert standin.calls() == []


def test_deploy_says_what_terraform_said_when_it_fails(
        standin: StandIn, workspace: fake.Workspace, project: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANDIN_FAIL", "init")
    result = brickline("deploy", "seed_etl")
    assert result.exit_code == 1
    assert "brickline: terraform init of stack 'seed_etl' failed (exit 1):" in result.output
    assert "  Could not retrieve the list of available versions for provider " \
           "databricks/databricks" in result.output
    assert "Traceback" not in result.output


def test_deploy_with_a_profile_gives_terraform_the_same_profile(
        standin: StandIn, workspace: fake.Workspace, project: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "databrickscfg"
    config.write_text(f"[team]\nhost = {os.environ['DATABRICKS_HOST']}\n"
                      "token = dapi-profile\n")
    clear_auth(monkeypatch)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    monkeypatch.setenv("TF_VAR_warehouse_id", "wh-1")
    result = brickline("deploy", "seed_etl", "--profile", "team")
    assert result.exit_code == 0, result.output
    assert {c["profile"] for c in standin.calls()} == {"team"}


def test_deploy_of_one_target(standin: StandIn, workspace: fake.Workspace, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    folder = shutil.copytree(PIPELINES / "sales_daily", root / "pipelines" / "sales_daily")
    settings = folder / "pipeline.yml"
    text = settings.read_text()
    settings.write_text(text.replace("pipeline:\n", "pipeline:\n" + BACKEND))
    monkeypatch.chdir(root)
    monkeypatch.setenv("TF_VAR_slack_webhook", "https://hooks.slack.com/services/T/B/x")
    shared = brickline("deploy", "sales_daily", "--target", "prod")
    assert shared.exit_code == 1
    assert "stacks sales_daily-dev, sales_daily-prod keep their Terraform state in the same " \
           "place (s3 " in shared.output
    assert "deploying one would destroy what the other deployed" in shared.output
    assert standin.calls() == []
    for target in ("dev", "prod"):
        text = text.replace(f"    {target}:\n", f"    {target}:\n      backend: {{s3: {{bucket: "
                            f"tf-state, key: {target}.tfstate, region: eu-west-1}}}}\n", 1)
    settings.write_text(text)
    result = brickline("deploy", "sales_daily", "--target", "prod")
    assert result.exit_code == 0, result.output
    assert {Path(c["cwd"]).name for c in standin.calls()} == {"sales_daily-prod"}
    unknown = brickline("deploy", "sales_daily", "--target", "qa")
    assert unknown.exit_code == 2
    assert "no target 'qa' in pipeline 'sales_daily': the targets are dev, prod" \
        in unknown.output


# --- destroy ---------------------------------------------------------------------------

def test_destroy_refuses_while_the_stack_holds_the_status_log(
        standin: StandIn, workspace: fake.Workspace, project: Path) -> None:
    standin.answer("seed_etl.state.txt", "databricks_job.data_load_job\n"
                   "databricks_sql_table.job_metadata\n")
    result = brickline("destroy", "seed_etl")
    assert result.exit_code == 1
    assert "stack 'seed_etl' holds the status log main.pipeline_ops.job_metadata: destroying " \
           "it deletes the table and every row logged in it" in result.output
    assert "brickline destroy seed_etl --delete-status-log main.pipeline_ops.job_metadata" \
        in result.output
    assert standin.commands() == ["init", "state list"]
    wrong = brickline("destroy", "seed_etl", "--delete-status-log", "main.x.job_metadata")
    assert wrong.exit_code == 2 and "name it exactly" in wrong.output


def test_destroy_told_twice_deletes_the_status_log_too(
        standin: StandIn, workspace: fake.Workspace, project: Path) -> None:
    standin.answer("seed_etl.state.txt", "databricks_sql_table.job_metadata\n")
    named = ["destroy", "seed_etl", "--delete-status-log", "main.pipeline_ops.job_metadata"]
    # told once (the table named) is not enough: the confirmation is the second time
    not_confirmed = brickline(*named, input="yes\n")
    assert not_confirmed.exit_code == 1
    assert "Type the stack's name to go on" in not_confirmed.output
    assert "nothing destroyed" in not_confirmed.output
    standin.answer("seed_etl.destroy.json", plan_from(stack_json(project), default=["delete"]))
    result = brickline(*named, input="seed_etl\n")
    assert result.exit_code == 0, result.output
    assert "stack 'seed_etl' destroyed" in result.output
    plan_call = next(c for c in reversed(standin.calls()) if c["args"][0] == "plan")
    assert "-destroy" in plan_call["args"]
    assert plan_call["prevent_destroy"] is None  # lifted for this plan only
    table = stack_json(project)["resource"]["databricks_sql_table"]["job_metadata"]
    assert table["lifecycle"] == {"prevent_destroy": True}  # and back afterwards


def test_destroy_of_a_stack_without_the_table_asks_once(
        standin: StandIn, workspace: fake.Workspace, project: Path) -> None:
    standin.answer("seed_etl.state.txt", "databricks_job.data_load_job\n")
    standin.answer("seed_etl.destroy.json", {"format_version": "1.2", "resource_changes": []})
    result = brickline("destroy", "seed_etl", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert standin.commands()[-2:] == ["show -json", "apply"]


def test_destroy_with_no_state_does_nothing(standin: StandIn, workspace: fake.Workspace,
                                           project: Path) -> None:
    result = brickline("destroy", "seed_etl")
    assert result.exit_code == 0, result.output
    assert "holds nothing (its state is empty): nothing to destroy" in result.output
    assert "plan" not in standin.commands()


def test_destroy_takes_one_stack(standin: StandIn, workspace: fake.Workspace) -> None:
    result = brickline("destroy", "sales_daily", "--pipelines", str(PIPELINES))
    assert result.exit_code == 2
    assert "has 2 stacks (sales_daily-dev, sales_daily-prod): destroy one at a time, with " \
           "--target" in result.output
    assert standin.calls() == []


# --- summary ---------------------------------------------------------------------------

def test_summary_lists_every_job_with_its_url(standin: StandIn, project: Path) -> None:
    first = brickline("summary", "seed_etl")
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == \
        "seed_etl: nothing deployed (its state has no job outputs)"
    stack = stack_json(project)
    standin.answer("seed_etl.outputs.json", outputs(stack))
    result = brickline("summary")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "seed_etl:"
    names = [line.split()[0] for line in lines[1:]]
    assert names == ["seed_etl_orchestrator", "Data_Extract_Job", "Data_Load_Job",
                     "ES_Load_Job"]
    assert all(line.split()[2].startswith(f"{fake.URL}/jobs/") for line in lines[1:])
    assert standin.commands()[-2:] == ["init", "output"]


# --- the Terraform steps on the real terraform (no provider needed) ---------------------

TERRAFORM = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(TERRAFORM is None,
                                     reason="terraform is not on the PATH (CI has 1.11)")


@needs_terraform
def test_the_terraform_steps_on_the_real_terraform(tmp_path: Path) -> None:
    folder = tmp_path / "stacks" / "demo"
    folder.mkdir(parents=True)
    doc = {"terraform": {"backend": {"local": {"path": "../../demo.tfstate"}}},
           "resource": {"terraform_data": {
               "job_metadata": {"input": "rows", "lifecycle": {"prevent_destroy": True}},
               "load_job": {"input": "load"}}},
           "output": {"load_job_job_id": {"value": "${terraform_data.load_job.id}"}}}
    (folder / "cdk.tf.json").write_text(json.dumps(doc))
    stack = terraform.Stack("demo", folder)
    terraform.init(stack)
    assert terraform.state_addresses(stack) == []  # no state file yet
    assert terraform.outputs(stack) == {}
    plan = terraform.plan(stack)
    assert terraform.has_changes(plan)
    assert plan_report.text(plan_report.report(plan)).startswith(
        "Plan: 2 to add, 0 to change, 0 to destroy")
    shown: list[str] = []
    terraform.apply(stack, shown.append)
    assert any(line.startswith("Apply complete!") for line in shown)
    assert terraform.state_addresses(stack) == ["terraform_data.job_metadata",
                                                "terraform_data.load_job"]
    assert set(terraform.outputs(stack)) == {"load_job_job_id"}
    assert not terraform.has_changes(terraform.plan(stack))
    # prevent_destroy stops a destroy plan, as it protects the status log
    with pytest.raises(OpsError, match="terraform plan of stack 'demo' failed") as refused:
        terraform.plan(stack, destroy=True)
    assert "prevent_destroy" in str(refused.value)
    terraform.without_prevent_destroy(stack, "terraform_data.job_metadata")
    gone = terraform.plan(stack, destroy=True)
    assert plan_report.report(gone).counts["terraform_data"]["delete"] == 2
    terraform.apply(stack, shown.append)
    assert terraform.state_addresses(stack) == []


@needs_terraform
def test_a_failing_terraform_call_says_what_terraform_said(tmp_path: Path) -> None:
    (tmp_path / "cdk.tf.json").write_text(
        '{"resource": {"terraform_data": {"x": {"bogus": 1}}}}')
    stack = terraform.Stack("broken", tmp_path)
    terraform.init(stack)
    with pytest.raises(OpsError) as failed:
        terraform.plan(stack)
    text = str(failed.value)
    assert text.startswith("terraform plan of stack 'broken' failed (exit 1):")
    assert 'No argument or block type is named "bogus"' in text
