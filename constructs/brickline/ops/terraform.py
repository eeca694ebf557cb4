"""Terraform on synthesized stacks, for `brickline deploy`, `destroy` and `summary`.

Each stack is planned to a plan file, the plan (`terraform show -json`) is reported in the
review's words, and what is applied is that plan file, nothing else: what the user was
shown is what is done (Terraform CLI docs, "Command: apply", *Saved plan mode*). Terraform
runs in the stack's folder (`cdktf.out/stacks/<stack>`), as `cdktf deploy` runs it, so a
relative backend path means the same file.

Every call is `terraform <command> -input=false` (no prompt can hang a CI job: "Command:
plan", -input=false) with CHECKPOINT_DISABLE=1 unless set (Terraform's checkpoint call
home: docs "Environment Variables", CHECKPOINT_DISABLE) and TF_IN_AUTOMATION=1 (shorter
output that suggests no next command: docs "Environment Variables", TF_IN_AUTOMATION).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickline import names
from brickline.ops.connect import OpsError
from brickline.plan import StackPlan

PLAN_FILE = "brickline.tfplan"
# the status log table's Terraform type (plan/status_log.py builds it)
TABLE_TYPE = "databricks_sql_table"
# what a failing command shows of its own output
TAIL_LINES = 30


@dataclass(frozen=True)
class Stack:
    """A synthesized stack: its name, the folder Terraform runs in, and the profile of
    ~/.databrickscfg the provider is to use (--profile), if any."""

    name: str
    folder: Path
    profile: str | None = None


def executable() -> str:
    found = shutil.which("terraform")
    if found is None:
        raise OpsError("terraform is not on the PATH: install Terraform 1.11 "
                       "(https://developer.hashicorp.com/terraform/install); in GitHub Actions, "
                       "hashicorp/setup-terraform with terraform_wrapper: false")
    return found


def environment(stack: Stack) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CHECKPOINT_DISABLE", "1")
    env.setdefault("TF_IN_AUTOMATION", "1")
    if stack.profile:
        # the provider's `profile` argument from the environment (provider docs,
        # "Authentication": DATABRICKS_CONFIG_PROFILE), as brickline's own calls use it
        env["DATABRICKS_CONFIG_PROFILE"] = stack.profile
    return env


def run(stack: Stack, args: Sequence[str], *, echo: Callable[[str], None] | None = None,
        what: str | None = None, quiet_failure: str | None = None) -> str:
    """`terraform ARGS` in the stack's folder: its standard output, or an OpsError with the
    last lines it wrote. With `echo`, each line of output is passed on as it comes (apply's
    progress). Standard error is kept apart: Terraform writes warnings there (about its CLI
    configuration, say) that must not end up inside `show -json`'s JSON. A failure whose
    output holds `quiet_failure` returns "" instead."""
    command = [executable(), *args]
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errors:
        try:
            process = subprocess.Popen(command, cwd=stack.folder, env=environment(stack),
                                       stdout=subprocess.PIPE, stderr=errors, text=True,
                                       encoding="utf-8", errors="replace")
        except OSError as exc:
            raise OpsError(f"cannot run terraform: {exc}") from None
        lines = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if echo is not None:
                echo(line.rstrip("\n"))
        code = process.wait()
        errors.seek(0)
        said = errors.read().splitlines()
    if code != 0:
        if quiet_failure is not None and any(quiet_failure in x for x in lines + said):
            return ""
        shown = "\n".join(f"  {line}" for line in _tail(said if echo else lines + said))
        raise OpsError(f"terraform {what or args[0]} of stack '{stack.name}' failed (exit "
                       f"{code}):\n{shown}")
    return "\n".join(lines)


def _tail(lines: list[str]) -> list[str]:
    kept = [line for line in lines if line.strip()]
    return kept[-TAIL_LINES:]


def init(stack: Stack) -> None:
    run(stack, ["init", "-input=false", "-no-color"])


def plan(stack: Stack, *, destroy: bool = False) -> dict[str, Any]:
    """Plan to PLAN_FILE in the stack's folder; the plan as `terraform show -json` gives it."""
    run(stack, ["plan", "-input=false", "-no-color", *(["-destroy"] if destroy else []),
                f"-out={PLAN_FILE}"])
    text = run(stack, ["show", "-json", PLAN_FILE], what="show")
    try:
        found = json.loads(text)
    except ValueError:
        raise OpsError(f"terraform show -json of stack '{stack.name}' did not print JSON")\
            from None
    if not isinstance(found, dict):
        raise OpsError(f"terraform show -json of stack '{stack.name}' did not print a plan")
    return found


