"""The pipeline model: pipeline.yml settings and a job in the Jobs API's shape plus the few
keys brickline adds (`key`, `depends_on`, `on_success.trigger_job`).

Pure data; no validation beyond types here (rules.py checks references, cycles, compute).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, PrivateAttr, WithJsonSchema

from brickline.names import address_from_name
from brickline.spec import jobs_api as api
from brickline.spec.base import Bool, SpecModel
from brickline.spec.diagnostics import Path
from brickline.spec.yamlsource import Source

DEFAULT_RUN_KEY = "{{job.start_time.iso_date}}"
RUN_KEY = "run_key"


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


DURATION = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?")


def _duration(value: Any) -> int:
    """45m, 1h30m, 90s, 2h, or a whole number of seconds -> seconds."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and value.strip() and DURATION.fullmatch(value.strip()):
        h, m, s = (int(x or 0) for x in DURATION.fullmatch(value.strip()).groups())  # type: ignore[union-attr]
        seconds = 3600 * h + 60 * m + s
    else:
        raise ValueError("expected a duration such as 45m, 1h30m or 90s")
    if seconds <= 0:
        raise ValueError("a duration must be longer than 0 seconds")
    return seconds


Duration = Annotated[int, BeforeValidator(_duration), WithJsonSchema({
    "anyOf": [{"type": "integer", "minimum": 1},
              {"type": "string", "pattern": r"^(\d+h)?\s*(\d+m)?\s*(\d+s)?$"}]})]
EVENTS = ("on_start", "on_success", "on_failure", "on_duration_warning_threshold_exceeded")


class Routes(SpecModel):
    """Who hears of which event: email addresses, or names of pipeline.destinations."""

    on_start: list[str] | None = None
    on_success: list[str] | None = None
    on_failure: list[str] | None = None
    on_duration_warning_threshold_exceeded: list[str] | None = Field(
        None, description="Told when a run takes longer than warn_after.")


class EmailDestination(SpecModel):
    addresses: list[str]


class UrlDestination(SpecModel):
    url: str = Field(..., description="The webhook URL: a secret, so ${var.NAME} of a "
                     "sensitive variable.")


class PagerDutyDestination(SpecModel):
    integration_key: str = Field(..., description="A secret: ${var.NAME} of a sensitive "
                                 "variable.")


class WebhookDestination(SpecModel):
    url: str
    username: str | None = None
    password: str | None = Field(None, description="A secret: ${var.NAME} of a sensitive "
                                 "variable.")


class Destination(SpecModel):
    """A databricks_notification_destination: exactly one kind."""

    display_name: str | None = None
    email: EmailDestination | None = None
    slack: UrlDestination | None = None
    microsoft_teams: UrlDestination | None = None
    pagerduty: PagerDutyDestination | None = None
    generic_webhook: WebhookDestination | None = None


DESTINATION_KINDS = ("email", "slack", "microsoft_teams", "pagerduty", "generic_webhook")


PRINCIPAL_KINDS = ("user_name", "group_name", "service_principal_name")


class Permission(SpecModel):
    """One grant on a job: exactly one of user_name, group_name, service_principal_name."""

    user_name: str | None = None
    group_name: str | None = None
    service_principal_name: str | None = None
    level: Literal["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE", "IS_OWNER"]

    @property
    def principals(self) -> list[tuple[str, str]]:
        """(kind, name) of each principal the grant names: one in a valid grant."""
        return [(k, getattr(self, k)) for k in PRINCIPAL_KINDS if getattr(self, k) is not None]


class LocalState(SpecModel):
    path: str = Field(..., description="Relative to the project root.")


class S3State(SpecModel):
    bucket: str
    key: str
    region: str
    dynamodb_table: str | None = None
    encrypt: bool | None = None
    profile: str | None = None


class AzureState(SpecModel):
    resource_group_name: str
    storage_account_name: str
    container_name: str
    key: str


