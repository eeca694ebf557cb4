"""The pipeline model: pipeline.yml settings and a job in the Jobs API's shape plus the few
keys brickline adds (`key`, `depends_on`, `on_success.trigger_job`).

Pure data; no validation beyond types here (rules.py checks references, cycles, compute).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PrivateAttr

from brickline.spec import jobs_api as api
from brickline.spec.base import SpecModel
from brickline.spec.diagnostics import Path
from brickline.spec.yamlsource import Source

DEFAULT_RUN_KEY = "{{job.start_time.iso_date}}"
RUN_KEY = "run_key"


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class Rollback(SpecModel):
    """Delta tables restored to their version from before the job when the job fails."""

    tables: list[str] = Field(..., description="Full names (catalog.schema.table) of Delta "
                              "tables the job writes.")


class TriggerJob(SpecModel):
    job_name: str


class OnSuccess(SpecModel):
    """The design document's `on_success: {trigger_job: {job_name: X}}`: an edge to X."""

    trigger_job: Annotated[list[TriggerJob], BeforeValidator(_one_or_many)]


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
    tasks: list[api.Task] = Field(..., serialization_alias="task")

    _source: Source = PrivateAttr()
    _path: Path = PrivateAttr()
    # task keys of tasks that failed validation, so references to them are not "unknown"
    broken_tasks: set[str] = Field(default_factory=set, exclude=True)

    @property
    def address(self) -> str:
        return self.key or address_from_name(self.name)

    @property
    def previous_address(self) -> str | None:
        if self.renamed_from is None or self.key is not None:
            return None
        old = address_from_name(self.renamed_from)
        return old if old != self.address else None

    def locate(self, source: Source, path: Path) -> Job:
        self._source, self._path = source, path
        return self

    @property
    def source(self) -> Source:
        return self._source

    @property
    def path(self) -> Path:
        return self._path


def address_from_name(name: str) -> str:
    """Data_Extract_Job -> data_extract_job; a Terraform name and a task key at once."""
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return key if key[:1].isalpha() else f"job_{key}"


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
        "/Shared/brickline", description="Workspace folder the status program is uploaded "
        "to, as <workspace_dir>/<pipeline>/brickline_status.py.")

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


class PipelineSettings(SpecModel):
    name: str | None = None
    metadata: MetadataTable = Field(default_factory=MetadataTable)
    defaults: TaskDefaults = Field(default_factory=TaskDefaults)
    orchestrator: Orchestrator = Field(default_factory=Orchestrator)
    variables: dict[str, Variable] = Field(default_factory=dict)
    recovery: Recovery = Field(default_factory=Recovery)
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
