"""Rules of one task (and of the task inside a for_each_task)."""

from __future__ import annotations

import json

from brickline.spec.defaults import (
    COMPUTE_KEYS,
)
from brickline.spec.diagnostics import Diagnostic, did_you_mean
from brickline.spec.rules.cluster import cluster_problems
from brickline.spec.rules.context import TaskContext
from brickline.spec.rules.job import webhook_list_problems
from brickline.spec.rules.limits import (
    MAX_DBT_COMMANDS,
    MAX_KEY,
    NESTED_TASK_TYPES,
    RESERVED_TASK_PREFIX,
    TASK_KEY,
    TASK_TYPES,
)


def task_key(ctx: TaskContext) -> list[Diagnostic]:
    """task_key's format (TASK_KEY); keys starting with brickline_ are brickline's own."""
    key = ctx.task.task_key
    if not TASK_KEY.fullmatch(key):
        return [ctx.at(("task_key",), f"bad task_key {key!r}: use letters, digits, '_' and "
                                      f"'-' (1 to {MAX_KEY})")]
    if key.startswith(RESERVED_TASK_PREFIX) and not ctx.nested:
        return [ctx.at(("task_key",), f"task keys starting with '{RESERVED_TASK_PREFIX}' are "
                                      f"brickline's own (its status tasks); rename '{key}'")]
    return []


def task_type(ctx: TaskContext) -> list[Diagnostic]:
    """A task has exactly one task type (provider: tf:"group:task_type")."""
    task = ctx.task
    types = [t for t in (NESTED_TASK_TYPES if ctx.nested else TASK_TYPES) if getattr(task, t)]
    if not types:
        return [ctx.at(("task_key",), "the task has no task type: give it one of "
                                      "notebook_task, spark_python_task, python_wheel_task, "
                                      "sql_task, run_job_task, ...")]
    if len(types) > 1:
        return [ctx.at((types[1],), f"a task has exactly one task type; this one has "
                                    f"{' and '.join(types)}")]
    return []


def task_compute(ctx: TaskContext) -> list[Diagnostic]:
    """One compute per task; the job cluster and environment it names exist."""
    task, job = ctx.task, ctx.job
    out = []
    compute = [k for k in COMPUTE_KEYS if getattr(task, k)]
    if len(compute) > 1:
        out.append(ctx.at((compute[1],), f"a task runs on one compute; this one sets "
                                         f"{' and '.join(compute)}"))
    if task.job_cluster_key and task.job_cluster_key not in job.clusters:
        out.append(ctx.at(("job_cluster_key",),
                          f"unknown job cluster '{task.job_cluster_key}'"
                          f"{did_you_mean(task.job_cluster_key, job.clusters)}: define it "
                          "under job_clusters"))
    if task.environment_key and task.environment_key not in job.environments:
        out.append(ctx.at(("environment_key",),
                          f"unknown environment '{task.environment_key}'"
                          f"{did_you_mean(task.environment_key, job.environments)}: define "
                          "it under environments"))
    if task.new_cluster is not None:
        out += cluster_problems(job, (*ctx.rel, "new_cluster"), task.new_cluster)
    return out


# Task types that run code and take no compute of their own: databricks/cli
# bundle/config/validate/job_task_cluster_spec.go (isComputeTask; a notebook task may use
# the notebook's environment); Jobs API Task.environment_key: "required for Python script,
# Python wheel and dbt tasks when using serverless compute".
NEEDS_COMPUTE = ("python_wheel_task", "dbt_task", "spark_jar_task", "spark_submit_task",
                 "spark_python_task")


def task_needs_compute(ctx: TaskContext) -> list[Diagnostic]:
    """A task that runs code other than a notebook names its compute (a job cluster, an
    existing or new cluster, or a serverless environment), unless the job has exactly one
    job cluster and no task names any compute: then brickline puts it there
    (defaults.with_only_cluster)."""
    task, job = ctx.task, ctx.job.job
    kinds = [t for t in (NESTED_TASK_TYPES if ctx.nested else TASK_TYPES) if getattr(task, t)]
    kind = kinds[0] if len(kinds) == 1 else None  # else task_type's message says it
    if kind not in NEEDS_COMPUTE or any(getattr(task, k, None) for k in COMPUTE_KEYS):
        return []
    clusters = job.job_clusters or []
    if len(clusters) == 1 and not any(getattr(t, k) for t in job.tasks for k in COMPUTE_KEYS):
        return []
    assert kind is not None
    return [ctx.at((kind,), f"a {kind} needs compute: set job_cluster_key, "
                            "existing_cluster_id or new_cluster, or environment_key to run "
                            "serverless (with the environment under the job's environments)")]


