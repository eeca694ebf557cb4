"""The engine seam: cdktf 0.21 (provider 1.99) or cdktn 0.24 (provider 1.138).

- which engine a process uses (brickline.engine: the environment, then cdktf.json, then
  what is installed), and the message when it is not installed;
- a job field newer than the engine's provider: one located error naming the field, the
  provider version it needs and how to switch engine, on both doors (pipeline, bundle);
- the two engines' synth of the same pipelines: `brickline diff` between them destroys
  nothing, and the bytes differ only where the engine and its provider say so (pinned
  here: the provider version, the engine's version in the metadata, how the engine's
  writer writes an empty object or list).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from brickline import engine
from brickline.spec.diagnostics import SpecError
from brickline.spec.load import load_pipelines
from conftest import PIPELINES, REPO, write

ENV = {**os.environ, "CHECKPOINT_DISABLE": "1", "DISABLE_VERSION_CHECK": "1",
       "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20,18", "BRICKLINE_PROGRESS": "0"}

PIPELINE_YML = ("pipeline:\n  name: ops\n  metadata:\n    catalog: main\n"
                "    schema: pipeline_ops\n    table: ops_job_metadata\n")
OPERATOR_JOB = """jobs:
  - name: Operator_Job
    tasks:
      - task_key: prepare
        notebook_task: {notebook_path: /Workspace/ops/prepare}
      - task_key: run_operator
        depends_on: [{task_key: prepare}]
        python_operator_task:
          main: ops.operators.run
          parameters:
            - {name: mode, value: full}
"""


def run(args: list[str], *, engine_name: str | None = None, cwd: Path = REPO,
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in ENV.items() if k != engine.ENV}
    if engine_name:
        env[engine.ENV] = engine_name
    return subprocess.run([sys.executable, "-m", "brickline.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


# --- the choice ---------------------------------------------------------------------------

def test_the_environment_then_cdktf_json_then_what_is_installed(tmp_path: Path) -> None:
    config = tmp_path / "cdktf.json"
    neither = {"cdktf": True, "cdktn": False}
    both = {"cdktf": True, "cdktn": True}
    assert engine.choose({}, None, neither)[0] is engine.CDKTF  # the default
    assert engine.choose({}, None, both)[0] is engine.CDKTN  # `brickline[cdktn]`
    config.write_text(json.dumps({"app": "x", "context": {"brickline:engine": "cdktf"}}))
    assert engine.choose({}, config, both)[0] is engine.CDKTF  # the project says
    assert engine.choose({"BRICKLINE_ENGINE": "cdktn"}, config, neither)[0] is engine.CDKTN
    config.write_text(json.dumps({"app": "x", "context": {}}))
    assert engine.choose({}, config, both)[0] is engine.CDKTN


def test_a_setting_that_names_no_engine_says_which_there_are(tmp_path: Path) -> None:
    config = tmp_path / "cdktf.json"
    config.write_text(json.dumps({"context": {"brickline:engine": "cdktx"}}))
    with pytest.raises(engine.EngineError, match=r"cdktf.json: context.brickline:engine = "
                       r"'cdktx': no such engine; expected one of cdktf, cdktn"):
        engine.choose({}, config, {})
    with pytest.raises(engine.EngineError, match="BRICKLINE_ENGINE=tf: no such engine"):
        engine.choose({"BRICKLINE_ENGINE": "tf"}, None, {})


def test_the_project_setting_reaches_a_process_started_there(tmp_path: Path) -> None:
    (tmp_path / "cdktf.json").write_text(json.dumps(
        {"language": "python", "app": "python main.py",
         "context": {"brickline:engine": "cdktn"}}))
    env = {k: v for k, v in ENV.items() if k != engine.ENV}
    code = "from brickline import engine; print(engine.current().name, engine.reason())"
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.startswith("cdktn ") and "context.brickline:engine" in result.stdout


@pytest.mark.skipif(engine.is_installed(engine.CDKTN),
                    reason="both engines are installed here: none to report missing")
def test_an_engine_that_is_not_installed_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    result = run(["synth", str(PIPELINES / "parallel_abcd"), "--outdir", str(tmp_path / "o")],
                 engine_name="cdktn")
    assert result.returncode == 1, result.stderr
    assert ("brickline synthesizes with cdktn 0.24 (the environment (BRICKLINE_ENGINE)), but "
            "cdktn and cdktn-provider-databricks are not installed: pip install "
            "'brickline[cdktn]'") in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "o").exists()


# --- a field newer than the engine's provider ---------------------------------------------

def operator_pipeline(tmp_path: Path) -> Path:
    return write(tmp_path / "ops", {"pipeline.yml": PIPELINE_YML, "jobs.yml": OPERATOR_JOB})


def test_a_newer_field_on_the_older_engine_is_one_located_error(tmp_path: Path) -> None:
    folder = operator_pipeline(tmp_path)
    with engine.override("cdktf"), pytest.raises(SpecError) as raised:
        load_pipelines([str(folder)])
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.render() == (
        f"{folder / 'jobs.yml'}:8:9: jobs[0].tasks[1].python_operator_task: "
        "'python_operator_task' needs Databricks provider 1.138.0; brickline's cdktf 0.21 "
        "engine synthesizes for provider 1.99.0: switch to the cdktn 0.24 engine (provider "
        "1.138.0) with pip install 'brickline[cdktn]', or set \"brickline:engine\": "
        "\"cdktn\" in the context of cdktf.json (deployed jobs keep their state and "
        "addresses)")


def test_a_newer_field_on_the_newer_engine_validates(tmp_path: Path) -> None:
    with engine.override("cdktn"):
        (pipeline,) = load_pipelines([str(operator_pipeline(tmp_path))])
    (job,) = pipeline.jobs
    task = next(t for t in job.tasks if t.task_key == "run_operator")
    assert task.python_operator_task is not None
    assert task.python_operator_task.main == "ops.operators.run"


def test_newer_fields_anywhere_each_once_and_never_an_unknown_key(tmp_path: Path) -> None:
    """At the job's level, in a nested block, inside a for_each task; a bad value inside a
    newer block is not reported on top of it; an older field beside them is fine."""
    folder = write(tmp_path / "many", {"pipeline.yml": PIPELINE_YML, "jobs.yml": """jobs:
  - name: Many
    parent_path: /Workspace/ops
    git_source:
      git_url: https://github.com/example/ops
      git_provider: gitHub
      git_branch: main
      sparse_checkout: {patterns: [src]}
    tasks:
      - task_key: loop
        for_each_task:
          inputs: '["a", "b"]'
          task:
            task_key: each
            alert_task: {alert_id: 12, warehouse_id: w}
            notebook_task: {notebook_path: notebooks/x}
