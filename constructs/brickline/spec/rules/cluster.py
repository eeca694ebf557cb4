"""Clusters: a job cluster's or a task's new_cluster."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from brickline.spec.base import known_int
from brickline.spec.defaults import (
    cluster_with_defaults,
    has_node_type,
)
from brickline.spec.diagnostics import Diagnostic, Path
from brickline.spec.rules.context import JobContext


def job_clusters(ctx: JobContext) -> list[Diagnostic]:
    """Each job cluster is a valid new cluster."""
    out: list[Diagnostic] = []
    for i, cluster in enumerate(ctx.job.job_clusters or []):
        out += cluster_problems(ctx, ("job_clusters", i, "new_cluster"), cluster.new_cluster)
    return out


def cluster_problems(ctx: JobContext, rel: Path, cluster: Any) -> list[Diagnostic]:
    """A new cluster needs a node type (or a pool or policy that gives one): the Jobs API
    rejects it otherwise; workers are never negative (provider 1.99.0 jobs/resource_job.go
    jobSettingsSchema: num_workers IntAtLeast(0)); autoscale's max_workers is "strictly
    greater than min_workers" (Jobs API, new_cluster.autoscale)."""
    out = []
    if ctx.pipeline.intact("defaults"):
        effective = cluster_with_defaults(cluster.model_dump(by_alias=True, exclude_none=True),
                                          ctx.pipeline.settings.defaults)
        if not has_node_type(effective):
            out.append(ctx.at(rel, "new_cluster needs node_type_id, instance_pool_id or "
                                   "policy_id: set one here or in pipeline.yml under "
                                   "pipeline.defaults.new_cluster"))
    out += worker_ranges(cluster, lambda sub, message: ctx.at((*rel, *sub), message))
    return out


def worker_ranges(cluster: Any, error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """num_workers 0 or more; autoscale min_workers 0 or more and below max_workers
    (databricks-sdk service/compute.py AutoScale.max_workers: "Note that max_workers must be
    strictly greater than min_workers")."""
    out: list[Diagnostic] = []
    workers = known_int(cluster.num_workers)
    if workers is not None and workers < 0:
        out.append(error(("num_workers",), f"bad value {workers}: num_workers is 0 or more"))
    scale = cluster.autoscale
    if scale is not None:
        low, high = known_int(scale.min_workers), known_int(scale.max_workers)
        if low is not None and low < 0:
            out.append(error(("autoscale", "min_workers"),
                             f"bad value {low}: min_workers is 0 or more"))
        elif low is not None and high is not None and high <= low:
            out.append(error(("autoscale", "max_workers"),
                             f"max_workers ({high}) must be greater than min_workers ({low}); "
                             "for a fixed size write num_workers instead of autoscale"))
    return out
