"""The orchestrator's runs, through the Jobs API: start one, find the one to repair, repair
it, and read a run into a Snapshot (one entry per job) that the watch shows.

Run states are read from both the deprecated `state` object and the newer `status` object
(databricks-sdk 0.162 `service/jobs.py`: `Run.state` "Deprecated. Please use the `status`
field instead").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from brickline.ops.connect import OpsError
from brickline.plan import JobPlan, StackPlan
from brickline.runtime.status import NOT_RUN_STATES, OK_STATES, RESERVED_PREFIX, result_state

# RunLifeCycleState (databricks-sdk 0.162 service/jobs.py): TERMINATED, SKIPPED and
# INTERNAL_ERROR are documented as terminal; QUEUED, PENDING, RUNNING, TERMINATING,
# BLOCKED and WAITING_FOR_RETRY are not. In the newer RunStatus.state
# (RunLifecycleStateV2State: QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, BLOCKED,
# WAITING) only TERMINATED is. Any other value counts as still active.
ENDED_STATES = frozenset({"TERMINATED", "SKIPPED", "INTERNAL_ERROR"})
# Life-cycle states of a task that has not started its work (RunLifeCycleState and
# RunLifecycleStateV2State, databricks-sdk 0.162 service/jobs.py): no duration is shown.
WAITING_STATES = frozenset({"PENDING", "QUEUED", "BLOCKED", "WAITING_FOR_RETRY", "WAITING"})
# A run aborted because another run of the job was active ran nothing: never repaired.
NEVER_RAN = "SKIPPED"
# how many of the latest runs are looked at: one page of runs/list at its default size (SDK
# JobsAPI.list_runs: limit "must be greater than 0 and less than 25. The default value is 20")
RECENT_RUNS = 20
# task results that mean the job did not run because something before it failed
NOT_RUN = NOT_RUN_STATES
# work-task errors fetched per failed job at the end of a run (one call each)
MAX_ERRORS = 3
# looks at an ended run that does not show the repair just started, before its own state
# is taken as the end: an answer from before the repair began must not end the watch, and
# a run that never shows the repair (whatever the reason) must not keep `recover` waiting
# for ever. An active run is followed whatever its history says.
REPAIR_PATIENCE = 3


@dataclass(frozen=True)
class JobProgress:
    name: str
    state: str          # lowercase: pending, queued, running, ..., success, failed, ...
    attempt: int        # 0 in the run, n after the n-th repair
    started_ms: int | None = None
    ended_ms: int | None = None
    over: bool = False
    ok: bool = False
    key: str = ""       # the orchestrator's task key (Jobs API), or the job name (log)
    error: str | None = None


@dataclass(frozen=True)
class Snapshot:
    title: str
    url: str | None
    jobs: tuple[JobProgress, ...]
    over: bool
    result: str | None = None   # lowercase, once over: success, failed, canceled, ...
    ok: bool = False
    started_ms: int | None = None
    ended_ms: int | None = None
    run_id: int | None = None
    message: str | None = None  # the run's own state message, once over
    # jobs with `orchestrate: false`: not in a pipeline run (runs.apart), shown apart
    apart: tuple[str, ...] = ()


def life(item: Mapping[str, Any]) -> str | None:
    """A run's, task's or repair's life-cycle state, from `status` or else `state`."""
    status = (item.get("status") or {}).get("state")
    state = (item.get("state") or {}).get("life_cycle_state")
    return str(status or state) if (status or state) else None


def ended(item: Mapping[str, Any]) -> bool:
    status = (item.get("status") or {}).get("state")
    state = (item.get("state") or {}).get("life_cycle_state")
    return status == "TERMINATED" or state in ENDED_STATES


def outcome(item: Mapping[str, Any]) -> str:
    """What an ended run or task came to, in capitals (SUCCESS, FAILED, SKIPPED, ...)."""
    return result_state(item) or life(item) or "UNKNOWN"


def repair_numbers(run: Mapping[str, Any]) -> dict[int, int]:
    """Task run id -> which repair ran it (0: the run itself)."""
    history = sorted(enumerate(run.get("repair_history") or []),
                     key=lambda pair: (pair[1].get("start_time") or 0, pair[0]))
    numbers: dict[int, int] = {}
    repairs = 0
    for _, item in history:
        if item.get("type") == "REPAIR":
            repairs += 1
        for task_run in item.get("task_run_ids") or []:
            numbers[int(task_run)] = repairs if item.get("type") == "REPAIR" else 0
    return numbers


