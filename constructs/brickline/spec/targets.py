"""A pipeline as deployed to one target: the target's overrides laid over the pipeline's
settings. A pipeline without targets has one deployment, named after the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from brickline import names
from brickline.spec.model import (
    EVENTS,
    Backend,
    ClusterOverride,
    Job,
    MetadataTable,
    Orchestrator,
    Permission,
    Pipeline,
    Routes,
    Target,
)

# `${bundle.target}` is the target's name, as in a bundle; a pipeline without targets is
# deployed as the bundle CLI's implied target "default"
# (databricks/cli bundle/config/mutator/default_target.go).
TARGET_REF = "${bundle.target}"
DEFAULT_TARGET = "default"
# Lists whose items a target override merges by a key instead of replacing: the items bundles
# merge by key after a target override (databricks/cli bundle/config/mutator/resourcemutator/
# merge_job_tasks.go, merge_job_clusters.go, merge_job_parameters.go). Both spellings.
KEYED_LISTS = {
    "tasks": "task_key", "task": "task_key",
    "job_clusters": "job_cluster_key", "job_cluster": "job_cluster_key",
    "parameters": "name", "parameter": "name",
    "environments": "environment_key", "environment": "environment_key",
}
SPELLINGS = {"tasks": "task", "job_clusters": "job_cluster", "parameters": "parameter",
             "environments": "environment"}
# what decides the pipeline's shape cannot differ between targets
FIXED_JOB_KEYS = ("name", "key", "depends_on", "on_success", "renamed_from", "orchestrate")


@dataclass
class Deployment:
    pipeline: Pipeline
    target: str | None
    stack_name: str
    metadata: MetadataTable
    name_prefix: str = ""
    paused: bool = False
    host: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    routes: Routes | None = None
    permissions: list[Permission] = field(default_factory=list)
    run_as: dict[str, Any] | None = None
    backend: Backend | None = None
    clusters: ClusterOverride | None = None
    variable_defaults: dict[str, str] = field(default_factory=dict)
    # the pipeline's jobs and orchestrator with this target's overrides merged in
    jobs: list[Job] = field(default_factory=list)
    orchestrator: Orchestrator = field(default_factory=Orchestrator)
    # what the target's references need in the stack (spec/interpolate.py Expression.needs:
    # "current_user", "lookup:<variable>", "variable:<variable>")
    needs: set[str] = field(default_factory=set)
    # a bundle's variables with no value in this target (Terraform variables) and lookups
    open_variables: dict[str, str | None] = field(default_factory=dict)  # name -> description
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    # a bundle's pipelines, schemas and volumes, resolved for this target
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    # where local files are uploaded; None: <metadata.workspace_dir>/<stack>/files
    file_path: str | None = None
    # local paths are relative to this folder in the upload's path (a bundle's root)
    files_root: str | None = None
    # a bundle's artifacts (name -> folder) and where built files go
    built: dict[str, str] = field(default_factory=dict)
    artifact_path: str | None = None
    # a bundle's files the Databricks CLI would sync, relative to files_root
    synced: list[str] = field(default_factory=list)


def deployments(pipeline: Pipeline) -> list[Deployment]:
    targets = pipeline.settings.targets
    if not targets:
        return [_resolve(pipeline, None, Target())]
    return [_resolve(pipeline, name, targets[name]) for name in sorted(targets)]


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """`override` laid over `base`: mappings key by key, keyed lists (KEYED_LISTS) item by
    item, anything else replaced (so a target's notification list replaces the job's)."""
    out = dict(base)
    for key, value in override.items():
        spelled = _spelled_in(out, key)
        current = out.get(spelled)
        if key in KEYED_LISTS and isinstance(value, list) and isinstance(current, list):
            out[spelled] = _merge_items(current, value, KEYED_LISTS[key])
        elif isinstance(value, dict) and isinstance(current, dict):
            out[spelled] = merge(current, value)
        else:
            out.pop(spelled, None)
            out[key] = value
    return out


def _spelled_in(data: dict[str, Any], key: str) -> str:
    """The spelling of `key` (Jobs API or provider) that `data` uses, else `key`."""
    for plural, singular in SPELLINGS.items():
        if key in (plural, singular):
            return next((k for k in (plural, singular) if k in data), key)
    return key


def _merge_items(base: list[Any], override: list[Any], key: str) -> list[Any]:
    out = list(base)
    for item in override:
        name = item.get(key) if isinstance(item, dict) else None
        index = next((i for i, b in enumerate(out)
                      if name is not None and isinstance(b, dict) and b.get(key) == name), None)
        if index is None:
            out.append(item)
        else:
            out[index] = merge(out[index], item)
    return out


def with_target_name(value: Any, target: str) -> Any:
    if isinstance(value, str):
        return value.replace(TARGET_REF, target) if TARGET_REF in value else value
    if isinstance(value, dict):
        return {k: with_target_name(v, target) for k, v in value.items()}
    if isinstance(value, list):
        return [with_target_name(v, target) for v in value]
    return value


def find_job(pipeline: Pipeline, name: str) -> Job | None:
    """A job by its name or its key (address)."""
    return pipeline.job_named(name) or next(
        (j for j in pipeline.jobs if j.address == name), None)


def job_raw(job: Job, override: dict[str, Any] | None, target: str) -> dict[str, Any]:
    """The job as written with the target's override merged in and the target's name
    filled in."""
    merged: dict[str, Any] = with_target_name(merge(job.raw, override or {}), target)
    return merged


def orchestrator_raw(pipeline: Pipeline) -> dict[str, Any]:
    source = pipeline.settings_source
    data = source.data.get("pipeline") if source is not None else None
    raw = data.get("orchestrator") if isinstance(data, dict) else None
    return raw if isinstance(raw, dict) else {}


def _job_for(job: Job, override: dict[str, Any] | None, target: str) -> Job:
    if not override and not job.raw_mentions(TARGET_REF):
        return job
    try:
        merged = Job.model_validate(job_raw(job, override, target))
    except ValidationError:
        return job  # the override's mistakes are reported by validation (spec/load.py)
    merged.broken_tasks = job.broken_tasks
    merged.orchestrate = job.orchestrate  # decided once for the pipeline (orchestration.py)
    return merged.locate(job.source, job.path, job.raw)


def _orchestrator_for(p: Pipeline, override: dict[str, Any] | None,
                      target: str) -> Orchestrator:
    base = p.settings.orchestrator
    if not override and TARGET_REF not in repr(orchestrator_raw(p)):
        return base
    try:
        return Orchestrator.model_validate(
            with_target_name(merge(orchestrator_raw(p), override or {}), target))
    except ValidationError:
        return base  # reported by validation (spec/load.py)


def _metadata(p: Pipeline, target: Target) -> MetadataTable:
    meta = p.settings.metadata
    if target.metadata is not None:
        overrides = target.metadata.model_dump(by_alias=True, exclude_none=True)
        meta = MetadataTable.model_validate({**meta.model_dump(by_alias=True), **overrides})
    return meta


def _routes(p: Pipeline, target: Target) -> Routes | None:
    routes = p.settings.notifications
    if target.notifications is not None:
        base = routes.model_dump() if routes else {}
        mine = target.notifications.model_dump()
        routes = Routes.model_validate({e: mine[e] if mine[e] is not None else base.get(e)
                                        for e in EVENTS})
    return routes


def _resolve(p: Pipeline, name: str | None, target: Target) -> Deployment:
    if p.bundle is not None:
        return _resolve_bundle(p, name, target)
    settings = p.settings
    overrides_by_job: dict[str, dict[str, Any]] = {}
    for job_name, override in (target.jobs or {}).items():
        found = find_job(p, job_name)
        if found is not None:
            overrides_by_job[found.address] = override
    target_name = name or DEFAULT_TARGET
    return Deployment(
        pipeline=p, target=name,
        stack_name=names.stack_name(p.name, name),
        metadata=_metadata(p, target),
        name_prefix=target.name_prefix or "",
        paused=target.paused if target.paused is not None else name == "dev",
        host=target.host,
        tags={**settings.tags, **(target.tags or {})},
        routes=_routes(p, target),
        permissions=[*settings.permissions, *(target.permissions or [])],
        run_as=target.run_as.model_dump(exclude_none=True) if target.run_as else None,
        backend=target.backend or settings.backend,
        clusters=target.clusters,
        variable_defaults=dict(target.variables or {}),
        jobs=[_job_for(j, overrides_by_job.get(j.address), target_name) for j in p.jobs],
        orchestrator=_orchestrator_for(p, target.orchestrator, target_name),
    )


def _resolve_bundle(p: Pipeline, name: str | None, target: Target) -> Deployment:
    """A bundle's target: what spec/bundle.py resolved for it, with pipeline.yml's settings
    of brickline's own (metadata, backend, notifications, orchestrator) laid over."""
    from brickline.spec import bundle

    target_name = name or DEFAULT_TARGET
    view = bundle.view(p, target_name)
    return Deployment(
        pipeline=p, target=name, stack_name=names.stack_name(p.name, name),
        metadata=_metadata(p, target), name_prefix=view.name_prefix, paused=False,
        host=view.host, tags={**p.settings.tags, **view.tags}, routes=_routes(p, target),
        permissions=[*p.settings.permissions, *view.permissions, *(target.permissions or [])],
        run_as=None, backend=target.backend or p.settings.backend, clusters=target.clusters,
        jobs=view.jobs, orchestrator=_orchestrator_for(p, target.orchestrator, target_name),
        needs=set(view.needs),
        open_variables={n: v.description for n, v in view.variables.items()},
        lookups=view.lookups, resources=view.resources, file_path=view.file_path,
        files_root=str(p.bundle.root), built=bundle.artifacts(p.bundle),
        artifact_path=view.artifact_path, synced=bundle.synced_files(p.bundle, target_name))
