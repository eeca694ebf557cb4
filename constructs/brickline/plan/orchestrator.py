"""The orchestrator job: one run_job_task per orchestrated job, in dependency order."""

from __future__ import annotations

from brickline import names
from brickline.plan.deployment import _deployment_settings
from brickline.plan.job import _route, _sort_webhooks
from brickline.plan.model import JobPlan, JobRef, sort_tasks
from brickline.runtime import status
from brickline.spec.model import RUN_KEY
from brickline.spec.targets import Deployment


def _orchestrator(d: Deployment, jobs: list[JobPlan]) -> JobPlan:
    pipeline = d.pipeline
    orch = d.orchestrator
    settings = orch.model_dump(by_alias=True, exclude_none=True,
                               exclude={"name", "run_key", "notifications", "warn_after"})
    settings["name"] = d.name_prefix + (orch.name or pipeline.orchestrator_name)
    settings.setdefault("description", f"Runs the jobs of pipeline {pipeline.name} in "
                                       "dependency order. Repair a failed run to re-run only "
                                       "the failed jobs and what depends on them.")
    tags = {**d.tags, **settings.get("tags", {})}
    if tags:
        settings["tags"] = dict(sorted(tags.items()))
    settings["parameter"] = [{"name": RUN_KEY, "default": orch.run_key}]
    # the orchestrator has routes of its own only: the jobs already report their failures
    _route(settings, orch.notifications.model_dump() if orch.notifications else {},
           orch.warn_after)
    _deployment_settings(settings, d)
    settings["task"] = sort_tasks([
        {
            "task_key": job.address,
            "description": f"Runs {job.name}",
            "run_job_task": {
                "job_id": JobRef(job.address),
                # the run_key, and the orchestrator's repair count for the `attempt` column
                "job_parameters": {RUN_KEY: "{{job.parameters.run_key}}",
                                   status.ORCHESTRATOR_REPAIR: "{{job.repair_count}}"},
            },
            **({"depends_on": [{"task_key": up} for up in job.upstream]} if job.upstream else {}),
        }
        for job in jobs
    ])
    _sort_webhooks(settings)
    return JobPlan(address=names.ORCHESTRATOR, name=settings["name"], settings=settings)
