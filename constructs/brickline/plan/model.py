"""The plan's data: what a stack provisions, in the provider's names (no jsii here).

The constructs turn a StackPlan into cdktf resources one to one. The other modules of this
package fill it: job.py (a job's settings, with status_tasks.py), orchestrator.py,
status_log.py (the log table, its view, schema and grants) and deployment.py (variables,
backend, destinations, permissions, dashboard, uploads).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ref:
    """An attribute of another resource of the same stack (a token once synthesized)."""

    address: str
    attribute: str
    number: bool = False


def JobRef(address: str) -> Ref:
    """The id of another job of the same stack, as a number (run_job_task.job_id)."""
    return Ref(address, "id", number=True)


@dataclass
class JobPlan:
    address: str
    name: str
    settings: dict[str, Any]  # databricks_job arguments, provider names, sorted lists
    upstream: list[str] = field(default_factory=list)  # addresses of jobs it waits for
    moved_from: str | None = None  # the address before a rename: a `moved` block
    import_id: str | None = None  # an existing job's id to adopt: an `import` block
    protect: bool = False  # lifecycle.prevent_destroy, as the YAML asks


@dataclass
class TablePlan:
    address: str
    settings: dict[str, Any]
    depends_on: list[str] = field(default_factory=list)
    protect: bool = False  # lifecycle.prevent_destroy: dropping it would lose rows


@dataclass
class VariablePlan:
    name: str
    description: str | None
    default: str | None
    sensitive: bool


@dataclass
class ResourcePlan:
    """Any other resource: its Terraform type's arguments, in the provider's names."""

    address: str
    settings: dict[str, Any]
    # the Terraform type (e.g. "databricks_grants"); the constructs look up the provider
    # class in tf.RESOURCE_CLASSES (resources) or tf.DATA_CLASSES (data sources)
    type: str = ""
    depends_on: list[str] = field(default_factory=list)  # addresses of this stack
    moved_from: str | None = None  # "<type>.<old address>": a `moved` block
    protect: bool = False  # lifecycle.prevent_destroy, as the bundle asks


@dataclass
class StackPlan:
    name: str
    jobs: list[JobPlan]
    # None: no job runs from the orchestrator (every job has `orchestrate: false` and keeps
    # its own schedule, e.g. a bundle file's scheduled job), so there is no orchestrator job
    orchestrator: JobPlan | None
    table: TablePlan
    view: TablePlan
    variables: list[VariablePlan]
    pipeline: str = ""
    target: str | None = None
    host: str | None = None
    backend: tuple[str, dict[str, Any]] | None = None  # None: the default local file
    destinations: list[ResourcePlan] = field(default_factory=list)
    permissions: list[ResourcePlan] = field(default_factory=list)
    dashboard: ResourcePlan | None = None
    # more resources and data sources of any type, built generically (see ResourcePlan.type)
    resources: list[ResourcePlan] = field(default_factory=list)
    data_sources: list[ResourcePlan] = field(default_factory=list)

    @property
    def all_jobs(self) -> list[JobPlan]:
        """The jobs, then the orchestrator when there is one."""
        return [*self.jobs, *([self.orchestrator] if self.orchestrator else [])]


def sort_tasks(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks by task_key and each depends_on by task_key: the order the provider reads them
    back in. Any other order is a diff on every plan."""
    for task in tasks:
        if "depends_on" in task:
            task["depends_on"] = sorted(task["depends_on"], key=lambda d: d["task_key"])
    return sorted(tasks, key=lambda t: t["task_key"])
