"""What a pipeline provisions, as plain data in the provider's names (no jsii here).

The constructs turn a StackPlan into cdktf resources one to one; everything that decides a
value (defaults, ordering, the orchestrator's edges, the log table's columns) is here, so
it is tested in plain Python and the same for `synth`, `graph` and a review.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from brickline import names
from brickline.runtime import status
from brickline.runtime.views import status_view_sql
from brickline.spec import localfiles
from brickline.spec.defaults import (
    cluster_with_defaults,
    task_with_defaults,
    unused_only_cluster,
    with_access_mode,
    with_only_cluster,
)
from brickline.spec.model import BACKEND_KINDS, EVENTS, RUN_KEY, Job, Pipeline, TaskDefaults
from brickline.spec.targets import Deployment, deployments

EXTENSION_KEYS = {"key", "depends_on", "on_success", "rollback", "renamed_from", "notifications",
                  "warn_after", "permissions", "orchestrate", "import_id"}
METADATA_COLUMNS = status.COLUMNS
STATUS_TIMEOUT_SECONDS = 1800


@dataclass(frozen=True)
class Ref:
    """An attribute of another resource of the same stack (a token once synthesized)."""

    address: str
    attribute: str
    number: bool = False


def JobRef(address: str) -> Ref:
    """The id of another job of the same stack, as a number (run_job_task.job_id)."""
    return Ref(address, "id", number=True)


# brickline's status notebook, one per stack (a databricks_notebook in StackPlan.resources)
STATUS_NOTEBOOK = Ref(names.STATUS_FILE, "path")


@dataclass
class JobPlan:
    address: str
    name: str
    settings: dict[str, Any]  # databricks_job arguments, provider names, sorted lists
    upstream: list[str] = field(default_factory=list)  # addresses of jobs it waits for
    moved_from: str | None = None  # the address before a rename: a `moved` block
    import_id: str | None = None  # an existing job's id to adopt: an `import` block


@dataclass
class TablePlan:
    address: str
    settings: dict[str, Any]
    depends_on: list[str] = field(default_factory=list)
    protect: bool = False  # lifecycle.prevent_destroy: dropping it would lose rows


@dataclass
class VariablePlan:
    name: str
    description: str | None
    default: str | None
    sensitive: bool


@dataclass
class ResourcePlan:
    """Any other resource: its Terraform type's arguments, in the provider's names."""

    address: str
    settings: dict[str, Any]
    # the Terraform type (e.g. "databricks_grants"); the constructs look up the provider
    # class in tf.RESOURCE_CLASSES (resources) or tf.DATA_CLASSES (data sources)
    type: str = ""
    depends_on: list[str] = field(default_factory=list)  # addresses of this stack
    moved_from: str | None = None  # "<type>.<old address>": a `moved` block


@dataclass
class StackPlan:
    name: str
    jobs: list[JobPlan]
    # None: no job runs from the orchestrator (every job has `orchestrate: false` and keeps
    # its own schedule, e.g. a bundle file's scheduled job), so there is no orchestrator job
    orchestrator: JobPlan | None
    table: TablePlan
    view: TablePlan
    variables: list[VariablePlan]
    pipeline: str = ""
    target: str | None = None
    host: str | None = None
    backend: tuple[str, dict[str, Any]] | None = None  # None: the default local file
    destinations: list[ResourcePlan] = field(default_factory=list)
    permissions: list[ResourcePlan] = field(default_factory=list)
    dashboard: ResourcePlan | None = None
    # more resources and data sources of any type, built generically (see ResourcePlan.type)
    resources: list[ResourcePlan] = field(default_factory=list)
    data_sources: list[ResourcePlan] = field(default_factory=list)

    @property
    def all_jobs(self) -> list[JobPlan]:
        """The jobs, then the orchestrator when there is one."""
        return [*self.jobs, *([self.orchestrator] if self.orchestrator else [])]


def plans(pipeline: Pipeline) -> list[StackPlan]:
    """One stack per deployment: per target, or one for a pipeline without targets."""
    return [_workspace(_stack(d), d) for d in deployments(pipeline)]


def plan(pipeline: Pipeline, target: str | None = None) -> StackPlan:
    """The stack of one target (default: the first, or the only deployment)."""
    chosen = [d for d in deployments(pipeline) if target is None or d.target == target]
    if not chosen:
        raise KeyError(f"pipeline {pipeline.name} has no target {target!r}")
    return _workspace(_stack(chosen[0]), chosen[0])


def _stack(d: Deployment) -> StackPlan:
    uploads: dict[str, ResourcePlan] = {}
    jobs = [_job(job, d, uploads) for job in d.jobs]
    orchestrated = {j.address for j in d.jobs if j.orchestrate}
    orchestrator = _orchestrator(d, [j for j in jobs if j.address in orchestrated]) \
        if orchestrated else None
    return StackPlan(
        name=d.stack_name,
        pipeline=d.pipeline.name,
        target=d.target,
        host=d.host,
        jobs=sorted(jobs, key=lambda j: j.address),
        orchestrator=orchestrator,
        table=_table(d),
        view=_view(d),
        variables=_variables(d),
        backend=_backend(d),
        destinations=_destinations(d),
        dashboard=_dashboard(d),
        resources=[_status_notebook(d), *(uploads[a] for a in sorted(uploads))],
    )


destination_address = names.destination_address


def _job(job: Job, d: Deployment, uploads: dict[str, ResourcePlan]) -> JobPlan:
    pipeline = d.pipeline
    settings = job.model_dump(by_alias=True, exclude_none=True, exclude=EXTENSION_KEYS)
    _upload_local_files(job, settings, d, uploads)
    settings["name"] = d.name_prefix + job.name
    defaults = pipeline.settings.defaults
    clusters = unused_only_cluster(settings)
    settings["task"] = sort_tasks([_task(t, defaults, clusters, d)
                                   for t in settings.get("task", [])])
    for cluster in settings.get("job_cluster", []):
        cluster["new_cluster"] = _cluster(cluster["new_cluster"], defaults, d)
    tags = {**d.tags, **settings.get("tags", {})}
    if tags:
        settings["tags"] = dict(sorted(tags.items()))
    parameters = settings.get("parameter", [])
    if not any(p["name"] == RUN_KEY for p in parameters):
        # the orchestrator passes run_key to every job; a job must declare it to accept it.
        # A job the orchestrator does not run logs under a run_key of its own, so that its
        # rows never mix with (or, with skip_succeeded, skip) a pipeline run's
        own_key = f"{job.address}-{{{{job.run_id}}}}"
        parameters.append({"name": RUN_KEY, "default": d.orchestrator.run_key
                           if job.orchestrate else own_key})
    settings["parameter"] = parameters
    own = job.notifications.model_dump() if job.notifications else {}
    inherited = d.routes.model_dump() if d.routes else {}
    routes = {e: own[e] if own.get(e) is not None else inherited.get(e) for e in EVENTS}
    _route(settings, routes, job.warn_after or pipeline.settings.warn_after)
    _deployment_settings(settings, d)
    _add_status_tasks(job, d, settings)
    _sort_webhooks(settings)
    upstream = _upstream(pipeline).get(job.address, [])
    return JobPlan(address=job.address, name=job.name, settings=settings, upstream=upstream,
                   moved_from=job.previous_address,
                   import_id=str(job.import_id) if job.import_id is not None else None)


def _upload_local_files(job: Job, settings: dict[str, Any], d: Deployment,
                        uploads: dict[str, ResourcePlan]) -> None:
    """Each relative code path of the job (spec/localfiles.py) becomes an upload under the
    stack's workspace folder, and the task refers to the uploaded copy."""
    folder = f"{d.metadata.workspace_dir.rstrip('/')}/{d.stack_name}/{localfiles.UPLOAD_DIR}"
    for ref in list(localfiles.local_refs(settings, tasks="task", libraries="library",
                                          environments="environment")):
        found = localfiles.matches(job, ref.value)
        if len(found) != 1:
            continue  # validation reported it
        up = localfiles.upload(found[0], folder, ref.notebook)
        address = up.address
        while address in uploads and uploads[address].settings["path"] != up.settings["path"]:
            address += "_"  # two paths that spell the same address
        uploads[address] = ResourcePlan(address, up.settings, type=up.type)
        container: Any = settings
        for part in ref.path[:-1]:
            container = container[part]
        container[ref.path[-1]] = Ref(address, up.attribute)