def task_dependencies(ctx: TaskContext) -> list[Diagnostic]:
    """depends_on names tasks of the job; `outcome` only after a condition task, and is
    "true" or "false"."""
    if ctx.nested:
        return []
    out = []
    job = ctx.job
    for d, dep in enumerate(ctx.task.depends_on or []):
        upstream = job.tasks.get(dep.task_key)
        if upstream is None and dep.task_key in job.job.broken_tasks:
            continue
        if upstream is None:
            out.append(ctx.at(("depends_on", d, "task_key"),
                              f"unknown task '{dep.task_key}'"
                              f"{did_you_mean(dep.task_key, job.tasks)}"))
        elif dep.outcome is not None and upstream.condition_task is None:
            out.append(ctx.at(("depends_on", d, "outcome"),
                              f"'outcome' applies only to a condition_task; "
                              f"'{dep.task_key}' is not one"))
        elif dep.outcome is not None and dep.outcome not in ("true", "false"):
            out.append(ctx.at(("depends_on", d, "outcome"),
                              f"bad value {dep.outcome!r}: expected \"true\" or \"false\""))
    return out


def condition_retries(ctx: TaskContext) -> list[Diagnostic]:
    """Jobs API (Task.condition_task): "The condition task does not require a cluster to
    execute and does not support retries or notifications"."""
    task = ctx.task
    if task.condition_task is None or not task.max_retries:
        return []
    return [ctx.at(("max_retries",), "a condition_task does not retry (Jobs API): remove "
                                     "max_retries")]


def for_each(ctx: TaskContext) -> list[Diagnostic]:
    """for_each_task: inputs is "a JSON string or a reference to an array parameter"
    (Jobs API, ForEachTask.inputs)."""
    task = ctx.task
    if ctx.nested or task.for_each_task is None:
        return []
    out = []  # retries on the outer task: rules_workspace._for_each_retries
    inputs = task.for_each_task.inputs.strip()
    if not (inputs.startswith("{{") or "${" in inputs):
        try:
            parsed = json.loads(inputs)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            out.append(ctx.at(("for_each_task", "inputs"),
                              f"bad inputs {task.for_each_task.inputs!r}: give a JSON array "
                              "as a string, such as '[\"a\", \"b\"]' or '[1, 2, 3]', or a "
                              "reference such as '{{job.parameters.items}}'"))
    return out


def git_needs_source(ctx: TaskContext) -> list[Diagnostic]:
    """source: GIT reads the file "from a Git repository defined in `git_source`" (Jobs API
    NotebookTask.source, SparkPythonTask.source, DbtTask.source, SqlTask.file.source;
    databricks-sdk-go service/jobs/model.go): a job without git_source has no repository
    to read it from."""
    task = ctx.task
    sql = task.sql_task
    parts = ((("notebook_task",), task.notebook_task),
             (("spark_python_task",), task.spark_python_task),
             (("dbt_task",), task.dbt_task),
             (("sql_task", "file"), sql.file if sql is not None else None))
    if all(part is None or part.source != "GIT" for _, part in parts) or (
            ctx.job.job.git_source is not None):
        return []
    out = []
    for rel, part in parts:
        if part is not None and part.source == "GIT":
            out.append(ctx.at((*rel, "source"), "source: GIT reads the file from the job's "
                                                "git_source, and this job has none: add "
                                                "git_source to the job, or remove source"))
    return out


def dbt_commands(ctx: TaskContext) -> list[Diagnostic]:
    """dbt_task.commands: "A list of dbt commands to execute. All commands must start with
    `dbt`. This parameter must not be empty. A maximum of up to 10 commands can be
    provided." (Jobs API DbtTask.commands; databricks-sdk-go service/jobs/model.go)"""
    task = ctx.task.dbt_task
    if task is None:
        return []
    commands = task.commands
    if not commands:
        return [ctx.at(("dbt_task", "commands"), "dbt_task needs at least one command, such "
                                                 "as 'dbt run'")]
    if len(commands) > MAX_DBT_COMMANDS:
        return [ctx.at(("dbt_task", "commands"), f"{len(commands)} dbt commands; the Jobs "
                                                 f"API allows {MAX_DBT_COMMANDS} per task: "
                                                 "split the task")]
    return [ctx.at(("dbt_task", "commands", i), f"bad dbt command {command!r}: every "
                                                "command starts with 'dbt', such as "
                                                f"'dbt {command.strip()}'")
            for i, command in enumerate(commands)
            if command.split()[:1] != ["dbt"] and "${" not in command]


def task_webhook_limits(ctx: TaskContext) -> list[Diagnostic]:
    """A task's own webhook_notifications lists (see webhook_list_problems)."""
    return webhook_list_problems(getattr(ctx.task, "webhook_notifications", None), ctx.at)
