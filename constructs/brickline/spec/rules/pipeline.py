"""Rules over a whole pipeline and across pipelines: names, the metadata table, the
orchestrator, targets, the dashboard and the defaults."""

from __future__ import annotations

from typing import Any

from brickline import names
from brickline.spec import rules_grants
from brickline.spec.diagnostics import Diagnostic, Location, Path
from brickline.spec.model import Job, Pipeline
from brickline.spec.rules.cluster import worker_ranges
from brickline.spec.rules.context import job_at, settings_where
from brickline.spec.rules.job import (
    long_name,
    run_as_problems,
    too_many_runs,
    webhook_list_problems,
)
from brickline.spec.rules.limits import (
    ADDRESS,
    MAX_CONCURRENT_RUNS,
    MAX_DESCRIPTION,
    MAX_KEY,
    MAX_NAME_BYTES,
    MAX_TAGS,
    MAX_TASKS,
    NAME_PART,
    PIPELINE_NAME,
    RESERVED_SCHEMA,
    RESERVED_TASK_PREFIX,
    UC_MAX,
)
from brickline.spec.rules.schedule import schedule_problems, trigger_problems
from brickline.spec.yamlsource import Source


def check_across(pipelines: list[Pipeline]) -> list[Diagnostic]:
    """Stack names, metadata tables and status views must not collide between pipelines,
    nor between the targets of one pipeline that deploy to the same workspace. Unity
    Catalog stores names lowercase, so tables are compared lowercase."""
    from brickline.spec.targets import deployments

    out: list[Diagnostic] = []
    by_name: dict[str, Pipeline] = {}
    by_stack: dict[str, str] = {}
    # (host, table lowercase) -> the first stack's key, label, spelling, place and path
    by_table: dict[tuple[str | None, str],
                   tuple[tuple[int, str | None], str, str, Location, str]] = {}
    told: set[tuple[int, str | None]] = set()
    for p in pipelines:
        where = settings_where(p, ("pipeline", "name"))
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
            path = ("pipeline", "targets", d.target, "metadata") if d.target else (
                "pipeline", "metadata")
            here = settings_where(p, path)
            me = (id(p), d.target)
            for kind, table in (("metadata table", meta.full_name), ("status view", view)):
                lowered = table.lower()
                first = by_table.setdefault((d.host, lowered),
                                            (me, label, table, here, ".".join(path)))
                other_key, other, spelled, there, other_path = first
                # the view's name derives from the table's: one clash, one message each
                if other_key == me or me in told:
                    continue
                # at every stack involved: which one changed last, the YAML cannot say (two
                # pipelines of one name: at the second, beside that message)
                told.add(me)
                out.append(Diagnostic(here, ".".join(path), _shared(kind, table, label, other,
                                                                     spelled)))
                if other_key not in told and not duplicate:
                    told.add(other_key)
                    out.append(Diagnostic(there, other_path, _shared(kind, spelled, other,
                                                                     label, table)))
    return out + rules_grants.check(pipelines)


def _shared(kind: str, table: str, label: str, other: str, spelled: str) -> str:
    return (f"the {kind} {table} of {label} is also created by {other}" + (
        f" as {spelled} (Unity Catalog names ignore case)" if spelled != table else "")
        + "; give each its own with metadata.table (or schema, or view), or a different "
        "host")


def pipeline_name(p: Pipeline) -> list[Diagnostic]:
    """The pipeline's name names the Terraform stack (cdktf refuses whitespace in a stack
    id), the state file and the status program's folder."""
    if PIPELINE_NAME.fullmatch(p.name) or not p.intact("name"):
        return []
    where = settings_where(p, ("pipeline", "name"))
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
        if value is not None and "${" not in value and not NAME_PART.fullmatch(value):
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
        if value is not None and "${" not in value and not NAME_PART.fullmatch(value):
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