_UPSTREAM: list[tuple[Pipeline, dict[str, list[str]]]] = []


def _upstream(pipeline: Pipeline) -> dict[str, list[str]]:
    """Job address -> addresses of the jobs it waits for, once per pipeline (not once per
    job: that was quadratic, a second and a half of a 1000-job synth). By address: the
    edges name jobs as written, and a target may fill ${bundle.target} into a name."""
    if _UPSTREAM and _UPSTREAM[0][0] is pipeline:
        return _UPSTREAM[0][1]
    by_name = {j.name: j.address for j in pipeline.jobs}
    found: dict[str, set[str]] = {}
    for a, b in pipeline.edges():
        found.setdefault(by_name[b], set()).add(by_name[a])
    _UPSTREAM[:] = [(pipeline, {name: sorted(ups) for name, ups in found.items()})]
    return _UPSTREAM[0][1]


def _deployment_settings(settings: dict[str, Any], d: Deployment) -> None:
    """What a target sets on every job and the orchestrator: run_as, paused schedules."""
    if d.run_as:
        settings["run_as"] = dict(d.run_as)
    if d.paused:
        for key in ("schedule", "trigger", "continuous"):
            if key in settings:
                settings[key] = {**settings[key], "pause_status": "PAUSED"}


def _cluster(cluster: dict[str, Any], defaults: TaskDefaults, d: Deployment) -> dict[str, Any]:
    # a Unity Catalog access mode unless the YAML or a policy sets one: the status tasks
    # write a three-part table name (spec/defaults.py: DEFAULT_ACCESS_MODE)
    cluster = with_access_mode(cluster_with_defaults(cluster, defaults))
    if d.clusters is not None:
        override = d.clusters.model_dump(exclude_none=True)
        if "num_workers" in override:
            cluster.pop("autoscale", None)
        if "autoscale" in override:
            cluster.pop("num_workers", None)
        cluster = {**cluster, **override}
    return cluster


