"""One Terraform stack per pipeline: it only composes the constructs."""

from __future__ import annotations

from brickline.constructs.job import Job
from brickline.constructs.metadata_table import MetadataTable
from brickline.constructs.tf import (
    Construct,
    DatabricksJob,
    DatabricksProvider,
    LocalBackend,
    TerraformStack,
    TerraformVariable,
)
from brickline.plan import StackPlan


class PipelineStack(TerraformStack):
    def __init__(self, scope: Construct, *, plan: StackPlan) -> None:
        super().__init__(scope, plan.name)
        # credentials come the standard Databricks way (DATABRICKS_HOST/TOKEN, a profile,
        # OAuth): never from the YAML, never into the JSON
        DatabricksProvider(self, "databricks")
        # a relative state path keeps the JSON the same on every machine; it resolves from
        # cdktf.out/stacks/<stack>/ to the project root, where cdktf keeps state by default
        LocalBackend(self, path=f"../../../terraform.{plan.name}.tfstate")
        for variable in plan.variables:
            TerraformVariable(self, variable.name, type="string",
                              description=variable.description, default=variable.default,
                              sensitive=variable.sensitive or None)
        self.table = MetadataTable(self, plan=plan.table)
        self.jobs: dict[str, DatabricksJob] = {}
        for job_plan in plan.jobs:
            self.jobs[job_plan.address] = Job(self, plan=job_plan, others=self.jobs).resource
        self.orchestrator = Job(self, plan=plan.orchestrator, others=self.jobs).resource
