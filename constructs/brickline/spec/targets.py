"""A pipeline as deployed to one target: the target's overrides laid over the pipeline's
settings. A pipeline without targets has one deployment, named after the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from brickline import names
from brickline.spec.model import (
    EVENTS,
    Backend,
    ClusterOverride,
    MetadataTable,
    Permission,
    Pipeline,
    Routes,
    Target,
)


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


def deployments(pipeline: Pipeline) -> list[Deployment]:
    targets = pipeline.settings.targets
    if not targets:
        return [_resolve(pipeline, None, Target())]
    return [_resolve(pipeline, name, targets[name]) for name in sorted(targets)]


def _resolve(p: Pipeline, name: str | None, target: Target) -> Deployment:
    settings = p.settings
    meta = settings.metadata
    if target.metadata is not None:
        overrides = target.metadata.model_dump(by_alias=True, exclude_none=True)
        meta = MetadataTable.model_validate({**meta.model_dump(by_alias=True), **overrides})
    routes = settings.notifications
    if target.notifications is not None:
        base = routes.model_dump() if routes else {}
        mine = target.notifications.model_dump()
        routes = Routes.model_validate({e: mine[e] if mine[e] is not None else base.get(e)
                                        for e in EVENTS})
    return Deployment(
        pipeline=p, target=name,
        stack_name=names.stack_name(p.name, name),
        metadata=meta,
        name_prefix=target.name_prefix or "",
        paused=target.paused if target.paused is not None else name == "dev",
        host=target.host,
        tags={**settings.tags, **(target.tags or {})},
        routes=routes,
        permissions=[*settings.permissions, *(target.permissions or [])],
        run_as=target.run_as.model_dump(exclude_none=True) if target.run_as else None,
        backend=target.backend or settings.backend,
        clusters=target.clusters,
        variable_defaults=dict(target.variables or {}),
    )
