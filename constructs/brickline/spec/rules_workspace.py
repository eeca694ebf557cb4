"""Rules for what a real workspace needs of the jobs: a Unity Catalog access mode where the
status tasks run, jobs that run once per pipeline run, retries where a for_each task takes
them, and duration warnings someone hears of. Small functions returning diagnostics."""

from __future__ import annotations

import dataclasses
from typing import Any

from brickline.spec.defaults import (
    CODE_TASK_TYPES,
    COMPUTE_KEYS,
    NO_UC_ACCESS_MODES,
    UC_ACCESS_MODES,
    cluster_with_defaults,
)
from brickline.spec.diagnostics import Diagnostic, Path
from brickline.spec.model import Job, Pipeline

TRIGGER_KEYS = ("schedule", "trigger", "continuous")


def check(p: Pipeline) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for job in p.jobs:
        for mode in status_modes(p):
            out += [d for d in _status_cluster_access(job, p, mode)
                    + _status_compute_cost(job, p, mode) if d not in out]
        out += _runs_twice(job)
        out += _for_each_retries(job)
    out += _not_orchestrated(p)
    out += _unused_orchestrator(p)
    if any(j.orchestrate for j in p.jobs):  # else _unused_orchestrator says it all
        out += _orchestrator_warn_after(p)
    return out


def _error(job: Job, rel: Path, message: str, *, key: bool = True) -> Diagnostic:
    return job.source.error((*job.path, *rel), message, key=key)


def _warning(found: Diagnostic) -> Diagnostic:
    return dataclasses.replace(found, severity="warning")


# --- Unity Catalog access mode of the compute the status tasks run on ----------------------

def status_modes(p: Pipeline) -> list[str]:
    """metadata.status_compute of the pipeline and of each target that sets its own."""
    modes = {p.settings.metadata.status_compute}
    modes |= {t.metadata.status_compute for t in (p.settings.targets or {}).values()
              if t.metadata is not None and t.metadata.status_compute is not None}
    return sorted(modes)


def status_compute(job: Job, mode: str = "auto") -> tuple[str, Path] | None:
    """Where brickline's status tasks run (metadata.status_compute `mode`): with `auto`
    (and `new_cluster`), the compute the job already shares, the job cluster or existing
    cluster of the first work task, by task_key, that names one (its for_each task's, if it
    repeats one), the only job cluster counting for a code task that names none. With
    `auto`, never a copy of a task's own new_cluster: each copy would be a cluster start of
    its own (docs "Configure compute for jobs": a new job cluster is created for the task
    and terminated after it), minutes and DBUs per run; with `new_cluster`, a copy of the
    first work task's where the job shares nothing. The same choice as
    plan.status_tasks._status_compute; None: serverless (no cluster to start), or
    pipeline.defaults.new_cluster's copy. Returns the compute key and the path of the value
    (a job cluster's new_cluster)."""
    if mode == "serverless":
        return None
    clusters = [c.job_cluster_key for c in job.job_clusters or []]
    named = any(getattr(t, k) for t in job.tasks for k in COMPUTE_KEYS)
    only = clusters[0] if len(clusters) == 1 and not named else None
    ordered = sorted(enumerate(job.tasks), key=lambda it: it[1].task_key)

    def candidates() -> Any:
        for i, task in ordered:
            yield task, ("tasks", i)
            if task.for_each_task is not None:
                yield task.for_each_task.task, ("tasks", i, "for_each_task", "task")

    for candidate, path in candidates():
        key = candidate.job_cluster_key or (
            only if only and any(getattr(candidate, t, None) for t in CODE_TASK_TYPES)
            else None)
        if key:
            index = clusters.index(key) if key in clusters else None
            return ("job_cluster_key", ("job_clusters", index, "new_cluster")
                    if index is not None else (*path, "job_cluster_key"))
        if candidate.existing_cluster_id:
            return "existing_cluster_id", (*path, "existing_cluster_id")
    if mode == "new_cluster":
        for candidate, path in candidates():
            if candidate.new_cluster is not None:
                return "new_cluster", (*path, "new_cluster")
    return None


