"""One Terraform stack per pipeline and target: the provider, the backend, the variables,
one Pipeline, and each job's id and URL as outputs."""

from __future__ import annotations

from brickline import names
from brickline.constructs import tfjson
from brickline.constructs.core import (
    App,
    AzurermBackend,
    CloudBackend,
    Construct,
    GcsBackend,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
    provider,
)
from brickline.constructs.pipeline import Pipeline, path_of
from brickline.plan import StackPlan


class PipelineStack(TerraformStack):
    def __init__(self, scope: Construct, *, plan: StackPlan, typed: bool = False) -> None:
        """`typed`: build the resources with the provider's classes (the reference path)
        instead of rendering their JSON (the fast path); the JSON is the same."""
        super().__init__(scope, plan.name)
        # a stack of the app (the root, whose path is empty) has its id as its path
        if isinstance(scope, App):
            self._brickline_path = plan.name
        # credentials come the standard Databricks way (DATABRICKS_HOST/TOKEN, a profile,
        # OAuth): never from the YAML, never into the JSON; a target may name its host
        if typed:
            from brickline.constructs.tf import DatabricksProvider

            DatabricksProvider(self, names.PROVIDER, host=plan.host)
        else:  # the same block, without loading the provider bindings
            provider(self, names.PROVIDER, host=plan.host)
        self._backend(plan)
        for variable in plan.variables:
            TerraformVariable(self, variable.name, type="string",
                              description=variable.description, default=variable.default,
                              sensitive=variable.sensitive or None)
        # the stack's own addresses are the plan's: no prefix (they are deployed already)
        self.pipeline = Pipeline(self, "pipeline", plan=plan, prefix="", typed=typed,
                                 checked=False)
        self._outputs(plan, typed)

    def _outputs(self, plan: StackPlan, typed: bool) -> None:
        outputs = {}
        for job in plan.all_jobs:
            ref = self.pipeline.jobs.get(job.name) if job is not plan.orchestrator else \
                self.pipeline.orchestrator
            assert ref is not None  # the plan's jobs and orchestrator, as the Pipeline has them
            job_id, job_url = names.job_outputs(job.address)
            outputs[job_id] = {"value": ref.id, "description": f"Job id of {job.name}"}
            outputs[job_url] = {"value": ref.url, "description": f"URL of {job.name}"}
        if typed:
            for job in plan.all_jobs:
                resource = self.pipeline.resources[job.address]
                job_id, job_url = names.job_outputs(job.address)
                TerraformOutput(self, job_id, value=resource.id,
                                description=f"Job id of {job.name}")
                TerraformOutput(self, job_url, value=resource.url,
                                description=f"URL of {job.name}")
            return
        # what cdktf records for each TerraformOutput in the stack's metadata, by path
        # (lib/terraform-stack.ts `toTerraform`, "outputs")
        paths: dict[str, object] = {name: name for name in outputs}
        for part in reversed(path_of(self).split("/")):
            paths = {part: paths}
        # with the pipeline's own JSON: one element, so one Lazy and one merge
        assert self.pipeline.terraform is not None
        tfjson.merge(self.pipeline.terraform.fragment,
                     {"output": outputs, "//": {"outputs": paths}})

    def _backend(self, plan: StackPlan) -> None:
        if plan.backend is None:
            # a relative state path keeps the JSON the same on every machine; it resolves
            # from cdktf.out/stacks/<stack>/ to the project root, where cdktf keeps state
            LocalBackend(self, path=f"../../../terraform.{plan.name}.tfstate")
            return
        kind, values = plan.backend
        if kind == "local":
            LocalBackend(self, **values)
        elif kind == "s3":
            S3Backend(self, **values)
        elif kind == "azurerm":
            AzurermBackend(self, **values)
        elif kind == "gcs":
            GcsBackend(self, **values)
        else:
            CloudBackend(self, organization=values["organization"],
                         hostname=values.get("hostname"),
                         workspaces=NamedCloudWorkspace(values["workspace"]))
