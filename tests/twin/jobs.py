"""A workspace twin: runs the jobs of a synthesized cdk.tf.json the way the Databricks Jobs
service runs them, as far as brickline depends on it. A test harness, not a feature.

Every rule quotes the sentence it follows: the Databricks docs (page title in quotes) or a
first-party source line (databricks-sdk 0.162 `service/jobs.py`, whose docstrings are the
Jobs API reference; "SDK" below). User tasks succeed or fail as a Scenario says;
brickline's own status notebook (the databricks_notebook of the stack) runs for real, as a
notebook: its source executed with `dbutils` and `spark` as globals, on local Spark.

Not modelled (brickline's tests do not depend on them): wall-clock timeouts, concurrency
limits and queueing, clusters and libraries, for_each iterations, and any check of
permissions. Cancellation is modelled only as a scenario step (a task that is cancelled
cancels the run: nothing after it runs, ALL_DONE tasks included). A run goes to its end
before run_now returns, unless the caller hands it to `execute` (the HTTP front,
tests/twin/server.py, runs it on a worker thread); tasks that have not started yet are
not listed in get_run.

Python API (the HTTP front maps the Jobs API 2.2 onto it one to one):
    ws = Workspace(doc, spark=..., scenario=...)
    run_id = ws.run_now(job_id, {"run_key": "2026-11-26"})      # jobs/run-now
    repair_id = ws.repair(run_id, rerun_all_failed_tasks=True)  # jobs/runs/repair
    ws.get_run(run_id)                                          # jobs/runs/get shape
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

OK = {"SUCCESS", "SUCCESS_WITH_FAILURES", "EXCLUDED", "DISABLED"}
TOKEN = re.compile(r"^\$\{(\w+)\.(\w+)\.(\w+)\}$")
REFERENCE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
# a SQL file task's parameter in the file (see Workspace._sql)
SQL_PARAMETER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# docs "What is a dynamic value reference?": "Syntax errors, such as non-existent dynamic
# reference values or missing braces, are silently ignored and treated as literal strings.
# If you provide an invalid reference that belongs to a known namespace, such as
# {{job.notebook_url}}, an error message is displayed." The namespaces: those the page lists
KNOWN_NAMESPACES = {"job", "task", "tasks", "workspace"}
WORKSPACE_ID = "1234567890123456"


class InvalidReference(Exception):
    """A reference in a known namespace that does not exist: the task fails."""


@dataclass
class Attempt:
    """One execution of a task (Jobs API: a task run; retries and repairs add more)."""

    task_key: str
    run_id: int
    attempt_number: int
    result_state: str
    state_message: str = ""
    error_code: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # task values (notebooks only)
    outcome: str | None = None  # a condition task's "true" / "false"
    child_run_id: int | None = None  # a run_job_task's run of the other job
    widgets: dict[str, str] = field(default_factory=dict)  # what a notebook task received
    repair: int = 0  # 0: the run itself; n: its n-th repair
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass
class Execution:
    """The run itself or one repair of it (Jobs API 2.2 runs/get: a `repair_history` item,
    with its own state, times and task runs)."""

    id: int | None  # a repair's id; None for the run itself (type ORIGINAL)
    start_ms: int
    end_ms: int | None = None
    result_state: str = ""  # "" while it goes on


@dataclass
class Run:
    run_id: int
    job_id: int
    parameters: dict[str, str]
    start_ms: int
    trigger: str
    repair_count: int = 0
    attempts: list[Attempt] = field(default_factory=list)
    result_state: str = ""
    repair_ids: list[int] = field(default_factory=list)
    executions: list[Execution] = field(default_factory=list)
    canceled: bool = False  # cancelled: tasks not yet started never run

    def latest(self, key: str) -> Attempt | None:
        found = [a for a in self.attempts if a.task_key == key]
        return found[-1] if found else None


@dataclass
class Scenario:
    """What each user task does, per execution: task_key -> outcomes in order ("success",
    "failed", "timedout", "canceled" (the run is cancelled while the task runs), or
    (state, error_code)); after the list runs out: success.
    `values` are task values a user *notebook* task sets when it succeeds.
    `entry_points`: a Python wheel task's entry point, called with the arguments the task
    gets (its named parameters and the job parameters pushed down, as `--key=value`): one
    that raises or exits non-zero fails the task, as a strict argparse parser does.
    `seen`: (task key, what it received) for every user task that takes parameters."""

    outcomes: dict[str, list[Any]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    executed: list[tuple[str, str]] = field(default_factory=list)  # (job name, task key)
    entry_points: dict[str, Callable[[list[str]], Any]] = field(default_factory=dict)
    seen: list[tuple[str, Any]] = field(default_factory=list)

    def next(self, job: str, key: str) -> tuple[str, str]:
        self.executed.append((job, key))
        planned = self.outcomes.get(key) or []
        if not planned:
            return "SUCCESS", ""
        step = planned.pop(0)
        state, code = (step, "") if isinstance(step, str) else step
        state = state.upper()
        if state != "SUCCESS" and not code:
            # SDK TerminationCodeCode: "RUN_EXECUTION_ERROR: The run was completed with task
            # failures." (every code the twin gives is one of that documented list)
            code = "RUN_EXECUTION_ERROR"
        return state, code


class Workspace:
    def __init__(self, doc: Mapping[str, Any], *, spark: Any,
                 scenario: Scenario | None = None,
                 catalogs: Mapping[str, str] | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.spark, self.scenario = spark, scenario or Scenario()
        # local Spark has one catalog: a Unity Catalog name's catalog maps onto it
        self.catalogs = dict(catalogs or {})
        self.clock = clock or (lambda: datetime.now(UTC))
        self.runs: dict[int, Run] = {}
        self._ids = iter(range(5_000_001, 10**9))
        resources = doc.get("resource", {})
        self.job_ids = {addr: 1001 + i for i, addr in enumerate(sorted(
            resources.get("databricks_job", {})))}
        self.notebooks = {nb["path"]: base64.b64decode(nb["content_base64"]).decode()
                          for nb in resources.get("databricks_notebook", {}).values()}
        # workspace files whose content the stack carries (a SQL file task runs them)
        self.files = {f["path"]: base64.b64decode(f["content_base64"]).decode()
                      for f in resources.get("databricks_workspace_file", {}).values()
                      if "content_base64" in f}
        self.jobs = {self.job_ids[addr]: self._resolve_tokens(settings, resources)
                     for addr, settings in resources.get("databricks_job", {}).items()}
        self.history: dict[str, list[int]] = {}  # Delta table -> versions (see DeltaSpark)
        self.delta_statements: list[str] = []
        self.unreadable: set[str] = set()  # Delta tables whose history cannot be read
        self._apply_tables(resources.get("databricks_sql_table", {}))

    # --- set-up: what `terraform apply` would have created ------------------------------
    def _resolve_tokens(self, value: Any, resources: Mapping[str, Any]) -> Any:
        if isinstance(value, dict):
            return {k: self._resolve_tokens(v, resources) for k, v in value.items()}
        if isinstance(value, list):
            return [self._resolve_tokens(v, resources) for v in value]
        match = TOKEN.match(value) if isinstance(value, str) else None
        if match:
            kind, address, attribute = match.groups()
            if (kind, attribute) == ("databricks_job", "id"):
                return self.job_ids[address]
            settings = resources[kind][address]
            if (kind, attribute) == ("databricks_workspace_file", "workspace_path"):
                # provider docs/resources/workspace_file.md: workspace_path is the path
                # with /Workspace before it, as tasks take it
                return "/Workspace" + settings["path"]
            if attribute not in settings:  # computed at apply (an id): the twin has none
                return f"<{kind}.{address}.{attribute}>"
            return settings[attribute]
        return value

    def local_name(self, name: str) -> str:
        parts = name.split(".")
        if len(parts) == 3 and parts[0] in self.catalogs:
            parts[0] = self.catalogs[parts[0]]
        return ".".join(parts)

    def local_sql(self, sql: str) -> str:
        """SQL whose quoted Unity Catalog names (`main`.`schema`.`table`) are mapped onto
        local Spark's catalog."""
        for uc, local in self.catalogs.items():
            sql = sql.replace(f"`{uc}`.", f"`{local}`.")
        return sql

    def _apply_tables(self, tables: Mapping[str, Any]) -> None:
        for table in tables.values():
            catalog = self.catalogs.get(table["catalog_name"], table["catalog_name"])
            schema = f"`{catalog}`.`{table['schema_name']}`"
            self.spark.sql(f"CREATE DATABASE IF NOT EXISTS {schema}")
            name = f"{schema}.`{table['name']}`"
            if table["table_type"] == "VIEW":
                sql = self.local_sql(table["view_definition"])
                self.spark.sql(f"CREATE OR REPLACE VIEW {name} AS {sql}")
            else:  # local Spark has no Delta: parquet, the same columns
                columns = ", ".join(f"`{c['name']}` {c['type']}" for c in table["column"])
                self.spark.sql(f"CREATE TABLE IF NOT EXISTS {name} ({columns}) USING parquet")

    def job_id(self, address: str) -> int:
        return self.job_ids[address]

    # --- the Jobs API -------------------------------------------------------------------
    def now_ms(self) -> int:
        return int(self.clock().timestamp() * 1000)

    def run_now(self, job_id: int, params: Mapping[str, str] | None = None,
                trigger: str = "onetime", *, execute: Execute | None = None,
                pushed: Mapping[str, str] | None = None) -> int:
        """jobs/run-now; the run goes to its end before this returns, unless `execute`
        takes the work to do it later."""
        settings = self.jobs[job_id]
        run = Run(next(self._ids), job_id, {}, self.now_ms(), trigger)
        run.executions.append(Execution(None, run.start_ms))
        # docs "Parameterize jobs": "You can override the default settings for job
        # parameters when you Run now with different parameters or trigger a job run using
        # the REST API"; a default may hold a dynamic value reference, resolved per run
        for p in settings.get("parameter", []):
            run.parameters[p["name"]] = self._resolve(run, None, p["default"])
        unknown = set(params or {}) - set(run.parameters)
        if unknown:
            raise ValueError(f"job {job_id} has no parameters {sorted(unknown)}")
        run.parameters.update(params or {})
        # what a Run Job task pushes down (below) reaches the child whether it declares
        # it or not (the bundle-examples job_with_run_job_tasks leaf jobs receive the
        # primary job's parameter undeclared): the case in which the user's code sees it
        run.parameters.update(pushed or {})
        self.runs[run.run_id] = run
        keys = {t["task_key"] for t in settings["task"]}
        (execute or _at_once)(lambda: self._execute(run, keys))
        return run.run_id

    def repair(self, run_id: int, *, rerun_all_failed_tasks: bool = False,
               rerun_tasks: list[str] | None = None, rerun_dependent_tasks: bool = True,
               latest_repair_id: int | None = None, execute: Execute | None = None) -> int:
        """jobs/runs/repair, inside the same run. SDK JobsAPI.repair_run:
        rerun_all_failed_tasks "If true, repair all failed tasks"; rerun_dependent_tasks "If
        true, repair all tasks that depend on the tasks in `rerun_tasks`, even if they were
        previously successful"; latest_repair_id "must be provided on subsequent requests
        to repair the same run". Tasks not chosen keep their result. A run_job_task re-run
        starts a new run of its job (docs "Run Job task for jobs")."""
        run = self.runs[run_id]
        if not run.result_state:  # the twin repairs ended runs only, as brickline asks
            raise ValueError(f"run {run_id} has not ended: it cannot be repaired yet")
        if run.repair_ids and latest_repair_id != run.repair_ids[-1]:
            raise ValueError("latest_repair_id must name the run's latest repair")
        tasks = self.jobs[run.job_id]["task"]
        chosen = set(rerun_tasks or [])
        if rerun_all_failed_tasks:
            chosen |= {t["task_key"] for t in tasks
                       if (a := run.latest(t["task_key"])) and a.result_state not in OK}
        if rerun_dependent_tasks:
            chosen |= self._downstream(tasks, chosen)
        run.repair_count += 1
        repair_id = next(self._ids)
        run.repair_ids.append(repair_id)
        run.executions.append(Execution(repair_id, self.now_ms()))
        run.result_state = ""  # the run is active again until the repair ends
        run.canceled = False
        (execute or _at_once)(lambda: self._execute(run, chosen))
        return repair_id

    def get_run(self, run_id: int) -> dict[str, Any]:
        """jobs/runs/get, the fields brickline reads. Jobs API 2.2 runs/get: a run lists
        every task run (a retried or repaired task once per execution); `repair_history`
        has the run itself (ORIGINAL) and each repair, with the task runs each one ran.
        Safe to call while a worker thread executes the run (copies, no iteration of what
        the worker changes)."""
        run = self.runs[run_id]
        attempts = list(run.attempts)
        executions = list(run.executions)
        last = executions[-1]
        return {
            "run_id": run.run_id, "job_id": run.job_id, "start_time": run.start_ms,
            "end_time": last.end_ms or None, "trigger": run.trigger.upper(),
            "state": _state(run.result_state),
            "job_parameters": [{"name": k, "value": v} for k, v in run.parameters.items()],
            "repair_history": [
                {"type": "ORIGINAL" if e.id is None else "REPAIR", "id": e.id,
                 "start_time": e.start_ms, "end_time": e.end_ms,
                 "state": _state(e.result_state),
                 "task_run_ids": [a.run_id for a in attempts if a.repair == n]}
                for n, e in enumerate(executions)],
            "tasks": [{"task_key": a.task_key, "run_id": a.run_id,
                       "attempt_number": a.attempt_number,
                       "start_time": a.start_ms, "end_time": a.end_ms,
                       "state": _state(a.result_state, a.state_message)}
                      for a in attempts],
        }

    def task_run(self, task_run_id: int) -> Attempt | None:
        """The task run with this id, in any run."""
        for run in list(self.runs.values()):
            for attempt in list(run.attempts):
                if attempt.run_id == task_run_id:
                    return attempt
        return None

    def child_runs(self, run_id: int, task_key: str) -> list[int]:
        """The runs a run_job_task started, in order (one per execution)."""
        return [a.child_run_id for a in self.runs[run_id].attempts
                if a.task_key == task_key and a.child_run_id is not None]

    # --- the scheduler ------------------------------------------------------------------
    @staticmethod
    def _downstream(tasks: list[dict[str, Any]], keys: set[str]) -> set[str]:
        found, grew = set(keys), True
        while grew:
            grew = False
            for t in tasks:
                deps = {d["task_key"] for d in t.get("depends_on", [])}
                if t["task_key"] not in found and deps & found:
                    found.add(t["task_key"])
                    grew = True
        return found

    def _execute(self, run: Run, chosen: set[str]) -> None:
        tasks = {t["task_key"]: t for t in self.jobs[run.job_id]["task"]}
        done: set[str] = {k for k in tasks if k not in chosen}
        # docs "Configure task dependencies": upstream tasks run before downstream ones
        while len(done) < len(tasks):
            ready = sorted(k for k in tasks if k not in done and all(
                d["task_key"] in done for d in tasks[k].get("depends_on", [])))
            if not ready:
                raise ValueError("a dependency cycle")
            for key in ready:
                if run.canceled:
                    break
                self._run_task(run, tasks[key])
                done.add(key)
            if run.canceled:
                break
        execution = run.executions[-1]
        if run.canceled:
            # SDK RunResultState: "CANCELED: The run was canceled at user request" and
            # "UPSTREAM_CANCELED: The run was skipped because an upstream task was
            # canceled": the tasks that had not started never run, whatever their run_if
            # (no source says that anything runs after a cancel); the twin lists none
            execution.result_state = "CANCELED"
            execution.end_ms = self.now_ms()
            run.result_state = execution.result_state
            return
        execution.result_state = self._run_result(run, list(tasks.values()))
        execution.end_ms = self.now_ms()
        run.result_state = execution.result_state

    @staticmethod
    def _run_result(run: Run, tasks: list[dict[str, Any]]) -> str:
        """From the leaf tasks (no task depends on them). SDK RunResultState:
        "SUCCESS_WITH_FAILURES: The job run completed successfully with some failures; leaf
        tasks were successful"; a leaf that failed fails the run (docs "Configure task
        dependencies", how the run status is determined)."""
        upstream = {d["task_key"] for t in tasks for d in t.get("depends_on", [])}
        states = {t["task_key"]: run.latest(t["task_key"]).result_state  # type: ignore[union-attr]
                  for t in tasks}
        if any(states[k] not in OK for k in states if k not in upstream):
            return "FAILED"
        return "SUCCESS" if all(s in OK for s in states.values()) else "SUCCESS_WITH_FAILURES"

    def _gate(self, run: Run, task: dict[str, Any]) -> str | None:
        """None when the task runs; else the state it gets without running. SDK RunIf:
        "ALL_SUCCESS: All dependencies have executed and succeeded", "AT_LEAST_ONE_SUCCESS:
        At least one dependency has succeeded", "NONE_FAILED: None of the dependencies have
        failed and at least one was executed", "ALL_DONE: All dependencies have been
        completed", "AT_LEAST_ONE_FAILED: At least one dependency failed", "ALL_FAILED: ALl
        dependencies have failed". Not met: SDK RunResultState "UPSTREAM_FAILED: The run
        was skipped because of an upstream failure", or, for the rules that wait for a
        failure, "EXCLUDED: The run was skipped because the necessary conditions were not
        met" (docs "Configure task dependencies")."""
        deps = task.get("depends_on", [])
        if not deps:
            return None
        states = []
        for dep in deps:
            upstream = run.latest(dep["task_key"])
            assert upstream is not None
            state = upstream.result_state
            # docs "Add branching logic to a job with the If/else task": a task on the
            # branch not taken does not run (Excluded)
            if dep.get("outcome") is not None and state == "SUCCESS" and \
                    upstream.outcome != dep["outcome"]:
                state = "EXCLUDED"
            states.append(state)
        if all(s == "EXCLUDED" for s in states):
            return "EXCLUDED"  # every dependency excluded: excluded, whatever run_if says
        succeeded = [s in OK for s in states]  # excluded counts as successful
        failed = [not ok for ok in succeeded]
        executed = [s not in ("EXCLUDED", "DISABLED") for s in states]
        rule = task.get("run_if", "ALL_SUCCESS")
        met = {"ALL_SUCCESS": all(succeeded), "AT_LEAST_ONE_SUCCESS": any(
            s == "SUCCESS" for s in states),
            "NONE_FAILED": not any(failed) and any(executed),
            "ALL_DONE": True, "AT_LEAST_ONE_FAILED": any(failed),
            "ALL_FAILED": all(failed)}[rule]
        if met:
            return None
        return "EXCLUDED" if rule in ("AT_LEAST_ONE_FAILED", "ALL_FAILED") else "UPSTREAM_FAILED"

    def _run_task(self, run: Run, task: dict[str, Any]) -> None:
        key = task["task_key"]
        skipped = self._gate(run, task)
        if skipped is not None:
            run.attempts.append(Attempt(key, next(self._ids), 0, skipped,
                                        repair=run.repair_count))
            return
        retries = task.get("max_retries", 0)
        # SDK Task.max_retries: "A run is considered to be unsuccessful if it completes with
        # the FAILED result_state [...]. The value -1 means to retry indefinitely" (the twin
        # stops at 10, a scenario never needs more); retry_on_timeout: "The default
        # behavior is to not retry on timeout"
        limit = 10 if retries == -1 else retries
        for number in range(limit + 1):
            attempt = Attempt(key, next(self._ids), number, "", repair=run.repair_count,
                              start_ms=self.now_ms())
            run.attempts.append(attempt)
            self._execute_once(run, task, attempt)
            attempt.end_ms = self.now_ms()
            if attempt.result_state == "CANCELED":
                run.canceled = True
                return
            if attempt.result_state == "SUCCESS":
                return
            if attempt.result_state == "TIMEDOUT" and not task.get("retry_on_timeout"):
                return

    def _execute_once(self, run: Run, task: dict[str, Any], attempt: Attempt) -> None:
        job = self.jobs[run.job_id]["name"]
        try:
            if "condition_task" in task:
                cond = task["condition_task"]
                left = self._resolve(run, attempt, cond["left"])
                right = self._resolve(run, attempt, cond["right"])
                attempt.outcome = "true" if _compare(cond["op"], left, right) else "false"
                attempt.result_state = "SUCCESS"
            elif "run_job_task" in task:
                spec = task["run_job_task"]
                params = {k: self._resolve(run, attempt, v)
                          for k, v in spec.get("job_parameters", {}).items()}
                # docs "Configure task parameters": "Job parameters are automatically pushed
                # down to tasks that support key-value parameters" (Run Job is one); a run
                # of the other job, with these job
                # parameters ("Job parameters are pushed down"), the task's result is that
                # run's result. docs "Configure task parameters": job parameters are pushed
                # down to Run Job tasks, and win over a task parameter of the same key
                child = self.run_now(int(spec["job_id"]), trigger="run_job_task",
                                     pushed={**params, **run.parameters})
                attempt.child_run_id = child
                result = self.runs[child].result_state
                # a child that ends SUCCESS_WITH_FAILURES "completed successfully" (SDK
                # RunResultState): the Run Job task succeeds
                attempt.result_state = "SUCCESS" if result in OK else (
                    "CANCELED" if result == "CANCELED" else "FAILED")
                attempt.error_code = "" if result in OK else "RUN_EXECUTION_ERROR"
            elif "notebook_task" in task:
                self._notebook(run, task, attempt, job)
            elif "sql_task" in task:
                self._sql(run, task, attempt, job)
            elif "python_wheel_task" in task:
                self._wheel(run, task, attempt, job)
            elif "spark_python_task" in task and self.files.get(
                    str(task["spark_python_task"].get("python_file", "")).removeprefix(
                        "/Workspace")) is not None:
                self._script(run, task, attempt)
            else:
                attempt.result_state, attempt.error_code = self.scenario.next(
                    job, task["task_key"])
        except InvalidReference as exc:
            # SDK TerminationCodeCode: "INVALID_RUN_CONFIGURATION: The run failed due to an
            # invalid configuration"
            attempt.result_state, attempt.error_code = "FAILED", "INVALID_RUN_CONFIGURATION"
            attempt.state_message = str(exc)

    def _wheel(self, run: Run, task: dict[str, Any], attempt: Attempt, job: str) -> None:
        """docs "Configure task parameters": key-value parameters are for "Python wheel
        (only when configured with keyword arguments)" (`named_parameters`, passed as
        --key=value), and "Job parameters are automatically pushed down to tasks that
        support key-value parameters"; one with positional `parameters` takes a JSON array,
        and "Job parameters are not automatically pushed down to tasks that use JSON
        arrays"."""
        spec = task["python_wheel_task"]
        if "parameters" in spec:
            argv = [self._resolve(run, attempt, v) for v in spec["parameters"]]
        else:
            named = {k: self._resolve(run, attempt, v)
                     for k, v in spec.get("named_parameters", {}).items()}
            named.update(run.parameters)  # a job parameter wins ("Job parameter pushdown")
            argv = [f"--{k}={v}" for k, v in named.items()]
        self.scenario.seen.append((task["task_key"], argv))
        entry = self.scenario.entry_points.get(task["task_key"])
        if entry is not None:
            try:
                entry(argv)
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    attempt.result_state, attempt.error_code = "FAILED", "RUN_EXECUTION_ERROR"
                    attempt.state_message = f"SystemExit: {exc.code}"
                    self.scenario.executed.append((job, task["task_key"]))
                    return
            except Exception as exc:
                attempt.result_state, attempt.error_code = "FAILED", "RUN_EXECUTION_ERROR"
                attempt.state_message = f"{type(exc).__name__}: {exc}"
                self.scenario.executed.append((job, task["task_key"]))
                return
        attempt.result_state, attempt.error_code = self.scenario.next(job, task["task_key"])

    def _script(self, run: Run, task: dict[str, Any], attempt: Attempt) -> None:
        """A Python script task on a file of the stack, run for real: docs "Configure task
        parameters": "All other task types pass the contents of the JSON-formatted array as
        arguments as if the configured code assets were being run from the command line"
        (sys.argv), and "Job parameters are not automatically pushed down to tasks that use
        JSON arrays". A script is no notebook: it has no `dbutils` or `spark` global, and
        task values can be set only from notebooks (docs "Use task values to pass
        information between tasks"), so the twin gives it none. Nor credentials: the
        Databricks SDK's in-cluster authentication needs DBR 13 and later (databricks-sdk
        0.102, the last release for Python 3.9, on DBR 11.3 / 12.x: design notes, "Learned
        the hard way"), so a script's WorkspaceClient() finds none, whatever the machine
        running the tests has."""
        import os
        import sys

        spec = task["spark_python_task"]
        path = str(spec["python_file"]).removeprefix("/Workspace")
        argv = [path, *(self._resolve(run, attempt, v) for v in spec.get("parameters", []))]
        saved, saved_env = sys.argv, dict(os.environ)
        sys.argv = argv
        for name in [n for n in os.environ if n.startswith("DATABRICKS_")]:
            del os.environ[name]
        os.environ["DATABRICKS_CONFIG_FILE"] = "/nonexistent/databrickscfg"
        try:
            exec(compile(self.files[path], path, "exec"), {"__name__": "__main__"})
            attempt.result_state = "SUCCESS"
        except BaseException as exc:  # an uncaught exception or exit fails the task
            if isinstance(exc, SystemExit) and exc.code in (None, 0):
                attempt.result_state = "SUCCESS"
            else:
                attempt.result_state, attempt.error_code = "FAILED", "RUN_EXECUTION_ERROR"
                attempt.state_message = f"{type(exc).__name__}: {exc}"[:1000]
        finally:
            sys.argv = saved
            os.environ.clear()
            os.environ.update(saved_env)

    def _sql(self, run: Run, task: dict[str, Any], attempt: Attempt, job: str) -> None:
        """docs "SQL task for jobs": a SQL file runs on the warehouse; "The file can contain
        multiple SQL statements separated by semicolons"; its parameters are key-value, and
        job parameters are pushed down to them ("Configure task parameters"). A file of the
        stack runs for real on local Spark. Its parameters are written `{{name}}` and arrive
        as strings, as in the Databricks CLI's SQL file template (databricks/cli
        libs/template/templates/default-sql: `USE IDENTIFIER({{schema}})`,
        `{{bundle_target}} = "prod"`; cli PR #1471): the twin binds each as a named
        parameter of type string; one the task does not set fails the task, and so does a
        `:name` marker (no first-party source shows one in a SQL file task). Any other SQL
        task is the scenario's."""
        spec = task["sql_task"]
        params = {k: self._resolve(run, attempt, v)
                  for k, v in spec.get("parameters", {}).items()}
        params.update(run.parameters)
        path = (spec.get("file") or {}).get("path", "")
        source = self.files.get(path.removeprefix("/Workspace"))
        if source is None:
            self.scenario.seen.append((task["task_key"], params))
            attempt.result_state, attempt.error_code = self.scenario.next(
                job, task["task_key"])
            return
        try:
            for statement in (s.strip() for s in source.split(";")):
                if not statement:
                    continue
                used = set(SQL_PARAMETER.findall(statement))
                missing = used - set(params)
                if missing:
                    raise ValueError(f"[UNBOUND_SQL_PARAMETER] {sorted(missing)}")
                bound = SQL_PARAMETER.sub(lambda m: f":{m.group(1)}", statement)
                self.spark.sql(self.local_sql(bound), args={k: params[k] for k in used})
            attempt.result_state = "SUCCESS"
        except Exception as exc:  # a statement that fails fails the task
            attempt.result_state, attempt.error_code = "FAILED", "RUN_EXECUTION_ERROR"
            attempt.state_message = f"{type(exc).__name__}: {exc}"[:1000]

    def _notebook(self, run: Run, task: dict[str, Any], attempt: Attempt, job: str) -> None:
        spec = task["notebook_task"]
        widgets = {k: self._resolve(run, attempt, v)
                   for k, v in spec.get("base_parameters", {}).items()}
        # docs "Configure task parameters": "Job parameters are automatically pushed down
        # to tasks that support key-value parameters" (Notebook is one), as widgets; a job
        # parameter wins over a task parameter of the same key ("Job parameter pushdown")
        widgets.update(run.parameters)
        attempt.widgets = widgets
        source = self.notebooks.get(spec["notebook_path"])
        if source is None:  # a user notebook: the scenario decides
            self.scenario.seen.append((task["task_key"], dict(widgets)))
            attempt.result_state, attempt.error_code = self.scenario.next(
                job, task["task_key"])
            if attempt.result_state == "SUCCESS":
                attempt.values.update(self.scenario.values.get(task["task_key"], {}))
            return
        for name in ("brickline_table",):
            if name in widgets:
                widgets[name] = self.local_name(widgets[name])
        if "brickline_rollback_tables" in widgets:
            tables = json.loads(widgets["brickline_rollback_tables"])
            widgets["brickline_rollback_tables"] = json.dumps(
                [self.local_name(t) for t in tables])
        dbutils = DBUtils(widgets, attempt, run)
        namespace = {"__name__": "__main__", "dbutils": dbutils,
                     "spark": DeltaSpark(self.spark, self)}
        try:
            exec(compile(source, spec["notebook_path"], "exec"), namespace)
            attempt.result_state = "SUCCESS"
        except Exception as exc:  # uncaught: "FAILED: The task completed with an error"
            attempt.result_state, attempt.error_code = "FAILED", "RUN_EXECUTION_ERROR"
            attempt.state_message = f"{type(exc).__name__}: {exc}"[:1000]

    # --- dynamic value references -------------------------------------------------------
    def _resolve(self, run: Run, attempt: Attempt | None, text: str) -> str:
        """docs "What is a dynamic value reference?": each {{...}} replaced by its value."""
        return REFERENCE.sub(lambda m: self._reference(run, attempt, m.group(1)), str(text))

    def _reference(self, run: Run, attempt: Attempt | None, body: str) -> str:
        parts = _split(body)
        space, rest = parts[0], parts[1:]
        if space not in KNOWN_NAMESPACES:
            return "{{" + body + "}}"  # not a reference: literal text
        settings = self.jobs[run.job_id]
        start = datetime.fromtimestamp(run.start_ms / 1000, tz=UTC)
        if space == "job":
            simple = {("id",): str(run.job_id), ("name",): settings["name"],
                      ("run_id",): str(run.run_id), ("repair_count",): str(run.repair_count),
                      ("trigger", "type"): run.trigger,
                      ("start_time", "iso_date"): start.date().isoformat(),
                      ("start_time", "timestamp_ms"): str(run.start_ms)}
            if tuple(rest) in simple:
                return simple[tuple(rest)]
            if len(rest) == 2 and rest[0] == "parameters" and rest[1] in run.parameters:
                return run.parameters[rest[1]]
        elif space == "task" and attempt is not None:
            simple = {("name",): attempt.task_key, ("run_id",): str(attempt.run_id),
                      ("execution_count",): str(attempt.attempt_number + 1)}
            if tuple(rest) in simple:
                return simple[tuple(rest)]
        elif space == "workspace" and rest == ["id"]:
            return WORKSPACE_ID
        elif space == "tasks" and len(rest) >= 2:
            other = run.latest(rest[0])
            if other is not None:
                if rest[1:] == ["result_state"]:
                    # docs "What is a dynamic value reference?", tasks.<task_name>
                    # result_state: the values it lists are lowercase
                    return other.result_state.lower()
                # no `error_code`: the docs' table of task references does not list it, so
                # the twin takes it as invalid (an invalid reference fails the task)
                if rest[1:] == ["run_id"]:
                    return str(other.run_id)
                if rest[1:] == ["execution_count"]:
                    return str(other.attempt_number + 1)
                # docs "Use task values to pass information between tasks"
                if len(rest) == 3 and rest[1] == "values" and rest[2] in other.values:
                    value = other.values[rest[2]]
                    return value if isinstance(value, str) else json.dumps(value)
        raise InvalidReference(f"invalid dynamic value reference {{{{{body}}}}}")


