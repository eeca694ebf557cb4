"""The rules a schema cannot express: references, cycles, limits, formats, one task type,
defined compute, variables, Terraform names. Nothing raises; every rule returns diagnostics.

A rule is one function with a docstring that takes a typed context (the pipeline, a job
with its lookups, or a task); the lists PIPELINE_RULES, JOB_RULES and TASK_RULES at the end
are the rules, in the order they run. Each platform rule cites its source beside it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from brickline import names
from brickline.spec import jobs_api as api
from brickline.spec import quartz, rules_deploy, rules_grants, rules_workspace
from brickline.spec.defaults import (
    CODE_TASK_TYPES,
    COMPUTE_KEYS,
    cluster_with_defaults,
    has_node_type,
)
from brickline.spec.diagnostics import Diagnostic, Location, Path, did_you_mean
from brickline.spec.model import Job, Pipeline
from brickline.spec.yamlsource import Source

TASK_TYPES = tuple(sorted(f for f in api.Task.model_fields if f.endswith("_task")))
NESTED_TASK_TYPES = tuple(sorted(f for f in api.TaskForEachTaskTask.model_fields
                                 if f.endswith("_task")))
# Every pattern below is matched whole (fullmatch): Python's `$` also accepts a trailing
# newline, which is how a stack id with a newline once got through to cdktf.
PIPELINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
ADDRESS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
# Jobs API (create job): task_key and job_cluster_key "[ 1 .. 100 ] characters
# ^[\w\-\_]+$" (docs.databricks.com/api/workspace/jobs/create). Python's \w also takes
# letters beyond ASCII; the API's may not, but without evidence they stay valid.
TASK_KEY = re.compile(r"[\w-]{1,100}")
MAX_KEY = 100
# Jobs API: job parameter "name ... May only contain alphanumeric characters, `_`, `-`,
# and `.`" (create job, parameters[].name)
PARAMETER_NAME = re.compile(r"[\w.-]+")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TEMPLATE = re.compile(r"(?<![$%])([$%])\{")
VAR_REF = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}")
TARGET_REF = "${bundle.target}"
BUNDLE_REFS = ("${resources.", "${workspace.", "${bundle.", "${artifacts.")
# kept for callers of the old names; the registry is brickline.names
ORCHESTRATOR_ADDRESS = names.ORCHESTRATOR
METADATA_ADDRESS = names.METADATA_TABLE
VIEW_ADDRESS = names.STATUS_VIEW
STATUS_FILE_ADDRESS = names.STATUS_FILE
SCHEMA_ADDRESS = names.METADATA_SCHEMA
RESERVED_TASK_PREFIX = "brickline_"
# brickline's serverless environment for its status tasks (plan.STATUS_ENVIRONMENT)
STATUS_ENVIRONMENT = "brickline_status"
# Unity Catalog names (docs: "Names", sql-ref-names; "Unity Catalog requirements and
# limitations"): at most 255 characters, no period, space, '/', ASCII control characters
# or DEL, stored lowercase. brickline asks for less: letters, digits, '_' and '-'.
UC_MAX = 255
NAME_PART = re.compile(r"[\w-]{1,255}")
TABLE_NAME = re.compile(r"[\w-]{1,255}\.[\w-]{1,255}\.[\w-]{1,255}")
# "INFORMATION_SCHEMA is a reserved name. Every Unity Catalog catalog automatically includes a
# system-provided read-only INFORMATION_SCHEMA, so you cannot create a user schema with that
# name" (Databricks docs, "Create schemas"); nor a table in it (read-only)
RESERVED_SCHEMA = "information_schema"
DEFAULT_WAREHOUSE_VARIABLE = "warehouse_id"
# Jobs API (create job): "It supports up to 1000 elements" (tasks); "A maximum of 25 tags";
# max_concurrent_runs "cannot exceed 1000"; name "The maximum length is 4096 bytes in UTF-8
# encoding"; description "The maximum length is 27700 characters"; environments "<= 10
# items"; job_clusters "<= 100 items".
MAX_TASKS = 1000
MAX_TAGS = 25
MAX_CONCURRENT_RUNS = 1000
MAX_NAME_BYTES = 4096
MAX_DESCRIPTION = 27700
MAX_ENVIRONMENTS = 10
MAX_JOB_CLUSTERS = 100
MAX_DBT_COMMANDS = 10
MIN_TRIGGER_SECONDS = 60
MAX_WEBHOOKS_PER_EVENT = 3
# provider 1.99.0 jobs/resource_job.go:599: periodic trigger units
PERIODIC_UNITS = ("DAYS", "HOURS", "WEEKS")
RETRY_KEYS = ("max_retries", "min_retry_interval_millis", "retry_on_timeout")


# --- contexts ----------------------------------------------------------------------------

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
        return _at(self.job, rel, message)


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


def check(pipeline: Pipeline, *, known_broken: AbstractSet[str] = frozenset()) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in PIPELINE_RULES:
        out += rule(pipeline)
    out += job_edges(pipeline, known_broken)
    facts = PipelineFacts(pipeline)
    for job in pipeline.jobs:
        out += check_job(_job_context(pipeline, job, facts))
    out += rules_deploy.check(pipeline)
    out += rules_workspace.check(pipeline)
    return out


def _job_context(p: Pipeline, job: Job, facts: PipelineFacts | None = None) -> JobContext:
    return JobContext(
        pipeline=p, job=job, tasks={t.task_key: t for t in job.tasks},
        clusters=frozenset(c.job_cluster_key for c in job.job_clusters or []),
        environments=frozenset(e.environment_key for e in job.environments or []),
        facts=facts)


def check_job(ctx: JobContext) -> list[Diagnostic]:
    if not ctx.job.tasks and not ctx.job.broken_tasks:
        return [ctx.at(("tasks",), "a job needs at least one task")]
    out: list[Diagnostic] = []
    for rule in JOB_RULES:
        out += rule(ctx)
    for i, task in enumerate(ctx.job.tasks):
        out += check_task(TaskContext(ctx, ("tasks", i), task))
    return out


def check_task(ctx: TaskContext) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in TASK_RULES:
        out += rule(ctx)
    if not ctx.nested and ctx.task.for_each_task is not None:
        out += check_task(TaskContext(ctx.job, (*ctx.rel, "for_each_task", "task"),
                                      ctx.task.for_each_task.task, nested=True))
    return out


# --- across pipelines --------------------------------------------------------------------

def check_across(pipelines: list[Pipeline]) -> list[Diagnostic]:
    """Stack names, metadata tables and status views must not collide between pipelines,
    nor between the targets of one pipeline that deploy to the same workspace. Unity
    Catalog stores names lowercase, so tables are compared lowercase."""
    from brickline.spec.targets import deployments

    out: list[Diagnostic] = []
    by_name: dict[str, Pipeline] = {}
    by_stack: dict[str, str] = {}
    by_table: dict[tuple[str | None, str], tuple[tuple[int, str | None], str, str]] = {}
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
                lowered = table.lower()
                other_key, other, spelled = by_table.get((d.host, lowered), (me, label, table))
                if other_key != me:
                    # the view's name derives from the table's: one clash, one message
                    if kind == "status view" and out and out[-1].message.startswith(
                            f"the metadata table {meta.full_name} "):
                        continue
                    path = ("pipeline", "targets", d.target, "metadata") if d.target else (
                        "pipeline", "metadata")
                    out.append(Diagnostic(_settings_where(p, path), ".".join(path),
                                          f"the {kind} {table} of {label} is also created "
                                          f"by {other}" + (
                                              f" as {spelled} (Unity Catalog names ignore "
                                              "case)" if spelled != table else "")
                                          + "; give each its own with metadata.table (or "
                                          "schema, or view), or a different host"))
                by_table.setdefault((d.host, lowered), (me, label, table))
    return out + rules_grants.check(pipelines)


def _settings_where(p: Pipeline, path: Path) -> Location:
    if p.settings_source is not None:
        return p.settings_source.where(path, key=True)
    first = p.sources[0].file if p.sources else p.origin
    return Location(first, 1, 1)


# --- pipeline rules ----------------------------------------------------------------------

def pipeline_name(p: Pipeline) -> list[Diagnostic]:
    """The pipeline's name names the Terraform stack (cdktf refuses whitespace in a stack
    id), the state file and the status program's folder."""
    if PIPELINE_NAME.fullmatch(p.name) or not p.intact("name"):
        return []
    where = _settings_where(p, ("pipeline", "name"))
    return [Diagnostic(where, "pipeline.name",
                       f"bad pipeline name {p.name!r}: use letters, digits, '_' and '-', at "
                       "most 63, starting with a letter or digit (it names the Terraform "
                       "stack); set pipeline.name in pipeline.yml")]


