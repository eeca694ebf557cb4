"""The fast path (Terraform JSON rendered in Python, handed to cdktf whole) writes exactly
the bytes of the typed path (every resource and struct built with the provider's classes):
every example, fuzzed pipelines, a plan with every kind of block (a generic resource, a
data source, moved and import blocks), and pipelines composed into a user's stack."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.pipeline import Pipeline, synthesize
from brickline.constructs.stack import PipelineStack
from brickline.engine import Engine
from brickline.plan import Ref, ResourcePlan, StackPlan, plan
from brickline.spec.load import collect
from conftest import PIPELINES
from hypothesis import HealthCheck, given, settings
from test_fuzz import CI, pipelines, write

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

EXAMPLES = ["parallel_abcd", "sales_daily-dev", "sales_daily-prod", "seed_etl"]


def written(tmp: Path, make: Callable[[Any], None],
            synth: Callable[[Any], None] = lambda app: app.synth()) -> dict[str, bytes]:
    """Every file app.synth() writes (cdk.tf.json with its metadata, the manifest)."""
    app = tf.App(outdir=str(tmp))
    make(app)
    synth(app)
    return {str(f.relative_to(tmp)): f.read_bytes() for f in sorted(tmp.rglob("*"))
            if f.is_file()}


def both_ways(tmp: Path, stack_plan: StackPlan) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The typed path's files, and the fast path's as brickline's own app writes them
    (pipeline.synthesize); the fast path through a plain app.synth() must agree too."""
    typed = written(tmp / "typed", lambda app: PipelineStack(app, plan=stack_plan, typed=True))
    fast = written(tmp / "fast", lambda app: PipelineStack(app, plan=stack_plan), synthesize)
    plain = written(tmp / "plain", lambda app: PipelineStack(app, plan=stack_plan))
    assert plain == fast
    return typed, fast


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_is_byte_identical(name: str, examples: dict[str, StackPlan],
                                         tmp_path: Path, engine: Engine) -> None:
    typed, fast = both_ways(tmp_path, examples[name])
    assert f"stacks/{name}/cdk.tf.json" in fast
    assert typed == fast
    # the provider the engine's bindings pin (and so the typed path's DatabricksProvider)
    config = json.loads(fast[f"stacks/{name}/cdk.tf.json"])
    assert config["terraform"]["required_providers"]["databricks"]["version"] == \
        engine.provider_version


@settings(max_examples=6 if CI else 10, deadline=None, derandomize=CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pipelines())
def test_fuzzed_pipelines_are_byte_identical(tmp_path_factory: Any,
                                             data: dict[str, Any]) -> None:
    folder = write(tmp_path_factory.mktemp("equiv"), data)
    (pipeline,), _ = collect([str(folder)])
    typed, fast = both_ways(tmp_path_factory.mktemp("out"), plan(pipeline))
    assert typed == fast


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Types of the generic extension point, registered as a plan's author would."""
    monkeypatch.setitem(tf.RESOURCE_CLASSES, "databricks_grants", tf.bindings("grants").Grants)
    monkeypatch.setitem(tf.DATA_CLASSES, "databricks_schema", tf.DataDatabricksSchema)


def every_kind_of_block(base: StackPlan) -> StackPlan:
    """A test-only plan: a data source, a generic resource that refers to it and to the
    status table and depends on the view, moved blocks (a job's and a generic one's), an
    import block, and a provider with a host."""
    jobs = [dataclasses.replace(base.jobs[0], moved_from="old_extract", import_id="1234567"),
            *base.jobs[1:]]
    schema = ResourcePlan("ops_schema", {"name": "main.pipeline_ops"},
                          type="databricks_schema")
    grants = ResourcePlan("ops_grants", {
        "schema": Ref("data.ops_schema", "id"),
        "grant": [{"principal": "data-engineers", "privileges": ["USE_SCHEMA", "SELECT"]},
                  {"principal": Ref("job_metadata", "name"), "privileges": ["MODIFY"]}],
    }, type="databricks_grants", depends_on=["job_status", "data.ops_schema"],
        moved_from="databricks_grants.old_grants")
    return dataclasses.replace(base, jobs=jobs, data_sources=[*base.data_sources, schema],
                               resources=[*base.resources, grants],
                               host="https://adb-1234.5.azuredatabricks.net")


def test_every_kind_of_block_is_byte_identical(registered: None,
                                               examples: dict[str, StackPlan],
                                               tmp_path: Path) -> None:
    typed, fast = both_ways(tmp_path, every_kind_of_block(examples["seed_etl"]))
    assert typed == fast
    text = fast["stacks/seed_etl/cdk.tf.json"].decode()
    # the blocks are there, with references as Terraform expressions
    for expected in ('"from": "databricks_job.old_extract"',
                     '"to": "databricks_job.data_extract_job"', '"id": "1234567"',
                     '"from": "databricks_grants.old_grants"',
                     '"schema": "${data.databricks_schema.ops_schema.id}"',
                     '"principal": "${databricks_sql_table.job_metadata.name}"',
                     '"data.databricks_schema.ops_schema"',
                     '"databricks_sql_table.job_status"',
                     '"host": "https://adb-1234.5.azuredatabricks.net"'):
        assert expected in text, expected


