"""A job's settings: the YAML's job with defaults, clusters, routes and the target's
settings applied, its status tasks added (status_tasks.py), in the provider's order."""

from __future__ import annotations

from typing import Any

from brickline.plan.deployment import (
    _deployment_settings,
    _upload_local_files,
    destination_address,
)
from brickline.plan.model import JobPlan, Ref, ResourcePlan, sort_tasks
from brickline.plan.status_tasks import _add_status_tasks
from brickline.spec.defaults import (
    cluster_with_defaults,
    task_with_defaults,
    unused_only_cluster,
    with_access_mode,
    with_only_cluster,
)
from brickline.spec.model import EVENTS, Job, Pipeline, TaskDefaults
from brickline.spec.targets import Deployment

EXTENSION_KEYS = {"key", "depends_on", "on_success", "rollback", "renamed_from", "notifications",
                  "warn_after", "permissions", "orchestrate", "import_id", "lifecycle"}


def _job(job: Job, d: Deployment, uploads: dict[str, ResourcePlan]) -> JobPlan:
    pipeline = d.pipeline
    settings = job.model_dump(by_alias=True, exclude_none=True, exclude=EXTENSION_KEYS)
    _upload_local_files(job, settings, d, uploads)
    settings["name"] = d.name_prefix + job.name
    defaults = pipeline.settings.defaults
    clusters = unused_only_cluster(settings)
    settings["task"] = sort_tasks([_task(t, defaults, clusters, d)
                                   for t in settings.get("task", [])])
    for cluster in settings.get("job_cluster", []):
        cluster["new_cluster"] = _cluster(cluster["new_cluster"], defaults, d)
    tags = {**d.tags, **settings.get("tags", {})}
    if tags:
        settings["tags"] = dict(sorted(tags.items()))
    # no job parameter of brickline's: each is pushed down to the user's tasks (see
    # status_tasks._add_status_tasks)
    own = job.notifications.model_dump() if job.notifications else {}
    inherited = d.routes.model_dump() if d.routes else {}
    routes = {e: own[e] if own.get(e) is not None else inherited.get(e) for e in EVENTS}
    _route(settings, routes, job.warn_after or pipeline.settings.warn_after)
    _deployment_settings(settings, d)
    fallback = (_cluster({}, defaults, d) if defaults.new_cluster is not None
                and d.metadata.status_compute == "new_cluster" else None)
    _add_status_tasks(job, d, settings, fallback)
    _sort_webhooks(settings)
    upstream = _upstream(pipeline).get(job.address, [])
    return JobPlan(address=job.address, name=job.name, settings=settings, upstream=upstream,
                   moved_from=job.previous_address,
                   import_id=str(job.import_id) if job.import_id is not None else None,
                   protect=bool(job.lifecycle and job.lifecycle.prevent_destroy))


_UPSTREAM: list[tuple[Pipeline, dict[str, list[str]]]] = []


def _upstream(pipeline: Pipeline) -> dict[str, list[str]]:
    """Job address -> addresses of the jobs it waits for, once per pipeline (not once per
    job: that was quadratic, a second and a half of a 1000-job synth). By address: the
    edges name jobs as written, and a target may fill ${bundle.target} into a name."""
    if _UPSTREAM and _UPSTREAM[0][0] is pipeline:
        return _UPSTREAM[0][1]
    by_name = {j.name: j.address for j in pipeline.jobs}
    found: dict[str, set[str]] = {}
    for a, b in pipeline.edges():
        found.setdefault(by_name[b], set()).add(by_name[a])
    _UPSTREAM[:] = [(pipeline, {name: sorted(ups) for name, ups in found.items()})]
    return _UPSTREAM[0][1]


def _cluster(cluster: dict[str, Any], defaults: TaskDefaults, d: Deployment) -> dict[str, Any]:
    # a Unity Catalog access mode unless the YAML or a policy sets one: the status tasks
    # write a three-part table name (spec/defaults.py: DEFAULT_ACCESS_MODE)
    cluster = with_access_mode(cluster_with_defaults(cluster, defaults))
    if d.clusters is not None:
        override = d.clusters.model_dump(exclude_none=True)
        if "num_workers" in override:
            cluster.pop("autoscale", None)
        if "autoscale" in override:
            cluster.pop("num_workers", None)
        cluster = {**cluster, **override}
    return cluster


def _route(block: dict[str, Any], routes: dict[str, Any], warn_after: int | None) -> None:
    """Routes (emails and destination names per event) into a job's or a task's
    email_notifications and webhook_notifications; warn_after into its health rules."""
    for event in EVENTS:
        for who in routes.get(event) or []:
            if "@" in who:
                emails = block.setdefault("email_notifications", {}).setdefault(event, [])
                if who not in emails:
                    emails.append(who)
            else:
                hooks = block.setdefault("webhook_notifications", {}).setdefault(event, [])
                ref = {"id": Ref(destination_address(who), "id")}
                if ref not in hooks:
                    hooks.append(ref)
    if warn_after is not None:
        rules = block.setdefault("health", {}).setdefault("rules", [])
        if not any(r.get("metric") == "RUN_DURATION_SECONDS" for r in rules):
            rules.append({"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN",
                          "value": warn_after})


def _task(task: dict[str, Any], defaults: TaskDefaults, clusters: list[str],
          d: Deployment) -> dict[str, Any]:
    routes = task.pop("notifications", None) or {}
    warn_after = task.pop("warn_after", None)
    task = with_only_cluster(task_with_defaults(task, defaults), clusters)
    if "new_cluster" in task:
        task["new_cluster"] = _cluster(task["new_cluster"], defaults, d)
    if "for_each_task" in task:
        nested = _task(task["for_each_task"]["task"], defaults, clusters, d)
        task["for_each_task"] = {**task["for_each_task"], "task": nested}
    _route(task, routes, warn_after)
    _sort_webhooks(task)
    return task


def _sort_webhooks(block: dict[str, Any]) -> None:
    hooks = block.get("webhook_notifications")
    if hooks:
        for event, targets in hooks.items():
            hooks[event] = sorted(targets, key=lambda t: str(
                t["id"].address if isinstance(t["id"], Ref) else t["id"]))