def metadata_names(p: Pipeline) -> list[Diagnostic]:
    """Catalog, schema, table and view are Unity Catalog names (see UC_MAX); the view is
    in the table's schema, so the two must differ ignoring case; the workspace folder is
    absolute."""
    src = p.settings_source
    if src is None or not p.intact("metadata"):
        return []
    meta, out = p.settings.metadata, []
    for key in ("catalog", "schema", "table", "view"):
        value = getattr(meta, "schema_name" if key == "schema" else key)
        if value is not None and not NAME_PART.fullmatch(value):
            out.append(src.error(("pipeline", "metadata", key), _uc_name_problem(key, value)))
    if meta.schema_name.lower() == RESERVED_SCHEMA:
        out.append(src.error(("pipeline", "metadata", "schema"), _reserved_schema()))
    if meta.view is None and NAME_PART.fullmatch(meta.table) and len(meta.view_name) > UC_MAX:
        out.append(src.error(("pipeline", "metadata", "table"),
                             f"the status view's name, derived from the table's, would be "
                             f"{len(meta.view_name)} characters; Unity Catalog allows "
                             f"{UC_MAX}: shorten the table's name or set metadata.view"))
    elif meta.view_name.lower() == meta.table.lower():
        out.append(src.error(("pipeline", "metadata", "view"),
                             f"the status view cannot have the table's name {meta.table!r} "
                             "(Unity Catalog stores names lowercase)"))
    if not meta.workspace_dir.startswith("/") or ".." in meta.workspace_dir.split("/"):
        out.append(src.error(("pipeline", "metadata", "workspace_dir"),
                             f"bad workspace folder {meta.workspace_dir!r}: give an absolute "
                             "workspace path such as /Shared/brickline"))
    if p.intact("targets"):
        for name, target in p.settings.targets.items():
            if target.metadata is not None:
                out += _target_metadata_names(p, src, name, target.metadata)
    return out


def _target_metadata_names(p: Pipeline, src: Source, target: str,
                           override: Any) -> list[Diagnostic]:
    """A target's metadata overrides are the same Unity Catalog names (the same rules as
    pipeline.metadata's above), checked as the target deploys them: laid over the
    pipeline's metadata. Only what the target itself sets is reported there."""
    base: Path = ("pipeline", "targets", target, "metadata")
    meta = p.settings.metadata.model_copy(update=override.model_dump(exclude_none=True))
    given = override.model_dump(exclude_none=True)
    out = []
    for key in ("catalog", "schema", "table", "view"):
        value = given.get("schema_name" if key == "schema" else key)
        if value is not None and not NAME_PART.fullmatch(value):
            out.append(src.error((*base, key), _uc_name_problem(key, value)))
    if str(given.get("schema_name", "")).lower() == RESERVED_SCHEMA:
        out.append(src.error((*base, "schema"), _reserved_schema()))
    if not ({"table", "view"} & set(given)) or not NAME_PART.fullmatch(meta.table) or (
            meta.view is not None and not NAME_PART.fullmatch(meta.view)):
        pass
    elif meta.view is None and len(meta.view_name) > UC_MAX:
        out.append(src.error((*base, "table"),
                             f"the status view's name, derived from the table's, would be "
                             f"{len(meta.view_name)} characters in target '{target}'; Unity "
                             f"Catalog allows {UC_MAX}: shorten the table's name or set "
                             "metadata.view"))
    elif meta.view_name.lower() == meta.table.lower():
        key = "view" if "view" in given else "table"
        out.append(src.error((*base, key),
                             f"in target '{target}' the status view and the table would both "
                             f"be named {meta.table.lower()!r} (Unity Catalog stores names "
                             "lowercase): give them different names"))
    workspace = given.get("workspace_dir")
    if workspace is not None and (not workspace.startswith("/")
                                  or ".." in workspace.split("/")):
        out.append(src.error((*base, "workspace_dir"),
                             f"bad workspace folder {workspace!r}: give an absolute "
                             "workspace path such as /Shared/brickline"))
    return out


def _reserved_schema() -> str:
    return (f"'{RESERVED_SCHEMA}' is Unity Catalog's read-only system schema of every "
            "catalog; brickline cannot create its table there: choose another schema")


def _uc_name_problem(what: str, value: str) -> str:
    if not value:
        return f"the {what} name is empty"
    if len(value) > UC_MAX:
        return f"the {what} name is {len(value)} characters; Unity Catalog allows {UC_MAX}"
    control = next((c for c in value if ord(c) < 0x20 or ord(c) == 0x7F), None)
    if control is not None:
        return (f"bad {what} name {value!r}: it holds the control character "
                f"U+{ord(control):04X}, which Unity Catalog does not allow in names")
    return f"bad {what} name {value!r}: use letters, digits, '_' and '-'"


def declared_variables(p: Pipeline) -> set[str]:
    names_ = set(p.settings.variables)
    if p.settings.metadata.warehouse_id == "${var.warehouse_id}":
        names_.add(DEFAULT_WAREHOUSE_VARIABLE)
    return names_


def variable_names(p: Pipeline) -> list[Diagnostic]:
    """Variable names are Terraform identifiers, and not one Terraform reserves."""
    src = p.settings_source
    if src is None:
        return []
    out = []
    for name in p.settings.variables:
        path = ("pipeline", "variables", name)
        if not VARIABLE_NAME.fullmatch(name):
            out.append(src.error(path, f"bad variable name {name!r}: use letters, digits and "
                                       "'_', starting with a letter or '_'", key=True))
        elif name in names.TERRAFORM_RESERVED_VARIABLES:
            out.append(src.error(path, f"Terraform reserves the variable name '{name}' "
                                       "(for module meta-arguments): choose another name",
                                 key=True))
    return out


def _takes_target_name(path: Path) -> bool:
    """Jobs and the orchestrator, and their target overrides, are laid out per target."""
    if path[:1] in (("jobs",), ("resources",)) or path[:2] == ("pipeline", "orchestrator"):
        return True
    return path[:2] == ("pipeline", "targets") and len(path) > 3 and \
        path[3] in ("jobs", "orchestrator")