def latest_tasks(run: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """One task per task_key, its latest execution: a repaired or retried task can be
    listed once per execution."""
    numbers = repair_numbers(run)
    best: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}
    for task in run.get("tasks") or []:
        rank = (numbers.get(int(task.get("run_id") or 0), 0), task.get("attempt_number") or 0,
                task.get("start_time") or 0)
        old = best.get(task["task_key"])
        if old is None or rank >= old[0]:
            best[task["task_key"]] = (rank, task)
    return {key: task for key, (_, task) in best.items()}


def latest_repair(run: Mapping[str, Any]) -> Mapping[str, Any] | None:
    repairs = [(item.get("start_time") or 0, i, item)
               for i, item in enumerate(run.get("repair_history") or [])
               if item.get("type") == "REPAIR"]
    return max(repairs, key=lambda r: (r[0], r[1]))[2] if repairs else None


def orchestrated(stack: StackPlan) -> set[str]:
    """The addresses of the jobs the orchestrator runs: its run_job tasks' keys."""
    if stack.orchestrator is None:
        return set()
    return {str(t["task_key"]) for t in stack.orchestrator.settings.get("task", [])}


def apart(stack: StackPlan) -> tuple[str, ...]:
    """The names of the jobs with `orchestrate: false`: they run on their own schedule, so a
    pipeline run never runs them, and they are never pending in it."""
    inside = orchestrated(stack)
    return tuple(sorted(j.name for j in stack.jobs if j.address not in inside))


def job_names(stack: StackPlan) -> list[tuple[str, str]]:
    """(orchestrator task key, job name) of the jobs a pipeline run runs: a job after the
    jobs it waits for, else in the pipeline's order. Jobs with `orchestrate: false` are not
    among them (`apart`)."""
    inside = orchestrated(stack)
    left = [j for j in stack.jobs if j.address in inside]
    placed: set[str] = set()
    order = []
    while left:
        ready = [j for j in left if set(j.upstream) <= placed] or left[:1]  # (no cycles)
        order.append(ready[0])
        placed.add(ready[0].address)
        left.remove(ready[0])
    return [(job.address, job.name) for job in order]


def repair_item(run: Mapping[str, Any], repair_id: int) -> Mapping[str, Any] | None:
    return next((r for r in run.get("repair_history") or []
                 if r.get("type") == "REPAIR" and r.get("id") == repair_id), None)


def snapshot(run: Mapping[str, Any], names: Sequence[tuple[str, str]], *, title: str,
             repair_id: int | None = None, repair_must_show: bool = True,
             apart: tuple[str, ...] = ()) -> Snapshot:
    """A run of the orchestrator as one entry per job. While a repair (`repair_id`) is
    followed, the ended run is over only when that repair shows in its history and has
    ended (an answer from before the repair started does not end it), unless
    `repair_must_show` is False: then the run's own state decides."""
    numbers = repair_numbers(run)
    tasks = latest_tasks(run)
    # brickline's own task (the pipeline run's start row) is shown only when it failed
    extra = {k for k, t in tasks.items() if not k.startswith(RESERVED_PREFIX)
             or (ended(t) and outcome(t) not in OK_STATES)}
    order = [k for k, _ in names] + sorted(extra - {k for k, _ in names})
    named = dict(names)
    jobs = []
    for key in order:
        task = tasks.get(key)
        if task is None:
            jobs.append(JobProgress(named.get(key, key), "pending", 0, key=key))
            continue
        done = ended(task)
        state = outcome(task) if done else (life(task) or "PENDING")
        attempt = numbers.get(int(task.get("run_id") or 0), task.get("attempt_number") or 0)
        # a task that waits has a start_time already (when it was queued): no duration yet
        waiting = not done and state in WAITING_STATES
        jobs.append(JobProgress(
            named.get(key, key), state.lower(), int(attempt),
            started_ms=None if waiting else task.get("start_time") or None,
            ended_ms=(task.get("end_time") or None) if done else None,
            over=done, ok=done and outcome(task) in OK_STATES, key=key))
    source: Mapping[str, Any] = run
    over = ended(run)
    if repair_id is not None:
        repair = repair_item(run, repair_id)
        if repair is not None:
            over = over and ended(repair)
            source = repair
        elif repair_must_show:
            over = False
    result = outcome(source) if over else None
    return Snapshot(title, run.get("run_page_url"), tuple(jobs), over,
                    result.lower() if result else None,
                    ok=bool(over and result in OK_STATES),
                    started_ms=source.get("start_time") or None,
                    ended_ms=(source.get("end_time") or None) if over else None,
                    run_id=run.get("run_id"),
                    message=((source.get("state") or {}).get("state_message") or None)
                    if over else None, apart=apart)


# --- finding the orchestrator and its runs ------------------------------------------------

