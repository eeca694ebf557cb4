"""A bundle's pipelines, schemas and volumes are read as the Databricks CLI reads them and
validated against the provider's resources before anything is synthesized: the model is
generated from the provider's bindings like the jobs model (tools/gen_jobs_model.py ->
spec/resources_api.py), in the bundle's words (clusters, libraries, notifications).

- an unknown key is a warning and dropped (databricks/cli libs/dyn/convert/normalize.go);
- a key of the API's create request that the provider's resource lacks (parent_path) is a
  warning and not sent (the CLI's Terraform deployment drops it: tfdyn/convert_*.go);
- a wrong type, a bad enum value, a key the provider requires: located errors;
- a field newer than the engine's provider: the since() message the jobs give;
- a volume without volume_type is MANAGED (resourcemutator/resource_mutator.go);
- cascade_on_destroy and volume_path: the CLI's errors (validate_cascade_on_destroy.go,
  initialize_volume_paths.go).

One synth for the module (the `stack` fixture); the other tests only load."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brickline import engine
from brickline.spec.diagnostics import Diagnostic, render
from brickline.spec.load import collect
from conftest import REPO

ROOT = "bundle: {name: res}\ninclude: [resources/*.yml]\n"
# a pipeline, a schema and a volume with what the CLI warns about and drops
RESOURCES = """\
variables:
  catalog: {default: main}
  workers: {description: set at deploy}
resources:
  pipelines:
    etl:
      name: etl
      catalog: ${var.catalog}
      schema: raw
      continuous: "no"
      libraries:
        - notebook: {path: /Workspace/Shared/etl}
      clusters:
        - label: default
          num_workers: ${var.workers}
          autoscale: {min_workers: 1, max_workers: "4"}
      configuraton: {a: b}
      parent_path: /Workspace/Shared
      permissions:
        - {level: CAN_VIEW, group_name: users}
  schemas:
    raw:
      catalog_name: ${var.catalog}
      name: raw
      comment: 5
      owner: someone
  volumes:
    landing:
      catalog_name: ${var.catalog}
      schema_name: ${resources.schemas.raw.name}
      name: landing
      lifecycle: {prevent_destroy: true}
  jobs:
    nightly:
      lifecycle: {prevent_destroy: true, started: true}
      tasks:
        - task_key: t
          notebook_task: {notebook_path: /Workspace/Shared/t}
"""


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def load(tmp_path: Path, resources: str) -> list[Diagnostic]:
    _, found = collect([str(write(tmp_path, {"databricks.yml": ROOT,
                                             "resources/r.yml": resources}))])
    return [d for d in found if d.severity != "note"]


def said(found: list[Diagnostic]) -> list[tuple[int, str, str, str]]:
    return sorted((d.location.line, d.key_path, d.severity, d.message) for d in found)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("res"), {"databricks.yml": ROOT,
                                                  "resources/r.yml": RESOURCES})


@pytest.fixture(scope="module")
def stack(bundle: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[dict[str, Any]]:
    from brickline.app import synth

    cwd = os.getcwd()
    try:
        (written,) = synth([str(bundle)], tmp_path_factory.mktemp("out"))
    finally:
        os.chdir(cwd)
    yield json.loads(written.read_text(encoding="utf-8"))["resource"]


def test_what_the_cli_drops_is_a_warning_at_its_key(bundle: Path) -> None:
    _, found = collect([str(bundle)])
    assert said([d for d in found if d.severity != "note"]) == [
        (17, "resources.pipelines.etl.configuraton", "warning",
         "unknown field: configuraton (the Databricks CLI drops it, and so does brickline)"),
        (18, "resources.pipelines.etl.parent_path", "warning",
         "'parent_path' is not deployed: the Databricks provider's databricks_pipeline has no "
         "such argument (the Databricks CLI's Terraform deployment drops it too)"),
        (26, "resources.schemas.raw.owner", "warning",
         "unknown field: owner (the Databricks CLI drops it, and so does brickline)"),
    ]


def test_the_stack_has_the_provider_s_arguments_only(stack: dict[str, Any]) -> None:
    pipeline = stack["databricks_pipeline"]["pipeline_etl"]
    assert "configuraton" not in pipeline and "parent_path" not in pipeline
    assert "permissions" not in pipeline and "libraries" not in pipeline
    # normalized as the CLI normalizes: "no" is false, "4" is 4; the reference is kept
    assert pipeline["continuous"] is False
    (cluster,) = pipeline["cluster"]
    assert cluster["autoscale"] == {"min_workers": 1, "max_workers": 4}
    assert cluster["num_workers"] == "${var.workers}"
    assert pipeline["library"] == [{"notebook": {"path": "/Workspace/Shared/etl"}}]
    access = stack["databricks_permissions"]["pipeline_etl_permissions"]["access_control"]
    assert access == [{"group_name": "users", "permission_level": "CAN_VIEW"}]
    schema = stack["databricks_schema"]["schema_raw"]
    assert schema["comment"] == "5" and "owner" not in schema
    # the CLI's default (resource_mutator.go): the provider requires volume_type
    assert stack["databricks_volume"]["volume_landing"]["volume_type"] == "MANAGED"


def test_prevent_destroy_is_terraform_s_lifecycle(stack: dict[str, Any]) -> None:
    """lifecycle.prevent_destroy of a job or a volume becomes the resource's Terraform
    lifecycle, and `started` (the CLI's own) is not written (databricks/cli
    bundle/deploy/terraform/tfdyn/lifecycle.go); without it, none."""
    assert stack["databricks_volume"]["volume_landing"]["lifecycle"] == {
        "prevent_destroy": True}
    assert stack["databricks_job"]["nightly"]["lifecycle"] == {"prevent_destroy": True}
    assert "lifecycle" not in stack["databricks_schema"]["schema_raw"]
    assert "lifecycle" not in stack["databricks_pipeline"]["pipeline_etl"]


def test_wrong_values_are_located_errors(tmp_path: Path) -> None:
    found = load(tmp_path, """\
