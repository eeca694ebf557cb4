"""The platform's rules on a job as data: one row per rule, with the source it comes from and
the words of that source. The rows are checked on the job as written (its YAML data, with
the Jobs API's names), so a value the model refuses elsewhere in the job hides none of them.

Sources (the quotes are checked against the installed SDK by tests/test_platform_rules.py,
so a row goes stale loudly):
- SDK: databricks-sdk-py (the version pyproject pins), databricks/sdk/service/jobs.py and
  compute.py, the docstring of the field named in the row;
- provider: terraform-provider-databricks v1.99.0, the file and line named;
- docs: the Databricks documentation page named.

Severity by what the platform does (issue 20): refused at create or plan, or failing when
the job runs, is an error; deprecated or ignored is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from brickline.spec.diagnostics import Path

Subject = Literal["task", "cluster", "library", "environment", "job", "trigger"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Row:
    """One rule. `kind`:
    - max_items: `field` is a list or mapping of at most `value` items;
    - range: `field` is a number within `value` (low, high), either may be None;
    - conflicts: `field` and each of `value` are not set together;
    - requires: when `field` is set, one of `value` is set too;
    - exactly_one / at_most_one: of the fields in `value` (`field` is the block holding
      them, "" for the subject itself);
    - required: `field` is set whenever the block `value` is;
    - pattern: `field`, a string, matches the regular expression `value`;
    - check: `value` is a function (subject data, context) -> message or None, for what no
      other kind can say."""

    subject: Subject
    kind: str
    field: str
    value: Any
    message: str
    source: str
    quote: str = ""
    severity: Severity = "error"


@dataclass(frozen=True)
class Context:
    """What a row may look up beyond its subject: the job as written, and the cluster a
    task runs on (its new_cluster or its job cluster)."""

    job: dict[str, Any]
    cluster: dict[str, Any] | None = None


# --- helpers for `check` rows ------------------------------------------------------------

def get(data: Any, dotted: str) -> Any:
    for part in dotted.split(".") if dotted else []:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def is_set(value: Any) -> bool:
    return value is not None and value != [] and value != {}


def _runtime_major(cluster: dict[str, Any] | None) -> int | None:
    version = get(cluster, "spark_version")
    found = re.match(r"(\d+)\.", version) if isinstance(version, str) else None
    return int(found.group(1)) if found else None


def _spark_submit_cluster(task: dict[str, Any], ctx: Context) -> str | None:
    if not is_set(task.get("spark_submit_task")):
        return None
    if get(ctx.cluster, "autoscale") is not None:
        return ("a spark_submit_task's cluster cannot autoscale (\"Spark-submit does not "
                "support cluster autoscaling\"): give it num_workers")
    if is_set(get(task, "new_cluster.spark_conf")):
        return ("a spark_submit_task's new_cluster takes no spark_conf: pass the settings "
                "as --conf in spark_submit_task.parameters")
    return None


def _dbt_project(task: dict[str, Any], ctx: Context) -> str | None:
    dbt = task.get("dbt_task")
    if not isinstance(dbt, dict):
        return None
    source = dbt.get("source") or ("GIT" if is_set(ctx.job.get("git_source")) else "WORKSPACE")
    if source == "WORKSPACE" and not dbt.get("project_directory"):
        return ("a dbt_task from the workspace needs project_directory (the folder of "
                "dbt_project.yml, an absolute /Workspace path)")
    return None


_GIT_PATHS = (("notebook_task", "notebook_path"), ("spark_python_task", "python_file"),
              ("sql_task.file", "path"))


def _git_relative(task: dict[str, Any], ctx: Context) -> str | None:
    for block_name, field_name in _GIT_PATHS:
        block = get(task, block_name)
        if not isinstance(block, dict):
            continue
        source = block.get("source") or ("GIT" if is_set(ctx.job.get("git_source"))
                                         else "WORKSPACE")
        value = block.get(field_name)
        if source == "GIT" and isinstance(value, str) and value.startswith("/"):
            return (f"{block_name}.{field_name} {value!r} is read from the job's git_source "
                    "(source: GIT): give it relative to the repository's root, or set "
                    "source: WORKSPACE")
    return None


_NOTIFICATION_KEYS = ("email_notifications", "webhook_notifications", "notification_settings")


def _condition_notifications(task: dict[str, Any], ctx: Context) -> str | None:
    if not is_set(task.get("condition_task")):
        return None
    given = [k for k in _NOTIFICATION_KEYS if is_set(task.get(k))]
    if given:
        return (f"a condition_task sends no notifications: remove {' and '.join(given)}")
    return None


def _egg_runtime(library: dict[str, Any], ctx: Context) -> str | None:
    major = _runtime_major(ctx.cluster)
    if is_set(library.get("egg")) and major is not None and major >= 14:
        return (f"an egg library does not install on Databricks Runtime {major} (14.0 and "
                "above do not support eggs): build a wheel (whl) instead")
    return None


def _requirements_path(library: dict[str, Any], ctx: Context) -> str | None:
    value = library.get("requirements")
    if not isinstance(value, str) or "${" in value:
        return None
    local = not value.startswith("/") and not re.match(r"^[A-Za-z][\w+.-]*:", value)
    if local or value.startswith(("/Workspace/", "/Volumes/")):
        return None  # a local file is uploaded to the workspace (spec/localfiles.py)
    return (f"requirements {value!r}: only /Workspace/... and /Volumes/... paths are "
            "supported for a requirements file")


def _ebs_size(cluster: dict[str, Any], ctx: Context) -> str | None:
    aws = cluster.get("aws_attributes")
    size = get(aws, "ebs_volume_size")
    kind = get(aws, "ebs_volume_type")
    bounds = {"GENERAL_PURPOSE_SSD": (100, 4096), "THROUGHPUT_OPTIMIZED_HDD": (500, 4096)}
    if not isinstance(size, int) or isinstance(size, bool) or kind not in bounds:
        return None
    low, high = bounds[kind]
    if not low <= size <= high:
        return (f"bad value {size}: ebs_volume_size of a {kind} volume is {low} to {high} "
                "GiB")
    return None


def _azure_bid(cluster: dict[str, Any], ctx: Context) -> str | None:
    price = get(cluster, "azure_attributes.spot_bid_max_price")
    if isinstance(price, (int, float)) and not isinstance(price, bool) and not (
            price == -1 or price > 0):
        return (f"bad value {price}: spot_bid_max_price is -1 (pay up to the on-demand "
                "price) or a price above 0")
    return None


def _single_node(cluster: dict[str, Any], ctx: Context) -> str | None:
    workers = cluster.get("num_workers")
    if workers != 0 or cluster.get("is_single_node") is True or is_set(
            cluster.get("policy_id")) or is_set(cluster.get("autoscale")):
        return None
    conf = cluster.get("spark_conf") or {}
    tags = cluster.get("custom_tags") or {}
    if conf.get("spark.databricks.cluster.profile") == "singleNode" and \
            str(conf.get("spark.master", "")).startswith("local") and \
            tags.get("ResourceClass") == "SingleNode":
        return None
    return ("num_workers: 0 makes a cluster without workers unless it is a single-node "
            "cluster: set is_single_node: true with kind: CLASSIC_PREVIEW, or spark_conf "
            "spark.databricks.cluster.profile: singleNode and spark.master: local[*] with "
            "custom_tags ResourceClass: SingleNode")


def _job_cluster_libraries(job: dict[str, Any]) -> str | None:
    for cluster in _items(job, "job_clusters", "job_cluster"):
        if is_set(get(cluster, "new_cluster.libraries")) or is_set(
                get(cluster, "new_cluster.library")):
            return (f"job cluster '{cluster.get('job_cluster_key')}' declares libraries, "
                    "which a shared job cluster cannot hold: declare them on the tasks "
                    "that use it (libraries: under each task)")
    return None


def _file_arrival_url(trigger: dict[str, Any], ctx: Context) -> str | None:
    url = get(trigger, "file_arrival.url")
    if isinstance(url, str) and url and "${" not in url and not url.endswith("/"):
        return f"bad url {url!r}: the file arrival URL ends with '/' ({url}/)"
    return None


SDK = "databricks-sdk-py service/{}"
PROVIDER = "terraform-provider-databricks v1.99.0 {}"

ROWS: tuple[Row, ...] = (
    # --- tasks ---------------------------------------------------------------------------
    Row("task", "conflicts", "spark_submit_task", ("existing_cluster_id",),
        "a spark_submit_task runs only on a new cluster: give it new_cluster or a "
        "job_cluster_key, not existing_cluster_id",
        "docs: Spark Submit task (jobs/spark-submit)",
        "You can run spark-submit tasks only on new clusters."),
    Row("task", "check", "spark_submit_task", _spark_submit_cluster,
        "see the message", PROVIDER.format("docs/resources/job.md:271") + "; docs: Spark "
        "Submit task", "Spark-submit does not support cluster autoscaling."),
    Row("task", "requires", "dbt_task.catalog", ("dbt_task.warehouse_id",),
        "dbt_task.catalog needs dbt_task.warehouse_id (the catalog is used on a SQL "
        "warehouse only)", SDK.format("jobs.py DbtTask.catalog"),
        "The catalog value can only be specified if a warehouse_id is specified."),
    Row("task", "conflicts", "dbt_task.profiles_directory", ("dbt_task.warehouse_id",),
        "dbt_task.profiles_directory and dbt_task.warehouse_id exclude each other: with a "
        "warehouse, brickline's profile is Databricks' own", SDK.format(
            "jobs.py DbtTask.profiles_directory"),
        "Can only be specified if no warehouse_id is specified."),
    Row("task", "check", "dbt_task", _dbt_project, "see the message",
        PROVIDER.format("docs/resources/job.md:195"),
        "(Required when `source` is `WORKSPACE`)"),
    Row("task", "conflicts", "sql_task.alert", ("sql_task.parameters",),
        "a SQL alert task takes no parameters: remove sql_task.parameters",
        SDK.format("jobs.py SqlTask.parameters"),
        "The SQL alert task does not support custom parameters."),
    Row("task", "exactly_one", "sql_task", ("query", "dashboard", "alert", "file"),
        "a sql_task runs one of query, dashboard, alert and file",
        PROVIDER.format("docs/resources/job.md:277"),
        "One of the `query`, `dashboard` or `alert` needs to be provided."),
    Row("task", "check", "", _git_relative, "see the message",
        SDK.format("jobs.py SqlTaskFile.path") + "; databricks/cli issue #402 (the API's "
        "refusal)", "Must be relative if the source is a remote Git repository"),
    Row("task", "check", "condition_task", _condition_notifications, "see the message",
        SDK.format("jobs.py Task.condition_task"),
        "does not support retries or notifications"),
    Row("task", "range", "for_each_task.concurrency", (1, 100),
        "for_each_task.concurrency is 1 to 100", PROVIDER.format("docs/resources/job.md:207"),
        "Default is 20, maximum allowed is 100."),
    Row("task", "required", "dashboard_task.dashboard_id", "dashboard_task",
        "a dashboard_task needs dashboard_id (the dashboard it refreshes)",
        PROVIDER.format("docs/resources/job.md (dashboard_task)"),
        "The identifier of the dashboard to refresh."),
    Row("task", "conflicts", "run_job_task.jar_params", ("run_job_task.notebook_params",),
        "run_job_task takes jar_params or notebook_params, not both",
        SDK.format("jobs.py RunJobTask.jar_params"),
        "cannot be specified in conjunction with notebook_params"),
    Row("task", "required", "python_wheel_task.entry_point", "python_wheel_task",
        "a python_wheel_task needs entry_point (the function, or a name under the wheel's "
        "entry points, to run)", SDK.format("jobs.py PythonWheelTask.entry_point") + "; "
        "databricks/cli bundle/internal/validation/generated/required_fields.go",
        "Named entry point to use"),
    Row("task", "required", "python_wheel_task.package_name", "python_wheel_task",
        "a python_wheel_task needs package_name", SDK.format(
            "jobs.py PythonWheelTask.package_name"), "Name of the package to execute"),
    Row("task", "conflicts", "python_wheel_task.parameters",
        ("python_wheel_task.named_parameters",),
        "python_wheel_task takes parameters or named_parameters, not both",
        SDK.format("jobs.py PythonWheelTask.parameters"),
        "Leave it empty if ``named_parameters`` is not null."),
    Row("task", "conflicts", "spark_submit_task", ("libraries",),
        "a spark_submit_task installs no libraries: pass them as --jars or --py-files in "
        "spark_submit_task.parameters", PROVIDER.format("docs/resources/job.md:271"),
        "`libraries` and `spark_conf` are not supported", severity="error"),
    # --- libraries of a task ---------------------------------------------------------------
    Row("library", "check", "egg", _egg_runtime, "see the message",
        SDK.format("compute.py Library.egg"),
        "is not supported in Databricks Runtime 14.0 and above"),
    Row("library", "check", "requirements", _requirements_path, "see the message",
        SDK.format("compute.py Library.requirements"),
        "Only Workspace paths and Unity Catalog Volumes paths are supported."),
    # --- clusters (a job cluster's, a task's, a for_each task's new_cluster) -------------
    Row("cluster", "max_items", "ssh_public_keys", 10, "at most 10 SSH public keys",
        PROVIDER.format("clusters/resource_cluster.go:336"), "Up to 10 keys can be specified."),
    Row("cluster", "max_items", "init_scripts", 10, "at most 10 init scripts",
        PROVIDER.format("clusters/resource_cluster.go:337"),
        "It is possible to specify up to 10 different cluster-scoped init scripts"),
    Row("cluster", "max_items", "custom_tags", 45, "at most 45 custom tags",
        SDK.format("compute.py ClusterSpec.custom_tags"), "at most 45 custom tags"),
    Row("cluster", "at_most_one", "cluster_log_conf", ("dbfs", "s3", "volumes"),
        "cluster_log_conf takes one destination", SDK.format(
            "compute.py ClusterSpec.cluster_log_conf"),
        "Only one destination can be specified for one cluster."),
    Row("cluster", "range", "aws_attributes.ebs_volume_count", (0, 10),
        "ebs_volume_count is 0 to 10", SDK.format("compute.py AwsAttributes.ebs_volume_count"),
        "Users can choose up to 10 volumes."),
    Row("cluster", "check", "aws_attributes.ebs_volume_size", _ebs_size, "see the message",
        SDK.format("compute.py AwsAttributes.ebs_volume_size"),
        "this value must be within the range 100 - 4096"),
    Row("cluster", "range", "aws_attributes.spot_bid_price_percent", (None, 10000),
        "spot_bid_price_percent is at most 10000", SDK.format(
            "compute.py AwsAttributes.spot_bid_price_percent"), "10000"),
    Row("cluster", "check", "azure_attributes.spot_bid_max_price", _azure_bid,
        "see the message", SDK.format("compute.py AzureAttributes.spot_bid_max_price"),
        "-1"),
    Row("cluster", "requires", "is_single_node", ("kind",),
        "is_single_node needs kind: CLASSIC_PREVIEW", SDK.format(
            "compute.py ClusterSpec.is_single_node"),
        "This field can only be used when ``kind = CLASSIC_PREVIEW``."),
    Row("cluster", "requires", "use_ml_runtime", ("kind",),
        "use_ml_runtime needs kind: CLASSIC_PREVIEW", SDK.format(
            "compute.py ClusterSpec.use_ml_runtime"),
        "This field can only be used when ``kind = CLASSIC_PREVIEW``."),
    Row("cluster", "check", "num_workers", _single_node, "see the message",
        "databricks/cli bundle/config/validate/single_node_cluster.go",
        "", severity="warning"),
    # --- the job ---------------------------------------------------------------------------
    Row("job", "check", "trigger.file_arrival.url", lambda job, ctx: _file_arrival_url(
        job.get("trigger") or {}, ctx), "see the message",
        PROVIDER.format("docs/resources/job.md (trigger.file_arrival.url)"),
        "Please note that the URL must have a trailing slash character"),
    Row("job", "check", "job_clusters", lambda job, ctx: _job_cluster_libraries(job),
        "see the message", SDK.format("jobs.py JobSettings.job_clusters"),
        "Libraries cannot be declared in a shared job cluster."),
    Row("environment", "pattern", "environment_version", r"[0-9]+",
        "environment_version is a whole number written as a string, such as '2'",
        SDK.format("compute.py Environment.environment_version"),
        "a string, consisting of an integer"),
)


def subjects(job: dict[str, Any]) -> Iterator[tuple[Subject, Path, dict[str, Any], Context]]:
    """Every subject of a job as written (Jobs API names, either spelling of the lists):
    (kind, path from the job, its data, what its rows may look up)."""
    clusters = {c.get("job_cluster_key"): c.get("new_cluster")
                for c in _items(job, "job_clusters", "job_cluster")}
    yield "job", (), job, Context(job)
    for i, cluster in enumerate(_items(job, "job_clusters", "job_cluster")):
        if isinstance(cluster.get("new_cluster"), dict):
            yield ("cluster", (_spelled(job, "job_clusters", "job_cluster"), i, "new_cluster"),
                   cluster["new_cluster"], Context(job))
    for i, env in enumerate(_items(job, "environments", "environment")):
        if isinstance(env.get("spec"), dict):
            yield ("environment", (_spelled(job, "environments", "environment"), i, "spec"),
                   env["spec"], Context(job))
    tasks_key = _spelled(job, "tasks", "task")
    for i, task in enumerate(_items(job, "tasks", "task")):
        yield from _task_subjects(task, (tasks_key, i), job, clusters)
        nested = get(task, "for_each_task.task")
        if isinstance(nested, dict):
            yield from _task_subjects(nested, (tasks_key, i, "for_each_task", "task"), job,
                                      clusters)


def _task_subjects(task: dict[str, Any], at: Path, job: dict[str, Any],
                   clusters: dict[Any, Any]) -> Iterator[tuple[Subject, Path, dict[str, Any],
                                                               Context]]:
    cluster = task.get("new_cluster") if isinstance(task.get("new_cluster"), dict) else \
        clusters.get(task.get("job_cluster_key"))
    cluster = cluster if isinstance(cluster, dict) else None
    yield "task", at, task, Context(job, cluster)
    if isinstance(task.get("new_cluster"), dict):
        yield "cluster", (*at, "new_cluster"), task["new_cluster"], Context(job)
    for j, library in enumerate(_items(task, "libraries", "library")):
        yield ("library", (*at, _spelled(task, "libraries", "library"), j), library,
               Context(job, cluster))


def _items(data: dict[str, Any], plural: str, singular: str) -> list[dict[str, Any]]:
    found = data.get(plural, data.get(singular))
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def _spelled(data: dict[str, Any], plural: str, singular: str) -> str:
    return singular if singular in data and plural not in data else plural


def check(subject: Subject, data: dict[str, Any], ctx: Context
          ) -> Iterator[tuple[Path, str, Severity]]:
    """(path within the subject, message, severity) of each row the subject breaks."""
    for row in ROWS:
        if row.subject != subject:
            continue
        found = _row(row, data, ctx)
        if found is not None:
            path, message = found
            yield path, message, row.severity


def _path(dotted: str) -> Path:
    return tuple(dotted.split(".")) if dotted else ()


def _known(value: Any) -> bool:
    """A value set and not a reference left for Terraform or a target to resolve."""
    return is_set(value) and not (isinstance(value, str) and "${" in value)


def _row(row: Row, data: dict[str, Any], ctx: Context) -> tuple[Path, str] | None:
    value = get(data, row.field)
    if row.kind == "max_items":
        if isinstance(value, (list, dict)) and len(value) > row.value:
            return _path(row.field), f"{len(value)} given; {row.message}"
    elif row.kind == "range":
        low, high = row.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and (
                (low is not None and value < low) or (high is not None and value > high)):
            return _path(row.field), f"bad value {value}: {row.message}"
    elif row.kind == "conflicts":
        if _known(value):
            for other in row.value:
                if _known(get(data, other)):
                    return _path(other), row.message
    elif row.kind == "requires":
        if _known(value) and not any(is_set(get(data, o)) for o in row.value):
            return _path(row.field), row.message
    elif row.kind in ("exactly_one", "at_most_one"):
        block = get(data, row.field) if row.field else data
        if isinstance(block, dict):
            given = [k for k in row.value if is_set(block.get(k))]
            wrong = len(given) > 1 or (row.kind == "exactly_one" and not given)
            if wrong:
                rel = (*_path(row.field), given[1]) if len(given) > 1 else _path(row.field)
                return rel, f"{row.message}; this one has {' and '.join(given) or 'none'}"
    elif row.kind == "required":
        block = get(data, row.value)
        if isinstance(block, dict) and not is_set(value):
            return _path(row.value), row.message
    elif row.kind == "pattern":
        if isinstance(value, str) and "${" not in value and not re.fullmatch(row.value, value):
            return _path(row.field), f"bad value {value!r}: {row.message}"
    elif row.kind == "check":
        check_fn: Callable[[dict[str, Any], Context], str | None] = row.value
        message = check_fn(data, ctx)
        if message is not None:
            return _path(row.field), message
    return None


def diagnostics(source: Any, path: Path, job: Any) -> list[Any]:
    """Every row a job as written breaks, at its line (`source` is its YAML file, `path`
    the job's key path in it)."""
    from brickline.spec.diagnostics import Diagnostic, format_path

    if not isinstance(job, dict):
        return []
    out = []
    for subject, at, data, ctx in subjects(job):
        for rel, message, severity in check(subject, data, ctx):
            where = (*path, *at, *rel)
            out.append(Diagnostic(source.where(where, key=bool(rel) and isinstance(
                where[-1], str)), format_path(where), message, severity=severity))
    return out