def orchestrator_ids(ws: Any, name: str) -> list[int]:
    """The ids of the jobs named `name` (the orchestrator's, or any deployed job's)."""
    # jobs/list's name filter is "exact (case insensitive)" (SDK JobsAPI.list): keep exact
    return [int(j.job_id) for j in ws.jobs.list(name=name)
            if j.settings and j.settings.name == name]


def orchestrator_id(ws: Any, name: str, *, takes_run_id: bool = True) -> int:
    ids = orchestrator_ids(ws, name)
    if not ids:
        raise OpsError(f"no job named '{name}' in this workspace: deploy the pipeline first "
                       "(brickline deploy), or pick the workspace with --profile")
    if len(ids) > 1:
        raise OpsError(f"{len(ids)} jobs are named '{name}' (ids "
                       f"{', '.join(map(str, sorted(ids)))}); delete the extra ones"
                       + (", or pass --run-id" if takes_run_id else ""))
    return ids[0]


def recent_runs(ws: Any, job_id: int) -> list[dict[str, Any]]:
    """The job's latest runs, newest first (runs/list orders by start time, descending)."""
    runs = ws.jobs.list_runs(job_id=job_id, limit=RECENT_RUNS)
    return [r.as_dict() for r in itertools.islice(runs, RECENT_RUNS)]


