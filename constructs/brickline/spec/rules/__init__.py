"""The rules a schema cannot express, by subject: one module each (pipeline, edges, job,
task, cluster, schedule, terraform), with the limits they share in `limits`. Nothing raises;
every rule returns diagnostics.

A rule is one function with a docstring that takes a typed context (the pipeline, a job
with its lookups, or a task); the lists PIPELINE_RULES, JOB_RULES and TASK_RULES below are
the rules, in the order they run. Each platform rule cites its source beside it.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from brickline.spec import rules_deploy, rules_workspace
from brickline.spec.diagnostics import Diagnostic
from brickline.spec.model import Job, Pipeline
from brickline.spec.rules.cluster import job_clusters
from brickline.spec.rules.context import (
    JobContext,
    JobRule,
    PipelineFacts,
    PipelineRule,
    TaskContext,
    TaskRule,
)
from brickline.spec.rules.edges import job_edges
from brickline.spec.rules.job import (
    environment_versions,
    job_limits,
    job_parameters,
    rollback_tables,
    task_cycle,
    unique_keys,
    webhook_limits,
)
from brickline.spec.rules.pipeline import (
    check_across,
    dashboard_path,
    defaults_cluster,
    job_count,
    metadata_names,
    orchestrator,
    pipeline_name,
    renamed_from,
    target_settings,
    unique_job_names,
)
from brickline.spec.rules.schedule import job_triggers
from brickline.spec.rules.task import (
    condition_retries,
    dbt_commands,
    for_each,
    git_needs_source,
    task_compute,
    task_dependencies,
    task_key,
    task_needs_compute,
    task_type,
    task_webhook_limits,
)
from brickline.spec.rules.terraform import templates, terraform_names, variable_names


def check(pipeline: Pipeline, *, known_broken: AbstractSet[str] = frozenset()) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in PIPELINE_RULES:
        out += rule(pipeline)
    out += job_edges(pipeline, known_broken)
    facts = PipelineFacts(pipeline)
    for job in pipeline.jobs:
        out += check_job(_job_context(pipeline, job, facts))
    out += rules_deploy.check(pipeline)
    out += rules_workspace.check(pipeline)
    return out


def _job_context(p: Pipeline, job: Job, facts: PipelineFacts | None = None) -> JobContext:
    return JobContext(
        pipeline=p, job=job, tasks={t.task_key: t for t in job.tasks},
        clusters=frozenset(c.job_cluster_key for c in job.job_clusters or []),
        environments=frozenset(e.environment_key for e in job.environments or []),
        facts=facts)


def check_job(ctx: JobContext) -> list[Diagnostic]:
    if not ctx.job.tasks and not ctx.job.broken_tasks:
        return [ctx.at(("tasks",), "a job needs at least one task")]
    out: list[Diagnostic] = []
    for rule in JOB_RULES:
        out += rule(ctx)
    for i, task in enumerate(ctx.job.tasks):
        out += check_task(TaskContext(ctx, ("tasks", i), task))
    return out


def check_task(ctx: TaskContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in TASK_RULES:
        out += rule(ctx)
    if not ctx.nested and ctx.task.for_each_task is not None:
        out += check_task(TaskContext(ctx.job, (*ctx.rel, "for_each_task", "task"),
                                      ctx.task.for_each_task.task, nested=True))
    return out


PIPELINE_RULES: tuple[PipelineRule, ...] = (
    pipeline_name,
    metadata_names,
    variable_names,
    templates,
    unique_job_names,
    terraform_names,
    renamed_from,
    job_count,
    orchestrator,
    target_settings,
    defaults_cluster,
    dashboard_path,
)


JOB_RULES: tuple[JobRule, ...] = (
    unique_keys,
    job_limits,
    job_parameters,
    webhook_limits,
    environment_versions,
    job_clusters,
    rollback_tables,
    task_cycle,
    job_triggers,
)


TASK_RULES: tuple[TaskRule, ...] = (
    task_key,
    task_type,
    task_compute,
    task_needs_compute,
    task_dependencies,
    condition_retries,
    for_each,
    dbt_commands,
    git_needs_source,
    task_webhook_limits,
)

__all__ = ["JOB_RULES", "PIPELINE_RULES", "TASK_RULES", "JobContext", "JobRule", "PipelineRule",
           "TaskContext", "TaskRule", "check", "check_across", "check_job", "check_task"]