def apply(stack: Stack, echo: Callable[[str], None]) -> None:
    """Apply the plan file made by `plan`, and nothing else."""
    run(stack, ["apply", "-input=false", "-no-color", PLAN_FILE], echo=echo)


def state_addresses(stack: Stack) -> list[str]:
    """What the stack's state holds (`terraform state list`); [] when it has no state."""
    # a local backend without a state file: "No state file was found!" (exit 1)
    text = run(stack, ["state", "list"], what="state list",
               quiet_failure="No state file was found")
    return [line.strip() for line in text.splitlines() if line.strip()]


def outputs(stack: Stack) -> dict[str, Any]:
    """The stack's outputs from its state (`terraform output -json`): name -> value."""
    text = run(stack, ["output", "-json", "-no-color"], what="output")
    try:
        found = json.loads(text or "{}")
    except ValueError:
        raise OpsError(f"terraform output -json of stack '{stack.name}' did not print JSON")\
            from None
    return {k: v.get("value") for k, v in found.items() if isinstance(v, dict)}


def has_changes(plan_json: dict[str, Any]) -> bool:
    return any(set(rc.get("change", {}).get("actions", [])) - {"no-op", "read"}
               or rc.get("change", {}).get("importing")
               for rc in plan_json.get("resource_changes", []))


def without_prevent_destroy(stack: Stack, address: str) -> None:
    """The stack's cdk.tf.json with the resource at `address` (type.name) no longer kept
    from destruction: Terraform refuses to plan destroying a resource whose
    lifecycle.prevent_destroy is true ("Command: destroy"; the lifecycle meta-argument,
    prevent_destroy), whatever the command. Only `brickline destroy --delete-status-log`
    calls it; the next synth writes the file again as it was."""
    path = stack.folder / "cdk.tf.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    kind, name = address.split(".", 1)
    resource = doc.get("resource", {}).get(kind, {}).get(name)
    if resource is None:
        return
    lifecycle = dict(resource.get("lifecycle", {}))
    lifecycle.pop("prevent_destroy", None)
    if lifecycle:
        resource["lifecycle"] = lifecycle
    else:
        resource.pop("lifecycle", None)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def missing_variables(stack: Stack, env: dict[str, str] | None = None) -> list[str]:
    """The stack's variables without a default that no TF_VAR_<name> gives a value: with
    -input=false, Terraform stops at the first one ("No value for required variable")."""
    env = dict(os.environ) if env is None else env
    if any(k in env for k in ("TF_CLI_ARGS", "TF_CLI_ARGS_plan")):
        return []  # values may come from -var or -var-file there: Terraform will tell
    doc = json.loads((stack.folder / "cdk.tf.json").read_text(encoding="utf-8"))
    return sorted(name for name, var in (doc.get("variable") or {}).items()
                  if "default" not in var and f"TF_VAR_{name}" not in env)


@dataclass(frozen=True)
class DeployedJob:
    name: str
    job_id: str | None
    url: str | None


def deployed_jobs(stack: StackPlan, values: dict[str, Any]) -> list[DeployedJob]:
    """The stack's jobs (the orchestrator first) with the id and URL its outputs hold
    (names.job_outputs), None where the state has none (not deployed yet)."""
    out = []
    for job in ([stack.orchestrator] if stack.orchestrator else []) + list(stack.jobs):
        id_output, url_output = names.job_outputs(job.address)
        job_id, url = values.get(id_output), values.get(url_output)
        out.append(DeployedJob(str(job.settings.get("name") or job.name),
                               str(job_id) if job_id is not None else None,
                               str(url) if url is not None else None))
    return out
