"""The status tasks every job gets (log in-progress, optionally skip, log the outcome) and
the status notebook they run."""

from __future__ import annotations

import base64
import json
from importlib import resources
from typing import Any

from brickline import names
from brickline.plan.model import Ref, ResourcePlan, sort_tasks
from brickline.runtime import status
from brickline.spec.model import Job
from brickline.spec.targets import Deployment

STATUS_TIMEOUT_SECONDS = status.STATUS_TIMEOUT_SECONDS


# brickline's status notebook, one per stack (a databricks_notebook in StackPlan.resources)
STATUS_NOTEBOOK = Ref(names.STATUS_FILE, "path")


def _add_status_tasks(job: Job, d: Deployment, settings: dict[str, Any],
                      fallback_cluster: dict[str, Any] | None = None) -> None:
    """The first task logs `in-progress`; the last (ALL_DONE, after every work task) logs
    the outcome and fails the run when a work task failed. With recovery.skip_succeeded a
    condition task between them skips the work when the log says it already succeeded.

    Both run brickline's status notebook (a Python notebook task: task values work only
    there, on every runtime and on serverless; docs: "Use task values to pass information
    between tasks"). The end task learns each work task's outcome from dynamic value
    references in its parameters, resolved by the Jobs service: no SDK, no credentials."""
    work: list[dict[str, Any]] = settings["task"]
    pipeline, meta = d.pipeline, d.metadata
    skip = pipeline.settings.recovery.skip_succeeded
    tables = job.rollback.tables if job.rollback else []
    # Everything comes as task parameters of brickline's own tasks, never as job
    # parameters: those are pushed down to the user's tasks too (docs "Configure task
    # parameters": notebook, Python wheel with keyword arguments, SQL, Run Job). A run the
    # orchestrator started finds the pipeline run's key in the log (status.identity); any
    # other run logs under a key of its own, so that its rows never mix with (or, with
    # skip_succeeded, skip) a pipeline run's
    common = {
        status.PIPELINE: pipeline.name, status.JOB_NAME: job.name,
        status.TABLE: meta.full_name, status.JOB_ID: "{{job.id}}",
        status.RUN_ID: "{{job.run_id}}", status.RUN_KEY: f"{job.address}-{{{{job.run_id}}}}",
        status.REPAIR_COUNT: "{{job.repair_count}}",
        status.ORCHESTRATED: "true" if job.orchestrate else "false",
        status.TRIGGER: "{{job.trigger.type}}",
        status.START_MS: "{{job.start_time.timestamp_ms}}",
        status.SKIP_SUCCEEDED: "true" if skip else "false",
        **({status.ROLLBACK_TABLES: json.dumps(list(tables))} if tables else {}),
    }
    # one widget per work task, `key<TAB>result_state<TAB>error_code<TAB>run_id` references:
    # notebook_task.base_parameters may be up to 1MB of JSON (Jobs API 2.2 NotebookTask,
    # databricks-sdk-go service/jobs/model.go); a 1,000-task job (the Jobs API's maximum)
    # with 100-character keys stays near half of it (tests/test_runtime_eval.py)
    keys = sorted(t["task_key"] for t in work)
    end_parameters = {
        **common, status.PHASE: "end", status.TASK_COUNT: str(len(keys)),
        status.START_OUTCOME: status.outcome_reference(status.START_TASK),
        **{status.task_widget(i): status.outcome_reference(k) for i, k in enumerate(keys)},
    }
    compute = _status_compute(work, d.metadata.status_compute, fallback_cluster)

    def status_task(key: str, description: str, parameters: dict[str, str], retries: int,
                    **extra: Any) -> dict[str, Any]:
        return {"task_key": key, "description": description,
                "notebook_task": {"notebook_path": STATUS_NOTEBOOK, "source": "WORKSPACE",
                                  "base_parameters": dict(sorted(parameters.items()))},
                "max_retries": retries, "timeout_seconds": STATUS_TIMEOUT_SECONDS,
                **compute, **extra}

    added = [status_task(status.START_TASK, "brickline: log in-progress before any work "
                         "task" + (", or skip the job if it already succeeded" if skip else ""),
                         {**common, status.PHASE: "start"}, retries=2)]
    entry: dict[str, Any] = {"task_key": status.START_TASK}
    if skip:
        added.append({
            "task_key": status.GATE_TASK,
            "description": "brickline: run the work only if it has not succeeded for this "
                           "run_key",
            "depends_on": [{"task_key": status.START_TASK}],
            "condition_task": {"op": "EQUAL_TO", "right": "false",
                               "left": f"{{{{tasks.{status.START_TASK}.values.skip}}}}"},
        })
        entry = {"task_key": status.GATE_TASK, "outcome": "true"}
    for task in work:
        if not task.get("depends_on"):
            task["depends_on"] = [dict(entry)]
    added.append(status_task(
        status.END_TASK, "brickline: log the outcome after every work task; fail the run "
        "if any failed", end_parameters, retries=0, run_if="ALL_DONE",
        depends_on=[{"task_key": t["task_key"]} for t in work]
        + [{"task_key": status.START_TASK}]))
    settings["task"] = sort_tasks(work + added)


def _status_compute(work: list[dict[str, Any]], mode: str = "auto",
                    fallback_cluster: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the status tasks run on (metadata.status_compute; spec/rules_workspace.
    status_compute makes the same choice for validate). `auto`: the compute the job shares,
    the job cluster or existing cluster of the first work task that names one (a for_each
    task's compute is on the task it repeats), never a copy of a task's new_cluster, which
    would start a cluster of its own; else serverless. `serverless`: serverless always.
    `new_cluster`: where the job shares none, a copy of the first work task's new_cluster,
    else of pipeline.defaults.new_cluster (`fallback_cluster`). Serverless is no compute
    field at all; a notebook task needs no `environments` entry there (docs: "Bundle
    configuration examples": environment_key is required for script, wheel and dbt
    tasks)."""
    if mode == "serverless":
        return {}
    passes: list[tuple[str, ...]] = [("job_cluster_key", "existing_cluster_id")]
    if mode == "new_cluster":  # a copy only where the job shares nothing
        passes.append(("new_cluster",))
    for keys in passes:
        for task in work:
            for candidate in (task, task.get("for_each_task", {}).get("task", {})):
                for key in keys:
                    if key in candidate:
                        return {key: candidate[key]}
    if mode == "new_cluster" and fallback_cluster:
        return {"new_cluster": fallback_cluster}
    return {}


def status_program() -> bytes:
    """The status notebook's source (a Python notebook in source format)."""
    return resources.files(status.__package__ or "brickline.runtime").joinpath(
        "status.py").read_bytes()


def _status_notebook(d: Deployment) -> ResourcePlan:
    folder = d.metadata.workspace_dir.rstrip("/")
    return ResourcePlan(names.STATUS_FILE, type="databricks_notebook", settings={
        "path": f"{folder}/{d.stack_name}/brickline_status",
        "language": "PYTHON",
        # content inline: a change to the program is a change to this resource
        "content_base64": base64.b64encode(status_program()).decode("ascii"),
    })