class GcsState(SpecModel):
    bucket: str
    prefix: str | None = None


class CloudState(SpecModel):
    organization: str
    workspace: str = Field(..., description="HCP Terraform workspace name.")
    hostname: str | None = None


class Backend(SpecModel):
    """Where Terraform keeps the stack's state: exactly one kind."""

    local: LocalState | None = None
    s3: S3State | None = None
    azurerm: AzureState | None = None
    gcs: GcsState | None = None
    cloud: CloudState | None = None


BACKEND_KINDS = ("local", "s3", "azurerm", "gcs", "cloud")


class ClusterOverride(SpecModel):
    """Set on every new cluster of every job of a target (unlike defaults, it wins)."""

    num_workers: Annotated[int, Field(ge=0)] | None = None
    autoscale: api.JobClusterNewClusterAutoscale | None = None
    node_type_id: str | None = None
    driver_node_type_id: str | None = None
    spark_version: str | None = None


# What brickline grants in Unity Catalog (see plan._grants): on the table and view it creates
# (and the schema, when it creates it); `run_as` (the default) adds USE_CATALOG / USE_SCHEMA
# on the catalog and schema for the identities the jobs run as, without which they cannot
# reach the table; `all` adds them for the viewers too; `none` leaves every grant to the team.
GrantsMode = Literal["run_as", "objects", "all", "none"]
StatusCompute = Literal["auto", "serverless", "new_cluster"]


class MetadataOverride(SpecModel):
    catalog: str | None = None
    schema_name: str | None = Field(None, alias="schema")
    table: str | None = None
    warehouse_id: str | None = None
    view: str | None = None
    workspace_dir: str | None = None
    create_schema: bool | None = None
    grants: GrantsMode | None = None
    status_compute: StatusCompute | None = None


class Target(SpecModel):
    """One deployment of the pipeline (dev, staging, prod, ...): a stack of its own."""

    host: str | None = Field(None, description="Workspace URL of this target; default: the "
                             "standard Databricks auth (DATABRICKS_HOST, profile).")
    name_prefix: str | None = Field(None, description="Put before every job's name, e.g. "
                                    "'[dev] '.")
    paused: bool | None = Field(None, description="Pause every schedule and trigger; "
                                "default: true for a target named dev, false otherwise.")
    metadata: MetadataOverride | None = None
    clusters: ClusterOverride | None = None
    tags: dict[str, str] | None = None
    notifications: Routes | None = Field(None, description="Replaces pipeline.notifications "
                                         "event by event.")
    variables: dict[str, str] | None = Field(None, description="Defaults of variables in "
                                             "this target (not for sensitive ones).")
    run_as: api.RunAs | None = None
    permissions: list[Permission] | None = Field(None, description="Added to "
                                                 "pipeline.permissions.")
    backend: Backend | None = None
    jobs: dict[str, dict[str, Any]] | None = Field(
        None, description="Per job (by name or key): a partial job merged into it in this "
        "target, as bundles merge target overrides: mappings key by key, tasks by task_key, "
        "job_clusters by job_cluster_key, parameters by name, environments by "
        "environment_key; any other list (notification lists too) is replaced.")
    orchestrator: dict[str, Any] | None = Field(
        None, description="A partial orchestrator merged into pipeline.orchestrator in this "
        "target (schedule, notifications, warn_after, ...), the same way.")


class Dashboard(SpecModel):
    """A Lakeview dashboard over the status log."""

    warehouse_id: str | None = Field(None, description="Default: metadata.warehouse_id.")
    parent_path: str = "/Shared/brickline"
    display_name: str | None = None


class Rollback(SpecModel):
    """Delta tables restored to their version from before the job when the job fails."""

    tables: list[str] = Field(..., description="Full names (catalog.schema.table) of Delta "
                              "tables the job writes.")


class TriggerJob(SpecModel):
    job_name: str


