"""One Terraform stack per pipeline: it only composes the constructs."""

from __future__ import annotations

from typing import Any

from brickline.constructs.job import Job
from brickline.constructs.metadata_table import Table
from brickline.constructs.tf import (
    Construct,
    DatabricksProvider,
    LocalBackend,
    TerraformStack,
    TerraformVariable,
    WorkspaceFile,
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
        # every resource by address, for the references between them (Ref in the plan)
        self.resources: dict[str, Any] = {}
        for table in (plan.table, plan.view):
            self.resources[table.address] = Table(self, plan=table,
                                                  resources=self.resources).resource
        # the status program every job starts and ends with; its content is inline, so a
        # change to the program is a change to this resource and it is uploaded again
        self.resources[plan.status_file.address] = WorkspaceFile(
            self, plan.status_file.address, path=plan.status_file.path,
            content_base64=plan.status_file.content_base64)
        for job_plan in plan.jobs:
            self.resources[job_plan.address] = Job(self, plan=job_plan,
                                                   resources=self.resources).resource
        self.orchestrator = Job(self, plan=plan.orchestrator, resources=self.resources).resource
