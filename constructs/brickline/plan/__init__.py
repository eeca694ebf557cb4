"""What a pipeline provisions, as plain data in the provider's names (no jsii here).

The constructs turn a StackPlan into cdktf resources one to one; everything that decides a
value (defaults, ordering, the orchestrator's edges, the log table's columns) is here, so
it is tested in plain Python and the same for `synth`, `graph` and a review.

The modules mirror the constructs: model (the dataclasses), job (with status_tasks),
orchestrator, status_log and deployment; imports run one way, model <- status_tasks,
status_log, deployment <- job <- orchestrator <- this module.
"""

from __future__ import annotations

from brickline.plan.bundle import data_sources as bundle_data_sources
from brickline.plan.bundle import resources as bundle_resources
from brickline.plan.bundle import sync as bundle_sync
from brickline.plan.deployment import (
    _backend,
    _dashboard,
    _destinations,
    _permissions,
    _variables,
    destination_address,
)
from brickline.plan.job import EXTENSION_KEYS, _job
from brickline.plan.model import (
    JobPlan,
    JobRef,
    Ref,
    ResourcePlan,
    StackPlan,
    TablePlan,
    VariablePlan,
    sort_tasks,
)
from brickline.plan.orchestrator import _orchestrator, _pipeline_start_file
from brickline.plan.status_log import (
    METADATA_COLUMNS,
    READER,
    TABLE_WRITER,
    _grants,
    _schema,
    _table,
    _view,
)
from brickline.plan.status_tasks import (
    STATUS_NOTEBOOK,
    STATUS_TIMEOUT_SECONDS,
    _status_notebook,
    status_program,
)
from brickline.spec.model import Pipeline
from brickline.spec.targets import Deployment, deployments

__all__ = [
    "EXTENSION_KEYS", "METADATA_COLUMNS", "READER", "STATUS_NOTEBOOK", "STATUS_TIMEOUT_SECONDS",
    "TABLE_WRITER", "JobPlan", "JobRef", "Ref", "ResourcePlan", "StackPlan", "TablePlan",
    "VariablePlan", "destination_address", "plan", "plans", "sort_tasks", "status_program",
]


def plans(pipeline: Pipeline) -> list[StackPlan]:
    """One stack per deployment: per target, or one for a pipeline without targets."""
    return [_workspace(_stack(d), d) for d in deployments(pipeline)]


def plan(pipeline: Pipeline, target: str | None = None) -> StackPlan:
    """The stack of one target (default: the first, or the only deployment)."""
    chosen = [d for d in deployments(pipeline) if target is None or d.target == target]
    if not chosen:
        raise KeyError(f"pipeline {pipeline.name} has no target {target!r}")
    return _workspace(_stack(chosen[0]), chosen[0])


def _stack(d: Deployment) -> StackPlan:
    uploads: dict[str, ResourcePlan] = {}
    jobs = [_job(job, d, uploads) for job in d.jobs]
    bundle_sync(d, uploads)
    orchestrated = {j.address for j in d.jobs if j.orchestrate}
    orchestrator = _orchestrator(d, [j for j in jobs if j.address in orchestrated]) \
        if orchestrated else None
    return StackPlan(
        name=d.stack_name,
        pipeline=d.pipeline.name,
        target=d.target,
        host=d.host,
        jobs=sorted(jobs, key=lambda j: j.address),
        orchestrator=orchestrator,
        table=_table(d),
        view=_view(d),
        variables=_variables(d),
        backend=_backend(d),
        destinations=_destinations(d),
        dashboard=_dashboard(d),
        resources=[_status_notebook(d),
                   *([_pipeline_start_file(d)] if orchestrator is not None else []),
                   *(uploads[a] for a in sorted(uploads)), *bundle_resources(d)],
        data_sources=bundle_data_sources(d),
    )


def _workspace(stack: StackPlan, d: Deployment) -> StackPlan:
    """What belongs to the jobs and the status log in the workspace: each job's access
    list, the metadata schema (read or created) and the Unity Catalog grants."""
    stack.resources += _permissions(d, stack.all_jobs)
    schema = _schema(d)
    if d.metadata.create_schema:
        stack.resources.append(schema)
    else:
        stack.data_sources.append(schema)
    stack.resources += _grants(d, stack)
    return stack