class OnSuccess(SpecModel):
    """The design document's `on_success: {trigger_job: {job_name: X}}`: an edge to X."""

    trigger_job: Annotated[list[TriggerJob], BeforeValidator(
        _one_or_many, json_schema_input_type=TriggerJob | list[TriggerJob])]


class PipelineTask(api.Task):
    notifications: Routes | None = Field(
        None, description="Emails and destination names per event, for this task.")
    warn_after: Duration | None = Field(
        None, description="Warn when the task runs longer than this (45m, 1h30m, 90s).")


class JobLifecycle(SpecModel):
    """A bundle resource's `lifecycle` (databricks/cli bundle/config/resources/lifecycle.go):
    `started` is the CLI's own and not Terraform's (tfdyn/lifecycle.go drops it)."""

    prevent_destroy: Bool | None = None
    started: Bool | None = None


class Job(api.JobSettings):
    name: str
    key: str | None = Field(
        None, description="Stable Terraform address and orchestrator task key; "
        "defaults to the name in snake_case. Set it before renaming a job.")
    depends_on: list[str] | None = Field(
        None, description="Names of jobs that must succeed before this one runs.")
    on_success: OnSuccess | None = Field(
        None, description="Jobs to run after this one succeeds.")
    renamed_from: str | None = Field(
        None, description="The job's previous name, after a rename: Terraform moves the job "
        "to its new address and updates it in place instead of re-creating it.")
    rollback: Rollback | None = Field(
        None, description="Restore these Delta tables when the job fails.")
    import_id: Annotated[int, Field(ge=1)] | None = Field(
        None, description="The id of a job that already exists (as `brickline import` "
        "writes it): the first deploy adopts it in place (a Terraform import block) instead "
        "of creating a second job. The id is the workspace's: set it per target under "
        "targets.<target>.jobs.<job name> when targets are different workspaces.")
    notifications: Routes | None = Field(
        None, description="Emails and destination names per event; replaces "
        "pipeline.notifications event by event.")
    warn_after: Duration | None = Field(
        None, description="Warn when a run takes longer than this (45m, 1h30m, 90s); "
        "default: pipeline.warn_after.")
    permissions: list[Permission] | None = Field(
        None, description="Grants on this job, added to pipeline.permissions.")
    orchestrate: bool | None = Field(
        None, description="false: the job is not run by the orchestrator (it keeps its own "
        "schedule or trigger, and logs its status under a run_key of its own). Unset: "
        "false for a job with its own schedule, trigger or continuous and no edge to "
        "another job, or one another job runs through a run_job_task; true otherwise.")
    lifecycle: JobLifecycle | None = Field(
        None, description="prevent_destroy: true makes Terraform refuse any plan that would "
        "destroy the job (a bundle's lifecycle; the Databricks CLI turns it into the "
        "resource's Terraform lifecycle block, bundle/deploy/terraform/tfdyn/lifecycle.go).")
    tasks: list[PipelineTask] = Field(  # type: ignore[assignment]
        ..., validation_alias=AliasChoices("tasks", "task"), serialization_alias="task")

    _source: Source = PrivateAttr()
    _path: Path = PrivateAttr()
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)
    # task keys of tasks that failed validation, so references to them are not "unknown"
    _broken_tasks: set[str] = PrivateAttr(default_factory=set)
    _raw_text: str | None = PrivateAttr(default=None)

    @property
    def broken_tasks(self) -> set[str]:
        return self._broken_tasks

    @broken_tasks.setter
    def broken_tasks(self, keys: set[str]) -> None:
        self._broken_tasks = keys

    def raw_mentions(self, text: str) -> bool:
        """Whether `text` occurs anywhere in the job as written (its raw mapping's repr,
        made once: every target of every check asks)."""
        if self._raw_text is None:
            self._raw_text = repr(self._raw)
        return text in self._raw_text

    @property
    def address(self) -> str:
        return self.key or address_from_name(self.name)

    @property
    def previous_address(self) -> str | None:
        if self.renamed_from is None or self.key is not None:
            return None
        old = address_from_name(self.renamed_from)
        return old if old != self.address else None

    def locate(self, source: Source, path: Path, raw: dict[str, Any] | None = None) -> Job:
        self._source, self._path = source, path
        self._raw = raw if raw is not None else {}
        self._raw_text = None
        return self

    @property
    def raw(self) -> dict[str, Any]:
        """The job as written (a bundle job with its key and name filled in): the base
        a target's override is merged into."""
        return self._raw

    @property
    def source(self) -> Source:
        return self._source

    @property
    def path(self) -> Path:
        return self._path


