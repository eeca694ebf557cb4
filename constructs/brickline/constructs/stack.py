"""One Terraform stack per pipeline and target: it only composes the constructs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from brickline import names
from brickline.constructs.job import Job, resolver
from brickline.constructs.metadata_table import Table
from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import (
    DATA_CLASSES,
    RESOURCE_CLASSES,
    AzurermBackend,
    CloudBackend,
    Construct,
    Dashboard,
    DatabricksProvider,
    GcsBackend,
    LocalBackend,
    NamedCloudWorkspace,
    NotificationDestination,
    Permissions,
    S3Backend,
    TerraformStack,
    TerraformVariable,
)
from brickline.plan import Ref, ResourcePlan, StackPlan


def _refers(resource: ResourcePlan) -> bool:
    """Whether a resource refers to others of the stack (a Ref or depends_on)."""
    def any_ref(value: Any) -> bool:
        if isinstance(value, Ref):
            return True
        if isinstance(value, dict):
            return any(any_ref(v) for v in value.values())
        if isinstance(value, list):
            return any(any_ref(v) for v in value)
        return False

    return bool(resource.depends_on) or any_ref(resource.settings)


class PipelineStack(TerraformStack):
    def __init__(self, scope: Construct, *, plan: StackPlan) -> None:
        super().__init__(scope, plan.name)
        # credentials come the standard Databricks way (DATABRICKS_HOST/TOKEN, a profile,
        # OAuth): never from the YAML, never into the JSON; a target may name its host
        DatabricksProvider(self, names.PROVIDER, host=plan.host)
        self._backend(plan)
        for variable in plan.variables:
            TerraformVariable(self, variable.name, type="string",
                              description=variable.description, default=variable.default,
                              sensitive=variable.sensitive or None)
        # every resource by address, for the references between them (Ref in the plan)
        self.resources: dict[str, Any] = {}
        resolve = resolver(self.resources)
        # a resource the tables wait for (the metadata schema, when the stack creates it)
        # is built before them; every other generic resource after the jobs
        first = {a for table in (plan.table, plan.view) for a in table.depends_on}
        # and so is one that refers to nothing (the status notebook): jobs refer to it
        first |= {r.address for r in plan.resources if not _refers(r)}
        for extra in plan.resources:
            if extra.address in first:
                self._resource(extra, resolve)
        for table in (plan.table, plan.view):
            self.resources[table.address] = Table(self, plan=table,
                                                  resources=self.resources).resource
        for dest in plan.destinations:
            self.resources[dest.address] = NotificationDestination(
                self, dest.address, **struct_kwargs(NotificationDestination, dest.settings))
        for job_plan in plan.jobs:
            self.resources[job_plan.address] = Job(self, plan=job_plan,
                                                   resources=self.resources).resource
        self.orchestrator = Job(self, plan=plan.orchestrator, resources=self.resources).resource
        self.resources[plan.orchestrator.address] = self.orchestrator
        for grant in plan.permissions:
            Permissions(self, grant.address,
                        **struct_kwargs(Permissions, grant.settings, resolve))
        if plan.dashboard is not None:
            Dashboard(self, plan.dashboard.address,
                      **struct_kwargs(Dashboard, plan.dashboard.settings))
        for data in plan.data_sources:
            cls = DATA_CLASSES[data.type]
            self.resources[f"data.{data.address}"] = cls(
                self, data.address, **struct_kwargs(cls, data.settings, resolve))
        for extra in plan.resources:
            if extra.address not in first:
                self._resource(extra, resolve)

    def _resource(self, extra: ResourcePlan, resolve: Callable[[Any], Any]) -> None:
        cls = RESOURCE_CLASSES[extra.type]
        self.resources[extra.address] = cls(
            self, extra.address, **struct_kwargs(cls, extra.settings, resolve),
            depends_on=[self.resources[a] for a in extra.depends_on] or None)
        if extra.moved_from:
            self.resources[extra.address].move_from_id(extra.moved_from)

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
