"""`Pipeline` composed into a user's own cdktf stack: beside the user's resources, twice,
referred to through its attributes; collisions and undeclared variables refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.pipeline import Pipeline, PipelineError
from conftest import PIPELINES, write

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

JobTask = tf.bindings("job").JobTask
JobTaskRunJobTask = tf.bindings("job").JobTaskRunJobTask
SqlEndpoint = tf.bindings("sql_endpoint").SqlEndpoint


class Workspace(tf.TerraformStack):
    """A team's own stack: a warehouse, a job of its own, and two brickline pipelines."""

    def __init__(self, scope: Any, *, user_job_address: str = "weekly_report") -> None:
        super().__init__(scope, "workspace")
        tf.DatabricksProvider(self, "databricks")
        tf.LocalBackend(self, path="terraform.workspace.tfstate")
        for name in ("slack_webhook", "warehouse_id"):
            tf.TerraformVariable(self, name, type="string")
        self.warehouse = SqlEndpoint(self, "reporting", name="reporting", cluster_size="Small")
        self.sales = Pipeline(self, "sales", path=str(PIPELINES / "sales_daily"), target="prod")
        self.etl = Pipeline(self, "etl", path=str(PIPELINES / "seed_etl"))
        # the user's job runs after nothing of brickline's but starts its orchestrator
        tf.DatabricksJob(self, user_job_address, name="Weekly report", task=[JobTask(
            task_key="run_sales", run_job_task=JobTaskRunJobTask(
                job_id=self.sales.orchestrator.id_as_number()))])
        tf.TerraformOutput(self, "sales_orchestrator_url", value=self.sales.orchestrator.url)
        tf.TerraformOutput(self, "etl_load_job_id", value=self.etl.jobs["Data_Load_Job"].id)


def synth(tmp: Path, **kwargs: Any) -> dict[str, Any]:
    app = tf.App(outdir=str(tmp))
    Workspace(app, **kwargs)
    app.synth()
    return json.loads((tmp / "stacks/workspace/cdk.tf.json").read_text())


def test_two_pipelines_and_the_users_resources_in_one_stack(tmp_path: Path) -> None:
    doc = synth(tmp_path)
    jobs = doc["resource"]["databricks_job"]
    assert doc["resource"]["databricks_sql_endpoint"]["reporting"]["name"] == "reporting"
    assert {"weekly_report", "sales_orchestrator", "etl_orchestrator", "etl_data_load_job",
            "sales_ingest_orders"} <= set(jobs)
    # every pipeline resource carries its pipeline's prefix, so nothing collides
    for kind, resources in doc["resource"].items():
        for address in resources:
            assert address.startswith(("sales_", "etl_")) or (kind, address) in {
                ("databricks_job", "weekly_report"), ("databricks_sql_endpoint", "reporting")}
    # references inside a pipeline follow its prefix
    orchestrator = jobs["etl_orchestrator"]
    assert orchestrator["task"][0]["sql_task"]["file"]["path"] == \
        "${databricks_workspace_file.etl_brickline_pipeline_start.workspace_path}"
    assert {t["run_job_task"]["job_id"] for t in orchestrator["task"][1:]} == {
        "${databricks_job.etl_data_extract_job.id}", "${databricks_job.etl_data_load_job.id}",
        "${databricks_job.etl_es_load_job.id}"}
    load = jobs["etl_data_load_job"]
    assert {t["notebook_task"]["notebook_path"] for t in load["task"]
            if t["task_key"].startswith("brickline_")} == {
        "${databricks_notebook.etl_brickline_status.path}"}
    view = doc["resource"]["databricks_sql_table"]["sales_job_status"]
    assert view["depends_on"] == ["databricks_sql_table.sales_job_metadata"]
    assert doc["resource"]["databricks_sql_table"]["sales_job_metadata"]["lifecycle"] == {
        "prevent_destroy": True}
    # the user's resources refer to the pipelines through their attributes
    assert jobs["weekly_report"]["task"][0]["run_job_task"]["job_id"] == \
        "${databricks_job.sales_orchestrator.id}"
    assert doc["output"]["sales_orchestrator_url"]["value"] == \
        "${databricks_job.sales_orchestrator.url}"
    assert doc["output"]["etl_load_job_id"]["value"] == "${databricks_job.etl_data_load_job.id}"


def test_attributes(tmp_path: Path) -> None:
    app = tf.App(outdir=str(tmp_path))
    stack = Workspace(app)
    assert stack.sales.status_table == "main.sales_ops.sales_job_metadata"
    assert stack.etl.status_table == "main.pipeline_ops.job_metadata"
    assert stack.etl.orchestrator.name == "seed_etl_orchestrator"
    assert stack.etl.orchestrator.address == "databricks_job.etl_orchestrator"
    assert stack.etl.jobs["ES_Load_Job"].url == "${databricks_job.etl_es_load_job.url}"
    assert stack.sales.variables == ["slack_webhook", "warehouse_id"]


def test_an_address_the_user_also_uses_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError) as raised:
        synth(tmp_path, user_job_address="etl_data_load_job")
    message = str(raised.value)
    # cdktf runs the check when the app synthesizes, and reports it as a validation error
    assert "seed_etl/data_load_job.yml:2:11: jobs[0].name: the job's address " \
           "databricks_job.etl_data_load_job is also used by workspace/etl_data_load_job" \
           in message, message
    assert not (tmp_path / "stacks/workspace/cdk.tf.json").exists()


def test_variables_the_stack_does_not_declare_are_named(tmp_path: Path) -> None:
    app = tf.App(outdir=str(tmp_path))
    stack = tf.TerraformStack(app, "bare")
    tf.DatabricksProvider(stack, "databricks")
    Pipeline(stack, "etl", path=str(PIPELINES / "seed_etl"))
    with pytest.raises(RuntimeError, match="pipeline seed_etl refers to the variable "
                       "warehouse_id: declare it in the stack"):
        app.synth()


def test_a_folder_of_several_pipelines_or_a_missing_target(tmp_path: Path) -> None:
    stack = tf.TerraformStack(tf.App(outdir=str(tmp_path)), "s")
    with pytest.raises(PipelineError, match="holds 3 pipelines"):
        Pipeline(stack, "all", path=str(PIPELINES))
    with pytest.raises(PipelineError, match="has the targets dev, prod: pick one"):
        Pipeline(stack, "sales", path=str(PIPELINES / "sales_daily"))
    bad = write(tmp_path / "bad", {"j.yml": "jobs:\n  - name: A\n    tasks: []\n"})
    from brickline.spec.diagnostics import SpecError

    with pytest.raises(SpecError, match=r"j.yml:3:5: jobs\[0\].tasks"):
        Pipeline(stack, "bad", path=str(bad))