def _status_compute_cost(job: Job, p: Pipeline, mode: str) -> list[Diagnostic]:
    """What a job's status tasks run on, where that costs a cluster start or needs
    serverless jobs ("Run your Lakeflow Jobs with serverless compute": requirements), as a
    warning on the task whose cluster is at stake."""
    found = status_compute(job, mode)
    own = [i for i, t in enumerate(job.tasks) if t.new_cluster is not None]
    if found is not None and found[0] == "new_cluster":
        return [_warning(_error(job, found[1], "brickline's status tasks each start a copy of "
                                "this task's cluster (metadata.status_compute: new_cluster): "
                                "two cluster starts per run, minutes and DBUs each; a job "
                                "cluster (job_clusters) the tasks share, or serverless, "
                                "costs none", key=False))]
    if found is not None or mode == "serverless" or not own:
        return []
    if mode == "new_cluster" and p.settings.defaults.new_cluster is not None:
        return [_warning(_error(job, ("tasks", own[0], "new_cluster"), "brickline's status "
                                "tasks each start a cluster of pipeline.defaults.new_cluster "
                                "(metadata.status_compute: new_cluster): two cluster starts "
                                "per run, minutes and DBUs each", key=False))]
    # a note, not a warning: what brickline decided, right wherever serverless jobs are on
    return [dataclasses.replace(_error(job, ("tasks", own[0], "new_cluster"), "brickline's "
                            "status tasks run on serverless compute, not on a copy of this "
                            "task's cluster "
                            "(each copy would start a cluster of its own, twice per run): the "
                            "workspace must have serverless jobs enabled; else give the job "
                            "a job cluster (job_clusters) for its tasks to share, or set "
                            "metadata.status_compute: new_cluster (two cluster starts per "
                            "run)", key=False), severity="note")]


def _status_cluster_access(job: Job, p: Pipeline, compute: str = "auto"
                           ) -> list[Diagnostic]:
    """The status tasks write a three-part Unity Catalog name: their cluster needs an access
    mode that reaches Unity Catalog (spec/defaults.py cites the modes)."""
    found = status_compute(job, compute)
    if found is None:
        return []  # serverless compute is always Unity Catalog
    kind, path = found
    table = p.settings.metadata.full_name
    if kind == "existing_cluster_id":
        return [_warning(_error(job, path, "brickline's status tasks run on this existing "
                                "cluster, whose access mode brickline cannot check: it must "
                                "be a Unity Catalog mode (SINGLE_USER or USER_ISOLATION) to "
                                f"write {table}", key=False))]
    node: Any = job
    for part in path:
        node = node[part] if isinstance(part, int) else getattr(node, part, None)
        if node is None:
            return []
    if isinstance(node, str):
        return []  # an unknown job cluster: rules.py reports it
    own = node.model_dump(by_alias=True, exclude_none=True)
    defaults = p.settings.defaults.new_cluster
    mode = cluster_with_defaults(own, p.settings.defaults).get("data_security_mode")
    where = (*path, "data_security_mode") if own.get("data_security_mode") else path
    if mode in NO_UC_ACCESS_MODES:
        origin = "" if own.get("data_security_mode") else (
            " (from pipeline.defaults.new_cluster)" if defaults is not None else "")
        return [_error(job, where, f"data_security_mode {mode}{origin} cannot reach Unity "
                       f"Catalog, and brickline's status tasks run on this cluster to write "
                       f"{table}: use SINGLE_USER or USER_ISOLATION, or leave it out for "
                       "brickline's default, SINGLE_USER")]
    if mode is not None and mode not in UC_ACCESS_MODES:
        return [_warning(_error(job, where, f"data_security_mode {mode!r} is not a mode "
                                "brickline knows; brickline's status tasks run on this "
                                f"cluster and write {table}: make sure it reaches Unity "
                                "Catalog (SINGLE_USER, USER_ISOLATION)"))]
    if mode is None and own.get("policy_id"):
        return [_warning(_error(job, (*path, "policy_id"), "brickline's status tasks run on "
                                "this cluster, whose access mode comes from its policy: "
                                "brickline cannot read the policy, and sets no mode that "
                                "could conflict with it. Make sure the policy gives a Unity "
                                f"Catalog mode, to write {table}, or set data_security_mode "
                                "here"))]
    return []


# --- jobs that run twice -------------------------------------------------------------------

def _runs_twice(job: Job) -> list[Diagnostic]:
    """A job the orchestrator runs and that also starts on its own runs twice per pipeline
    run, with the same run_key: its rows mix into job_status and, with skip_succeeded, one
    run skips the other."""
    if not job.orchestrate:
        return []
    return [_error(job, (key,), f"job '{job.name}' runs from the orchestrator and also by its "
                   f"own {key}: it would run twice per pipeline run, under the same run_key. "
                   f"Remove {key} here (schedule the pipeline under pipeline.orchestrator), "
                   "or set `orchestrate: false` if the job is not part of the pipeline's run")
            for key in TRIGGER_KEYS if getattr(job, key) is not None]


