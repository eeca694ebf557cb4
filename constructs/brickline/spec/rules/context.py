"""What a rule looks things up in: the pipeline, a job with its lookups, or a task; and
where in the YAML a rule reports."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from brickline.spec.diagnostics import Diagnostic, Location, Path
from brickline.spec.model import Job, Pipeline


class PipelineFacts:
    """What every job's rules of one pipeline share, computed once per check: resolving the
    deployments merges each target's overrides into every job, so resolving them per job
    would make validation quadratic in the number of jobs."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    @functools.cached_property
    def deployments(self) -> list[Any]:
        from brickline.spec.targets import deployments

        return deployments(self.pipeline)


@dataclass(frozen=True)
class JobContext:
    """One job with what its rules look things up in."""

    pipeline: Pipeline
    job: Job
    tasks: dict[str, Any]  # task_key -> task
    clusters: frozenset[str]
    environments: frozenset[str]
    facts: PipelineFacts | None = None

    @property
    def deployments(self) -> list[Any]:
        """The pipeline's deployments (targets), shared by every job of the pipeline."""
        return (self.facts or PipelineFacts(self.pipeline)).deployments

    def at(self, rel: Path, message: str) -> Diagnostic:
        return job_at(self.job, rel, message)


@dataclass(frozen=True)
class TaskContext:
    """One task of a job (or the task inside a for_each_task, with nested=True)."""

    job: JobContext
    rel: Path  # from the job: ("tasks", 2) or ("tasks", 2, "for_each_task", "task")
    task: Any
    nested: bool = False

    def at(self, rel: Path, message: str) -> Diagnostic:
        return self.job.at((*self.rel, *rel), message)


PipelineRule = Callable[[Pipeline], list[Diagnostic]]


JobRule = Callable[[JobContext], list[Diagnostic]]


TaskRule = Callable[[TaskContext], list[Diagnostic]]


def job_at(job: Job, rel: Path, message: str) -> Diagnostic:
    return job.source.error((*job.path, *rel), message, key=bool(rel) and isinstance(rel[-1], str))


def settings_where(p: Pipeline, path: Path) -> Location:
    if p.settings_source is not None:
        return p.settings_source.where(path, key=True)
    first = p.sources[0].file if p.sources else p.origin
    return Location(first, 1, 1)