def _route(block: dict[str, Any], routes: dict[str, Any], warn_after: int | None) -> None:
    """Routes (emails and destination names per event) into a job's or a task's
    email_notifications and webhook_notifications; warn_after into its health rules."""
    for event in EVENTS:
        for who in routes.get(event) or []:
            if "@" in who:
                emails = block.setdefault("email_notifications", {}).setdefault(event, [])
                if who not in emails:
                    emails.append(who)
            else:
                hooks = block.setdefault("webhook_notifications", {}).setdefault(event, [])
                ref = {"id": Ref(destination_address(who), "id")}
                if ref not in hooks:
                    hooks.append(ref)
    if warn_after is not None:
        rules = block.setdefault("health", {}).setdefault("rules", [])
        if not any(r.get("metric") == "RUN_DURATION_SECONDS" for r in rules):
            rules.append({"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN",
                          "value": warn_after})


def _task(task: dict[str, Any], defaults: TaskDefaults, clusters: list[str],
          d: Deployment) -> dict[str, Any]:
    routes = task.pop("notifications", None) or {}
    warn_after = task.pop("warn_after", None)
    task = with_only_cluster(task_with_defaults(task, defaults), clusters)
    if "new_cluster" in task:
        task["new_cluster"] = _cluster(task["new_cluster"], defaults, d)
    if "for_each_task" in task:
        nested = _task(task["for_each_task"]["task"], defaults, clusters, d)
        task["for_each_task"] = {**task["for_each_task"], "task": nested}
    _route(task, routes, warn_after)
    _sort_webhooks(task)
    return task