class Variable(SpecModel):
    description: str | None = None
    default: str | None = None
    sensitive: bool = False


class MetadataTable(SpecModel):
    """Where the job_metadata status log lives. Moving it re-creates it: a review flags that."""

    catalog: str = "main"
    schema_name: str = Field("pipeline_ops", alias="schema")
    table: str = "job_metadata"
    warehouse_id: str = Field(
        "${var.warehouse_id}", description="SQL warehouse that runs the table's DDL.")
    view: str | None = Field(
        None, description="Name of the latest-status view, in the table's schema; default: "
        "the table's name with _metadata replaced by _status (job_status).")
    workspace_dir: str = Field(
        "/Shared/brickline", description="Workspace folder the status notebook is uploaded "
        "to, as <workspace_dir>/<stack>/brickline_status (the identity the jobs run as must "
        "be able to read it).")
    create_schema: bool = Field(
        False, description="Create the schema (catalog.schema) with the stack. Default: "
        "read it, so that `terraform plan` fails, naming it, when it does not exist.")
    grants: GrantsMode = Field(
        "run_as", description="Unity Catalog grants brickline adds for the identity the "
        "jobs run as (MODIFY, SELECT on the table; SELECT on the view) and for the "
        "pipeline's job viewers (SELECT on the view). `run_as` (default): also USE_CATALOG "
        "and USE_SCHEMA on the catalog and schema for the identities the jobs run as; "
        "`objects`: only on what brickline creates (and USE_SCHEMA on the schema it "
        "creates); `all`: USE_CATALOG and USE_SCHEMA for the viewers too. On a catalog or "
        "schema brickline does not own, a grant replaces that principal's other direct "
        "privileges there (databricks_grant is authoritative per principal); `none`: the "
        "team grants them elsewhere.")
    status_compute: StatusCompute = Field(
        "auto", description="What brickline's two status tasks of each job run on. `auto` "
        "(default): the compute the job shares (the job cluster or existing cluster of its "
        "first task that names one), else serverless; never a cluster start of their own. "
        "`serverless`: always serverless (the workspace must have serverless jobs enabled). "
        "`new_cluster`: where the job shares no compute, each status task starts a copy of "
        "the first task's new_cluster (or pipeline.defaults.new_cluster): two cluster "
        "starts per run, for workspaces without serverless jobs.")

    @property
    def full_name(self) -> str:
        return f"{self.catalog}.{self.schema_name}.{self.table}"

    @property
    def view_name(self) -> str:
        if self.view:
            return self.view
        if self.table.endswith("_metadata"):
            return self.table[: -len("_metadata")] + "_status"
        return f"{self.table}_status"


class Recovery(SpecModel):
    skip_succeeded: bool = Field(
        False, description="When the orchestrator runs again with the same run_key, skip "
        "each job that already succeeded for it (jobs after it still run).")


class TaskDefaults(SpecModel):
    """Applied to every work task that does not set the key itself."""

    max_retries: Annotated[int, Field(ge=-1)] | None = None
    min_retry_interval_millis: Annotated[int, Field(ge=0)] | None = None
    retry_on_timeout: bool | None = None
    timeout_seconds: Annotated[int, Field(ge=0)] | None = None
    new_cluster: api.JobClusterNewCluster | None = Field(
        None, description="Cluster keys every new_cluster gets unless it sets them "
        "(node_type_id is skipped for clusters that name an instance pool or a policy).")


