"""The rules a schema cannot express: references, cycles, one task type, defined compute,
variables. Each rule is a small function that returns diagnostics; nothing raises."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from brickline.spec import jobs_api as api
from brickline.spec import rules_deploy, rules_workspace
from brickline.spec.defaults import COMPUTE_KEYS, cluster_with_defaults, has_node_type
from brickline.spec.diagnostics import Diagnostic, Location, Path, did_you_mean
from brickline.spec.model import Job, Pipeline
from brickline.spec.yamlsource import Source

TASK_TYPES = tuple(sorted(f for f in api.Task.model_fields if f.endswith("_task")))
NESTED_TASK_TYPES = tuple(sorted(f for f in api.TaskForEachTaskTask.model_fields
                                 if f.endswith("_task")))
PIPELINE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
ADDRESS = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")
TASK_KEY = re.compile(r"^[\w-]{1,100}$")
VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TEMPLATE = re.compile(r"(?<![$%])([$%])\{")
VAR_REF = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}")
TARGET_REF = "${bundle.target}"
BUNDLE_REFS = ("${resources.", "${workspace.", "${bundle.", "${artifacts.")
ORCHESTRATOR_ADDRESS = "orchestrator"
METADATA_ADDRESS = "job_metadata"
VIEW_ADDRESS = "job_status"
STATUS_FILE_ADDRESS = "brickline_status"
SCHEMA_ADDRESS = "metadata_schema"
# Terraform names of the stack's own resources: a job key must not take one.
RESERVED_ADDRESSES = {
    ORCHESTRATOR_ADDRESS: "the orchestrator job",
    METADATA_ADDRESS: "the job_metadata table",
    VIEW_ADDRESS: "the job_status view",
    STATUS_FILE_ADDRESS: "the status program's workspace file",
    SCHEMA_ADDRESS: "the metadata schema",
    "databricks": "the provider",
}
RESERVED_TASK_PREFIX = "brickline_"
NAME_PART = re.compile(r"^[\w-]{1,255}$")
TABLE_NAME = re.compile(r"^[\w-]+\.[\w-]+\.[\w-]+$")
DEFAULT_WAREHOUSE_VARIABLE = "warehouse_id"


def check(pipeline: Pipeline, *, known_broken: AbstractSet[str] = frozenset()) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += _pipeline_name(pipeline)
    out += _metadata(pipeline)
    out += _variables(pipeline)
    out += _unique_jobs(pipeline)
    out += _job_edges(pipeline, known_broken)
    for job in pipeline.jobs:
        out += _job(job, pipeline)
    out += _schedules(pipeline)
    out += rules_deploy.check(pipeline)
    out += rules_workspace.check(pipeline)
    return out


def check_across(pipelines: list[Pipeline]) -> list[Diagnostic]:
    """Stack names, metadata tables and status views must not collide between pipelines,
    nor between the targets of one pipeline that deploy to the same workspace."""
    from brickline.spec.targets import deployments

    out: list[Diagnostic] = []
    by_name: dict[str, Pipeline] = {}
    by_stack: dict[str, str] = {}
    by_table: dict[tuple[str | None, str], tuple[tuple[int, str | None], str]] = {}
    for p in pipelines:
        where = _settings_where(p, ("pipeline", "name"))
        duplicate = p.name in by_name
        if duplicate:
            out.append(Diagnostic(where, "pipeline.name",
                                  f"two pipelines are named '{p.name}' (the other is "
                                  f"{by_name[p.name].origin}); stack names must be unique"))
        by_name.setdefault(p.name, p)
        for d in deployments(p):
            label = f"pipeline '{p.name}'" + (f", target '{d.target}'" if d.target else "")
            if d.stack_name in by_stack and not duplicate:
                out.append(Diagnostic(where, "pipeline.name",
                                      f"the stack name '{d.stack_name}' of {label} is also "
                                      f"the stack of {by_stack[d.stack_name]}"))
            by_stack.setdefault(d.stack_name, label)
            meta = d.metadata
            view = f"{meta.catalog}.{meta.schema_name}.{meta.view_name}"
            for kind, table in (("metadata table", meta.full_name), ("status view", view)):
                me = (id(p), d.target)
                other_key, other = by_table.get((d.host, table), (me, label))
                if other_key != me:
                    # the view's name derives from the table's: one clash, one message
                    if kind == "status view" and out and out[-1].message.startswith(
                            f"the metadata table {meta.full_name} "):
                        continue
                    path = ("pipeline", "targets", d.target, "metadata") if d.target else (
                        "pipeline", "metadata")
                    out.append(Diagnostic(_settings_where(p, path), ".".join(path),
                                          f"the {kind} {table} of {label} is also created "
                                          f"by {other}; give each its own with metadata.table "
                                          "(or schema, or view), or a different host"))
                by_table.setdefault((d.host, table), (me, label))
    return out


def _settings_where(p: Pipeline, path: Path) -> Location:
    if p.settings_source is not None:
        return p.settings_source.where(path, key=True)
    first = p.sources[0].file if p.sources else p.origin
    return Location(first, 1, 1)


def _metadata(p: Pipeline) -> list[Diagnostic]:
    if p.settings_source is None:
        return []
    meta, out = p.settings.metadata, []
    for key in ("catalog", "schema", "table", "view"):
        value = getattr(meta, "schema_name" if key == "schema" else key)
        if value is not None and not NAME_PART.match(value):
            out.append(p.settings_source.error(
                ("pipeline", "metadata", key),
                f"bad {key} name {value!r}: use letters, digits, '_' and '-'"))
    if meta.view_name == meta.table:
        out.append(p.settings_source.error(
            ("pipeline", "metadata", "view"),
            f"the status view cannot have the table's name {meta.table!r}"))
    if not meta.workspace_dir.startswith("/") or ".." in meta.workspace_dir.split("/"):
        out.append(p.settings_source.error(
            ("pipeline", "metadata", "workspace_dir"),
            f"bad workspace folder {meta.workspace_dir!r}: give an absolute workspace path "
            "such as /Shared/brickline"))
    return out


def _pipeline_name(p: Pipeline) -> list[Diagnostic]:
    if PIPELINE_NAME.match(p.name):
        return []
    where = _settings_where(p, ("pipeline", "name"))
    return [Diagnostic(where, "pipeline.name",
                       f"bad pipeline name {p.name!r}: use letters, digits, '_' and '-' "
                       "(it names the Terraform stack); set pipeline.name in pipeline.yml")]


# --- variables ---------------------------------------------------------------------------

def declared_variables(p: Pipeline) -> set[str]:
    names = set(p.settings.variables)
    if p.settings.metadata.warehouse_id == "${var.warehouse_id}":
        names.add(DEFAULT_WAREHOUSE_VARIABLE)
    return names


def _variables(p: Pipeline) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    declared = declared_variables(p)
    if p.settings_source is not None:
        taken = {**{j.address: f"the key of job '{j.name}'" for j in p.jobs},
                 **RESERVED_ADDRESSES}
        for name in p.settings.variables:
            if not VARIABLE_NAME.match(name):
                out.append(p.settings_source.error(
                    ("pipeline", "variables", name),
                    f"bad variable name {name!r}: use letters, digits and '_'", key=True))
            elif name in taken:
                out.append(p.settings_source.error(
                    ("pipeline", "variables", name),
                    f"the variable name '{name}' is {taken[name]}; Terraform names in one "
                    "stack must differ, so rename the variable", key=True))
    for source in p.sources:
        for path, text in source.templates:
            out += _template_problems(source, path, text, declared)
    return out


def _takes_target_name(path: Path) -> bool:
    """Jobs and the orchestrator, and their target overrides, are laid out per target."""
    if path[:1] in (("jobs",), ("resources",)) or path[:2] == ("pipeline", "orchestrator"):
        return True
    return path[:2] == ("pipeline", "targets") and len(path) > 3 and \
        path[3] in ("jobs", "orchestrator")


def _template_problems(source: Source, path: Path, text: str,
                       declared: set[str]) -> list[Diagnostic]:
    out = []
    for match in TEMPLATE.finditer(text):
        ref = VAR_REF.match(text, match.start())
        if match.group(1) == "$" and ref:
            name = ref.group(1)
            if name not in declared:
                out.append(source.error(path, f"undeclared variable '{name}'"
                                        f"{did_you_mean(name, declared)}: declare it under "
                                        "pipeline.variables in pipeline.yml"))
            continue
        if text.startswith(TARGET_REF, match.start()):
            if not _takes_target_name(path):
                out.append(source.error(path, "${bundle.target} is filled in in jobs and the "
                                        "orchestrator only; set this per target under "
                                        "pipeline.targets instead"))
            continue  # the deployment's target name, filled in per stack (spec/targets.py)
        if text.startswith(BUNDLE_REFS, match.start()):
            out.append(source.error(
                path, "a bundle reference ('${resources...}', '${workspace...}', "
                "'${bundle...}') has no value outside a bundle: write the value, or a "
                "${var.NAME} declared under pipeline.variables"))
            continue
        sign = match.group(1)
        out.append(source.error(
            path, f"'{sign}{{' starts a Terraform expression; only ${{var.NAME}} is "
                  f"supported. Write '{sign}{sign}{{' for a literal '{sign}{{'"))
    return out


# --- jobs and the edges between them -----------------------------------------------------

def _unique_jobs(p: Pipeline) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    names: dict[str, Job] = {}
    addresses: dict[str, Job] = {}
    for job in p.jobs:
        if job.name in names:
            first = names[job.name]
            out.append(_at(job, ("name",), f"duplicate job name '{job.name}' (first at "
                                           f"{first.source.where((*first.path, 'name'))})"))
        names.setdefault(job.name, job)
        address = job.address
        if job.key is not None and not ADDRESS.match(job.key):
            out.append(_at(job, ("key",), f"bad key {job.key!r}: start with a letter and use "
                                          "letters, digits, '_' and '-' (at most 100)"))
        elif address in addresses and job.name != addresses[address].name:
            other = addresses[address]
            out.append(_at(job, ("key",) if job.key else ("name",),
                           f"job key '{address}' is also the key of '{other.name}'; set a "
                           "distinct 'key:' on one of them"))
        elif address in RESERVED_ADDRESSES:
            out.append(_at(job, ("key",) if job.key else ("name",),
                           f"the key '{address}' is reserved for "
                           f"{RESERVED_ADDRESSES[address]}; set another 'key:' on the job"))
        addresses.setdefault(address, job)
        if job.renamed_from is not None and job.key is not None:
            out.append(_at(job, ("renamed_from",), "a job with 'key:' keeps its address "
                                                  "through a rename: drop renamed_from"))
        if job.name == p.orchestrator_name:
            out.append(_at(job, ("name",), f"'{job.name}' is the orchestrator's name; rename "
                                           "the job or set pipeline.orchestrator.name"))
    for job in p.jobs:
        old = job.previous_address
        if old is not None and (old in addresses or old in RESERVED_ADDRESSES):
            out.append(_at(job, ("renamed_from",),
                           f"'{job.renamed_from}' has the address '{old}', which another job "
                           "or resource uses now; remove renamed_from or set 'key:'"))
    return out


def _job_edges(p: Pipeline, known_broken: AbstractSet[str]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    names = {j.name for j in p.jobs}
    everything = names | known_broken
    for job in p.jobs:
        for i, upstream in enumerate(job.depends_on or []):
            if upstream not in everything:
                out.append(_at(job, ("depends_on", i), f"unknown job '{upstream}'"
                                                        f"{did_you_mean(upstream, names)}"))
        if job.on_success:
            for i, trigger in enumerate(job.on_success.trigger_job):
                if trigger.job_name not in everything:
                    out.append(_at(job, ("on_success", "trigger_job", i, "job_name"),
                                   f"unknown job '{trigger.job_name}'"
                                   f"{did_you_mean(trigger.job_name, names)}"))
    edges = [(a, b) for a, b in p.edges() if a in names and b in names]
    cycle = find_cycle(sorted(names), edges)
    if cycle:
        first = p.job_named(cycle[0])
        assert first is not None
        out.append(_at(first, ("name",), "jobs depend on each other in a cycle: "
                                         + " -> ".join(cycle)))
    return out


def _schedules(p: Pipeline) -> list[Diagnostic]:
    out = []
    for job in p.jobs:
        given = [k for k in ("schedule", "trigger", "continuous") if getattr(job, k)]
        if len(given) > 1:
            out.append(_at(job, (given[1],), f"a job takes one of schedule, trigger and "
                                             f"continuous; this one sets {' and '.join(given)}"))
    orch = p.settings.orchestrator
    given = [k for k in ("schedule", "trigger", "continuous") if getattr(orch, k)]
    if len(given) > 1 and p.settings_source is not None:
        out.append(p.settings_source.error(
            ("pipeline", "orchestrator", given[1]),
            f"the orchestrator takes one of schedule, trigger and continuous; it sets "
            f"{' and '.join(given)}", key=True))
    return out


def find_cycle(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle as [a, b, ..., a], or None. Deterministic: nodes in the given order."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in nodes:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, []))))]
        trail = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                trail.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return [*trail[trail.index(child):], child]
            elif not state.get(child):
                state[child] = 1
                trail.append(child)
                stack.append((child, iter(sorted(graph.get(child, [])))))
    return None


# --- one job -----------------------------------------------------------------------------

def _at(job: Job, rel: Path, message: str) -> Diagnostic:
    return job.source.error((*job.path, *rel), message, key=bool(rel) and isinstance(rel[-1], str))


def _job(job: Job, p: Pipeline) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not job.tasks and not job.broken_tasks:
        return [_at(job, ("tasks",), "a job needs at least one task")]
    clusters = [c.job_cluster_key for c in job.job_clusters or []]
    environments = [e.environment_key for e in job.environments or []]
    out += _duplicates(job, clusters, "job_clusters", "job_cluster_key")
    out += _duplicates(job, environments, "environments", "environment_key")
    out += _duplicates(job, [t.task_key for t in job.tasks], "tasks", "task_key")
    for i, cluster in enumerate(job.job_clusters or []):
        out += _cluster(job, ("job_clusters", i, "new_cluster"), cluster.new_cluster, p)
    for i, table in enumerate(job.rollback.tables if job.rollback else []):
        if not TABLE_NAME.match(table):
            out.append(_at(job, ("rollback", "tables", i),
                           f"bad table name {table!r}: write catalog.schema.table"))
    by_key = {t.task_key: t for t in job.tasks}
    for i, task in enumerate(job.tasks):
        out += _task(job, ("tasks", i), task, by_key, set(clusters), set(environments), p)
    cycle = find_cycle([t.task_key for t in job.tasks],
                       [(d.task_key, t.task_key) for t in job.tasks
                        for d in t.depends_on or [] if d.task_key in by_key])
    if cycle:
        index = next(i for i, t in enumerate(job.tasks) if t.task_key == cycle[0])
        out.append(_at(job, ("tasks", index, "depends_on"),
                       "tasks depend on each other in a cycle: " + " -> ".join(cycle)))
    return out


def _duplicates(job: Job, keys: list[str], list_name: str, field: str) -> list[Diagnostic]:
    out, seen = [], set()
    for i, key in enumerate(keys):
        if key in seen:
            out.append(_at(job, (list_name, i, field), f"duplicate {field} '{key}'"))
        seen.add(key)
    return out


def _cluster(job: Job, rel: Path, cluster: Any, p: Pipeline) -> list[Diagnostic]:
    effective = cluster_with_defaults(cluster.model_dump(by_alias=True, exclude_none=True),
                                      p.settings.defaults)
    if has_node_type(effective):
        return []
    return [_at(job, rel, "new_cluster needs node_type_id, instance_pool_id or policy_id: set "
                          "one here or in pipeline.yml under pipeline.defaults.new_cluster")]


def _task(job: Job, rel: Path, task: Any, by_key: dict[str, Any], clusters: set[str],
          environments: set[str], p: Pipeline, nested: bool = False) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if not TASK_KEY.match(task.task_key):
        out.append(_at(job, (*rel, "task_key"), f"bad task_key {task.task_key!r}: use letters, "
                                                 "digits, '_' and '-' (at most 100)"))
    elif task.task_key.startswith(RESERVED_TASK_PREFIX):
        out.append(_at(job, (*rel, "task_key"),
                       f"task keys starting with '{RESERVED_TASK_PREFIX}' are brickline's own "
                       f"(its status tasks); rename '{task.task_key}'"))
    types = [t for t in (NESTED_TASK_TYPES if nested else TASK_TYPES) if getattr(task, t)]
    if not types:
        out.append(_at(job, (*rel, "task_key"), "the task has no task type: give it one of "
                                                 "notebook_task, spark_python_task, "
                                                 "python_wheel_task, sql_task, run_job_task, ..."))
    elif len(types) > 1:
        out.append(_at(job, (*rel, types[1]), f"a task has exactly one task type; this one has "
                                               f"{' and '.join(types)}"))
    compute = [k for k in COMPUTE_KEYS if getattr(task, k)]
    if len(compute) > 1:
        out.append(_at(job, (*rel, compute[1]), f"a task runs on one compute; this one sets "
                                                 f"{' and '.join(compute)}"))
    if task.job_cluster_key and task.job_cluster_key not in clusters:
        out.append(_at(job, (*rel, "job_cluster_key"),
                       f"unknown job cluster '{task.job_cluster_key}'"
                       f"{did_you_mean(task.job_cluster_key, clusters)}: define it under "
                       "job_clusters"))
    if task.environment_key and task.environment_key not in environments:
        out.append(_at(job, (*rel, "environment_key"),
                       f"unknown environment '{task.environment_key}'"
                       f"{did_you_mean(task.environment_key, environments)}: define it under "
                       "environments"))
    if task.new_cluster is not None:
        out += _cluster(job, (*rel, "new_cluster"), task.new_cluster, p)
    if not nested:
        for d, dep in enumerate(task.depends_on or []):
            upstream = by_key.get(dep.task_key)
            if upstream is None and dep.task_key in job.broken_tasks:
                continue
            if upstream is None:
                out.append(_at(job, (*rel, "depends_on", d, "task_key"),
                               f"unknown task '{dep.task_key}'"
                               f"{did_you_mean(dep.task_key, by_key)}"))
            elif dep.outcome is not None and upstream.condition_task is None:
                out.append(_at(job, (*rel, "depends_on", d, "outcome"),
                               f"'outcome' applies only to a condition_task; "
                               f"'{dep.task_key}' is not one"))
            elif dep.outcome is not None and dep.outcome not in ("true", "false"):
                out.append(_at(job, (*rel, "depends_on", d, "outcome"),
                               f"bad value {dep.outcome!r}: expected \"true\" or \"false\""))
        if task.for_each_task is not None:
            out += _task(job, (*rel, "for_each_task", "task"), task.for_each_task.task, by_key,
                         clusters, environments, p, nested=True)
    return out
