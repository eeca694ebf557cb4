"""Rules of one job: keys, the Jobs API's limits, parameters, notifications, environments,
run_as and git_source."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from brickline.spec import jobs_api as api
from brickline.spec.base import known_int
from brickline.spec.defaults import (
    CODE_TASK_TYPES,
    COMPUTE_KEYS,
)
from brickline.spec.diagnostics import Diagnostic, Path
from brickline.spec.model import Job
from brickline.spec.rules.context import JobContext, job_at
from brickline.spec.rules.edges import find_cycle
from brickline.spec.rules.limits import (
    MAX_CONCURRENT_RUNS,
    MAX_DESCRIPTION,
    MAX_ENVIRONMENTS,
    MAX_JOB_CLUSTERS,
    MAX_KEY,
    MAX_NAME_BYTES,
    MAX_TAGS,
    MAX_TASKS,
    MAX_WEBHOOKS_PER_EVENT,
    PARAMETER_NAME,
    STATUS_ENVIRONMENT,
    TABLE_NAME,
    TASK_KEY,
)


def unique_keys(ctx: JobContext) -> list[Diagnostic]:
    """task_key, job_cluster_key and environment_key are unique within a job (Jobs API:
    "must be unique within its parent job"; environment_key "has to be unique within a
    job"); brickline_status is the environment of brickline's status tasks."""
    job = ctx.job
    out = _duplicates(job, [c.job_cluster_key for c in job.job_clusters or []],
                      "job_clusters", "job_cluster_key")
    out += _duplicates(job, [e.environment_key for e in job.environments or []],
                       "environments", "environment_key")
    out += _duplicates(job, [t.task_key for t in job.tasks], "tasks", "task_key")
    for i, env in enumerate(job.environments or []):
        if env.environment_key == STATUS_ENVIRONMENT:
            out.append(ctx.at(("environments", i, "environment_key"),
                              f"the environment key '{STATUS_ENVIRONMENT}' is brickline's own "
                              "(its status tasks run there); rename this one"))
    for i, cluster in enumerate(job.job_clusters or []):
        if not TASK_KEY.fullmatch(cluster.job_cluster_key):
            out.append(ctx.at(("job_clusters", i, "job_cluster_key"),
                              f"bad job_cluster_key {cluster.job_cluster_key!r}: use letters, "
                              f"digits, '_' and '-' (1 to {MAX_KEY})"))
    return out


def _duplicates(job: Job, keys: list[str], list_name: str, field: str) -> list[Diagnostic]:
    out, seen = [], set()
    for i, key in enumerate(keys):
        if key in seen:
            out.append(job_at(job, (list_name, i, field), f"duplicate {field} '{key}'"))
        seen.add(key)
    return out


def job_limits(ctx: JobContext) -> list[Diagnostic]:
    """The Jobs API's limits (see MAX_*), counting what brickline adds: its status tasks
    (two, three with recovery.skip_succeeded), its serverless environment, the name prefix
    and the tags of the pipeline and each target."""
    job, p = ctx.job, ctx.pipeline
    out: list[Diagnostic] = []
    added = 3 if p.settings.recovery.skip_succeeded else 2
    if len(job.tasks) + len(job.broken_tasks) + added > MAX_TASKS:
        out.append(ctx.at(("tasks",), f"{len(job.tasks)} tasks and brickline's {added} status "
                                      f"tasks make more than the {MAX_TASKS} tasks the Jobs "
                                      "API allows in one job: split the job"))
    runs = known_int(job.max_concurrent_runs)
    if runs is not None and not 0 <= runs <= MAX_CONCURRENT_RUNS:
        out.append(ctx.at(("max_concurrent_runs",), too_many_runs(runs)))
    if job.description is not None and len(job.description) > MAX_DESCRIPTION:
        out.append(ctx.at(("description",), f"the description is {len(job.description)} "
                                            f"characters; the Jobs API allows {MAX_DESCRIPTION}"))
    if len(job.job_clusters or []) > MAX_JOB_CLUSTERS:
        out.append(ctx.at(("job_clusters",), f"{len(job.job_clusters or [])} job clusters; "
                                             f"the Jobs API allows {MAX_JOB_CLUSTERS} per job"))
    environments = len(job.environments or []) + (1 if _status_environment(job) else 0)
    if environments > MAX_ENVIRONMENTS:
        extra = " and brickline's status environment" if _status_environment(job) else ""
        out.append(ctx.at(("environments",), f"{len(job.environments or [])} environments"
                                             f"{extra} make more than the {MAX_ENVIRONMENTS} "
                                             "the Jobs API allows per job"))
    if not p.intact("targets", "tags"):
        return out
    reported_name = reported_tags = False
    for d in ctx.deployments:
        full = d.name_prefix + job.name
        if not reported_name and len(full.encode()) > MAX_NAME_BYTES:
            reported_name = True
            out.append(ctx.at(("name",), long_name(full, d.target)))
        tags = {**d.tags, **(job.tags or {})}
        if not reported_tags and len(d.tags) <= MAX_TAGS < len(tags):
            reported_tags = True
            where = (f" with target '{d.target}'" if d.target else "")
            out.append(ctx.at(("tags",), f"{len(tags)} tags{where} (the job's own, the "
                                         "pipeline's and the target's together); the Jobs "
                                         f"API allows {MAX_TAGS} per job"))
    return out


def too_many_runs(value: int) -> str:
    return (f"bad value {value}: max_concurrent_runs is 0 to {MAX_CONCURRENT_RUNS} (0 skips "
            "every new run)")


def long_name(name: str, target: str | None = None) -> str:
    where = f" with the name_prefix of target '{target}'" if target else ""
    return (f"the job name{where} is {len(name.encode())} bytes in UTF-8; the Jobs API "
            f"allows {MAX_NAME_BYTES}")


def _status_environment(job: Job) -> bool:
    """Whether the plan gives this job brickline's serverless status environment: when no
    work task runs on a cluster (plan._status_compute, after defaults.with_only_cluster)."""
    tasks = job.tasks
    if any(t.job_cluster_key or t.existing_cluster_id or t.new_cluster for t in tasks):
        return False
    clusters = job.job_clusters or []
    named = any(getattr(t, k) for t in tasks for k in COMPUTE_KEYS)
    code = any(getattr(t, k, None) for t in tasks for k in CODE_TASK_TYPES)
    return not (len(clusters) == 1 and not named and code)


def job_parameters(ctx: JobContext) -> list[Diagnostic]:
    """Job parameter names: letters, digits, '_', '-' and '.' (PARAMETER_NAME)."""
    return [ctx.at(("parameters", i, "name"),
                   f"bad parameter name {param.name!r}: use letters, digits, '_', '-' and '.'")
            for i, param in enumerate(ctx.job.parameters or [])
            if not PARAMETER_NAME.fullmatch(param.name)]


WEBHOOK_EVENTS = tuple(api.WebhookNotifications.model_fields)


def webhook_list_problems(hooks: Any, error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """Jobs API WebhookNotifications, each event: "A maximum of 3 destinations can be
    specified for the `on_start` property" (and likewise on_success, on_failure,
    on_duration_warning_threshold_exceeded, on_streaming_backlog_exceeded)."""
    if hooks is None:
        return []
    out = []
    for event in WEBHOOK_EVENTS:
        listed = getattr(hooks, event) or []
        if len(listed) > MAX_WEBHOOKS_PER_EVENT:
            out.append(error(("webhook_notifications", event),
                             f"{len(listed)} webhook destinations for {event}; the Jobs API "
                             f"allows at most {MAX_WEBHOOKS_PER_EVENT} per event"))
    return out


def webhook_limits(ctx: JobContext) -> list[Diagnostic]:
    """The job's own webhook_notifications lists (see webhook_list_problems); merged with routes
    in rules_deploy._merged_destinations."""
    return webhook_list_problems(ctx.job.webhook_notifications, ctx.at)


def environment_versions(ctx: JobContext) -> list[Diagnostic]:
    """An environment's spec names its version: environment_version is "Required.
    Environment version used by the environment" (Jobs API JobEnvironment.spec;
    databricks-sdk-java jobs/Environment.java); `client` is its deprecated older name
    ("[DEPRECATED] Use `environment_version` instead") and still counts."""
    out = []
    for i, env in enumerate(ctx.job.environments or []):
        spec = env.spec
        if spec is None or not (spec.environment_version or spec.client):
            where: Path = ("environments", i, "spec") if spec is not None else (
                "environments", i)
            out.append(ctx.at(where, f"environment '{env.environment_key}' needs "
                                     "spec.environment_version (the serverless environment "
                                     "version, such as '2')"))
    return out


def rollback_tables(ctx: JobContext) -> list[Diagnostic]:
    """Rollback tables are full Unity Catalog names, catalog.schema.table."""
    return [ctx.at(("rollback", "tables", i),
                   f"bad table name {table!r}: write catalog.schema.table, each part of "
                   "letters, digits, '_' and '-'")
            for i, table in enumerate(ctx.job.rollback.tables if ctx.job.rollback else [])
            if not TABLE_NAME.fullmatch(table)]


def task_cycle(ctx: JobContext) -> list[Diagnostic]:
    """Tasks' depends_on make no cycle; reported at the depends_on entry that closes it."""
    job = ctx.job
    cycle = find_cycle([t.task_key for t in job.tasks],
                       [(d.task_key, t.task_key) for t in job.tasks
                        for d in t.depends_on or [] if d.task_key in ctx.tasks])
    if not cycle:
        return []
    upstream, downstream = cycle[-2], cycle[-1]
    index = next(i for i, t in enumerate(job.tasks) if t.task_key == downstream)
    dep = next(i for i, d in enumerate(job.tasks[index].depends_on or [])
               if d.task_key == upstream)
    return [ctx.at(("tasks", index, "depends_on", dep, "task_key"),
                   "tasks depend on each other in a cycle: " + " -> ".join(cycle)
                   + f"; this depends_on ({downstream} on {upstream}) closes it")]


def run_as_problems(run_as: api.RunAs | None,
            error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """provider 1.99.0 jobs/resource_job.go:628-631: run_as is exactly one of user_name and
    service_principal_name."""
    if run_as is None:
        return []
    given = [k for k in ("user_name", "service_principal_name") if getattr(run_as, k)]
    if len(given) == 1:
        return []
    return [error(("run_as",), "run_as is exactly one of user_name and "
                               f"service_principal_name; this one has "
                               f"{' and '.join(given) or 'none'}")]


def git_source_problems(git: api.GitSource | None, error: Callable[[Path, str], Diagnostic],
                written: dict[str, Any]) -> list[Diagnostic]:
    """provider 1.99.0 jobs/resource_job.go gitSourceSchema (:926-931): url is an https URL;
    branch, tag and commit exclude each other; and Create (:806-811) needs one of them
    when no provider is given. Keys are named as the YAML spells them (git_url or url)."""
    if git is None:
        return []

    provider_words = "url" in written and "git_url" not in written

    def name(field: str) -> str:  # the Jobs API's git_x or the provider's x, as written
        if field in written or field[4:] in written:
            return field if field in written else field[4:]
        return field[4:] if provider_words else field

    out = []
    if "${" not in git.git_url and not re.fullmatch(r"https://[^/\s]+(/\S*)?", git.git_url):
        out.append(error(("git_source", name("git_url")), f"bad url {git.git_url!r}: give the "
                                                          "repository's https:// URL"))
    refs = [name(k) for k in ("git_branch", "git_tag", "git_commit") if getattr(git, k)]
    if len(refs) > 1:
        out.append(error(("git_source", refs[1]), "git_source takes one of "
                         f"{', '.join(name(k) for k in ('git_branch', 'git_tag'))} and "
                         f"{name('git_commit')}; this one sets {' and '.join(refs)}"))
    elif not refs and git.git_provider is None:
        # the provider refuses it only when it has to guess the provider from the url
        out.append(error(("git_source",), f"git_source needs one of {name('git_branch')}, "
                                          f"{name('git_tag')} and {name('git_commit')}"))
    return out