def templates(p: Pipeline) -> list[Diagnostic]:
    """Terraform reads '${' and '%{' in every string, and in every map key (HCL JSON
    syntax, hashicorp/hcl json/spec.md: object property names are templates too): only
    ${var.NAME} of a declared variable is passed through."""
    out: list[Diagnostic] = []
    declared = declared_variables(p)
    unsure = {b.removeprefix("variables.") for b in p.broken if b.startswith("variables.")}
    check_declared = p.intact("variables", "metadata")
    for source in p.sources:
        for path, text in source.templates:
            out += _template_problems(source, path, text, declared, unsure, check_declared)
        for path, text in source.key_templates:
            if path[:2] in (("pipeline", "variables"), ("pipeline", "destinations")) or (
                    path[:2] == ("pipeline", "targets") and (
                        len(path) == 3 or (len(path) == 5 and path[3] == "variables"))):
                continue  # those names (variables, destinations, targets) have rules of
                # their own; a target's other keys, such as its tags, are Terraform's keys
            sign = "$" if "${" in text else "%"
            out.append(source.error(path, f"this key holds '{sign}{{', which Terraform reads "
                                          "as an expression in a key too; remove it, or write "
                                          f"'{sign}{sign}{{' for a literal '{sign}{{'",
                                    key=True))
    return out


def _template_problems(source: Source, path: Path, text: str, declared: set[str],
                       unsure: set[str], check_declared: bool) -> list[Diagnostic]:
    out = []
    for match in TEMPLATE.finditer(text):
        ref = VAR_REF.match(text, match.start())
        if match.group(1) == "$" and ref:
            name = ref.group(1)
            if check_declared and name not in declared and name not in unsure:
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
        break  # one message per string, however many expressions it holds
    return out


def unique_job_names(p: Pipeline) -> list[Diagnostic]:
    """Job names are how jobs refer to each other; `key:` is a Terraform name and an
    orchestrator task key; the orchestrator's name is taken."""
    out: list[Diagnostic] = []
    seen: dict[str, Job] = {}
    for job in p.jobs:
        if job.name in seen:
            first = seen[job.name]
            out.append(_at(job, ("name",), f"duplicate job name '{job.name}' (first at "
                                           f"{first.source.where((*first.path, 'name'))})"))
        seen.setdefault(job.name, job)
        if job.key is not None and not ADDRESS.fullmatch(job.key):
            out.append(_at(job, ("key",), f"bad key {job.key!r}: start with a letter or '_' "
                                          "and use letters, digits, '_' and '-' (at most "
                                          f"{MAX_KEY})"))
        elif job.key is None and len(job.address) > MAX_KEY and (
                len(job.name.encode()) <= MAX_NAME_BYTES):  # else the name's own message
            out.append(_at(job, ("name",), f"the key brickline derives from this name is "
                                           f"{len(job.address)} characters, and it is the "
                                           "job's task key in the orchestrator, where the Jobs "
                                           f"API allows {MAX_KEY}: set a shorter 'key:'"))
        if job.renamed_from is not None and job.key is not None:
            out.append(_at(job, ("renamed_from",), "a job with 'key:' keeps its address "
                                                  "through a rename: drop renamed_from"))
        if job.name == p.orchestrator_name and p.intact("orchestrator", "name") and any(
                j.orchestrate for j in p.jobs):  # without orchestrated jobs, no orchestrator
            out.append(_at(job, ("name",), f"'{job.name}' is the orchestrator's name; rename "
                                           "the job or set pipeline.orchestrator.name"))
    return out


def terraform_names(p: Pipeline) -> list[Diagnostic]:
    """Every construct of a stack shares one namespace (brickline.names.claims): a job's
    address and outputs, permissions, destinations, variables and brickline's own
    resources. A clash stops cdktf's synth, so it is reported here, at the YAML that made
    the second name."""
    from brickline.spec.targets import deployments

    seen: set[str] = set()
    valid_jobs = []
    for job in p.jobs:
        # a bad key and a second job of one name have their own messages
        if (job.key is None or ADDRESS.fullmatch(job.key)) and job.name not in seen:
            valid_jobs.append(job)
        seen.add(job.name)
    variables = [v for v in p.settings.variables if VARIABLE_NAME.fullmatch(v)]
    if DEFAULT_WAREHOUSE_VARIABLE not in variables and (
            DEFAULT_WAREHOUSE_VARIABLE in declared_variables(p)):
        variables.append(DEFAULT_WAREHOUSE_VARIABLE)
    out: dict[tuple[Location, str], Diagnostic] = {}
    for d in deployments(p) if p.intact("targets") else []:
        granted = list(dict.fromkeys(j.address for j in valid_jobs
                                     if d.permissions or j.permissions))
        orchestrated = any(j.orchestrate for j in p.jobs)  # else no orchestrator job
        if d.permissions and orchestrated:
            granted.append(names.ORCHESTRATOR)
        taken: dict[str, names.Owner] = {}
        claimed = names.claims(jobs=[j.address for j in valid_jobs],
                               destinations=p.settings.destinations, variables=variables,
                               permissions=granted, grants=_grant_addresses(p, d),
                               dashboard=p.settings.dashboard is not None,
                               orchestrator=orchestrated)
        for name, owner, _ in claimed:
            first = taken.setdefault(name, owner)
            if first == owner:
                continue
            for found in _name_clash(p, valid_jobs, name, owner, first):
                out.setdefault((found.location, found.key_path), found)
    return list(out.values())


def _grant_addresses(p: Pipeline, d: Any) -> list[str]:
    """The addresses of the Unity Catalog grants the plan adds (plan._grants): per
    principal the jobs run as and per job viewer, on the table, the view, and with
    metadata.create_schema or grants: all the schema (and the catalog)."""
    meta = d.metadata
    if meta.grants == "none":
        return []
    writers = sorted({v for job in p.jobs
                      for v in (d.run_as or (job.run_as.model_dump(exclude_none=True)
                                             if job.run_as else {})).values()})
    readers = sorted({name for grant in d.permissions for _, name in grant.principals})
    wanted = {("table", w) for w in writers} | {("view", r) for r in [*writers, *readers]}
    reach = {"objects": [], "run_as": writers, "all": [*writers, *readers]}[meta.grants]
    wanted |= {("schema", r) for r in ([*writers, *readers] if meta.create_schema else reach)}
    wanted |= {("catalog", r) for r in reach}
    slugs = names.grant_slugs([principal for _, principal in wanted])
    return [names.grant_address(securable, slugs[principal])
            for securable, principal in sorted(wanted)]


def _owner_label(p: Pipeline, jobs: list[Job], owner: names.Owner, name: str) -> str:
    kind, key, index = owner
    if kind == "reserved" and key in names.RESERVED:
        label = names.RESERVED[key]
        return label if name == key else f"an output of {label}"
    if kind == "reserved":
        return "a Unity Catalog grant brickline adds (metadata.grants)"
    if kind in ("job", "permissions"):
        job = jobs[index] if kind == "job" else next(j for j in jobs if j.address == key)
        label = f"job '{job.name}'"
        if kind == "permissions":
            return f"the permissions of {label}"
        return label if name == key else f"an output of {label}"
    if kind == "variable" and key == DEFAULT_WAREHOUSE_VARIABLE and (
            key not in p.settings.variables):
        return "the variable 'warehouse_id' (metadata.warehouse_id's default)"
    return f"the {kind} '{key}'"


def _owner_place(p: Pipeline, jobs: list[Job], owner: names.Owner,
                 ) -> tuple[Source, Path, bool] | None:
    kind, key, index = owner
    src = p.settings_source
    if kind == "job":
        job = jobs[index]
        return job.source, (*job.path, "key" if job.key else "name"), True
    if kind == "permissions":
        job = next(j for j in jobs if j.address == key)
        return (job.source, (*job.path, "permissions"), True) if job.permissions else None
    if kind == "destination" and src is not None:
        return src, ("pipeline", "destinations", key), True
    if kind == "variable" and src is not None and key in p.settings.variables:
        return src, ("pipeline", "variables", key), True
    return None


