"""One databricks_job from a JobPlan: a pipeline job or the orchestrator alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from brickline import names
from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import Construct, DatabricksJob, TerraformOutput, Token
from brickline.plan import JobPlan, Ref


def resolver(resources: Mapping[str, Any]) -> Callable[[Any], Any]:
    """Plan references (Ref) to tokens of the resources built so far."""
    def resolve(value: Any) -> Any:
        if isinstance(value, Ref):
            token = getattr(resources[value.address], value.attribute)
            return Token.as_number(token) if value.number else token
        return value

    return resolve


class Job:
    """The job and its id/url outputs, created directly in the stack's scope.

    Not a Construct of its own: a nesting level would put a hash into every Terraform
    address (or cost an override per resource), and every jsii object is a round trip to
    Node that a 1000-job pipeline pays 1000 times.
    """

    def __init__(self, scope: Construct, *, plan: JobPlan,
                 resources: Mapping[str, Any]) -> None:
        self.resource = DatabricksJob(
            scope, plan.address,
            **struct_kwargs(DatabricksJob, plan.settings, resolver(resources)))
        if plan.moved_from:
            # a renamed job keeps its identity: `moved` instead of destroy and create
            self.resource.move_from_id(names.job_resource(plan.moved_from))
        if plan.import_id:
            # an existing job adopted in place on the first apply, not created beside it
            self.resource.import_from(plan.import_id)
        job_id, job_url = names.job_outputs(plan.address)
        TerraformOutput(scope, job_id, value=self.resource.id,
                        description=f"Job id of {plan.name}")
        TerraformOutput(scope, job_url, value=self.resource.url,
                        description=f"URL of {plan.name}")
