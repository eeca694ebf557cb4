"""What a pipeline provisions, as plain data in the provider's names (no jsii here).

The constructs turn a StackPlan into cdktf resources one to one; everything that decides a
value (defaults, ordering, the orchestrator's edges, the log table's columns) is here, so
it is tested in plain Python and the same for `synth`, `graph` and a review.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from brickline.spec.defaults import cluster_with_defaults, task_with_defaults
from brickline.spec.model import RUN_KEY, Job, Pipeline, TaskDefaults
from brickline.spec.rules import ORCHESTRATOR_ADDRESS

METADATA_ADDRESS = "job_metadata"
EXTENSION_KEYS = {"key", "depends_on", "on_success", "broken_tasks"}

# Position matters: the provider compares columns by position, so new columns go at the end
# and none is ever removed or reordered (that would rename columns of a live table).
METADATA_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("job_id", "string", "Databricks job id"),
    ("job_name", "string", "Job name"),
    ("status", "string", "pending, in-progress, success, failed or skipped"),
    ("start_time", "timestamp", "When the job run started"),
    ("end_time", "timestamp", "When the job run ended; empty while it runs"),
    ("error_message", "string", "Error text of the tasks that failed"),
    ("pipeline", "string", "Pipeline name"),
    ("run_key", "string", "Key of the pipeline run, shared by every job of one run"),
    ("run_id", "bigint", "Databricks run id of the job run"),
    ("attempt", "int", "Repair count of the run: 0 first, n after the n-th repair"),
    ("failed_tasks", "array<string>", "Keys of the tasks that failed"),
    ("logged_at", "timestamp", "When this row was written; rows are only ever appended"),
)


@dataclass(frozen=True)
class JobRef:
    """The id of another job of the same stack, as a number (run_job_task.job_id)."""

    address: str


@dataclass
class JobPlan:
    address: str
    name: str
    settings: dict[str, Any]  # databricks_job arguments, provider names, sorted lists
    upstream: list[str] = field(default_factory=list)  # addresses of jobs it waits for


@dataclass
class TablePlan:
    address: str
    settings: dict[str, Any]


@dataclass
class VariablePlan:
    name: str
    description: str | None
    default: str | None
    sensitive: bool


@dataclass
class StackPlan:
    name: str
    jobs: list[JobPlan]
    orchestrator: JobPlan
    table: TablePlan
    variables: list[VariablePlan]


def plan(pipeline: Pipeline) -> StackPlan:
    jobs = [_job(job, pipeline) for job in pipeline.jobs]
    return StackPlan(
        name=pipeline.name,
        jobs=sorted(jobs, key=lambda j: j.address),
        orchestrator=_orchestrator(pipeline, jobs),
        table=_table(pipeline),
        variables=_variables(pipeline),
    )


def _job(job: Job, pipeline: Pipeline) -> JobPlan:
    settings = job.model_dump(by_alias=True, exclude_none=True, exclude=EXTENSION_KEYS)
    defaults = pipeline.settings.defaults
    settings["task"] = sort_tasks([_task(t, defaults) for t in settings.get("task", [])])
    for cluster in settings.get("job_cluster", []):
        cluster["new_cluster"] = cluster_with_defaults(cluster["new_cluster"], defaults)
    tags = {**pipeline.settings.tags, **settings.get("tags", {})}
    if tags:
        settings["tags"] = dict(sorted(tags.items()))
    parameters = settings.get("parameter", [])
    if not any(p["name"] == RUN_KEY for p in parameters):
        # the orchestrator passes run_key to every job; a job must declare it to accept it
        parameters.append({"name": RUN_KEY, "default": pipeline.settings.orchestrator.run_key})
    settings["parameter"] = parameters
    _sort_webhooks(settings)
    by_name = {j.name: j.address for j in pipeline.jobs}
    upstream = sorted({by_name[a] for a, b in pipeline.edges() if b == job.name})
    return JobPlan(address=job.address, name=job.name, settings=settings, upstream=upstream)


def _task(task: dict[str, Any], defaults: TaskDefaults) -> dict[str, Any]:
    task = task_with_defaults(task, defaults)
    if "new_cluster" in task:
        task["new_cluster"] = cluster_with_defaults(task["new_cluster"], defaults)
    if "for_each_task" in task:
        nested = _task(task["for_each_task"]["task"], defaults)
        task["for_each_task"] = {**task["for_each_task"], "task": nested}
    _sort_webhooks(task)
    return task


def sort_tasks(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks by task_key and each depends_on by task_key: the order the provider reads them
    back in. Any other order is a diff on every plan."""
    for task in tasks:
        if "depends_on" in task:
            task["depends_on"] = sorted(task["depends_on"], key=lambda d: d["task_key"])
    return sorted(tasks, key=lambda t: t["task_key"])


def _sort_webhooks(block: dict[str, Any]) -> None:
    hooks = block.get("webhook_notifications")
    if hooks:
        for event, targets in hooks.items():
            hooks[event] = sorted(targets, key=lambda t: t["id"])


def _orchestrator(pipeline: Pipeline, jobs: list[JobPlan]) -> JobPlan:
    orch = pipeline.settings.orchestrator
    settings = orch.model_dump(by_alias=True, exclude_none=True, exclude={"name", "run_key"})
    settings["name"] = pipeline.orchestrator_name
    settings.setdefault("description", f"Runs the jobs of pipeline {pipeline.name} in "
                                       "dependency order. Repair a failed run to re-run only "
                                       "the failed jobs and what depends on them.")
    tags = {**pipeline.settings.tags, **settings.get("tags", {})}
    if tags:
        settings["tags"] = dict(sorted(tags.items()))
    settings["parameter"] = [{"name": RUN_KEY, "default": orch.run_key}]
    settings["task"] = sort_tasks([
        {
            "task_key": job.address,
            "description": f"Runs {job.name}",
            "run_job_task": {
                "job_id": JobRef(job.address),
                "job_parameters": {RUN_KEY: "{{job.parameters.run_key}}"},
            },
            **({"depends_on": [{"task_key": up} for up in job.upstream]} if job.upstream else {}),
        }
        for job in jobs
    ])
    _sort_webhooks(settings)
    return JobPlan(address=ORCHESTRATOR_ADDRESS, name=settings["name"], settings=settings)


def _table(pipeline: Pipeline) -> TablePlan:
    meta = pipeline.settings.metadata
    return TablePlan(address=METADATA_ADDRESS, settings={
        "catalog_name": meta.catalog,
        "schema_name": meta.schema_name,
        "name": meta.table,
        "table_type": "MANAGED",
        "data_source_format": "DELTA",
        "warehouse_id": meta.warehouse_id,
        "comment": f"Status log of pipeline {pipeline.name}, written by brickline: one row "
                   "per job state change, appended, never updated.",
        "column": [{"name": n, "type": t, "comment": c} for n, t, c in METADATA_COLUMNS],
    })


def _variables(pipeline: Pipeline) -> list[VariablePlan]:
    declared = {name: (v.description, v.default, v.sensitive)
                for name, v in pipeline.settings.variables.items()}
    if pipeline.settings.metadata.warehouse_id == "${var.warehouse_id}":
        declared.setdefault("warehouse_id", ("SQL warehouse that runs the job_metadata "
                                             "table's DDL", None, False))
    return [VariablePlan(name, *declared[name]) for name in sorted(declared)]
