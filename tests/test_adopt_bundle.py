"""Bundle job files load unchanged; both spellings of the fields the Jobs API and the
provider name differently; ${bundle.target}; per-target job and orchestrator overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan, plans
from brickline.spec.diagnostics import render
from brickline.spec.load import collect, load_pipelines
from conftest import write

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

BUNDLE = Path(__file__).parent / "data" / "bundle"


def synth(stack: StackPlan) -> dict[str, Any]:
    return json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))


def errors(folder: Path) -> str:
    _, diagnostics = collect([str(folder)])
    return render(diagnostics)


@pytest.fixture(scope="module")
def bundled() -> dict[str, StackPlan]:
    (pipeline,) = load_pipelines([str(BUNDLE)])
    return {s.target or "": s for s in plans(pipeline)}


def job(stack: StackPlan, address: str) -> dict[str, Any]:
    return next(j.settings for j in stack.jobs if j.address == address)


def work_tasks(settings: dict[str, Any]) -> dict[str, Any]:
    return {t["task_key"]: t for t in settings["task"]
            if not t["task_key"].startswith("brickline")}


def test_bundle_jobs_load_with_their_resource_keys(bundled: dict[str, StackPlan]) -> None:
    prod = bundled["prod"]
    assert sorted(j.address for j in prod.jobs) == ["nightly_etl", "report"]
    etl = job(prod, "nightly_etl")
    assert etl["name"] == "nightly-etl-prod"
    # Jobs API names in, provider names out
    assert etl["git_source"] == {"url": "https://github.com/example/etl",
                                 "provider": "gitHub", "branch": "main"}
    assert etl["job_cluster"][0]["new_cluster"]["spark_conf"] == {"spark.speculation": "true"}
    each = work_tasks(etl)["per_region"]["for_each_task"]
    assert each["inputs"] == '["us", "eu", "apac"]' and each["concurrency"] == 2
    assert each["task"]["spark_python_task"] == {"python_file": "jobs/region.py",
                                                 "parameters": ["{{input}}"]}
    assert {"name": "env", "default": "prod"} in etl["parameter"]
    report = job(prod, "report")
    assert report["environment"][0] == {"environment_key": "default", "spec": {
        "environment_version": "2", "dependencies": ["pandas==2.2.2"]}}
    assert sorted(work_tasks(report)) == ["build", "publish"]
    assert [r.address for r in prod.resources if r.type == "databricks_permissions"] == [
        "perm_nightly_etl"]
    # a bundle job with a schedule of its own keeps it; the orchestrator runs the others
    assert etl["schedule"]["quartz_cron_expression"] == "0 0 2 * * ?"
    assert [t["task_key"] for t in prod.orchestrator.settings["task"]] == [
        "brickline_start", "report"]


def test_bundle_target_is_the_target_name(bundled: dict[str, StackPlan]) -> None:
    dev = job(bundled["dev"], "nightly_etl")
    assert dev["name"] == "[dev] nightly-etl-dev"
    assert work_tasks(dev)["extract"]["notebook_task"]["base_parameters"]["target"] == "dev"
    assert "${bundle" not in json.dumps(synth(bundled["dev"]))


def test_a_pipeline_without_targets_is_the_default_target(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.yml": "resources:\n  jobs:\n    a:\n      tasks:\n"
                     "        - task_key: t\n          notebook_task:\n"
                     "            notebook_path: /Shared/x-${bundle.target}\n"})
    (pipeline,) = load_pipelines([str(tmp_path)])
    (stack,) = plans(pipeline)
    settings = job(stack, "a")
    assert settings["name"] == "a"  # a bundle job's name defaults to its key
    assert work_tasks(settings)["t"]["notebook_task"]["notebook_path"] == "/Shared/x-default"


def test_target_overrides_merge_as_bundles_do(bundled: dict[str, StackPlan]) -> None:
    dev, prod = job(bundled["dev"], "nightly_etl"), job(bundled["prod"], "nightly_etl")
    # a notification list is replaced: dev does not page the production on-call
    assert dev["email_notifications"]["on_failure"] == ["dev-team@example.com"]
    assert prod["email_notifications"]["on_failure"] == ["oncall@example.com"]
    # job clusters merged by job_cluster_key, keys kept
    assert dev["job_cluster"][0]["new_cluster"]["num_workers"] == 1
    assert dev["job_cluster"][0]["new_cluster"]["node_type_id"] == "i3.xlarge"
    # tasks by task_key: one parameter added, the notebook path kept, other tasks kept
    extract = work_tasks(dev)["extract"]["notebook_task"]
    assert extract["base_parameters"] == {"target": "dev", "sample": "true"}
    assert extract["notebook_path"] == "notebooks/extract"
    assert sorted(work_tasks(dev)) == sorted(work_tasks(prod)) == ["extract", "per_region"]
    # the orchestrator: dev's schedule paused, cron kept; prod's untouched
    d, p = bundled["dev"].orchestrator.settings, bundled["prod"].orchestrator.settings
    assert d["schedule"] == {"quartz_cron_expression": "0 0 1 * * ?", "timezone_id": "UTC",
                             "pause_status": "PAUSED"}
    assert p["schedule"] == {"quartz_cron_expression": "0 0 1 * * ?", "timezone_id": "UTC"}
    assert p["email_notifications"] == d["email_notifications"]


@pytest.mark.parametrize("spelled", ["api", "provider"])
def test_both_spellings_load_to_the_same_settings(tmp_path: Path, spelled: str) -> None:
    api = ("git_url", "git_provider", "git_branch", "tasks", "job_clusters", "libraries",
           "parameters", "environments")
    provider = ("url", "provider", "branch", "task", "job_cluster", "library", "parameter",
                "environment")
    n = dict(zip(("url", "prov", "branch", "tasks", "jc", "lib", "par", "env"),
                 api if spelled == "api" else provider, strict=True))
    write(tmp_path, {"jobs.yml": f"""