"""})
    with engine.override("cdktf"), pytest.raises(SpecError) as raised:
        load_pipelines([str(folder)])
    found = [(d.key_path, d.message.split(";")[0]) for d in raised.value.diagnostics]
    assert found == [
        ("jobs[0].git_source.sparse_checkout",
         "'sparse_checkout' needs Databricks provider 1.138.0"),
        ("jobs[0].parent_path", "'parent_path' needs Databricks provider 1.138.0"),
        ("jobs[0].tasks[0].for_each_task.task.alert_task",
         "'alert_task' needs Databricks provider 1.138.0"),
    ]
    assert not any("unknown" in d.message for d in raised.value.diagnostics)


def test_a_bundle_job_with_a_newer_field_is_located_too(tmp_path: Path) -> None:
    folder = write(tmp_path / "bundle", {
        "databricks.yml": "bundle:\n  name: ops\ninclude:\n  - resources/*.yml\n",
    })
    write(folder / "resources", {"ops.job.yml": """resources:
  jobs:
    operator:
      name: Operator
      tasks:
        - task_key: run_operator
          python_operator_task:
            main: ops.operators.run
"""})
    with engine.override("cdktf"), pytest.raises(SpecError) as raised:
        load_pipelines([str(folder)])
    messages = [d.render() for d in raised.value.diagnostics]
    assert any(re.search(r"ops\.job\.yml:7:11: resources\.jobs\.operator\.tasks\[0\]\."
                         r"python_operator_task: 'python_operator_task' needs Databricks "
                         r"provider 1\.138\.0", m) for m in messages), messages


def test_brickline_validate_names_provider_1_138_on_cdktf(tmp_path: Path) -> None:
    folder = operator_pipeline(tmp_path)
    result = run(["validate", str(folder)], engine_name="cdktf")
    assert result.returncode == 1
    assert (f"{folder / 'jobs.yml'}:8:9: jobs[0].tasks[1].python_operator_task: "
            "'python_operator_task' needs Databricks provider 1.138.0") in result.stderr
    assert "Traceback" not in result.stderr


# --- both engines' synth ------------------------------------------------------------------

def synth(paths: list[Path], out: Path, engine_name: str) -> dict[str, bytes]:
    result = run(["synth", *map(str, paths), "--outdir", str(out)], engine_name=engine_name)
    assert result.returncode == 0, result.stderr
    return {str(f.relative_to(out)): f.read_bytes() for f in sorted(out.rglob("*"))
            if f.is_file() and f.name != "brickline-inputs.json"}


def as_cdktf(name: str, text: str) -> str:
    """cdktn's file with what the engine sets put back as cdktf writes it: the engine's
    version (a stack's metadata, the manifest), the provider version the bindings pin, and
    safe-stable-stringify's empty `{}` / `[]` over two lines as json-stable-stringify
    writes them. Anything else that differs is a difference the engines must not have."""
    text = text.replace('"version": "0.24.0"', '"version": "0.21.0"')
    if name.endswith("cdk.tf.json"):
        text = text.replace('"version": "1.138.0"', '"version": "1.99.0"')
    return re.sub(r"(?m)^( *)(.*)([{\[])([}\]])(,?)$", r"\1\2\3\n\1\4\5", text)


# the examples, a bundle of the test data and the bundle roots of tests/data/bundles (real
# project layouts: pipelines, schemas, volumes, grants, synced files); each folder one
# `brickline synth` argument
CORPUS = [PIPELINES, REPO / "tests" / "data" / "bundle",
          *sorted((REPO / "tests" / "data" / "bundles").iterdir())]


@pytest.mark.cdktn
def test_the_engines_synthesize_the_same_resources_and_diff_destroys_nothing(
        tmp_path: Path) -> None:
    paths = [p for p in CORPUS if p.exists()]
    old = synth(paths, tmp_path / "cdktf", "cdktf")
    new = synth(paths, tmp_path / "cdktn", "cdktn")
    assert sorted(old) == sorted(new)
    stacks = [n for n in old if n.endswith("cdk.tf.json")]
    assert len(stacks) >= 4
    for name in old:
        assert as_cdktf(name, new[name].decode()) == old[name].decode(), name
    for name in stacks:
        config = json.loads(new[name])
        assert config["terraform"]["required_providers"]["databricks"] == {
            "source": "databricks/databricks", "version": "1.138.0"}
        assert config["//"]["metadata"]["version"] == "0.24.0"
    # moving a deployed stack from cdktf to cdktn: same addresses, nothing destroyed
    diff = run(["diff", "--base-dir", str(tmp_path / "cdktf"), "--head-dir",
                str(tmp_path / "cdktn"), "--format", "text"])
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert "\nnothing would be destroyed\n" in diff.stdout
    for name in stacks:
        assert f"\n{name.split('/')[1]}: unchanged\n" in diff.stdout
    back = run(["diff", "--base-dir", str(tmp_path / "cdktn"), "--head-dir",
                str(tmp_path / "cdktf"), "--format", "text"])
    assert back.returncode == 0 and "\nnothing would be destroyed\n" in back.stdout


@pytest.mark.cdktn
def test_a_python_operator_task_synthesizes_on_cdktn(tmp_path: Path) -> None:
    files = synth([operator_pipeline(tmp_path)], tmp_path / "out", "cdktn")
    config = json.loads(files["stacks/ops/cdk.tf.json"])
    tasks = config["resource"]["databricks_job"]["operator_job"]["task"]
    (task,) = [t for t in tasks if t["task_key"] == "run_operator"]
    assert task["python_operator_task"] == {
        "main": "ops.operators.run", "parameters": [{"name": "mode", "value": "full"}]}
    assert config["terraform"]["required_providers"]["databricks"]["version"] == "1.138.0"


def test_a_key_the_older_provider_requires_is_asked_for_there_only(tmp_path: Path) -> None:
    """Provider 1.138 made a job cluster's new_cluster optional (serverless_compute_id is
    the other way); provider 1.99 requires it."""
    folder = write(tmp_path / "clusters", {"pipeline.yml": PIPELINE_YML, "jobs.yml": """jobs:
  - name: Clustered
    job_clusters:
      - job_cluster_key: main
        serverless_compute_id: sc-123
    tasks:
      - task_key: run
        job_cluster_key: main
        spark_python_task: {python_file: /Workspace/ops/run.py}
"""})
    with engine.override("cdktf"), pytest.raises(SpecError) as raised:
        load_pipelines([str(folder)])
    found = [(d.key_path, d.message) for d in raised.value.diagnostics]
    assert ("jobs[0].job_clusters[0].serverless_compute_id",
            "'serverless_compute_id' needs Databricks provider 1.138.0") in [
        (path, message.split(";")[0]) for path, message in found]
    # the older provider's own requirement, once the newer field is taken away
    without_it = (folder / "jobs.yml").read_text().replace(
        "        serverless_compute_id: sc-123\n", "")
    (folder / "jobs.yml").write_text(without_it)
    with engine.override("cdktf"), pytest.raises(SpecError) as raised:
        load_pipelines([str(folder)])
    assert [(d.key_path, d.message) for d in raised.value.diagnostics
            if "new_cluster" in d.message] == [
        ("jobs[0].job_clusters[0]", "missing required key 'new_cluster': brickline's cdktf "
         "0.21 engine synthesizes for Databricks provider 1.99.0, which requires it "
         "(provider 1.138.0 does not)")]