def _not_orchestrated(p: Pipeline) -> list[Diagnostic]:
    """A job the orchestrator does not run cannot wait for other jobs nor be waited for."""
    out: list[Diagnostic] = []
    outside = {j.name for j in p.jobs if not j.orchestrate}
    if not outside:
        return out
    for job in p.jobs:
        for i, upstream in enumerate(job.depends_on or []):
            if job.name in outside or upstream in outside:
                out.append(_error(job, ("depends_on", i), _edge_message(job.name, upstream,
                                                                       outside), key=False))
        for i, trigger in enumerate(job.on_success.trigger_job if job.on_success else []):
            if job.name in outside or trigger.job_name in outside:
                out.append(_error(job, ("on_success", "trigger_job", i, "job_name"),
                                  _edge_message(trigger.job_name, job.name, outside),
                                  key=False))
    return out


def _unused_orchestrator(p: Pipeline) -> list[Diagnostic]:
    """Every job has `orchestrate: false` (e.g. a bundle file whose jobs have their own
    schedules): valid, and the stack has no orchestrator job (plan/__init__.py), so what is set for
    the orchestrator does nothing. A warning, not an error: the jobs deploy as written."""
    src = p.settings_source
    if src is None or not p.jobs or any(j.orchestrate for j in p.jobs):
        return []
    where: list[tuple[Path, list[str]]] = [
        (("pipeline", "orchestrator"), sorted(p.settings.orchestrator.model_fields_set))]
    where += [(("pipeline", "targets", name, "orchestrator"), sorted(target.orchestrator))
              for name, target in sorted(p.settings.targets.items()) if target.orchestrator]
    return [_warning(src.error(path, f"{', '.join(keys)} set for the orchestrator, but no job "
                               "runs from it (every job has `orchestrate: false`), so there is "
                               "no orchestrator job and this does nothing: remove it, or "
                               "remove `orchestrate: false` from the jobs it should run",
                               key=True))
            for path, keys in where if keys]


def _edge_message(downstream: str, upstream: str, outside: set[str]) -> str:
    who = upstream if upstream in outside else downstream
    return (f"'{who}' has `orchestrate: false`: the orchestrator does not run it, so "
            f"'{downstream}' cannot run after '{upstream}'. Remove this edge, or remove "
            f"`orchestrate: false` from '{who}'")


# --- for_each ------------------------------------------------------------------------------

# Retries of a for_each task belong on the task it repeats: the Jobs API refuses
# max_retries on the outer task at deploy (databricks/cli issue #3977); `bundle validate`
# reports max_retries there as an error and the two retry settings as warnings
# (databricks/cli PR #4104).
OUTER_RETRY_ERRORS = ("max_retries",)
OUTER_RETRY_WARNINGS = ("min_retry_interval_millis", "retry_on_timeout")


def _for_each_retries(job: Job) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for i, task in enumerate(job.tasks):
        if task.for_each_task is None:
            continue
        for key in (*OUTER_RETRY_ERRORS, *OUTER_RETRY_WARNINGS):
            if getattr(task, key) is None:
                continue
            found = _error(job, ("tasks", i, key), f"{key} on a for_each task: retries go on "
                           "the task it repeats; move it under for_each_task.task"
                           + ("" if key in OUTER_RETRY_ERRORS else
                              " (here it does not retry the iterations)"))
            out.append(found if key in OUTER_RETRY_ERRORS else _warning(found))
    return out


# --- duration warnings ---------------------------------------------------------------------

def _orchestrator_warn_after(p: Pipeline) -> list[Diagnostic]:
    """The orchestrator's warn_after with nobody routed: the same warning as a job's."""
    orch = p.settings.orchestrator
    if orch.warn_after is None or p.settings_source is None:
        return []
    event = "on_duration_warning_threshold_exceeded"
    heard = any(getattr(block, event, None) for block in (
        orch.notifications, orch.email_notifications, orch.webhook_notifications) if block)
    if heard:
        return []
    return [_warning(p.settings_source.error(
        ("pipeline", "orchestrator", "warn_after"), "warn_after, but no one hears of it: "
        f"route {event} under pipeline.orchestrator.notifications (the pipeline's "
        "notifications do not reach the orchestrator)", key=True))]