_FIX = {"job": "set a different 'key:' on the job", "permissions": "set a different 'key:' "
        "on the job", "destination": "rename the destination", "variable": "rename the "
        "variable"}


def _name_clash(p: Pipeline, jobs: list[Job], name: str, later: names.Owner,
                first: names.Owner) -> list[Diagnostic]:
    mine, other = later, first
    place = _owner_place(p, jobs, mine)
    if place is None:
        mine, other = first, later
        place = _owner_place(p, jobs, mine)
    if place is None:
        return []
    source, path, key = place
    return [source.error(path, f"the Terraform name '{name}' of "
                               f"{_owner_label(p, jobs, mine, name)} is also that of "
                               f"{_owner_label(p, jobs, other, name)}; each name in a stack "
                               f"must be unique: {_FIX[mine[0]]}", key=key)]


def renamed_from(p: Pipeline) -> list[Diagnostic]:
    """A rename becomes a `moved` block from the old address: the old address must be
    free, and two moves from one address are ambiguous to Terraform ("Ambiguous move
    statements", hashicorp/terraform internal/refactoring/move_validate.go)."""
    out = []
    addresses = {j.address for j in p.jobs}
    moved: dict[str, Job] = {}
    for job in p.jobs:
        old = job.previous_address
        if old is None:
            continue
        if old in addresses or old in names.RESERVED:
            out.append(_at(job, ("renamed_from",),
                           f"'{job.renamed_from}' has the address '{old}', which another job "
                           "or resource uses now; remove renamed_from or set 'key:'"))
        elif old in moved:
            out.append(_at(job, ("renamed_from",),
                           f"'{moved[old].name}' is already renamed from '{job.renamed_from}' "
                           f"(address '{old}'); Terraform moves one address to one place: "
                           "remove one of the two renamed_from"))
        moved.setdefault(old, job)
    return out


def job_count(p: Pipeline) -> list[Diagnostic]:
    """The orchestrator runs each job as one of its tasks: at most MAX_TASKS jobs."""
    if len(p.jobs) <= MAX_TASKS:
        return []
    job = p.jobs[MAX_TASKS]
    return [_at(job, ("name",), f"a pipeline has at most {MAX_TASKS} jobs (each is a task of "
                                f"the orchestrator job, and the Jobs API allows {MAX_TASKS} "
                                f"tasks per job); this is job {MAX_TASKS + 1}: split the "
                                "pipeline")]


def orchestrator(p: Pipeline) -> list[Diagnostic]:
    """The orchestrator is a job too: one of schedule/trigger/continuous, a valid cron,
    time zone, run_as and trigger, a name within the Jobs API's limit, tags within 25."""
    src = p.settings_source
    if src is None or not p.intact("orchestrator"):
        return []
    orch = p.settings.orchestrator
    base: Path = ("pipeline", "orchestrator")
    out: list[Diagnostic] = []
    given = [k for k in ("schedule", "trigger", "continuous") if getattr(orch, k)]
    if len(given) > 1:
        out.append(src.error((*base, given[1]), f"the orchestrator takes one of schedule, "
                                                f"trigger and continuous; it sets "
                                                f"{' and '.join(given)}", key=True))
    if orch.max_concurrent_runs > MAX_CONCURRENT_RUNS:
        out.append(src.error((*base, "max_concurrent_runs"), _too_many_runs(
            orch.max_concurrent_runs)))
    if len(p.orchestrator_name.encode()) > MAX_NAME_BYTES:
        out.append(src.error((*base, "name"), _long_name(p.orchestrator_name)))
    if orch.description is not None and len(orch.description) > MAX_DESCRIPTION:
        out.append(src.error((*base, "description"),
                             f"the description is {len(orch.description)} characters; the "
                             f"Jobs API allows {MAX_DESCRIPTION}"))

    def error(rel: Path, message: str) -> Diagnostic:
        return src.error((*base, *rel), message)

    out += _schedule(orch.schedule, error)
    out += _trigger(orch.trigger, error)
    out += _webhook_lists(orch.webhook_notifications, error)
    out += _run_as(orch.run_as, error)
    if p.intact("targets", "tags"):
        from brickline.spec.targets import deployments

        for d in deployments(p):
            tags = {**d.tags, **(orch.tags or {})}
            if len(d.tags) > MAX_TAGS:
                # the pipeline's and the target's tags alone: every job gets them
                path = ("pipeline", "targets", d.target, "tags") if d.target and (
                    p.settings.targets[d.target].tags) else ("pipeline", "tags")
                out.append(src.error(path, f"{len(d.tags)} tags" + (
                    f" in target '{d.target}'" if d.target else "") + " (the pipeline's and "
                    f"the target's together) on every job; the Jobs API allows {MAX_TAGS} "
                    "per job", key=True))
                break
            if len(tags) > MAX_TAGS:
                where = f" with target '{d.target}'" if d.target else ""
                out.append(src.error((*base, "tags"), f"{len(tags)} tags{where} on the "
                                     "orchestrator (its own, the pipeline's and the target's "
                                     f"together); the Jobs API allows {MAX_TAGS} per job",
                                     key=True))
                break
    return out


def target_settings(p: Pipeline) -> list[Diagnostic]:
    """What a target sets on every job follows the job's rules: run_as is one identity,
    autoscale's max_workers is above min_workers."""
    src = p.settings_source
    if src is None:
        return []
    out: list[Diagnostic] = []
    for name, target in p.settings.targets.items():
        base: Path = ("pipeline", "targets", name)

        def error(rel: Path, message: str, base: Path = base) -> Diagnostic:
            return src.error((*base, *rel), message)

        out += _run_as(target.run_as, error)
        scale = target.clusters.autoscale if target.clusters else None
        if scale and scale.min_workers is not None and scale.min_workers < 0:
            out.append(error(("clusters", "autoscale", "min_workers"),
                             f"bad value {scale.min_workers}: min_workers is 0 or more"))
        elif scale and scale.min_workers is not None and scale.max_workers is not None and (
                scale.max_workers <= scale.min_workers):
            out.append(error(("clusters", "autoscale", "max_workers"),
                             f"max_workers ({scale.max_workers}) must be greater than "
                             f"min_workers ({scale.min_workers}); for a fixed size write "
                             "num_workers instead of autoscale"))
    return out


def dashboard_path(p: Pipeline) -> list[Diagnostic]:
    """The dashboard's parent_path is "The workspace path of the folder containing the
    dashboard. Includes leading slash and no trailing slash." (provider 1.99.0
    docs/resources/dashboard.md:54)"""
    src, dash = p.settings_source, p.settings.dashboard
    if src is None or dash is None or not p.intact("dashboard") or "${" in dash.parent_path:
        return []
    path = dash.parent_path
    if path.startswith("/") and (path == "/" or not path.endswith("/")):
        return []
    return [src.error(("pipeline", "dashboard", "parent_path"),
                      f"bad folder {path!r}: give a workspace path with a leading '/' and no "
                      "trailing '/', such as /Shared/brickline")]


