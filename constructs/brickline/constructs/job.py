"""One databricks_job from a JobPlan: a pipeline job or the orchestrator alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import Construct, DatabricksJob, TerraformOutput, Token
from brickline.plan import JobPlan, JobRef


class Job(Construct):
    def __init__(self, scope: Construct, *, plan: JobPlan,
                 others: Mapping[str, DatabricksJob]) -> None:
        super().__init__(scope, plan.address)

        def resolve(value: Any) -> Any:
            if isinstance(value, JobRef):
                return Token.as_number(others[value.address].id)
            return value

        self.resource = DatabricksJob(
            self, "job", **struct_kwargs(DatabricksJob, plan.settings, resolve))
        # a stable address: databricks_job.<key>, never a hash of the construct path
        self.resource.override_logical_id(plan.address)
        id_output = TerraformOutput(self, "id", value=self.resource.id,
                                    description=f"Job id of {plan.name}")
        id_output.override_logical_id(f"{plan.address}_job_id")
        url_output = TerraformOutput(self, "url", value=self.resource.url,
                                     description=f"URL of {plan.name}")
        url_output.override_logical_id(f"{plan.address}_job_url")