def unique_job_names(p: Pipeline) -> list[Diagnostic]:
    """Job names are how jobs refer to each other; `key:` is a Terraform name and an
    orchestrator task key; the orchestrator's name is taken."""
    out: list[Diagnostic] = []
    seen: dict[str, Job] = {}
    for job in p.jobs:
        if job.name in seen:
            first = seen[job.name]
            out.append(job_at(job, ("name",), f"duplicate job name '{job.name}' (first at "
                                           f"{first.source.where((*first.path, 'name'))})"))
        seen.setdefault(job.name, job)
        if job.key is not None and not ADDRESS.fullmatch(job.key):
            out.append(job_at(job, ("key",), f"bad key {job.key!r}: start with a letter or '_' "
                                          "and use letters, digits, '_' and '-' (at most "
                                          f"{MAX_KEY})"))
        elif job.key is None and len(job.address) > MAX_KEY and (
                len(job.name.encode()) <= MAX_NAME_BYTES):  # else the name's own message
            out.append(job_at(job, ("name",), f"the key brickline derives from this name is "
                                           f"{len(job.address)} characters, and it is the "
                                           "job's task key in the orchestrator, where the Jobs "
                                           f"API allows {MAX_KEY}: set a shorter 'key:'"))
        if job.orchestrate and job.address.startswith(RESERVED_TASK_PREFIX) and (
                job.address not in names.RESERVED):  # else the collision says it
            # the job's address is its task key in the orchestrator, beside brickline's
            # own first task (status.START_TASK)
            where = ("key",) if job.key is not None else ("name",)
            out.append(job_at(job, where, f"this job's key '{job.address}' is its task key in "
                                          "the orchestrator, and task keys starting with "
                                          f"'{RESERVED_TASK_PREFIX}' are brickline's own "
                                          "(the orchestrator's first task): set a 'key:' "
                                          "that does not start with it"))
        if job.renamed_from is not None and job.key is not None:
            out.append(job_at(job, ("renamed_from",), "a job with 'key:' keeps its address "
                                                  "through a rename: drop renamed_from"))
        if job.name == p.orchestrator_name and p.intact("orchestrator", "name") and any(
                j.orchestrate for j in p.jobs):  # without orchestrated jobs, no orchestrator
            out.append(job_at(job, ("name",), f"'{job.name}' is the orchestrator's name; rename "
                                           "the job or set pipeline.orchestrator.name"))
    return out


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
            out.append(job_at(job, ("renamed_from",),
                           f"'{job.renamed_from}' has the address '{old}', which another job "
                           "or resource uses now; remove renamed_from or set 'key:'"))
        elif old in moved:
            out.append(job_at(job, ("renamed_from",),
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
    return [job_at(job, ("name",), f"a pipeline has at most {MAX_TASKS} jobs (each is a task of "
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
        out.append(src.error((*base, "max_concurrent_runs"), too_many_runs(
            orch.max_concurrent_runs)))
    if len(p.orchestrator_name.encode()) > MAX_NAME_BYTES:
        out.append(src.error((*base, "name"), long_name(p.orchestrator_name)))
    if orch.description is not None and len(orch.description) > MAX_DESCRIPTION:
        out.append(src.error((*base, "description"),
                             f"the description is {len(orch.description)} characters; the "
                             f"Jobs API allows {MAX_DESCRIPTION}"))

    def error(rel: Path, message: str) -> Diagnostic:
        return src.error((*base, *rel), message)

    out += schedule_problems(orch.schedule, error)
    out += trigger_problems(orch.trigger, error)
    out += webhook_list_problems(orch.webhook_notifications, error)
    out += run_as_problems(orch.run_as, error)
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

        def cluster_error(rel: Path, message: str, base: Path = base) -> Diagnostic:
            return src.error((*base, "clusters", *rel), message)

        out += run_as_problems(target.run_as, error)
        if target.clusters is not None:
            out += worker_ranges(target.clusters, cluster_error)
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
