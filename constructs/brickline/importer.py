"""`brickline import`: existing jobs, read through the Databricks SDK (jobs/get), as pipeline
YAML in the Jobs API's names, each with its id, so the first deploy adopts it in place.

The YAML holds what a person would write: no read-only fields, nothing that equals the
default the provider would send anyway, tasks sorted by task_key, keys in a reading order.
Pure functions from jobs/get payloads to text; the SDK call is `fetch`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from brickline import engine
from brickline.names import address_from_name
from brickline.plan import StackPlan
from brickline.spec.defaults import NO_DEFAULTS_TASK_TYPES, TASK_DEFAULT_KEYS
from brickline.spec.model import Job, TaskDefaults

# Read-only or output-only in jobs/get: `format` (computed by the provider,
# jobs/resource_job.go:313), `deployment` (set by bundles), git_source.git_snapshot
# (the commit a run used), and the pagination fields of the response.
READ_ONLY = {"format", "deployment"}
# (key, value) pairs that are the provider's defaults (terraform-provider-databricks
# jobs/resource_job.go: max_concurrent_runs SetDefault(1) line 571, pause_status
# default:UNPAUSED lines 187/255/285, run_if suppressed when ALL_SUCCESS lines 640-641,
# timeout_seconds/max_retries/min_retry_interval_millis omitempty: 0 is unset) -- leaving
# them out changes nothing the provider sends.
JOB_DEFAULTS = {"max_concurrent_runs": 1, "timeout_seconds": 0}
TASK_DEFAULTS = {"run_if": "ALL_SUCCESS", "timeout_seconds": 0, "max_retries": 0,
                 "min_retry_interval_millis": 0, "retry_on_timeout": False}
PAUSABLE = ("schedule", "trigger", "continuous")
# the order a person reads a job and a task in; other keys follow alphabetically
JOB_ORDER = ("name", "key", "import_id", "orchestrate", "description", "depends_on", "tags",
             "schedule",
             "trigger", "continuous", "git_source", "parameters", "job_clusters",
             "environments", "email_notifications", "webhook_notifications",
             "notification_settings", "health", "timeout_seconds", "max_concurrent_runs",
             "queue", "run_as")
TASK_ORDER = ("task_key", "description", "depends_on", "run_if", "job_cluster_key",
              "existing_cluster_id", "new_cluster", "environment_key")
PAGED = ("tasks", "job_clusters", "environments", "parameters")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class NotImportable(Exception):
    """A job that cannot be written as pipeline YAML, with the reason."""


@dataclass
class Imported:
    text: str
    names: list[str]
    notes: list[str] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)  # as written, in order


def fetch(ws: Any, job_ids: Iterable[int]) -> list[dict[str, Any]]:
    """jobs/get of each job as the Jobs API's JSON, every page of its arrays read (a job
    with more than 100 tasks comes in pages: databricks/sdk/service/jobs.py JobsAPI.get)."""
    out = []
    for job_id in job_ids:
        page = ws.jobs.get(job_id).as_dict()
        whole = page
        while page.get("next_page_token"):
            page = ws.jobs.get(job_id, page_token=page["next_page_token"]).as_dict()
            for key in PAGED:
                more = page.get("settings", {}).get(key) or []
                whole["settings"].setdefault(key, []).extend(more)
        out.append(whole)
    return out


def ids_named(ws: Any, name: str) -> list[int]:
    return sorted(j.job_id for j in ws.jobs.list(name=name)
                  if j.settings is not None and j.settings.name == name)


def ids_matching(ws: Any, pattern: str) -> list[int]:
    """Every job whose name the regular expression finds a match in."""
    found = re.compile(pattern)
    return sorted(j.job_id for j in ws.jobs.list()
                  if j.settings is not None and j.settings.name
                  and found.search(j.settings.name))


def pipeline_yaml(payloads: Sequence[dict[str, Any]], *, with_settings: bool = True,
                  defaults: TaskDefaults | None = None,
                  taken: frozenset[str] = frozenset()) -> Imported:
    """The jobs of `payloads` (jobs/get answers) as the text of a pipeline's jobs file; with
    `with_settings` (the folder has no pipeline.yml yet) also a `pipeline:` section when the
    orchestrator takes over a job's schedule. `defaults` are the pipeline's task defaults:
    a task value they would change is written out (the provider's default), so that the
    job deploys as it runs today. `taken`: the keys of the pipeline's other jobs."""
    jobs, notes = _jobs(payloads, defaults, _keys(payloads, taken))
    orchestrator = _triggers(jobs, _edges(jobs), with_settings, notes)
    _check(jobs)
    ordered = [_ordered(_names_first(j), JOB_ORDER)
               for j in sorted(jobs, key=lambda j: j["name"])]
    header = ("# Imported by `brickline import` from jobs/get. import_id adopts each existing "
              "job\n# on the first deploy instead of creating a second one.\n")
    document: dict[str, Any] = {"jobs": ordered}
    if orchestrator:
        document = {"pipeline": {"orchestrator": orchestrator}, **document}
    return Imported(header + _dump(document), [j["name"] for j in ordered], notes, ordered)


def _jobs(payloads: Sequence[dict[str, Any]], defaults: TaskDefaults | None,
          keys: dict[int, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Each job's settings as a person writes them, with its key (where its name does not
    give it) and its import_id; and what to say about them."""
    notes: list[str] = []
    jobs = []
    for payload in payloads:
        job_id = int(payload["job_id"])
        settings = _clean_job(dict(payload.get("settings") or {}))
        run_as = _run_as(payload)
        if run_as:
            settings["run_as"] = run_as
        elif payload.get("run_as_user_name") and payload.get("run_as_user_name") != \
                payload.get("creator_user_name"):
            notes.append(f"job {job_id} runs as {payload['run_as_user_name']}: set run_as "
                         "(user_name, service_principal_name or group_name) by hand")
        name = settings.get("name") or f"job_{job_id}"
        settings["name"] = name
        if keys[job_id] != address_from_name(name):
            settings["key"] = keys[job_id]
        settings["import_id"] = job_id
        if defaults is not None:
            settings["tasks"] = [_as_today(task, defaults) for task in settings["tasks"]]
        jobs.append(settings)
    return jobs, notes


def _check(jobs: list[dict[str, Any]]) -> None:
    """NotImportable when a job has a field or shape brickline does not read."""
    problems = []
    for settings in jobs:
        try:
            Job.model_validate(settings)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = list(err["loc"])
                if loc[:1] == ["tasks"] and len(loc) > 1 and isinstance(loc[1], int):
                    loc[:2] = [f"tasks[{settings['tasks'][loc[1]]['task_key']}]"]
                where = ".".join(str(p) for p in loc)
                problems.append(f"job {settings['import_id']} ({settings['name']}): {where}: "
                                f"{err['msg']}")
    if problems:
        raise NotImportable(
            "cannot write these jobs as pipeline YAML (a field the Databricks provider "
            f"{engine.current().provider_version} does not take, or a shape brickline does "
            "not read):\n  " + "\n  ".join(problems))


# --- into a bundle root --------------------------------------------------------------------

def bundle_key(name: str) -> str:
    """A job's resource key as `databricks bundle generate job` derives it from the name
    (databricks/cli cmd/bundle/generate/job.go: textutil.NormalizeString): lowercase, each
    character but a letter or a digit as '_', runs of '_' as one, none at either end."""
    text = re.sub(r"_+", "_", "".join(c if c.isalnum() else "_" for c in name.lower()))
    return text.strip("_")


def bundle_files(payloads: Sequence[dict[str, Any]], *, defaults: TaskDefaults | None = None,
                 taken: frozenset[str] = frozenset()) -> list[tuple[str, Imported]]:
    """The jobs of `payloads` as a bundle's job files, one per job, where `databricks
    bundle generate job` writes them (cli cmd/bundle/generate/job.go: `resources/<key>.
    job.yml` holding `resources.jobs.<key>`), each with its import_id (a key the Databricks
    CLI warns about and ignores; brickline's deploy adopts the job with it). Nothing else is
    rewritten: a run_job_task keeps running its job, by reference when that job is imported
    too (`${resources.jobs.<key>.id}`), and brickline decides orchestration from it as for
    any bundle (spec/orchestration.py). `taken`: the bundle's job keys."""
    keys: dict[int, str] = {}
    used = set(taken)
    for p in sorted(payloads, key=lambda p: int(p["job_id"])):
        name = (p.get("settings") or {}).get("name") or f"job_{p['job_id']}"
        key = bundle_key(name) or f"job_{p['job_id']}"
        if key in used:
            key = f"{key}_{p['job_id']}"
        used.add(key)
        keys[int(p["job_id"])] = key
    jobs, notes = _jobs(payloads, defaults, keys)
    _check(jobs)
    out = []
    for job in sorted(jobs, key=lambda j: keys[j["import_id"]]):
        key = keys[job["import_id"]]
        job.pop("key", None)  # the resource key is the job's key
        for task in job.get("tasks", []):
            run = task.get("run_job_task")
            if isinstance(run, dict) and run.get("job_id") in keys:
                run["job_id"] = f"${{resources.jobs.{keys[run['job_id']]}.id}}"
        written = _ordered(_names_first(job), JOB_ORDER)
        header = (f"# Imported by `brickline import` from jobs/get (job {job['import_id']}). "
                  "import_id adopts\n# the job on brickline's first deploy instead of "
                  "creating a second one.\n")
        text = header + _dump({"resources": {"jobs": {key: written}}})
        out.append((f"resources/{key}.job.yml",
                    Imported(text, [job["name"]], [], [written])))
    if out:
        out[0][1].notes.extend(notes)
    return out


def _as_today(task: dict[str, Any], defaults: TaskDefaults) -> dict[str, Any]:
    """The task with each value the pipeline's defaults would set in its place written
    out as jobs/get left it unset: the provider's default (TASK_DEFAULTS), which is how it
    runs today. Tasks the defaults skip (spec/defaults.py) stay as they are; the task a
    for_each repeats gets them."""
    nested = (task.get("for_each_task") or {}).get("task")
    if nested:
        task = {**task, "for_each_task": {**task["for_each_task"],
                                          "task": _as_today(nested, defaults)}}
    if any(t in task for t in NO_DEFAULTS_TASK_TYPES):
        return task
    kept = {key: TASK_DEFAULTS[key] for key in TASK_DEFAULT_KEYS
            if getattr(defaults, key) is not None and key not in task}
    return _ordered({**task, **kept}, TASK_ORDER) if kept else task


def _keys(payloads: Sequence[dict[str, Any]],
          others: frozenset[str] = frozenset()) -> dict[int, str]:
    """Each job's key: its name in snake_case, the job id added where two names meet (or
    where the pipeline's other jobs have the key)."""
    keys: dict[int, str] = {}
    taken: set[str] = set(others)
    for p in sorted(payloads, key=lambda p: int(p["job_id"])):
        key = address_from_name((p.get("settings") or {}).get("name") or f"job_{p['job_id']}")
        if key in taken:
            key = f"{key}_{p['job_id']}"
        taken.add(key)
        keys[int(p["job_id"])] = key
    return keys


def _run_as(payload: dict[str, Any]) -> dict[str, str] | None:
    """run_as is write-only (jobs/get gives run_as_user_name); the creator is the default."""
    who = payload.get("run_as_user_name")
    if not who or who == payload.get("creator_user_name"):
        return None
    if "@" in who:
        return {"user_name": who}
    if UUID.match(who):
        return {"service_principal_name": who}
    return None


def _clean_job(settings: dict[str, Any]) -> dict[str, Any]:
    has_git = bool(settings.get("git_source"))
    for key in READ_ONLY:
        settings.pop(key, None)
    if "git_source" in settings:
        settings["git_source"] = {k: v for k, v in settings["git_source"].items()
                                  if k != "git_snapshot"}
    for key, default in JOB_DEFAULTS.items():
        if settings.get(key) == default:
            del settings[key]
    for key in PAUSABLE:
        if isinstance(settings.get(key), dict) and settings[key].get("pause_status") == \
                "UNPAUSED":
            settings[key] = {k: v for k, v in settings[key].items() if k != "pause_status"}
    settings["tasks"] = sorted((_clean_task(t, has_git) for t in settings.get("tasks") or []),
                               key=lambda t: t["task_key"])
    cleaned: dict[str, Any] = _pruned(settings)
    return cleaned


def _clean_task(task: dict[str, Any], has_git: bool) -> dict[str, Any]:
    task = {k: v for k, v in task.items() if TASK_DEFAULTS.get(k, _NONE) != v}
    # the default source: GIT with a git_source, WORKSPACE without (jobs.py NotebookTask)
    default_source = "GIT" if has_git else "WORKSPACE"
    # (source is suppress_diff in the provider: jobs/resource_job.go NotebookTask,
    # SparkPythonTask, SqlFileTask, DbtTask)
    for block in ("notebook_task", "spark_python_task", "dbt_task"):
        if isinstance(task.get(block), dict) and task[block].get("source") == default_source:
            task[block] = {k: v for k, v in task[block].items() if k != "source"}
    sql_file = (task.get("sql_task") or {}).get("file")
    if isinstance(sql_file, dict) and sql_file.get("source") == default_source:
        task["sql_task"] = {**task["sql_task"],
                            "file": {k: v for k, v in sql_file.items() if k != "source"}}
    if "depends_on" in task:
        task["depends_on"] = sorted(task["depends_on"], key=lambda d: d["task_key"])
    nested = (task.get("for_each_task") or {}).get("task")
    if nested:
        task["for_each_task"] = {**task["for_each_task"],
                                 "task": _clean_task(nested, has_git)}
    return _ordered(task, TASK_ORDER)


_NONE = object()


def _pruned(value: Any) -> Any:
    """Without empty mappings and lists, which say nothing."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _edges(jobs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any],
                                                     dict[str, Any]]]:
    """(job, task, other job) for each last task that only runs another imported job
    (run_job_task, after all upstream tasks succeeded, no parameters of its own): an edge
    of the pipeline, the orchestrator running the other job after this one."""
    by_id = {j["import_id"]: j for j in jobs}
    out = []
    for job in jobs:
        tasks = job["tasks"]
        needed = {d["task_key"] for t in tasks for d in t.get("depends_on", [])}
        for task in tasks:
            run = task.get("run_job_task")
            if not run or run.get("job_id") not in by_id:
                continue
            plain = set(task) <= {"task_key", "description", "depends_on", "run_job_task"} \
                and set(run) == {"job_id"}
            if task["task_key"] not in needed and plain and len(tasks) > 1:
                out.append((job, task, by_id[run["job_id"]]))
    return out


def _triggers(jobs: list[dict[str, Any]],
              edges: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]],
              with_settings: bool, notes: list[str]) -> dict[str, Any]:
    """Who starts the jobs. One scheduled job that starts all the others (or the only job):
    its schedule becomes the orchestrator's, and run_job_task chains become edges -- the same
    runs, in the same order. Otherwise each job with a schedule of its own keeps it
    (orchestrate: false; the orchestrator runs only the others) and its run_job_task stays."""
    triggered = [j for j in jobs if any(k in j for k in PAUSABLE)]
    orchestrator: dict[str, Any] = {}
    if len(triggered) == 1 and with_settings:
        root = triggered[0]
        reached = {root["name"]}
        for _ in jobs:
            reached |= {after["name"] for job, _, after in edges if job["name"] in reached}
        if reached == {j["name"] for j in jobs}:
            orchestrator = {k: root.pop(k) for k in PAUSABLE if k in root}
            notes.append(f"the orchestrator runs on {root['name']}'s "
                         f"{'/'.join(orchestrator)} now (pipeline.orchestrator), and runs the "
                         "jobs in order")
            triggered = []
    for job in triggered:
        job["orchestrate"] = False
        notes.append(f"job {job['name']} keeps its own schedule or trigger (orchestrate: "
                     "false); to run it from the orchestrator, move the schedule to "
                     "pipeline.orchestrator and remove orchestrate: false")
    for job, task, after in edges:
        if job.get("orchestrate") is False or after.get("orchestrate") is False:
            notes.append(f"job {job['name']}: task {task['task_key']} keeps running job "
                         f"{after['name']} (run_job_task): a job with its own schedule is "
                         "not part of the orchestrator's run")
            continue
        job["tasks"].remove(task)
        upstream = after.setdefault("depends_on", [])
        if job["name"] not in upstream:
            upstream.append(job["name"])
            upstream.sort()
    return orchestrator


def _names_first(value: Any) -> Any:
    """In each mapping, the key that names it first (name, task_key, job_cluster_key...)."""
    if isinstance(value, dict):
        first = [k for k in value if k == "name" or k.endswith("_key")]
        return {k: _names_first(value[k]) for k in [*first, *(k for k in value
                                                              if k not in first)]}
    if isinstance(value, list):
        return [_names_first(v) for v in value]
    return value


def _ordered(data: dict[str, Any], first: Sequence[str]) -> dict[str, Any]:
    head = [k for k in first if k in data]
    rest = sorted(k for k in data if k not in first and k != "tasks")
    tail = ["tasks"] if "tasks" in data else []
    return {k: data[k] for k in [*head, *rest, *tail]}


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, long text as a block, as people write YAML."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     width=100, allow_unicode=True)


# --- what the pipeline would change in the jobs it adopts ---------------------------------

def effects(alone: StackPlan, deployed: Sequence[StackPlan], imported: Sequence[str]) -> list[str]:
    """What deploying the imported jobs in their pipeline changes in them, compared with
    the same jobs planned on their own (`alone`: no pipeline settings, no target), per
    target: what the pipeline's and the target's settings add or replace (run_as, tags,
    notifications, health rules, paused schedules, cluster settings, name prefixes, ...),
    the access list the pipeline sets, and which jobs join the orchestrator. brickline's
    own additions (the status tasks and their parameters) are the same either way and
    are documented, so they are left out."""
    from brickline import names
    from brickline.ops.runs import orchestrated
    from brickline.review.fields import changes, describe

    notes = []
    own = {j.name: j for j in alone.jobs}
    for stack in deployed:
        where = f"in target {stack.target}" if stack.target else "as deployed"
        jobs = {j.name: j for j in stack.jobs}
        permissions = {r.address for r in stack.resources
                       if r.type == "databricks_permissions"}
        for name in imported:
            if name not in jobs or name not in own:
                continue
            lines = [describe(path, old, new) for path, old, new in
                     changes(_comparable(own[name].settings),
                             _comparable(jobs[name].settings))]
            if lines:
                notes.append(f"{name} {where} differs from the job as it runs today: "
                             + "; ".join(lines))
            if names.permission_address(jobs[name].address) in permissions:
                # databricks_permissions sets a job's permissions, replacing the direct ones
                # it has (Permissions API, PUT /api/2.0/permissions/{type}/{id}: "Sets
                # permissions on an object, replacing existing permissions if they exist")
                notes.append(f"{name} {where}: its permissions become the pipeline's "
                             "(`permissions:`), replacing the ones it has now")
    if deployed:
        first = deployed[0]
        inside = orchestrated(first)
        joining = sorted(j.name for j in first.jobs if j.name in imported
                         and j.address in inside)
        if joining and first.orchestrator is not None:
            notes.append(f"{', '.join(joining)} join{'s' * (len(joining) == 1)} the "
                         f"orchestrator '{first.orchestrator.name}': "
                         f"{'it runs' if len(joining) == 1 else 'they run'} in every run of "
                         "the pipeline from the first deploy on; set `orchestrate: false` on a "
                         "job that should keep running only as it does today")
    return notes


def _comparable(settings: dict[str, Any]) -> dict[str, Any]:
    """A planned job less what brickline adds to every job (its status tasks, their
    dependencies and parameters, the run_key parameter), references as text."""
    from brickline.runtime.status import RESERVED_PREFIX

    out = dict(settings)
    tasks = []
    for task in out.get("task", []):
        if task["task_key"].startswith(RESERVED_PREFIX):
            continue
        deps = [d for d in task.get("depends_on", [])
                if not d["task_key"].startswith(RESERVED_PREFIX)]
        task = {k: v for k, v in task.items() if k != "depends_on"}
        tasks.append({**task, **({"depends_on": deps} if deps else {})})
    out["task"] = tasks
    out["parameter"] = [p for p in out.get("parameter", [])
                        if p["name"] != "run_key" and not p["name"].startswith(RESERVED_PREFIX)]
    out["environment"] = [e for e in out.get("environment", [])
                          if not e["environment_key"].startswith(RESERVED_PREFIX)]
    plain: dict[str, Any] = _as_text({k: v for k, v in out.items() if v not in ([], {})})
    return plain


def _as_text(value: Any) -> Any:
    from brickline.plan import Ref

    if isinstance(value, Ref):
        return f"${{{value.address}.{value.attribute}}}"
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value


# --- adding to a pipeline that has jobs already -------------------------------------------

@dataclass(frozen=True)
class Existing:
    """What the pipeline the jobs are imported into has already (read as plain YAML, so a
    pipeline that does not validate yet can still take jobs)."""

    settled: bool  # it has a `pipeline:` section
    defaults: TaskDefaults | None
    names: frozenset[str]
    keys: frozenset[str]
    import_ids: dict[int, str]  # import_id -> the job's name


def existing(files: Sequence[Any]) -> Existing:
    """The pipeline files (pathlib.Path) as they are; unreadable ones are left out
    (`brickline validate` reports them)."""
    settled = False
    defaults = None
    found_names: set[str] = set()
    keys: set[str] = set()
    ids: dict[int, str] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        settings = data.get("pipeline")
        if isinstance(settings, dict):
            settled = True
            try:
                defaults = TaskDefaults.model_validate(settings.get("defaults") or {})
            except ValidationError:
                defaults = None
        for job in data.get("jobs") or [] if isinstance(data.get("jobs"), list) else []:
            if not isinstance(job, dict) or not isinstance(job.get("name"), str):
                continue
            found_names.add(job["name"])
            keys.add(str(job.get("key") or address_from_name(job["name"])))
            if isinstance(job.get("import_id"), int):
                ids[job["import_id"]] = job["name"]
    return Existing(settled, defaults, frozenset(found_names), frozenset(keys), ids)


def existing_bundle(files: Sequence[Any]) -> Existing:
    """What a bundle's files (pathlib.Path: the root file and its includes) hold already:
    the `resources.jobs` keys, names (a job without one is named by its key) and
    import_ids, read as plain YAML as `existing` reads a pipeline's."""
    found_names: set[str] = set()
    keys: set[str] = set()
    ids: dict[int, str] = {}
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        resources = data.get("resources") if isinstance(data, dict) else None
        jobs = resources.get("jobs") if isinstance(resources, dict) else None
        for key, job in (jobs.items() if isinstance(jobs, dict) else []):
            keys.add(str(key))
            name = job.get("name") if isinstance(job, dict) else None
            found_names.add(name if isinstance(name, str) else str(key))
            if isinstance(job, dict) and isinstance(job.get("import_id"), int):
                ids[job["import_id"]] = name if isinstance(name, str) else str(key)
    return Existing(True, None, frozenset(found_names), frozenset(keys), ids)


def appended(text: str, imported: Imported) -> str:
    """`text` (a jobs file whose `jobs:` list ends it) with the imported jobs added at the
    end of that list, its comments and layout kept; ValueError when the file is not laid
    out so (then nothing is written)."""
    try:
        before = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"it is not YAML that reads ({type(exc).__name__})") from None
    if not isinstance(before, dict) or not isinstance(before.get("jobs", []), list):
        raise ValueError("it holds no `jobs:` list to add to")
    items = _dump({"jobs": imported.jobs}).split("\n", 1)[1]
    note = ("  # Imported by `brickline import` from jobs/get: import_id adopts each job on "
            "the first deploy.\n")
    head = text if text.endswith("\n") else text + "\n"
    out = head + (note + items if "jobs" in before else "jobs:\n" + note + items)
    try:
        after = yaml.safe_load(out)
    except yaml.YAMLError:
        after = None
    expected = {**before, "jobs": [*(before.get("jobs") or []), *imported.jobs]}
    if after != expected:
        raise ValueError("its `jobs:` list is not the end of the file (or is written inline)")
    return out
