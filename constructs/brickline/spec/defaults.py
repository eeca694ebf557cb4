"""Pipeline defaults applied to tasks and clusters: one definition, used by the rules (to
check what will be deployed) and by the plan (to deploy it)."""

from __future__ import annotations

from typing import Any

from brickline.spec.model import TaskDefaults

TASK_DEFAULT_KEYS = ("max_retries", "min_retry_interval_millis", "retry_on_timeout",
                     "timeout_seconds")
# A cluster that names a pool or a policy gets its node type from there, not the defaults;
# a cluster that autoscales takes no fixed worker count, and the reverse.
_SKIP_WHEN = {
    "node_type_id": ("instance_pool_id", "policy_id"),
    "driver_node_type_id": ("instance_pool_id", "driver_instance_pool_id", "policy_id"),
    "num_workers": ("autoscale",),
    "autoscale": ("num_workers",),
}
# Condition tasks run no code: the Jobs API rejects retries and timeouts on them. A
# for_each task's defaults go on the task it repeats: the outer task refuses max_retries at
# deploy (databricks/cli issue #3977, PR #4104), and a per-task timeout there would time out
# the whole loop.
NO_DEFAULTS_TASK_TYPES = ("condition_task", "for_each_task")


def cluster_with_defaults(cluster: dict[str, Any], defaults: TaskDefaults) -> dict[str, Any]:
    """A new_cluster (provider-shaped dict) with the pipeline's cluster defaults filled in."""
    if defaults.new_cluster is None:
        return cluster
    base = defaults.new_cluster.model_dump(by_alias=True, exclude_none=True)
    out = dict(cluster)
    for key, value in base.items():
        if key in out or any(k in cluster for k in _SKIP_WHEN.get(key, ())):
            continue
        out[key] = value
    return out


def task_with_defaults(task: dict[str, Any], defaults: TaskDefaults) -> dict[str, Any]:
    if any(t in task for t in NO_DEFAULTS_TASK_TYPES):
        return task
    out = dict(task)
    for key in TASK_DEFAULT_KEYS:
        value = getattr(defaults, key)
        if value is not None and key not in out:
            out[key] = value
    return out


# Task types that run code on a cluster or in a serverless environment.
CODE_TASK_TYPES = ("notebook_task", "spark_python_task", "python_wheel_task", "spark_jar_task",
                   "spark_submit_task", "dbt_task")
COMPUTE_KEYS = ("job_cluster_key", "existing_cluster_id", "new_cluster", "environment_key")


def unused_only_cluster(job: dict[str, Any]) -> list[str]:
    """The job's job cluster, when it has exactly one and no task names any compute: the
    design document's jobs define a cluster and name it nowhere, and mean their tasks to
    run on it. A job whose tasks name compute anywhere keeps the others serverless."""
    clusters = [c["job_cluster_key"] for c in job.get("job_cluster", [])]
    named = any(k in t for t in job.get("task", []) for k in COMPUTE_KEYS)
    return clusters if len(clusters) == 1 and not named else []


def with_only_cluster(task: dict[str, Any], job_clusters: list[str]) -> dict[str, Any]:
    """A code task that names no compute gets the cluster `unused_only_cluster` found."""
    if (len(job_clusters) == 1 and any(t in task for t in CODE_TASK_TYPES)
            and not any(k in task for k in COMPUTE_KEYS)):
        return {**task, "job_cluster_key": job_clusters[0]}
    return task


def has_node_type(cluster: dict[str, Any]) -> bool:
    return any(cluster.get(k) for k in ("node_type_id", "instance_pool_id", "policy_id"))


# Unity Catalog access modes (`data_security_mode`). Sources: provider v1.99.0
# docs/resources/cluster.md ("Unity Catalog requires SINGLE_USER or USER_ISOLATION mode";
# the DATA_SECURITY_MODE_* values) and databricks-sdk `compute.DataSecurityMode` (STANDARD /
# DEDICATED are the new names of USER_ISOLATION / SINGLE_USER; AUTO picks one of them, per
# databricks/cli PR #5452; LEGACY_* have neither Unity Catalog nor, for some, passthrough).
UC_ACCESS_MODES = ("SINGLE_USER", "USER_ISOLATION", "DATA_SECURITY_MODE_DEDICATED",
                   "DATA_SECURITY_MODE_STANDARD", "DATA_SECURITY_MODE_AUTO")
NO_UC_ACCESS_MODES = ("NONE", "NO_ISOLATION", "LEGACY_TABLE_ACL", "LEGACY_PASSTHROUGH",
                      "LEGACY_SINGLE_USER", "LEGACY_SINGLE_USER_STANDARD")
# The mode a cluster gets when neither it nor pipeline.defaults.new_cluster sets one: without
# it the workspace decides (provider issues #2866, #2881) and a three-part table name can fail.
# Dedicated (single user) runs every language and library, on DBR 11.3 LTS (the oldest UC
# runtime) up; Databricks' own bundle templates set it on job clusters without a
# single_user_name (databricks/cli PR #2372). A cluster with `kind` takes the new names only
# (provider cluster.md), so it gets AUTO. A cluster with a policy keeps what the policy sets:
# a policy that fixes another mode would reject the cluster.
# Not AUTO for the others, although databricks/cli's templates moved to it in June 2026 (PR
# #5452): Auto resolves to Standard "by default, and Dedicated when the cluster
# configuration requires it (for example ML Runtime, GPUs, R, Databricks Container
# Services, or global init scripts)" (the PR's text): it judges the configuration, not the
# code, so a user's task that needs Dedicated (RDDs, the SparkContext, a JVM library; docs
# "Standard compute requirements and limitations") would start failing on the same cluster;
# the SDK's compute.DataSecurityMode lists AUTO among the modes that "can only be used when
# `kind = CLASSIC_PREVIEW`", the PR ran it on the latest LTS runtime only, and brickline's
# runtimes start at 11.3 LTS; and a changed default would re-plan every existing job
# cluster. A team opts in with data_security_mode (or pipeline.defaults.new_cluster).
DEFAULT_ACCESS_MODE = "SINGLE_USER"
DEFAULT_ACCESS_MODE_WITH_KIND = "DATA_SECURITY_MODE_AUTO"


def with_access_mode(cluster: dict[str, Any]) -> dict[str, Any]:
    """A new_cluster (after the pipeline's defaults) with a Unity Catalog access mode."""
    if cluster.get("data_security_mode") or cluster.get("policy_id"):
        return cluster
    mode = DEFAULT_ACCESS_MODE_WITH_KIND if cluster.get("kind") else DEFAULT_ACCESS_MODE
    return {**cluster, "data_security_mode": mode}
