"""The Node that runs cdktf and jsii: Node 22 from npm, in the local setup and in the
workflows. jsii calls Node 20 unsupported since 2026-10-30 and prints a banner on it."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ENGINE, NODE_BIN, REPO
from helpers import synth_json

NODE_MAJOR = "22"


def test_package_json_pins_node_22_exactly() -> None:
    pinned = json.loads((REPO / "package.json").read_text())["devDependencies"]["node"]
    assert pinned.split(".")[0] == NODE_MAJOR and pinned.count(".") == 2, pinned


def test_every_workflow_sets_up_node_22() -> None:
    found = []
    for workflow in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            found += [str(s["with"]["node-version"]) for s in job.get("steps", [])
                      if str(s.get("uses", "")).startswith("actions/setup-node@")]
    assert found and set(found) == {NODE_MAJOR}


@pytest.mark.skipif(not (NODE_BIN / "node").exists(),
                    reason="node 22 is installed by `make setup` (npm ci)")
def test_jsii_runs_on_node_22_with_no_banner() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JSII_SILENCE")}
    result = subprocess.run([sys.executable, "-c", "import cdktf, jsii"], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "end-of-life" not in result.stderr and "not supported" not in result.stderr
    version = subprocess.run(["node", "--version"], env=env, capture_output=True, text=True,
                             check=True).stdout
    assert version.startswith(f"v{NODE_MAJOR}."), version


def review_steps() -> list[dict[str, Any]]:
    doc = yaml.safe_load((REPO / ".github" / "workflows" / "pull-request.yml").read_text())
    return list(doc["jobs"]["review"]["steps"])


def test_pull_request_validates_every_stack_before_the_comment_without_credentials() -> None:
    steps = review_steps()
    names = [str(s.get("name", s.get("uses", ""))) for s in steps]
    validate = next(i for i, s in enumerate(steps) if "terraform validate" in str(s.get("run")))
    comment = next(i for i, n in enumerate(names) if n.startswith("Post or update"))
    assert validate < comment
    step = steps[validate]
    run = str(step["run"])
    assert "for stack in cdktf.out/stacks/*/; do" in run
    assert 'terraform -chdir="${stack}" init -backend=false' in run
    assert 'terraform -chdir="${stack}" validate' in run
    assert run.index("npx cdktf synth") < run.index("init -backend=false")
    assert step["env"] == {"DATABRICKS_HOST": "", "DATABRICKS_TOKEN": ""}
    assert "if" not in step  # it runs on every pull request, credentials or not


def test_the_stacks_pin_the_provider_the_bindings_were_generated_from(
        examples: dict[str, Any]) -> None:
    # the bindings say which provider they wrap in the first line of their package
    spec = importlib.util.find_spec(ENGINE.bindings)  # this run's engine's bindings
    assert spec is not None and spec.origin is not None
    head = Path(spec.origin).read_text(encoding="utf-8").splitlines()[1]
    match = re.fullmatch(r"# CDKT[FN] prebuilt bindings for databricks/databricks provider "
                         r"version (\d+\.\d+\.\d+)", head)
    assert match, head
    stack = next(iter(sorted(examples.values(), key=lambda s: s.name)))
    pinned = synth_json(stack)["terraform"]["required_providers"]["databricks"]
    assert pinned == {"source": "databricks/databricks", "version": match.group(1)}


def pins(name: str) -> dict[str, str]:
    out = {}
    for line in (REPO / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            package, version = line.split("==")
            out[package.strip().lower().replace("_", "-")] = version.strip()
    return out


def test_the_mutation_lock_agrees_with_pyproject_and_stands_apart() -> None:
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["mutation"]
    mutation = pins("requirements-mutation.lock")
    for spec in extras:
        name, version = spec.split("==")
        assert mutation.get(name.lower()) == version, spec
    assert not mutation.keys() & (pins("requirements.lock").keys()
                                  | pins("requirements-test.lock").keys())