def defaults_cluster(p: Pipeline) -> list[Diagnostic]:
    """pipeline.defaults.new_cluster reaches every job cluster and task cluster: its
    workers follow a cluster's rules (see _cluster: provider 1.99.0 jobs/resource_job.go
    jobSettingsSchema num_workers IntAtLeast(0); Jobs API new_cluster.autoscale
    max_workers "strictly greater than min_workers")."""
    src = p.settings_source
    cluster = p.settings.defaults.new_cluster
    if src is None or cluster is None or not p.intact("defaults"):
        return []
    base: Path = ("pipeline", "defaults", "new_cluster")
    out: list[Diagnostic] = []
    out += worker_ranges(cluster, lambda rel, message: src.error((*base, *rel), message))
    return out


# --- the edges between jobs --------------------------------------------------------------

def job_edges(p: Pipeline, known_broken: AbstractSet[str]) -> list[Diagnostic]:
    """depends_on and on_success.trigger_job name existing jobs and make no cycle."""
    out: list[Diagnostic] = []
    job_names = {j.name for j in p.jobs}
    everything = job_names | known_broken
    for job in p.jobs:
        for i, upstream in enumerate(job.depends_on or []):
            if upstream not in everything:
                out.append(_at(job, ("depends_on", i), f"unknown job '{upstream}'"
                                                        f"{did_you_mean(upstream, job_names)}"))
        if job.on_success:
            for i, trigger in enumerate(job.on_success.trigger_job):
                if trigger.job_name not in everything:
                    out.append(_at(job, ("on_success", "trigger_job", i, "job_name"),
                                   f"unknown job '{trigger.job_name}'"
                                   f"{did_you_mean(trigger.job_name, job_names)}"))
    edges = [(a, b) for a, b in p.edges() if a in job_names and b in job_names]
    cycle = find_cycle(sorted(job_names), edges)
    if cycle:
        upstream, downstream = cycle[-2], cycle[-1]
        out.append(_edge_at(p, upstream, downstream,
                            "jobs depend on each other in a cycle: " + " -> ".join(cycle)
                            + f"; this edge ({upstream} -> {downstream}) closes it"))
    return out


def _edge_at(p: Pipeline, upstream: str, downstream: str, message: str) -> Diagnostic:
    """At the YAML that wrote the edge: the downstream's depends_on entry, or the
    upstream's on_success.trigger_job entry."""
    down = p.job_named(downstream)
    assert down is not None
    for i, name in enumerate(down.depends_on or []):
        if name == upstream:
            return _at(down, ("depends_on", i), message)
    up = p.job_named(upstream)
    assert up is not None and up.on_success is not None
    i = next(i for i, t in enumerate(up.on_success.trigger_job) if t.job_name == downstream)
    return _at(up, ("on_success", "trigger_job", i, "job_name"), message)


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


# --- job rules ---------------------------------------------------------------------------

def _at(job: Job, rel: Path, message: str) -> Diagnostic:
    return job.source.error((*job.path, *rel), message, key=bool(rel) and isinstance(rel[-1], str))


def unique_keys(ctx: JobContext) -> list[Diagnostic]:
    """task_key, job_cluster_key and environment_key are unique within a job (Jobs API:
    "must be unique within its parent job"; environment_key "has to be unique within a
    job"); brickline_status is the environment of brickline's status tasks."""
    job = ctx.job
    out = _duplicates(job, [c.job_cluster_key for c in job.job_clusters or []],
                      "job_clusters", "job_cluster_key")
    out += _duplicates(job, [e.environment_key for e in job.environments or []],
                       "environments", "environment_key")
    out += _duplicates(job, [t.task_key for t in job.tasks], "tasks", "task_key")
    for i, env in enumerate(job.environments or []):
        if env.environment_key == STATUS_ENVIRONMENT:
            out.append(ctx.at(("environments", i, "environment_key"),
                              f"the environment key '{STATUS_ENVIRONMENT}' is brickline's own "
                              "(its status tasks run there); rename this one"))
    for i, cluster in enumerate(job.job_clusters or []):
        if not TASK_KEY.fullmatch(cluster.job_cluster_key):
            out.append(ctx.at(("job_clusters", i, "job_cluster_key"),
                              f"bad job_cluster_key {cluster.job_cluster_key!r}: use letters, "
                              f"digits, '_' and '-' (1 to {MAX_KEY})"))
    return out


def _duplicates(job: Job, keys: list[str], list_name: str, field: str) -> list[Diagnostic]:
    out, seen = [], set()
    for i, key in enumerate(keys):
        if key in seen:
            out.append(_at(job, (list_name, i, field), f"duplicate {field} '{key}'"))
        seen.add(key)
    return out


def job_limits(ctx: JobContext) -> list[Diagnostic]:
    """The Jobs API's limits (see MAX_*), counting what brickline adds: its status tasks
    (two, three with recovery.skip_succeeded), its serverless environment, the name prefix
    and the tags of the pipeline and each target."""
    job, p = ctx.job, ctx.pipeline
    out: list[Diagnostic] = []
    added = 3 if p.settings.recovery.skip_succeeded else 2
    if len(job.tasks) + len(job.broken_tasks) + added > MAX_TASKS:
        out.append(ctx.at(("tasks",), f"{len(job.tasks)} tasks and brickline's {added} status "
                                      f"tasks make more than the {MAX_TASKS} tasks the Jobs "
                                      "API allows in one job: split the job"))
    if job.max_concurrent_runs is not None and not (
            0 <= job.max_concurrent_runs <= MAX_CONCURRENT_RUNS):
        out.append(ctx.at(("max_concurrent_runs",), _too_many_runs(job.max_concurrent_runs)))
    if job.description is not None and len(job.description) > MAX_DESCRIPTION:
        out.append(ctx.at(("description",), f"the description is {len(job.description)} "
                                            f"characters; the Jobs API allows {MAX_DESCRIPTION}"))
    if len(job.job_clusters or []) > MAX_JOB_CLUSTERS:
        out.append(ctx.at(("job_clusters",), f"{len(job.job_clusters or [])} job clusters; "
                                             f"the Jobs API allows {MAX_JOB_CLUSTERS} per job"))
    environments = len(job.environments or []) + (1 if _status_environment(job) else 0)
    if environments > MAX_ENVIRONMENTS:
        extra = " and brickline's status environment" if _status_environment(job) else ""
        out.append(ctx.at(("environments",), f"{len(job.environments or [])} environments"
                                             f"{extra} make more than the {MAX_ENVIRONMENTS} "
                                             "the Jobs API allows per job"))
    if not p.intact("targets", "tags"):
        return out
    reported_name = reported_tags = False
    for d in ctx.deployments:
        full = d.name_prefix + job.name
        if not reported_name and len(full.encode()) > MAX_NAME_BYTES:
            reported_name = True
            out.append(ctx.at(("name",), _long_name(full, d.target)))
        tags = {**d.tags, **(job.tags or {})}
        if not reported_tags and len(d.tags) <= MAX_TAGS < len(tags):
            reported_tags = True
            where = (f" with target '{d.target}'" if d.target else "")
            out.append(ctx.at(("tags",), f"{len(tags)} tags{where} (the job's own, the "
                                         "pipeline's and the target's together); the Jobs "
                                         f"API allows {MAX_TAGS} per job"))
    return out


def _too_many_runs(value: int) -> str:
    return (f"bad value {value}: max_concurrent_runs is 0 to {MAX_CONCURRENT_RUNS} (0 skips "
            "every new run)")


def _long_name(name: str, target: str | None = None) -> str:
    where = f" with the name_prefix of target '{target}'" if target else ""
    return (f"the job name{where} is {len(name.encode())} bytes in UTF-8; the Jobs API "
            f"allows {MAX_NAME_BYTES}")