class Orchestrator(SpecModel):
    """The job that runs the pipeline's jobs in dependency order."""

    name: str | None = None
    description: str | None = None
    schedule: api.Schedule | None = None
    trigger: api.Trigger | None = None
    continuous: api.Continuous | None = None
    email_notifications: api.EmailNotifications | None = None
    webhook_notifications: api.WebhookNotifications | None = None
    notification_settings: api.NotificationSettings | None = None
    health: api.Health | None = None
    max_concurrent_runs: Annotated[int, Field(ge=1)] = 1
    timeout_seconds: Annotated[int, Field(ge=0)] | None = None
    queue: api.Queue | None = None
    run_as: api.RunAs | None = None
    tags: dict[str, str] | None = None
    run_key: str = Field(
        DEFAULT_RUN_KEY, description="Default of the run_key parameter passed to every job.")
    notifications: Routes | None = Field(
        None, description="Emails and destination names per event, for the orchestrator.")
    warn_after: Duration | None = Field(
        None, description="Warn when a pipeline run takes longer than this.")


class PipelineSettings(SpecModel):
    name: str | None = None
    metadata: MetadataTable = Field(default_factory=MetadataTable)
    defaults: TaskDefaults = Field(default_factory=TaskDefaults)
    orchestrator: Orchestrator = Field(default_factory=Orchestrator)
    variables: dict[str, Variable] = Field(default_factory=dict)
    recovery: Recovery = Field(default_factory=Recovery)
    destinations: dict[str, Destination] = Field(
        default_factory=dict, description="Alert destinations by name (Slack, Teams, "
        "PagerDuty, webhook, email), for notifications.")
    notifications: Routes | None = Field(
        None, description="Routes of every job unless the job says otherwise (per event).")
    warn_after: Duration | None = Field(
        None, description="Default duration warning of every job.")
    permissions: list[Permission] = Field(
        default_factory=list, description="Grants on every job and the orchestrator.")
    dashboard: Dashboard | None = None
    backend: Backend | None = Field(None, description="Terraform state; default: a local "
                                    "file terraform.<stack>.tfstate in the project root.")
    targets: dict[str, Target] = Field(
        default_factory=dict, description="Deployments (dev, prod, ...): one stack each, "
        "named <pipeline>-<target>.")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags of every job.")


@dataclass
class Pipeline:
    """A validated pipeline: its settings, its jobs, and where each came from."""

    name: str
    origin: str  # the folder or file the pipeline was read from, as given
    settings: PipelineSettings
    jobs: list[Job]
    settings_source: Source | None = None
    sources: list[Source] = field(default_factory=list)
    # parts of pipeline.yml that failed validation ("defaults", "variables.x", ...): the
    # rules stay silent about what depends on them, so one mistake gives one message
    broken: frozenset[str] = frozenset()
    # the bundle a pipeline came from (spec/bundle.py), None for a pipeline folder
    bundle: Any = None

    def intact(self, *parts: str) -> bool:
        """True when none of these sections (or entries, "variables.x") failed."""
        return not any(p in self.broken for p in parts)

    @property
    def orchestrator_name(self) -> str:
        return self.settings.orchestrator.name or f"{self.name}_orchestrator"

    def job_named(self, name: str) -> Job | None:
        return next((j for j in self.jobs if j.name == name), None)

    def edges(self) -> list[tuple[str, str]]:
        """(upstream job name, downstream job name), from both ways of writing an edge."""
        pairs: set[tuple[str, str]] = set()
        for job in self.jobs:
            for upstream in job.depends_on or []:
                pairs.add((upstream, job.name))
            if job.on_success:
                for trigger in job.on_success.trigger_job:
                    pairs.add((job.name, trigger.job_name))
        return sorted(pairs)