resources:
  pipelines:
    etl:
      name: etl
      photon: maybe
      clusters:
        - label: default
          autoscale: {min_workers: 1, max_workers: 2, mode: FAST}
      notifications:
        - alerts: on-update-failure
  schemas:
    raw:
      name: raw
  volumes:
    landing:
      catalog_name: main
      schema_name: raw
      name: landing
      volume_type: MANAGE
      grants:
        - principal: analysts
          privileges: [READ_VOLUME, READ]
""")
    (privilege,) = [d.message for d in found if "privileges" in d.key_path]
    assert privilege.startswith("bad value 'READ': expected one of ACCESS, ALL_PRIVILEGES, ")
    assert said(found) == [
        (5, "resources.pipelines.etl.photon", "error",
         "expected true or false, got the string 'maybe'"),
        (8, "resources.pipelines.etl.clusters[0].autoscale.mode", "error",
         "bad value 'FAST': expected one of ENHANCED, LEGACY"),
        (10, "resources.pipelines.etl.notifications[0].alerts", "error",
         "expected a list, got the string 'on-update-failure'"),
        (12, "resources.schemas.raw.catalog_name", "error",
         "missing required key 'catalog_name'"),
        (19, "resources.volumes.landing.volume_type", "error",
         "bad value 'MANAGE': expected one of EXTERNAL, MANAGED (did you mean 'MANAGED'?)"),
        (22, "resources.volumes.landing.grants[0].privileges[1]", "error", privilege),
    ]


def test_references_keep_any_field_s_type(tmp_path: Path) -> None:
    found = load(tmp_path, """\
variables:
  kind: {default: EXTERNAL}
  dev: {default: "true"}
  workers: {description: set at deploy}
resources:
  pipelines:
    etl:
      development: ${var.dev}
      clusters: [{label: default, num_workers: "${var.workers}"}]
  volumes:
    landing: {catalog_name: main, schema_name: raw, name: landing, volume_type: "${var.kind}",
              storage_location: "s3://b/landing"}
