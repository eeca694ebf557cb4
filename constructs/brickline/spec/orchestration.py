"""Which jobs the orchestrator runs, when the YAML does not say (`orchestrate:` unset).

A job that starts on its own (a schedule, a trigger, continuous) and has no edge to another
job keeps starting on its own: the orchestrator would run it a second time. A job that
another job of the pipeline runs through a run_job_task (`job_id: ${resources.jobs.<key>.id}`)
is run there: the orchestrator would start it again, beside its parent, with its default
parameters. Every other job runs from the orchestrator. `validate` says once, as a note,
what it decided.
"""

from __future__ import annotations

import re
from typing import Any

from brickline.spec.diagnostics import Diagnostic, Location
from brickline.spec.model import Job, Pipeline

OWN_TRIGGERS = ("schedule", "trigger", "continuous")
# the reference as written, or as a bundle's target resolved it (spec/bundle.py)
RUN_JOB = re.compile(r"\$\{(?:resources\.jobs|databricks_job)\.([^.}\s]+)\.id\}")


def _run_job_ids(value: Any) -> list[str]:
    """The job keys a job's run_job_tasks name by reference, nested for_each tasks too."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "run_job_task" and isinstance(item, dict) and isinstance(
                    item.get("job_id"), str):
                found += RUN_JOB.findall(item["job_id"])
            else:
                found += _run_job_ids(item)
    elif isinstance(value, list):
        for item in value:
            found += _run_job_ids(item)
    return found


def decide(p: Pipeline) -> list[Diagnostic]:
    """Set `orchestrate` on every job that leaves it unset; one note with the decisions
    that keep a job out of the orchestrator."""
    edged = {name for edge in p.edges() for name in edge}
    parents: dict[str, str] = {}
    for job in p.jobs:
        for key in _run_job_ids(job.raw):
            parents.setdefault(key, job.name)
    own: list[str] = []
    run_by: list[str] = []
    for job in p.jobs:
        if job.orchestrate is not None:
            continue
        parent = parents.get(job.key or "") or parents.get(job.address)
        if parent is not None and parent != job.name and job.name not in edged:
            job.orchestrate = False
            run_by.append(f"{job.name} (by {parent})")
        elif any(getattr(job, k) is not None for k in OWN_TRIGGERS) and job.name not in edged:
            job.orchestrate = False
            own.append(job.name)
        else:
            job.orchestrate = True
    if not own and not run_by:
        return []
    parts = []
    if own:
        parts.append(f"{', '.join(own)} keep{'s' * (len(own) == 1)} {_their(own)} own "
                     "schedule or trigger")
    if run_by:
        parts.append(f"run by another job's run_job_task: {', '.join(run_by)}")
    return [Diagnostic(_where(p), "", f"the orchestrator does not run these jobs: "
                       f"{'; '.join(parts)} (set `orchestrate: true` on a job to run it from "
                       "the orchestrator instead)", severity="note")]


def _their(names: list[str]) -> str:
    return "its" if len(names) == 1 else "their"


def _where(p: Pipeline) -> Location:
    if p.sources:
        source = p.sources[0]
        return source.where(())
    return Location(p.origin, 1, 1)


def same_decision(job: Job, base: Job) -> Job:
    """A job as a target deploys it keeps the pipeline's decision."""
    job.orchestrate = base.orchestrate
    return job