Execute = Callable[[Callable[[], None]], None]


def _at_once(work: Callable[[], None]) -> None:
    work()


def _state(result: str, message: str = "") -> dict[str, str]:
    """A run's or task run's state (Jobs API 2.2 RunState): an empty result means it is
    still going on."""
    if not result:
        return {"life_cycle_state": "RUNNING", "state_message": message}
    return {"life_cycle_state": "TERMINATED", "result_state": result, "state_message": message}


def _split(body: str) -> list[str]:
    """a.`b-c`.d -> ["a", "b-c", "d"] (backticks escape special characters)."""
    parts, current, quoted = [], "", False
    for ch in body:
        if ch == "`":
            quoted = not quoted
        elif ch == "." and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _compare(op: str, left: str, right: str) -> bool:
    """docs "Add branching logic to a job with the If/else task": == and != compare text,
    the others compare numbers."""
    if op == "EQUAL_TO":
        return left == right
    if op == "NOT_EQUAL":
        return left != right
    a, b = float(left), float(right)
    return {"GREATER_THAN": a > b, "GREATER_THAN_OR_EQUAL": a >= b, "LESS_THAN": a < b,
            "LESS_THAN_OR_EQUAL": a <= b}[op]


class Widgets:
    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = values

    def get(self, name: str) -> str:
        if name not in self.values:  # dbutils.widgets.get raises on a missing widget
            raise ValueError(f"InputWidgetNotDefined: {name}")
        return self.values[name]