""")
    assert found == [], render(found)


def test_a_field_newer_than_the_engine_s_provider(tmp_path: Path) -> None:
    """serverless_compute_id came after provider 1.99.0 (the cdktf engine's): refused there
    with the jobs' message, taken by the cdktn engine (provider 1.138.0)."""
    text = "resources:\n  pipelines:\n    etl:\n      serverless_compute_id: abc\n"
    with engine.override("cdktf"):
        (error,) = load(tmp_path, text)
    assert (error.location.line, error.key_path) == (4, "resources.pipelines.etl."
                                                       "serverless_compute_id")
    assert error.message == engine.newer_field("serverless_compute_id", "1.138.0",
                                               engine.CDKTF)
    with engine.override("cdktn"):
        assert load(tmp_path, text) == []


def test_what_the_cli_refuses_of_the_bundle_s_own_keys(tmp_path: Path) -> None:
    found = load(tmp_path, """\
resources:
  pipelines:
    etl: {name: etl, cascade_on_destroy: false, dry_run: true}
  volumes:
    landing: {catalog_name: main, schema_name: raw, name: landing,
              volume_path: /Volumes/x/y/z}
""")
    assert sorted((d.key_path, d.severity, d.message.split(" (")[0].split(";")[0])
                  for d in found) == [("resources.pipelines.etl.cascade_on_destroy", "error",
             "cascade_on_destroy is not supported by the Databricks Terraform provider "
             "brickline deploys with"),
            ("resources.pipelines.etl.dry_run", "warning",
             "'dry_run' is not deployed: the Databricks provider's databricks_pipeline has no "
             "such argument"),
            ("resources.volumes.landing.volume_path", "error",
             "volume_path is computed and read-only")]


def test_a_target_s_override_is_normalized_and_checked(tmp_path: Path) -> None:
    found = load(tmp_path, """\
resources:
  volumes:
    landing: {catalog_name: main, schema_name: raw, name: landing}
targets:
  dev: {default: true}
  prod:
    resources:
      volumes:
        landing: {volume_type: EXTERNAL, storage_location: s3://b/l, commment: x}
""")
    assert said(found) == [
        (9, "targets.prod.resources.volumes.landing.commment", "warning",
         "in target prod: unknown field: commment (the Databricks CLI drops it, and so does "
         "brickline)")]


def test_a_bundle_of_jobs_does_not_import_the_resources_model(tmp_path: Path) -> None:
    """The resources' model is imported only for a bundle that has one: a bundle of jobs
    loads no faster or slower than before it existed."""
    folder = write(tmp_path, {"databricks.yml": (
        "bundle: {name: j}\nresources:\n  jobs:\n    j:\n      tasks:\n"
        "        - {task_key: t, notebook_task: {notebook_path: /x}}\n")})
    code = ("import sys\nfrom brickline.spec.load import collect\n"
            f"collect([{str(folder)!r}])\n"
            "print('brickline.spec.resources_api' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPO / "constructs")})
    assert done.stdout.strip() == "False", done.stderr


def test_the_model_s_tables() -> None:
    from brickline.spec import resources_api as api

    assert api.ROOTS == {"pipelines": "Pipeline", "schemas": "Schema", "volumes": "Volume"}
    assert api.INTRODUCED["Pipeline"] == {"serverless_compute_id": "1.138.0"}
    assert api.NOT_SENT["pipelines"] == ("dry_run", "parameters", "parent_path")
    assert api.NOT_SENT["schemas"] == ("custom_max_retention_hours",)
    # the bundle's names, the provider's as serialization aliases
    fields = api.Pipeline.model_fields
    assert fields["libraries"].serialization_alias == "library"
    assert "cluster" not in fields and "state" not in fields  # read-only in the provider
    assert api.PipelinePermission.model_fields["level"].serialization_alias == \
        "permission_level"


@pytest.mark.cdktn  # the generator reads both binding packages
def test_generated_resources_model_is_current() -> None:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from gen_jobs_model import RESOURCES_TARGET, generate_resources
    finally:
        sys.path.remove(str(REPO / "tools"))
    assert RESOURCES_TARGET.read_text(encoding="utf-8") == generate_resources(), \
        "spec/resources_api.py is stale: run .venv-cdktn/bin/python tools/gen_jobs_model.py"


def test_the_bundle_s_permissions_reach_its_pipelines(tmp_path: Path) -> None:
    """Top-level permissions are added to each pipeline's at the pipeline's levels (CAN_RUN
    stays CAN_RUN; a job's is CAN_MANAGE_RUN), except for a principal the pipeline names
    itself (databricks/cli resourcemutator/apply_bundle_permissions.go)."""
    from brickline.plan import plans
    from brickline.spec.load import load_pipelines

    root = write(tmp_path, {
        "databricks.yml": ROOT + "permissions:\n  - {level: CAN_RUN, group_name: ops}\n"
                                 "  - {level: CAN_VIEW, group_name: users}\n",
        "resources/r.yml": "resources:\n  pipelines:\n    etl:\n      name: etl\n"
                           "      permissions: [{level: CAN_MANAGE, group_name: users}]\n"})
    (pipeline,) = load_pipelines([str(root)])
    (stack,) = plans(pipeline)
    (permissions,) = [r for r in stack.resources if r.address == "pipeline_etl_permissions"]
    assert permissions.settings["access_control"] == [
        {"group_name": "users", "permission_level": "CAN_MANAGE"},
        {"group_name": "ops", "permission_level": "CAN_RUN"}]


def test_a_resource_of_one_target_only_is_deployed_there(tmp_path: Path) -> None:
    """A schema (or any resource) that only a target defines is that target's (the CLI
    merges the target's resources over the root's: bundle/config/root.go
    MergeTargetOverrides); a resource type brickline does not provision is reported even
    when only a target has it."""
    from brickline.plan import plans
    from brickline.spec.load import load_pipelines

    targets = ("targets:\n  dev:\n    default: true\n    resources:\n      schemas:\n"
               "        scratch: {catalog_name: main, name: scratch}\n  prod: {}\n")
    root = write(tmp_path / "ok", {"databricks.yml": ROOT + targets,
                                   "resources/r.yml": "resources: {}\n"})
    (pipeline,) = load_pipelines([str(root)])
    by_target = {s.target: s for s in plans(pipeline)}
    assert [(r.type, r.settings) for r in by_target["dev"].resources
            if r.type == "databricks_schema"] == [
        ("databricks_schema", {"catalog_name": "main", "name": "scratch"})]
    assert not [r for r in by_target["prod"].resources if r.type == "databricks_schema"]

    app = targets.replace("      schemas:\n        scratch: {catalog_name: main, name: scratch}",
                          "      apps:\n        viewer: {name: viewer, source_code_path: .}")
    _, found = collect([str(write(tmp_path / "app", {"databricks.yml": ROOT + app,
                                                     "resources/r.yml": "resources: {}\n"}))])
    assert [(d.location.line, d.key_path) for d in found if d.severity == "error"] == [
        (7, "targets.dev.resources.apps")]