jobs:
  - name: j
    git_source: {{{n['url']}: https://x/y, {n['prov']}: gitLab, {n['branch']}: dev}}
    {n['jc']}:
      - job_cluster_key: c
        new_cluster: {{spark_version: 15.4.x-scala2.12, node_type_id: m5, num_workers: 1}}
    {n['par']}: [{{name: p, default: "1"}}]
    {n['env']}: [{{environment_key: e, spec: {{environment_version: "2"}}}}]
    {n['tasks']}:
      - task_key: t
        job_cluster_key: c
        {n['lib']}: [{{pypi: {{package: requests}}}}]
        spark_python_task: {{python_file: /Workspace/x.py, source: WORKSPACE}}
"""})
    (pipeline,) = load_pipelines([str(tmp_path)])
    (stack,) = plans(pipeline)
    settings = job(stack, "j")
    assert settings["git_source"] == {"url": "https://x/y", "provider": "gitLab",
                                      "branch": "dev"}
    assert work_tasks(settings)["t"]["library"] == [{"pypi": {"package": "requests"}}]
    assert {"name": "p", "default": "1"} in settings["parameter"]
    assert settings["job_cluster"][0]["job_cluster_key"] == "c"
    assert settings["environment"] == [{"environment_key": "e",
                                        "spec": {"environment_version": "2"}}]


def test_both_spellings_at_once_is_located(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.yml": "jobs:\n  - name: j\n    git_source:\n"
                     "      git_url: https://x\n      url: https://y\n"
                     "    tasks: [{task_key: t, notebook_task: {notebook_path: /a}}]\n"})
    out = errors(tmp_path)
    assert "jobs.yml:5:7" in out
    assert "'url' and 'git_url' are one field" in out and "keep 'git_url'" in out


def test_a_folder_with_databricks_yml_is_a_bundle_root(tmp_path: Path) -> None:
    """Its keys are the bundle's (spec/bundle.py), no longer refused as pipeline keys; a
    resource type brickline does not provision is one located error naming it."""
    write(tmp_path, {"databricks.yml": """bundle:
  name: etl
include:
  - resources/*.yml
targets:
  dev:
    mode: development
variables:
  catalog:
    default: main
resources:
  apps:
    a: {}
  jobs:
    j:
      tasks: [{task_key: t, notebook_task: {notebook_path: /a}}]
"""})
    _, diagnostics = collect([str(tmp_path)])
    assert [(d.key_path, d.location.line) for d in diagnostics
            if d.severity == "error"] == [("resources.apps", 12)]
    assert "resources.apps (a) is not one of them" in diagnostics[0].message
    write(tmp_path, {"databricks.yml": (tmp_path / "databricks.yml").read_text().replace(
        "  apps:\n    a: {}\n", "")})
    (pipeline,), diagnostics = collect([str(tmp_path)])
    assert [d for d in diagnostics if d.severity == "error"] == []
    assert pipeline.name == "etl" and [j.name for j in pipeline.jobs] == ["j"]


def test_override_mistakes_are_located_with_did_you_mean(tmp_path: Path) -> None:
    write(tmp_path, {
        "jobs.yml": "jobs:\n  - name: load_sales\n"
                    "    tasks: [{task_key: t, notebook_task: {notebook_path: /a}}]\n",
        "pipeline.yml": """pipeline:
  metadata: {warehouse_id: w}
  targets:
    dev:
      jobs:
        load_sale:
          timeout_seconds: 60
        load_sales:
          timout_seconds: 60
          depends_on: [x]
          tasks:
            - task_key: t
              max_retries: "3"
      orchestrator:
        shedule: {pause_status: PAUSED}
"""})
    out = errors(tmp_path)
    assert "pipeline.yml:6:9" in out and "unknown job 'load_sale' (did you mean 'load_sales'" \
        in out
    assert "pipeline.yml:10:11" in out and "cannot change a job's 'depends_on'" in out
    assert "pipeline.yml:15:9" in out and "unknown key 'shedule' (did you mean 'schedule'" \
        in out


def test_override_value_mistakes_are_located(tmp_path: Path) -> None:
    write(tmp_path, {
        "jobs.yml": "jobs:\n  - name: load_sales\n"
                    "    tasks: [{task_key: t, notebook_task: {notebook_path: /a}}]\n",
        "pipeline.yml": """pipeline:
  metadata: {warehouse_id: w}
  targets:
    dev:
      jobs:
        load_sales:
          timout_seconds: 60
          tasks:
            - task_key: t
              max_retries: "3"
"""})
    out = errors(tmp_path)
    assert "pipeline.yml:7:11" in out and "unknown key 'timout_seconds'" in out
    assert "pipeline.yml:9:13" in out and "in task_key 't', max_retries" in out


def test_bundle_target_outside_jobs_is_refused(tmp_path: Path) -> None:
    write(tmp_path, {
        "jobs.yml": "jobs:\n  - name: j\n    tasks: [{task_key: t, notebook_task: "
                    "{notebook_path: /a}}]\n",
        "pipeline.yml": "pipeline:\n  metadata:\n    warehouse_id: w\n"
                        "    schema: ops_${bundle.target}\n"})
    out = errors(tmp_path)
    assert "pipeline.yml:4:13: pipeline.metadata.schema: ${bundle.target} is filled in in " \
           "jobs and the orchestrator only" in out


def test_import_id_per_target(tmp_path: Path) -> None:
    write(tmp_path, {
        "jobs.yml": "jobs:\n  - name: j\n    tasks: [{task_key: t, notebook_task: "
                    "{notebook_path: /a}}]\n",
        "pipeline.yml": """pipeline:
  metadata: {warehouse_id: w}
  targets:
    dev: {host: "https://dev.example.com"}
    prod:
      host: "https://prod.example.com"
      jobs:
        j: {import_id: 4242}
"""})
    (pipeline,) = load_pipelines([str(tmp_path)])
    stacks = {s.target: s for s in plans(pipeline)}
    assert [j.import_id for j in stacks["prod"].jobs] == ["4242"]
    assert [j.import_id for j in stacks["dev"].jobs] == [None]
    assert '"import"' in json.dumps(synth(stacks["prod"])) and \
        '"import"' not in json.dumps(synth(stacks["dev"]))


def test_jobs_api_fields_the_provider_lacks_say_so(tmp_path: Path) -> None:
    """Fields of the SDK's jobs model that no provider brickline knows has (provider 1.138
    took alert_task and triggers: tests/test_engines.py says what they need on 1.99)."""
    write(tmp_path, {"jobs.yml": """jobs:
  - name: j
    format: MULTI_TASK
    tasks:
      - task_key: t
        ai_function_task: {}
        notebook_task: {notebook_path: /a}
"""})
    _, diagnostics = collect([str(tmp_path)])
    by_path = {d.key_path: d for d in diagnostics}
    assert by_path["jobs[0].format"].severity == "warning"
    for where in ("jobs[0].tasks[0].ai_function_task",):
        assert by_path[where].severity == "error"
        assert "is a Jobs API field that the Databricks Terraform provider brickline builds " \
               "on does not take (yet)" in by_path[where].message


def test_git_source_rules_name_the_keys_as_written(tmp_path: Path) -> None:
    write(tmp_path, {"jobs.yml": """jobs:
  - name: j
    git_source: {git_url: 'http://github.com/a/b', git_branch: main, git_tag: v1}
    tasks: [{task_key: t, notebook_task: {notebook_path: nb}}]
"""})
    out = errors(tmp_path)
    assert "jobs.yml:3:18: jobs[0].git_source.git_url: bad url 'http://github.com/a/b'" in out
    assert "jobs[0].git_source.git_tag: git_source takes one of git_branch, git_tag and " \
           "git_commit; this one sets git_branch and git_tag" in out
