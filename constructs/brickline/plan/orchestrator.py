"""The orchestrator job: one run_job_task per orchestrated job, in dependency order."""

from __future__ import annotations

import base64

from brickline import names
from brickline.plan.deployment import _deployment_settings
from brickline.plan.job import _route, _sort_webhooks
from brickline.plan.model import JobPlan, JobRef, Ref, ResourcePlan, sort_tasks
from brickline.runtime import status
from brickline.runtime.views import pipeline_start_sql
from brickline.spec.targets import Deployment

# the orchestrator's first task's SQL file (a databricks_workspace_file of the stack)
PIPELINE_START_FILE = Ref(names.PIPELINE_START_FILE, "workspace_path")


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
    # No job parameters: the orchestrator's would be pushed down to every Run Job task,
    # and from there to every job's notebook, wheel, SQL and Run Job tasks (docs "Run Job
    # task for jobs": "Job parameters are pushed down"; databricks/bundle-examples
    # knowledge_base/job_with_run_job_tasks: the leaf jobs receive the primary job's
    # parameter with no job_parameters on the task). The run_key is a parameter of the
    # orchestrator's own first task only.
    # the orchestrator has routes of its own only: the jobs already report their failures
    _route(settings, orch.notifications.model_dump() if orch.notifications else {},
           orch.warn_after)
    _deployment_settings(settings, d)
    start = {
        "task_key": status.START_TASK,
        "description": "brickline: log the start of the pipeline run (its run_key), and "
                       "close the rows of runs that ended without logging their outcome",
        # a SQL task on the status log's warehouse: no cluster starts for it (docs "SQL
        # task for jobs": it needs a serverless or pro SQL warehouse)
        "sql_task": {"warehouse_id": d.metadata.warehouse_id,
                     "file": {"path": PIPELINE_START_FILE, "source": "WORKSPACE"},
                     "parameters": {"pipeline": pipeline.name, "run_key": orch.run_key,
                                    "job_id": "{{job.id}}", "run_id": "{{job.run_id}}",
                                    "start_ms": "{{job.start_time.timestamp_ms}}",
                                    "attempt": "{{job.repair_count}}"}},
        "max_retries": 2, "timeout_seconds": status.STATUS_TIMEOUT_SECONDS,
    }
    settings["task"] = sort_tasks([start] + [
        {
            "task_key": job.address,
            "description": f"Runs {job.name}",
            "run_job_task": {"job_id": JobRef(job.address)},
            "depends_on": [{"task_key": up} for up in job.upstream or [status.START_TASK]],
        }
        for job in jobs
    ])
    _sort_webhooks(settings)
    return JobPlan(address=names.ORCHESTRATOR, name=settings["name"], settings=settings)


def _pipeline_start_file(d: Deployment) -> ResourcePlan:
    """The SQL of the orchestrator's first task, uploaded as a workspace file."""
    folder = d.metadata.workspace_dir.rstrip("/")
    sql = pipeline_start_sql(d.metadata.full_name, [j.name for j in d.jobs if j.orchestrate],
                             close_open=d.orchestrator.max_concurrent_runs == 1)
    return ResourcePlan(names.PIPELINE_START_FILE, type="databricks_workspace_file", settings={
        "path": f"{folder}/{d.stack_name}/brickline_pipeline_start.sql",
        "content_base64": base64.b64encode(sql.encode("utf-8")).decode("ascii"),
    })