def _add_status_tasks(job: Job, d: Deployment, settings: dict[str, Any]) -> None:
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
    # the orchestrator passes its repair count down (its run_job_task job_parameters); a
    # job it runs declares it to accept it (0 when the job runs on its own). A job outside
    # the orchestrator has no such parameter: its widget is a plain 0, since a reference to
    # an undeclared job parameter would fail the task
    repair = "0"
    if job.orchestrate:
        repair = f"{{{{job.parameters.{status.ORCHESTRATOR_REPAIR}}}}}"
        if not any(p["name"] == status.ORCHESTRATOR_REPAIR for p in settings["parameter"]):
            settings["parameter"].append({"name": status.ORCHESTRATOR_REPAIR, "default": "0"})
    common = {
        status.PIPELINE: pipeline.name, status.JOB_NAME: job.name,
        status.TABLE: meta.full_name, status.JOB_ID: "{{job.id}}",
        status.RUN_ID: "{{job.run_id}}", status.RUN_KEY: f"{{{{job.parameters.{RUN_KEY}}}}}",
        status.REPAIR_COUNT: "{{job.repair_count}}",
        status.ORCHESTRATOR_REPAIR: repair,
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
    compute = _status_compute(work)

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


def _status_compute(work: list[dict[str, Any]]) -> dict[str, Any]:
    """The compute of the first work task that names one (job cluster, existing cluster or
    a new cluster, copied; a for_each task's compute is on the task it repeats). None at
    all is serverless: a notebook task needs no `environments` entry there (docs: "Bundle
    configuration examples": environment_key is required for script, wheel and dbt tasks)."""
    for task in work:
        for candidate in (task, task.get("for_each_task", {}).get("task", {})):
            for key in ("job_cluster_key", "existing_cluster_id", "new_cluster"):
                if key in candidate:
                    return {key: candidate[key]}
    return {}


def sort_tasks(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks by task_key and each depends_on by task_key: the order the provider reads them
    back in. Any other order is a diff on every plan."""
    for task in tasks:
        if "depends_on" in task:
            task["depends_on"] = sorted(task["depends_on"], key=lambda d: d["task_key"])
    return sorted(tasks, key=lambda t: t["task_key"])


def _sort_webhooks(block: dict[str, Any]) -> None:
    hooks = block.get("webhook_notifications")
    if hooks:
        for event, targets in hooks.items():
            hooks[event] = sorted(targets, key=lambda t: str(
                t["id"].address if isinstance(t["id"], Ref) else t["id"]))


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


def _table(d: Deployment) -> TablePlan:
    pipeline, meta = d.pipeline, d.metadata
    # a schema the stack creates exists before the table (CREATE TABLE needs it)
    return TablePlan(address=names.METADATA_TABLE, protect=True,
                     depends_on=[names.METADATA_SCHEMA] if meta.create_schema else [],
                     settings={
        "catalog_name": meta.catalog,
        "schema_name": meta.schema_name,
        "name": meta.table,
        "table_type": "MANAGED",
        "data_source_format": "DELTA",
        "warehouse_id": meta.warehouse_id,
        "comment": f"Status log of pipeline {pipeline.name}, written by brickline: one row "
                   "per job state change, appended, never updated.",
        "column": [{"name": n, "type": t, "comment": c} for n, t, c in METADATA_COLUMNS],
    })


def _view(d: Deployment) -> TablePlan:
    pipeline, meta = d.pipeline, d.metadata
    return TablePlan(address=names.STATUS_VIEW, depends_on=[names.METADATA_TABLE], settings={
        "catalog_name": meta.catalog,
        "schema_name": meta.schema_name,
        "name": meta.view_name,
        "table_type": "VIEW",
        "warehouse_id": meta.warehouse_id,
        "comment": f"Latest status of each job of pipeline {pipeline.name} per run_key "
                   f"(pending until its first row), over {meta.full_name}.",
        # the jobs of a pipeline run: one the orchestrator does not run is not pending in it
        "view_definition": status_view_sql(
            meta.full_name, pipeline.name, [j.name for j in d.jobs if j.orchestrate],
            own_runs=[j.name for j in d.jobs if not j.orchestrate]),
    })


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


def _variables(d: Deployment) -> list[VariablePlan]:
    pipeline = d.pipeline
    declared = {name: (v.description, v.default, v.sensitive)
                for name, v in pipeline.settings.variables.items()}
    if d.metadata.warehouse_id == "${var.warehouse_id}" or "warehouse_id" in d.variable_defaults:
        declared.setdefault("warehouse_id", ("SQL warehouse that runs the job_metadata "
                                             "table's DDL", None, False))
    for name, value in d.variable_defaults.items():
        description, _, sensitive = declared[name]
        declared[name] = (description, value, sensitive)
    return [VariablePlan(name, *declared[name]) for name in sorted(declared)]


def _backend(d: Deployment) -> tuple[str, dict[str, Any]] | None:
    if d.backend is None:
        return None
    for kind in BACKEND_KINDS:
        config = getattr(d.backend, kind)
        if config is not None:
            values = config.model_dump(exclude_none=True)
            if kind == "local":
                # relative to the project root, seen from cdktf.out/stacks/<stack>/
                values["path"] = f"../../../{values['path']}"
            return kind, values
    return None


def _destinations(d: Deployment) -> list[ResourcePlan]:
    out = []
    for name, dest in sorted(d.pipeline.settings.destinations.items()):
        config = dest.model_dump(exclude_none=True, exclude={"display_name"})
        out.append(ResourcePlan(destination_address(name), {
            "display_name": dest.display_name or f"{d.stack_name} {name}",
            "config": config,
        }))
    return out


def _workspace(stack: StackPlan, d: Deployment) -> StackPlan:
    """What belongs to the jobs and the status log in the workspace: each job's access
    list, the metadata schema (read or created) and the Unity Catalog grants."""
    stack.resources += _permissions(d, stack.all_jobs)
    schema = _schema(d)
    if d.metadata.create_schema:
        stack.resources.append(schema)
    else:
        stack.data_sources.append(schema)
    stack.resources += _grants(d, stack)
    return stack


def _permissions(d: Deployment, jobs: list[JobPlan]) -> list[ResourcePlan]:
    """databricks_permissions per job: the pipeline's and the target's grants, then the
    job's own; one entry per principal (the strongest level listed last wins). A renamed
    job's access list moves with it: deleting databricks_permissions resets the job's
    access list to its creator and admins (provider permissions/resource_permissions.go),
    so a destroy-and-create would leave the job without its grants in between."""
    models = {j.address: j for j in d.jobs}
    out = []
    for job in jobs:
        own = models[job.address].permissions or [] if job.address in models else []
        grants: dict[tuple[str, str], str] = {}
        for grant in [*d.permissions, *own]:
            for principal in grant.principals:
                grants[principal] = grant.level
        if grants:
            out.append(ResourcePlan(
                names.permission_address(job.address), type="databricks_permissions",
                moved_from=(f"databricks_permissions.{names.permission_address(job.moved_from)}"
                            if job.moved_from else None),
                settings={
                    "job_id": Ref(job.address, "id"),
                    "access_control": [{kind: principal, "permission_level": level}
                                       for (kind, principal), level in sorted(grants.items())],
                }))
    return out


def _schema(d: Deployment) -> ResourcePlan:
    """The schema of the status log. Read by default: the databricks_schema data source
    fails `terraform plan` when the schema does not exist (catalog/data_schema.go returns
    the Schemas.GetByFullName error), so nothing is created halfway. Or created, with
    metadata.create_schema."""
    meta = d.metadata
    if not meta.create_schema:
        return ResourcePlan(names.METADATA_SCHEMA, type="databricks_schema",
                            settings={"name": f"{meta.catalog}.{meta.schema_name}"})
    return ResourcePlan(names.METADATA_SCHEMA, type="databricks_schema", settings={
        "catalog_name": meta.catalog,
        "name": meta.schema_name,
        "comment": f"Created by brickline for the status log of pipeline {d.pipeline.name}.",
    })


# Privileges (provider docs/resources/grants.md: table, view, schema and catalog grants).
TABLE_WRITER = ("MODIFY", "SELECT")
READER = ("SELECT",)


def _grants(d: Deployment, stack: StackPlan) -> list[ResourcePlan]:
    """Unity Catalog grants for the identities the jobs run as (they write the table, which
    belongs to whoever deployed it) and for the pipeline's job viewers (they read the view).

    databricks_grant, not databricks_grants: the latter replaces every grant on the object.
    databricks_grant is authoritative for its one principal (docs/resources/grant.md;
    catalog/resource_grant.go removes the principal's other privileges on that object), so
    by default it is used only on what the stack creates; `grants: all` also reaches the
    catalog and an existing schema."""
    meta = d.metadata
    if meta.grants == "none":
        return []
    writers = sorted({value for job in stack.jobs
                      for value in job.settings.get("run_as", {}).values()})
    readers = sorted({name for grant in d.permissions for _, name in grant.principals})
    wanted: dict[tuple[str, str], set[str]] = {}  # (securable, principal) -> privileges

    def grant(securable: str, principals: list[str], privileges: tuple[str, ...]) -> None:
        for principal in principals:
            wanted.setdefault((securable, principal), set()).update(privileges)

    grant("table", writers, TABLE_WRITER)
    grant("view", [*writers, *readers], READER)
    # the identities the jobs run as cannot reach the table without USE_CATALOG and
    # USE_SCHEMA ("Unity Catalog privileges and securable objects"); viewers get them only
    # with `all`, since a group's own catalog grants would be replaced
    reach = {"objects": [], "run_as": writers, "all": [*writers, *readers]}[meta.grants]
    grant("schema", [*readers, *writers] if meta.create_schema else reach, ("USE_SCHEMA",))
    grant("catalog", reach, ("USE_CATALOG",))
    schema = Ref(names.METADATA_SCHEMA if meta.create_schema
                 else f"data.{names.METADATA_SCHEMA}", "id")
    # the grant names its object by a reference, so it waits for the object
    objects: dict[str, tuple[str, Any]] = {
        "table": ("table", Ref(names.METADATA_TABLE, "id")),
        "view": ("table", Ref(names.STATUS_VIEW, "id")),
        "schema": ("schema", schema),
        "catalog": ("catalog", meta.catalog),
    }
    slugs = names.grant_slugs([p for _, p in wanted])
    out = []
    for (securable, principal), privileges in sorted(wanted.items()):
        argument, target = objects[securable]
        out.append(ResourcePlan(names.grant_address(securable, slugs[principal]),
                                type="databricks_grant",
                                settings={argument: target, "principal": principal,
                                          "privileges": sorted(privileges)}))
    return out


def _dashboard(d: Deployment) -> ResourcePlan | None:
    board = d.pipeline.settings.dashboard
    if board is None:
        return None
    from brickline.runtime.views import dashboard_json

    meta = d.metadata
    view = f"{meta.catalog}.{meta.schema_name}.{meta.view_name}"
    return ResourcePlan(names.DASHBOARD, {
        "display_name": board.display_name or f"{d.stack_name} pipeline status",
        "warehouse_id": board.warehouse_id or meta.warehouse_id,
        "parent_path": board.parent_path,
        "serialized_dashboard": dashboard_json(meta.full_name, view, d.pipeline.name),
        "embed_credentials": False,
    })