def _status_environment(job: Job) -> bool:
    """Whether the plan gives this job brickline's serverless status environment: when no
    work task runs on a cluster (plan._status_compute, after defaults.with_only_cluster)."""
    tasks = job.tasks
    if any(t.job_cluster_key or t.existing_cluster_id or t.new_cluster for t in tasks):
        return False
    clusters = job.job_clusters or []
    named = any(getattr(t, k) for t in tasks for k in COMPUTE_KEYS)
    code = any(getattr(t, k, None) for t in tasks for k in CODE_TASK_TYPES)
    return not (len(clusters) == 1 and not named and code)


def job_parameters(ctx: JobContext) -> list[Diagnostic]:
    """Job parameter names: letters, digits, '_', '-' and '.' (PARAMETER_NAME)."""
    return [ctx.at(("parameters", i, "name"),
                   f"bad parameter name {param.name!r}: use letters, digits, '_', '-' and '.'")
            for i, param in enumerate(ctx.job.parameters or [])
            if not PARAMETER_NAME.fullmatch(param.name)]


WEBHOOK_EVENTS = tuple(api.WebhookNotifications.model_fields)


def _webhook_lists(hooks: Any, error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """Jobs API WebhookNotifications, each event: "A maximum of 3 destinations can be
    specified for the `on_start` property" (and likewise on_success, on_failure,
    on_duration_warning_threshold_exceeded, on_streaming_backlog_exceeded)."""
    if hooks is None:
        return []
    out = []
    for event in WEBHOOK_EVENTS:
        listed = getattr(hooks, event) or []
        if len(listed) > MAX_WEBHOOKS_PER_EVENT:
            out.append(error(("webhook_notifications", event),
                             f"{len(listed)} webhook destinations for {event}; the Jobs API "
                             f"allows at most {MAX_WEBHOOKS_PER_EVENT} per event"))
    return out


def webhook_limits(ctx: JobContext) -> list[Diagnostic]:
    """The job's own webhook_notifications lists (see _webhook_lists); merged with routes
    in rules_deploy._merged_destinations."""
    return _webhook_lists(ctx.job.webhook_notifications, ctx.at)


def task_webhook_limits(ctx: TaskContext) -> list[Diagnostic]:
    """A task's own webhook_notifications lists (see _webhook_lists)."""
    return _webhook_lists(getattr(ctx.task, "webhook_notifications", None), ctx.at)


def environment_versions(ctx: JobContext) -> list[Diagnostic]:
    """An environment's spec names its version: environment_version is "Required.
    Environment version used by the environment" (Jobs API JobEnvironment.spec;
    databricks-sdk-java jobs/Environment.java); `client` is its deprecated older name
    ("[DEPRECATED] Use `environment_version` instead") and still counts."""
    out = []
    for i, env in enumerate(ctx.job.environments or []):
        spec = env.spec
        if spec is None or not (spec.environment_version or spec.client):
            where: Path = ("environments", i, "spec") if spec is not None else (
                "environments", i)
            out.append(ctx.at(where, f"environment '{env.environment_key}' needs "
                                     "spec.environment_version (the serverless environment "
                                     "version, such as '2')"))
    return out


def job_clusters(ctx: JobContext) -> list[Diagnostic]:
    """Each job cluster is a valid new cluster."""
    out: list[Diagnostic] = []
    for i, cluster in enumerate(ctx.job.job_clusters or []):
        out += _cluster(ctx, ("job_clusters", i, "new_cluster"), cluster.new_cluster)
    return out


def _cluster(ctx: JobContext, rel: Path, cluster: Any) -> list[Diagnostic]:
    """A new cluster needs a node type (or a pool or policy that gives one): the Jobs API
    rejects it otherwise; workers are never negative (provider 1.99.0 jobs/resource_job.go
    jobSettingsSchema: num_workers IntAtLeast(0)); autoscale's max_workers is "strictly
    greater than min_workers" (Jobs API, new_cluster.autoscale)."""
    out = []
    if ctx.pipeline.intact("defaults"):
        effective = cluster_with_defaults(cluster.model_dump(by_alias=True, exclude_none=True),
                                          ctx.pipeline.settings.defaults)
        if not has_node_type(effective):
            out.append(ctx.at(rel, "new_cluster needs node_type_id, instance_pool_id or "
                                   "policy_id: set one here or in pipeline.yml under "
                                   "pipeline.defaults.new_cluster"))
    out += worker_ranges(cluster, lambda sub, message: ctx.at((*rel, *sub), message))
    return out


def worker_ranges(cluster: Any, error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """num_workers 0 or more; autoscale min_workers 0 or more and below max_workers
    (databricks-sdk service/compute.py AutoScale.max_workers: "Note that max_workers must be
    strictly greater than min_workers")."""
    out: list[Diagnostic] = []
    if cluster.num_workers is not None and cluster.num_workers < 0:
        out.append(error(("num_workers",), f"bad value {cluster.num_workers}: "
                                           "num_workers is 0 or more"))
    scale = cluster.autoscale
    if scale is not None:
        low, high = scale.min_workers, scale.max_workers
        if low is not None and low < 0:
            out.append(error(("autoscale", "min_workers"),
                             f"bad value {low}: min_workers is 0 or more"))
        elif low is not None and high is not None and high <= low:
            out.append(error(("autoscale", "max_workers"),
                             f"max_workers ({high}) must be greater than min_workers ({low}); "
                             "for a fixed size write num_workers instead of autoscale"))
    return out


def rollback_tables(ctx: JobContext) -> list[Diagnostic]:
    """Rollback tables are full Unity Catalog names, catalog.schema.table."""
    return [ctx.at(("rollback", "tables", i),
                   f"bad table name {table!r}: write catalog.schema.table, each part of "
                   "letters, digits, '_' and '-'")
            for i, table in enumerate(ctx.job.rollback.tables if ctx.job.rollback else [])
            if not TABLE_NAME.fullmatch(table)]


def task_cycle(ctx: JobContext) -> list[Diagnostic]:
    """Tasks' depends_on make no cycle; reported at the depends_on entry that closes it."""
    job = ctx.job
    cycle = find_cycle([t.task_key for t in job.tasks],
                       [(d.task_key, t.task_key) for t in job.tasks
                        for d in t.depends_on or [] if d.task_key in ctx.tasks])
    if not cycle:
        return []
    upstream, downstream = cycle[-2], cycle[-1]
    index = next(i for i, t in enumerate(job.tasks) if t.task_key == downstream)
    dep = next(i for i, d in enumerate(job.tasks[index].depends_on or [])
               if d.task_key == upstream)
    return [ctx.at(("tasks", index, "depends_on", dep, "task_key"),
                   "tasks depend on each other in a cycle: " + " -> ".join(cycle)
                   + f"; this depends_on ({downstream} on {upstream}) closes it")]


def job_triggers(ctx: JobContext) -> list[Diagnostic]:
    """schedule, trigger and continuous exclude each other (provider 1.99.0
    jobs/resource_job.go:589-591 ConflictsWith); a schedule's cron and time zone, a
    trigger's kind, run_as and git_source are each valid."""
    job = ctx.job
    out = []
    given = [k for k in ("schedule", "trigger", "continuous") if getattr(job, k)]
    if len(given) > 1:
        out.append(ctx.at((given[1],), f"a job takes one of schedule, trigger and continuous;"
                                       f" this one sets {' and '.join(given)}"))
    out += _schedule(job.schedule, ctx.at)
    out += _trigger(job.trigger, ctx.at)
    out += _run_as(job.run_as, ctx.at)
    raw_git = job.raw.get("git_source")
    out += _git_source(job.git_source, ctx.at, raw_git if isinstance(raw_git, dict) else {})
    return out


def _schedule(schedule: api.Schedule | None,
              error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """Quartz cron and Java time zone (brickline.spec.quartz has the sources)."""
    if schedule is None:
        return []
    out = []
    cron = schedule.quartz_cron_expression
    problem = None if "${" in cron else quartz.cron_problem(cron)
    if problem:
        out.append(error(("schedule", "quartz_cron_expression"), problem))
    zone = schedule.timezone_id
    problem = None if "${" in zone else quartz.time_zone_problem(zone)
    if problem:
        out.append(error(("schedule", "timezone_id"), problem))
    return out


def _trigger(trigger: api.Trigger | None,
             error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """provider 1.99.0 jobs/resource_job.go:593-602: exactly one of file_arrival,
    table_update, periodic; periodic interval >= 1 and unit DAYS, HOURS or WEEKS;
    file_arrival url not empty; table_update at least one table."""
    if trigger is None:
        return []
    kinds = [k for k in ("file_arrival", "table_update", "periodic") if getattr(trigger, k)]
    if len(kinds) != 1:
        return [error(("trigger",), "a trigger is exactly one of file_arrival, table_update "
                                    f"and periodic; this one has {' and '.join(kinds) or 'none'}")]
    out = []
    periodic = trigger.periodic
    if periodic is not None:
        if periodic.interval < 1:
            out.append(error(("trigger", "periodic", "interval"),
                             f"bad value {periodic.interval}: the interval is 1 or more"))
        if periodic.unit not in PERIODIC_UNITS:
            close = [u for u in PERIODIC_UNITS if u.lower() == periodic.unit.lower()
                     or u.lower() == periodic.unit.lower() + "s"]
            hint = f" (did you mean '{close[0]}'?)" if close else did_you_mean(
                periodic.unit, PERIODIC_UNITS)
            out.append(error(("trigger", "periodic", "unit"),
                             f"bad value {periodic.unit!r}: expected one of "
                             f"{', '.join(PERIODIC_UNITS)}{hint}"))
    if trigger.file_arrival is not None and not trigger.file_arrival.url:
        out.append(error(("trigger", "file_arrival", "url"), "the url is empty: give the "
                                                             "storage location to watch"))
    if trigger.table_update is not None and not trigger.table_update.table_names:
        out.append(error(("trigger", "table_update", "table_names"),
                         "give at least one table to watch"))
    # Jobs API TableUpdateTriggerConfiguration.table_names: "The table name must be in the
    # format `catalog_name.schema_name.table_name`"; min_time_between_triggers_seconds and
    # wait_after_last_change_seconds of both triggers: "The minimum allowed value is 60
    # seconds" (databricks-sdk-py service/jobs.py; provider docs/resources/job.md)
    for i, table in enumerate(trigger.table_update.table_names
                              if trigger.table_update is not None else []):
        parts = table.split(".")
        if "${" not in table and "`" not in table and (
                len(parts) != 3 or not all(x.strip() for x in parts)):
            out.append(error(("trigger", "table_update", "table_names", i),
                             f"bad table {table!r}: give the full name "
                             "catalog.schema.table"))
    for kind in ("file_arrival", "table_update"):
        config = getattr(trigger, kind)
        for key in ("min_time_between_triggers_seconds", "wait_after_last_change_seconds"):
            value = getattr(config, key, None) if config is not None else None
            if isinstance(value, int) and value < MIN_TRIGGER_SECONDS:
                out.append(error(("trigger", kind, key),
                                 f"bad value {value}: {key} is at least "
                                 f"{MIN_TRIGGER_SECONDS} (Jobs API)"))
    return out


def _run_as(run_as: api.RunAs | None,
            error: Callable[[Path, str], Diagnostic]) -> list[Diagnostic]:
    """provider 1.99.0 jobs/resource_job.go:628-631: run_as is exactly one of user_name and
    service_principal_name."""
    if run_as is None:
        return []
    given = [k for k in ("user_name", "service_principal_name") if getattr(run_as, k)]
    if len(given) == 1:
        return []
    return [error(("run_as",), "run_as is exactly one of user_name and "
                               f"service_principal_name; this one has "
                               f"{' and '.join(given) or 'none'}")]


def _git_source(git: api.GitSource | None, error: Callable[[Path, str], Diagnostic],
                written: dict[str, Any]) -> list[Diagnostic]:
    """provider 1.99.0 jobs/resource_job.go gitSourceSchema (:926-931): url is an https URL;
    branch, tag and commit exclude each other; and Create (:806-811) needs one of them
    when no provider is given. Keys are named as the YAML spells them (git_url or url)."""
    if git is None:
        return []

    provider_words = "url" in written and "git_url" not in written

    def name(field: str) -> str:  # the Jobs API's git_x or the provider's x, as written
        if field in written or field[4:] in written:
            return field if field in written else field[4:]
        return field[4:] if provider_words else field

    out = []
    if "${" not in git.git_url and not re.fullmatch(r"https://[^/\s]+(/\S*)?", git.git_url):
        out.append(error(("git_source", name("git_url")), f"bad url {git.git_url!r}: give the "
                                                          "repository's https:// URL"))
    refs = [name(k) for k in ("git_branch", "git_tag", "git_commit") if getattr(git, k)]
    if len(refs) > 1:
        out.append(error(("git_source", refs[1]), "git_source takes one of "
                         f"{', '.join(name(k) for k in ('git_branch', 'git_tag'))} and "
                         f"{name('git_commit')}; this one sets {' and '.join(refs)}"))
    elif not refs and git.git_provider is None:
        # the provider refuses it only when it has to guess the provider from the url
        out.append(error(("git_source",), f"git_source needs one of {name('git_branch')}, "
                                          f"{name('git_tag')} and {name('git_commit')}"))
    return out


# --- task rules --------------------------------------------------------------------------

def task_key(ctx: TaskContext) -> list[Diagnostic]:
    """task_key's format (TASK_KEY); keys starting with brickline_ are brickline's own."""
    key = ctx.task.task_key
    if not TASK_KEY.fullmatch(key):
        return [ctx.at(("task_key",), f"bad task_key {key!r}: use letters, digits, '_' and "
                                      f"'-' (1 to {MAX_KEY})")]
    if key.startswith(RESERVED_TASK_PREFIX) and not ctx.nested:
        return [ctx.at(("task_key",), f"task keys starting with '{RESERVED_TASK_PREFIX}' are "
                                      f"brickline's own (its status tasks); rename '{key}'")]
    return []


def task_type(ctx: TaskContext) -> list[Diagnostic]:
    """A task has exactly one task type (provider: tf:"group:task_type")."""
    task = ctx.task
    types = [t for t in (NESTED_TASK_TYPES if ctx.nested else TASK_TYPES) if getattr(task, t)]
    if not types:
        return [ctx.at(("task_key",), "the task has no task type: give it one of "
                                      "notebook_task, spark_python_task, python_wheel_task, "
                                      "sql_task, run_job_task, ...")]
    if len(types) > 1:
        return [ctx.at((types[1],), f"a task has exactly one task type; this one has "
                                    f"{' and '.join(types)}")]
    return []


def task_compute(ctx: TaskContext) -> list[Diagnostic]:
    """One compute per task; the job cluster and environment it names exist."""
    task, job = ctx.task, ctx.job
    out = []
    compute = [k for k in COMPUTE_KEYS if getattr(task, k)]
    if len(compute) > 1:
        out.append(ctx.at((compute[1],), f"a task runs on one compute; this one sets "
                                         f"{' and '.join(compute)}"))
    if task.job_cluster_key and task.job_cluster_key not in job.clusters:
        out.append(ctx.at(("job_cluster_key",),
                          f"unknown job cluster '{task.job_cluster_key}'"
                          f"{did_you_mean(task.job_cluster_key, job.clusters)}: define it "
                          "under job_clusters"))
    if task.environment_key and task.environment_key not in job.environments:
        out.append(ctx.at(("environment_key",),
                          f"unknown environment '{task.environment_key}'"
                          f"{did_you_mean(task.environment_key, job.environments)}: define "
                          "it under environments"))
    if task.new_cluster is not None:
        out += _cluster(job, (*ctx.rel, "new_cluster"), task.new_cluster)
    return out


# Task types that run code and take no compute of their own: databricks/cli
# bundle/config/validate/job_task_cluster_spec.go (isComputeTask; a notebook task may use
# the notebook's environment); Jobs API Task.environment_key: "required for Python script,
# Python wheel and dbt tasks when using serverless compute".
NEEDS_COMPUTE = ("python_wheel_task", "dbt_task", "spark_jar_task", "spark_submit_task",
                 "spark_python_task")


def task_needs_compute(ctx: TaskContext) -> list[Diagnostic]:
    """A task that runs code other than a notebook names its compute (a job cluster, an
    existing or new cluster, or a serverless environment), unless the job has exactly one
    job cluster and no task names any compute: then brickline puts it there
    (defaults.with_only_cluster)."""
    task, job = ctx.task, ctx.job.job
    kinds = [t for t in (NESTED_TASK_TYPES if ctx.nested else TASK_TYPES) if getattr(task, t)]
    kind = kinds[0] if len(kinds) == 1 else None  # else task_type's message says it
    if kind not in NEEDS_COMPUTE or any(getattr(task, k, None) for k in COMPUTE_KEYS):
        return []
    clusters = job.job_clusters or []
    if len(clusters) == 1 and not any(getattr(t, k) for t in job.tasks for k in COMPUTE_KEYS):
        return []
    assert kind is not None
    return [ctx.at((kind,), f"a {kind} needs compute: set job_cluster_key, "
                            "existing_cluster_id or new_cluster, or environment_key to run "
                            "serverless (with the environment under the job's environments)")]


def task_dependencies(ctx: TaskContext) -> list[Diagnostic]:
    """depends_on names tasks of the job; `outcome` only after a condition task, and is
    "true" or "false"."""
    if ctx.nested:
        return []
    out = []
    job = ctx.job
    for d, dep in enumerate(ctx.task.depends_on or []):
        upstream = job.tasks.get(dep.task_key)
        if upstream is None and dep.task_key in job.job.broken_tasks:
            continue
        if upstream is None:
            out.append(ctx.at(("depends_on", d, "task_key"),
                              f"unknown task '{dep.task_key}'"
                              f"{did_you_mean(dep.task_key, job.tasks)}"))
        elif dep.outcome is not None and upstream.condition_task is None:
            out.append(ctx.at(("depends_on", d, "outcome"),
                              f"'outcome' applies only to a condition_task; "
                              f"'{dep.task_key}' is not one"))
        elif dep.outcome is not None and dep.outcome not in ("true", "false"):
            out.append(ctx.at(("depends_on", d, "outcome"),
                              f"bad value {dep.outcome!r}: expected \"true\" or \"false\""))
    return out


def condition_retries(ctx: TaskContext) -> list[Diagnostic]:
    """Jobs API (Task.condition_task): "The condition task does not require a cluster to
    execute and does not support retries or notifications"."""
    task = ctx.task
    if task.condition_task is None or not task.max_retries:
        return []
    return [ctx.at(("max_retries",), "a condition_task does not retry (Jobs API): remove "
                                     "max_retries")]


def for_each(ctx: TaskContext) -> list[Diagnostic]:
    """for_each_task: inputs is "a JSON string or a reference to an array parameter"
    (Jobs API, ForEachTask.inputs)."""
    task = ctx.task
    if ctx.nested or task.for_each_task is None:
        return []
    out = []  # retries on the outer task: rules_workspace._for_each_retries
    inputs = task.for_each_task.inputs.strip()
    if not (inputs.startswith("{{") or "${" in inputs):
        try:
            parsed = json.loads(inputs)
        except ValueError:
            parsed = None
        if not isinstance(parsed, list):
            out.append(ctx.at(("for_each_task", "inputs"),
                              f"bad inputs {task.for_each_task.inputs!r}: give a JSON array "
                              "as a string, such as '[\"a\", \"b\"]' or '[1, 2, 3]', or a "
                              "reference such as '{{job.parameters.items}}'"))
    return out


def git_needs_source(ctx: TaskContext) -> list[Diagnostic]:
    """source: GIT reads the file "from a Git repository defined in `git_source`" (Jobs API
    NotebookTask.source, SparkPythonTask.source, DbtTask.source, SqlTask.file.source;
    databricks-sdk-go service/jobs/model.go): a job without git_source has no repository
    to read it from."""
    task = ctx.task
    sql = task.sql_task
    parts = ((("notebook_task",), task.notebook_task),
             (("spark_python_task",), task.spark_python_task),
             (("dbt_task",), task.dbt_task),
             (("sql_task", "file"), sql.file if sql is not None else None))
    if all(part is None or part.source != "GIT" for _, part in parts) or (
            ctx.job.job.git_source is not None):
        return []
    out = []
    for rel, part in parts:
        if part is not None and part.source == "GIT":
            out.append(ctx.at((*rel, "source"), "source: GIT reads the file from the job's "
                                                "git_source, and this job has none: add "
                                                "git_source to the job, or remove source"))
    return out


def dbt_commands(ctx: TaskContext) -> list[Diagnostic]:
    """dbt_task.commands: "A list of dbt commands to execute. All commands must start with
    `dbt`. This parameter must not be empty. A maximum of up to 10 commands can be
    provided." (Jobs API DbtTask.commands; databricks-sdk-go service/jobs/model.go)"""
    task = ctx.task.dbt_task
    if task is None:
        return []
    commands = task.commands
    if not commands:
        return [ctx.at(("dbt_task", "commands"), "dbt_task needs at least one command, such "
                                                 "as 'dbt run'")]
    if len(commands) > MAX_DBT_COMMANDS:
        return [ctx.at(("dbt_task", "commands"), f"{len(commands)} dbt commands; the Jobs "
                                                 f"API allows {MAX_DBT_COMMANDS} per task: "
                                                 "split the task")]
    return [ctx.at(("dbt_task", "commands", i), f"bad dbt command {command!r}: every "
                                                "command starts with 'dbt', such as "
                                                f"'dbt {command.strip()}'")
            for i, command in enumerate(commands)
            if command.split()[:1] != ["dbt"] and "${" not in command]


PIPELINE_RULES: tuple[PipelineRule, ...] = (
    pipeline_name,
    metadata_names,
    variable_names,
    templates,
    unique_job_names,
    terraform_names,
    renamed_from,
    job_count,
    orchestrator,
    target_settings,
    defaults_cluster,
    dashboard_path,
)
JOB_RULES: tuple[JobRule, ...] = (
    unique_keys,
    job_limits,
    job_parameters,
    webhook_limits,
    environment_versions,
    job_clusters,
    rollback_tables,
    task_cycle,
    job_triggers,
)
TASK_RULES: tuple[TaskRule, ...] = (
    task_key,
    task_type,
    task_compute,
    task_needs_compute,
    task_dependencies,
    condition_retries,
    for_each,
    dbt_commands,
    git_needs_source,
    task_webhook_limits,
)