class TaskValues:
    """dbutils.jobs.taskValues (docs "Use task values to pass information between tasks":
    "they can be used only in notebooks with Python selected as the language"; "Only values
    that can be expressed as valid JSON are permitted"): set stores on this task run; get
    reads an upstream task's value of this run, or the default."""

    def __init__(self, attempt: Attempt, run: Run) -> None:
        self.attempt, self.run = attempt, run

    def set(self, key: str, value: Any) -> None:
        json.dumps(value)  # only JSON values are allowed
        self.attempt.values[key] = value

    def get(self, taskKey: str, key: str, default: Any = None,
            debugValue: Any = None) -> Any:
        other = self.run.latest(taskKey)
        if other is None or key not in other.values:
            return default
        return other.values[key]


class DBUtils:
    def __init__(self, widgets: Mapping[str, str], attempt: Attempt, run: Run) -> None:
        self.widgets = Widgets(widgets)
        self.jobs = type("Jobs", (), {"taskValues": TaskValues(attempt, run)})()


class DeltaSpark:
    """The notebook's `spark`: local Spark, except Delta's own statements (DESCRIBE HISTORY,
    RESTORE), which local Spark cannot run (no Delta jars here): the twin answers them from
    its version book and records them."""

    def __init__(self, spark: Any, workspace: Workspace) -> None:
        self._spark, self._ws = spark, workspace

    def __getattr__(self, name: str) -> Any:
        return getattr(self._spark, name)

    def sql(self, statement: str, *args: Any, **kwargs: Any) -> Any:
        history = re.match(r"DESCRIBE HISTORY (.+) LIMIT 1$", statement)
        restore = re.match(r"RESTORE TABLE (.+) TO VERSION AS OF (\d+)$", statement)
        if history or restore:
            self._ws.delta_statements.append(statement)
            name = (history or restore).group(1).replace("`", "")  # type: ignore[union-attr]
            if name in self._ws.unreadable:
                raise PermissionError(f"[INSUFFICIENT_PERMISSIONS] cannot read {name}")
            if name not in self._ws.history:
                raise RuntimeError(f"[TABLE_OR_VIEW_NOT_FOUND] The table or view {name} "
                                   "cannot be found.")
            if history:
                return self._spark.createDataFrame(
                    [(self._ws.history[name][-1],)], "version bigint")
            self._ws.history[name].append(self._ws.history[name][-1] + 1)
            return self._spark.createDataFrame([], "x int")
        return self._spark.sql(statement, *args, **kwargs)