def active_run(ws: Any, job_id: int,
               recent: Sequence[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """A run of the job that has not ended, if any. runs/list's active_only covers QUEUED,
    PENDING, RUNNING and TERMINATING (SDK JobsAPI.list_runs); the latest runs (`recent`, or
    read here) are also looked at for the other states that are not terminal (BLOCKED,
    WAITING_FOR_RETRY, ...)."""
    for run in itertools.islice(ws.jobs.list_runs(job_id=job_id, active_only=True, limit=1), 1):
        return dict(run.as_dict())
    recent = recent_runs(ws, job_id) if recent is None else recent
    return next((r for r in recent if not ended(r)), None)


# --- starting a run -----------------------------------------------------------------------

@dataclass(frozen=True)
class Started:
    job_id: int
    run_id: int


def no_orchestrator(stack: StackPlan) -> str:
    """What `run`, `recover` and `status --watch` say of a pipeline whose jobs all have
    `orchestrate: false`: it has no orchestrator job to start or repair."""
    return (f"pipeline '{stack.pipeline or stack.name}' has no orchestrator (every job has "
            "`orchestrate: false` and runs on its own schedule), so no pipeline run to "
            "start, repair or watch; `brickline status` shows what the jobs logged")


def orchestrator_name(stack: StackPlan) -> str:
    if stack.orchestrator is None:
        raise OpsError(no_orchestrator(stack))
    return stack.orchestrator.name


def start(ws: Any, stack: StackPlan, *, run_key: str | None) -> Started:
    """run-now of the orchestrator. A run_key can be given only to an orchestrator that
    declares it as a job parameter: brickline declares none (a job parameter of the
    orchestrator is pushed down to every job it runs, and to their tasks: docs "Run Job
    task for jobs", "Configure task parameters")."""
    name = orchestrator_name(stack)
    declared = {p.get("name") for p in (stack.orchestrator.settings.get("parameter", [])
                                        if stack.orchestrator else [])}
    if run_key is not None and "run_key" not in declared:
        raise OpsError(
            f"'{name}' takes no run_key: a pipeline run's key is pipeline.orchestrator.run_key"
            " as the run resolves it (default: the day it starts, "
            "{{job.start_time.iso_date}}); brickline passes no job parameter, since the "
            "Jobs service pushes job parameters down to every task of every job. Run "
            "without --run-key")
    job_id = orchestrator_id(ws, name, takes_run_id=False)
    wait = ws.jobs.run_now(job_id, job_parameters={"run_key": run_key}
                           if run_key is not None else None)
    run_id = wait.response.run_id if wait.response is not None else None
    if run_id is None:
        raise OpsError(f"Databricks started '{name}' but sent no run id")
    return Started(job_id, int(run_id))


def find_job(stack: StackPlan, name: str) -> JobPlan:
    """A job of the stack by its name, deployed name or key (address)."""
    for job in stack.jobs:
        if name in (job.name, job.settings.get("name"), job.address):
            return job
    from brickline.spec.diagnostics import did_you_mean

    known = [j.name for j in stack.jobs]
    raise OpsError(f"pipeline '{stack.pipeline or stack.name}' has no job '{name}'"
                   f"{did_you_mean(name, known)}; its jobs: {', '.join(sorted(known))}")


def start_job(ws: Any, stack: StackPlan, job: JobPlan, *, run_key: str | None) -> Started:
    """run-now of one job of the pipeline: with run_key given, or the default its run_key
    parameter has (the orchestrator's, for a job the orchestrator runs: the same run_key a
    pipeline run would give it), so its status rows join that run's."""
    name = str(job.settings["name"])
    job_id = orchestrator_id(ws, name, takes_run_id=False)
    wait = ws.jobs.run_now(job_id, job_parameters={"run_key": run_key}
                           if run_key is not None else None)
    run_id = wait.response.run_id if wait.response is not None else None
    if run_id is None:
        raise OpsError(f"Databricks started '{name}' but sent no run id")
    return Started(job_id, int(run_id))


def task_names(job: JobPlan) -> list[tuple[str, str]]:
    """(task key, task key) of one job's tasks: a task after the tasks it depends on, else
    by key (the status tasks first and last, as they run)."""
    tasks = {str(t["task_key"]): {str(d["task_key"]) for d in t.get("depends_on", [])}
             for t in job.settings.get("task", [])}
    order: list[str] = []
    while len(order) < len(tasks):
        ready = sorted(k for k, ups in tasks.items() if k not in order and ups <= set(order))
        order.append(ready[0] if ready else sorted(set(tasks) - set(order))[0])
    return [(k, k) for k in order]


@dataclass(frozen=True)
class Attached:
    """What a run that is followed again belongs to: the pipeline's orchestrator or one of
    its jobs, and the repair to follow (the run's latest, if it has one)."""

    title: str
    names: list[tuple[str, str]]
    job: JobPlan | None  # None: the orchestrator
    repair_id: int | None


def attach(run: Mapping[str, Any], stack: StackPlan) -> Attached | None:
    """The run (runs/get) as a run of `stack`'s orchestrator or of one of its jobs, by the
    job name runs/get gives (`run_name`, the job's name when the run was not submitted)
    or else by its task keys; None when it is neither."""
    keys = {str(t["task_key"]) for t in run.get("tasks") or []}
    run_name = run.get("run_name")
    repair = latest_repair(run)
    repair_id = int(repair["id"]) if repair and repair.get("id") is not None else None
    orchestrator = stack.orchestrator
    if orchestrator is not None and (run_name == orchestrator.name or (
            keys and keys <= orchestrated(stack) and run_name is None)):
        return Attached(f"run {run['run_id']} of '{orchestrator.name}'", job_names(stack),
                        None, repair_id)
    for job in stack.jobs:
        own = {str(t["task_key"]) for t in job.settings.get("task", [])}
        if run_name == job.settings.get("name") or (run_name is None and keys and keys <= own):
            return Attached(f"run {run['run_id']} of '{job.settings['name']}'", task_names(job),
                            job, repair_id)
    return None


def run_key_of(run: Mapping[str, Any]) -> str | None:
    """The run_key a run was given (runs/get job_parameters: name, default, value)."""
    for item in run.get("job_parameters") or []:
        if item.get("name") == "run_key":
            value = item.get("value", item.get("default"))
            return str(value) if value is not None else None
    return None


def read(ws: Any, run_id: int) -> dict[str, Any]:
    """The run with every page of its tasks and its repair history."""
    return dict(ws.jobs.get_run(run_id, include_history=True).as_dict())


# --- recovering ---------------------------------------------------------------------------

@dataclass
class Rerun:
    task_key: str
    job_name: str
    state: str


@dataclass
class Recovery:
    orchestrator: str
    run_id: int
    run_url: str | None
    reruns: list[Rerun]
    repair_id: int | None  # None: nothing was repaired (dry run, or nothing failed)
    message: str
    run: dict[str, Any] = field(default_factory=dict)


def run_to_repair(ws: Any, name: str, run_id: int | None) -> int:
    """--run-id (after checking it is a finished run of the orchestrator), else the
    orchestrator's latest finished run, refusing while a run is active."""
    if run_id is not None:
        run = ws.jobs.get_run(run_id).as_dict()
        ids = orchestrator_ids(ws, name)
        if run.get("job_id") not in ids:
            raise OpsError(f"run {run_id} is a run of job {run.get('job_id')}, not of "
                           f"'{name}'" + (f" (ids {', '.join(map(str, ids))})" if ids else ""))
        if not ended(run):
            raise OpsError(f"run {run_id} of '{name}' is still {(life(run) or '').lower()}: "
                           "wait for it to end, then recover")
        return int(run_id)
    job_id = orchestrator_id(ws, name)
    runs = recent_runs(ws, job_id)
    active = active_run(ws, job_id, runs)
    if active is not None:
        raise OpsError(f"run {active['run_id']} of '{name}' is still "
                       f"{(life(active) or 'active').lower()}: wait for it to end, then "
                       "recover")
    if not runs:
        raise OpsError(f"'{name}' has never run: nothing to recover")
    latest = next((r for r in runs if life(r) != NEVER_RAN), None)
    if latest is None:
        raise OpsError(f"the latest {len(runs)} runs of '{name}' were skipped (another run "
                       "was active): nothing to recover; pass --run-id for an older run")
    return int(latest["run_id"])


def recover(ws: Any, stack: StackPlan, *, run_id: int | None = None,
            dry_run: bool = False) -> Recovery:
    """Repair the run: only its failed jobs, and the jobs after them, run again."""
    name = orchestrator_name(stack)
    run_id = run_to_repair(ws, name, run_id)
    run = read(ws, run_id)
    url = run.get("run_page_url")
    named = dict(job_names(stack))
    reruns = [Rerun(key, named.get(key, key), outcome(task))
              for key, task in sorted(latest_tasks(run).items())
              if outcome(task) not in OK_STATES]
    if outcome(run) in OK_STATES or not reruns:
        return Recovery(name, run_id, url, [], None,
                        f"run {run_id} of '{name}' succeeded: nothing to recover", run)
    if dry_run:
        return Recovery(name, run_id, url, reruns, None,
                        f"would repair run {run_id} of '{name}' (dry run)", run)
    previous = latest_repair(run)
    wait = ws.jobs.repair_run(run_id, rerun_all_failed_tasks=True,
                              latest_repair_id=previous.get("id") if previous else None)
    repair_id = wait.response.repair_id if wait.response is not None else None
    return Recovery(name, run_id, url, reruns, repair_id,
                    f"repairing run {run_id} of '{name}' (repair {repair_id})", run)


# --- why jobs failed ----------------------------------------------------------------------

def failures(ws: Any, run: Mapping[str, Any], jobs: Iterable[JobProgress],
             *, limit: int = 10) -> dict[str, str]:
    """Job name -> why it failed, for the jobs of an ended run that failed: the errors of
    the job run's failed tasks (runs/get-output of the orchestrator's run_job_task gives the
    job's run, RunOutput.run_job_output), else the orchestrator task's state message."""
    tasks = latest_tasks(run)
    found: dict[str, str] = {}
    failed = [j for j in jobs if j.over and not j.ok and j.state.upper() not in NOT_RUN]
    reachable = True
    for job in failed[:limit]:
        task = tasks.get(job.key, {})
        text = None
        if reachable:
            try:
                text = _job_run_errors(ws, task)
            except OSError:  # no answer (timeout, connection): the state messages will do
                reachable = False
        text = text or (task.get("state") or {}).get("state_message")
        found[job.name] = text or f"{job.state} (no error text; see the run's page)"
    return found


def _job_run_errors(ws: Any, task: Mapping[str, Any]) -> str | None:
    from databricks.sdk.errors.base import DatabricksError

    try:
        output = ws.jobs.get_run_output(task["run_id"]).as_dict()
        child_id = (output.get("run_job_output") or {}).get("run_id")
        if child_id is None:
            return str(output["error"]) if output.get("error") else None
        child = ws.jobs.get_run(child_id).as_dict()
        lines = [f"{key}: {text}" for key, text in
                 _task_errors(ws, child, limit=MAX_ERRORS).items()]
        return "\n".join(lines) or (str(output["error"]) if output.get("error") else None)
    except (KeyError, DatabricksError):  # no output to read: the state message says enough
        return None


def _task_errors(ws: Any, run: Mapping[str, Any], *, limit: int) -> dict[str, str]:
    """Work task key -> `OUTCOME: error` for the failed work tasks of a job's run."""
    broken = [t for t in latest_tasks(run).values()
              if not t["task_key"].startswith(RESERVED_PREFIX)
              and ended(t) and outcome(t) not in OK_STATES | NOT_RUN]
    found = {}
    for t in sorted(broken, key=lambda t: str(t["task_key"]))[:limit]:
        error = ws.jobs.get_run_output(t["run_id"]).as_dict().get("error")
        error = error or (t.get("state") or {}).get("state_message") or ""
        found[str(t["task_key"])] = f"{outcome(t)}: {error}".rstrip(": ")
    return found


def task_failures(ws: Any, run: Mapping[str, Any]) -> dict[str, str]:
    """Task key -> why it failed, for a job's own run (`brickline run --job`)."""
    from databricks.sdk.errors.base import DatabricksError

    try:
        return _task_errors(ws, run, limit=10)
    except (OSError, DatabricksError):  # the state messages will do
        return {}