def composed(typed: bool) -> Callable[[Any], None]:
    def make(app: Any) -> None:
        stack = tf.TerraformStack(app, "workspace")
        tf.DatabricksProvider(stack, "databricks")
        tf.LocalBackend(stack, path="terraform.workspace.tfstate")
        for name in ("slack_webhook", "warehouse_id"):
            tf.TerraformVariable(stack, name, type="string")
        Pipeline(stack, "sales", plan=plan(_pipeline("sales_daily"), "prod"), typed=typed)
        Pipeline(stack, "etl", plan=plan(_pipeline("seed_etl")), typed=typed)
    return make


def _pipeline(name: str) -> Any:
    (pipeline,), _ = collect([str(PIPELINES / name)])
    return pipeline


def test_composed_pipelines_are_byte_identical(tmp_path: Path) -> None:
    typed = written(tmp_path / "typed", composed(True))
    fast = written(tmp_path / "fast", composed(False))
    assert typed == fast
    assert '"sales_orchestrator"' in fast["stacks/workspace/cdk.tf.json"].decode()


def test_a_pipeline_without_an_orchestrator_is_byte_identical(tmp_path: Path) -> None:
    """Every job `orchestrate: false` (test_no_orchestrator.PERMITTED: permissions, grants,
    a destination, a dashboard, two targets): no orchestrator job, alone and composed."""
    from conftest import write as write_files
    from test_no_orchestrator import PERMITTED

    folder = write_files(tmp_path / "scheduled", PERMITTED)
    (pipeline,), _ = collect([str(folder)])
    stack_plan = plan(pipeline, "dev")
    assert stack_plan.orchestrator is None
    (tmp_path / "alone").mkdir()
    typed, fast = both_ways(tmp_path / "alone", stack_plan)
    assert typed == fast

    def make(typed: bool) -> Callable[[Any], None]:
        def build(app: Any) -> None:
            stack = tf.TerraformStack(app, "workspace")
            tf.DatabricksProvider(stack, "databricks")
            tf.LocalBackend(stack, path="terraform.workspace.tfstate")
            tf.TerraformVariable(stack, "warehouse_id", type="string")
            made = Pipeline(stack, "sched", plan=plan(pipeline, "prod"), typed=typed)
            assert made.orchestrator is None and sorted(made.jobs) == ["hourly", "nightly"]
        return build

    composed_typed = written(tmp_path / "typed", make(True))
    composed_fast = written(tmp_path / "fast", make(False))
    assert composed_typed == composed_fast
    text = composed_fast["stacks/workspace/cdk.tf.json"].decode()
    assert '"sched_nightly"' in text and "sched_orchestrator" not in text


NEWER = {"pipeline.yml": "pipeline:\n  name: newer\n  metadata:\n    catalog: main\n"
                         "    schema: pipeline_ops\n    table: newer_job_metadata\n",
         "jobs.yml": """jobs:
  - name: Newer_Job
    parent_path: /Workspace/ops
    tasks:
      - task_key: run_operator
        python_operator_task:
          main: ops.operators.run
          parameters:
            - {name: mode, value: full}
      - task_key: alert
        depends_on: [{task_key: run_operator}]
        alert_task:
          alert_id: "1234"
          warehouse_id: abc123
          subscribers:
            - {user_name: ops@example.com}
"""}


@pytest.mark.cdktn
def test_fields_of_provider_1_138_are_byte_identical(tmp_path: Path) -> None:
    """On cdktn, the fields only provider 1.138 has go through both paths alike."""
    from brickline import engine
    from conftest import write as write_files

    with engine.override("cdktn"):  # the spec's check, for a run on either engine
        (pipeline,), _ = collect([str(write_files(tmp_path / "newer", NEWER))])
    if tf.ENGINE is not engine.CDKTN:
        pytest.fail(f"this run's constructs are on {tf.ENGINE.label}: run it on cdktn")
    typed, fast = both_ways(tmp_path, plan(pipeline))
    assert typed == fast
    text = fast["stacks/newer/cdk.tf.json"].decode()
    for expected in ('"python_operator_task": {', '"alert_task": {',
                     '"parent_path": "/Workspace/ops"', '"user_name": "ops@example.com"'):
        assert expected in text


BUNDLES = Path(__file__).parent / "data" / "bundles"


@pytest.mark.parametrize(("bundle", "target"), [("python_project", "dev"),
                                                ("sql_project", "dev"),
                                                ("pipelines_project", "prod")])
def test_a_bundle_s_stack_is_byte_identical(bundle: str, target: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A bundle's resources (pipelines, schemas, volumes, grants, synced files) and data
    sources (the current user, a lookup) through the provider's classes too."""
    monkeypatch.chdir(PIPELINES.parent)
    (pipeline,), _ = collect([str(BUNDLES / bundle)])
    typed, fast = both_ways(tmp_path, plan(pipeline, target))
    assert typed == fast
