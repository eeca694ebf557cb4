"""Generate constructs/brickline/spec/jobs_api.py from the Databricks provider's own classes.

The provider bindings are the source of truth for what a `databricks_job` accepts. Walking
the newest ones brickline synthesizes with (cdktn-provider-databricks, provider 1.138.0)
gives a complete, strict pydantic model of a job in the Jobs API's words (`tasks`,
`job_clusters`, `libraries`), with the provider's block names kept as serialization
aliases (`task`, `job_cluster`, `library`). Each field is compared with the oldest bindings
(cdktf-cdktf-provider-databricks, provider 1.99.0): one they lack was introduced by a newer
provider, recorded in INTRODUCED and checked against the engine in use (spec/since.py).
The two packages say only that such a field came after 1.99.0 and by 1.138.0, so it is
marked 1.138.0: the newest provider known to have it. The spec layer then validates
without importing jsii, and tests/test_jobs_model.py fails when this file is stale.

Both packages must be installed (`make test-cdktn` sets up .venv-cdktn with both):

    .venv-cdktn/bin/python tools/gen_jobs_model.py            # rewrite the module
    .venv-cdktn/bin/python tools/gen_jobs_model.py --check    # exit 1 if it would change
"""

from __future__ import annotations

import collections.abc
import os
import sys
import typing
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "constructs/brickline/spec/jobs_api.py"
# the newest bindings (the model's fields) and the oldest (what came later): Python
# package, PyPI distribution
NEWEST = ("cdktn_provider_databricks", "cdktn-provider-databricks")
OLDEST = ("cdktf_cdktf_provider_databricks", "cdktf-cdktf-provider-databricks")

# Provider list blocks are singular; the Jobs API, bundles and the Jobs UI's YAML say plural.
LIST_RENAMES = {
    "task": "tasks",
    "job_cluster": "job_clusters",
    "library": "libraries",
    "parameter": "parameters",
    "environment": "environments",
}

# Job-level fields that exist only for the legacy single-task job format or for Terraform
# itself; a pipeline job always uses `tasks`.
SKIP_JOB_FIELDS = {
    "always_running", "control_run_state", "id", "timeouts", "format", "deployment",
    "dbt_task", "notebook_task", "spark_jar_task", "spark_python_task", "spark_submit_task",
    "pipeline_task", "python_wheel_task", "run_job_task", "new_cluster",
    "existing_cluster_id", "library", "max_retries", "min_retry_interval_millis",
    "retry_on_timeout",
}
# Scalar fields the provider names differently from the Jobs API (the SDK's dataclasses,
# databricks/sdk/service/jobs.py GitSource, and the bundle schema's jobs.GitSource say
# git_url ...). (provider class-name suffix, provider field) -> Jobs API field. Found by
# walking the SDK's JobSettings beside this model: these and the list blocks above are
# every difference of spelling; the other differences are fields one side lacks.
FIELD_RENAMES = {
    ("GitSource", "url"): "git_url",
    ("GitSource", "provider"): "git_provider",
    ("GitSource", "branch"): "git_branch",
    ("GitSource", "commit"): "git_commit",
    ("GitSource", "tag"): "git_tag",
}
SKIP_EVERYWHERE = {"provider_config"}
SHADOWING = {"schema"}
TERRAFORM_META = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider",
                  "provisioners", "scope", "id_", "return"}

# Values the Jobs API accepts, checked here so a typo fails before any plan.
# (class-name suffix, field) -> allowed values
ENUMS: list[tuple[str, str, tuple[str, ...]]] = [
    ("", "run_if", ("ALL_SUCCESS", "AT_LEAST_ONE_SUCCESS", "NONE_FAILED", "ALL_DONE",
                    "AT_LEAST_ONE_FAILED", "ALL_FAILED")),
    ("", "pause_status", ("PAUSED", "UNPAUSED")),
    ("HealthRules", "metric", ("RUN_DURATION_SECONDS", "STREAMING_BACKLOG_BYTES",
                               "STREAMING_BACKLOG_RECORDS", "STREAMING_BACKLOG_SECONDS",
                               "STREAMING_BACKLOG_FILES")),
    ("HealthRules", "op", ("GREATER_THAN",)),
    ("ConditionTask", "op", ("EQUAL_TO", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
                             "LESS_THAN_OR_EQUAL", "NOT_EQUAL")),
    ("", "source", ("WORKSPACE", "GIT")),
    ("NewCluster", "runtime_engine", ("STANDARD", "PHOTON")),
    ("GitSource", "provider", ("gitHub", "bitbucketCloud", "azureDevOpsServices",
                               "gitHubEnterprise", "bitbucketServer", "gitLab",
                               "gitLabEnterpriseEdition", "awsCodeCommit")),
    ("Job", "edit_mode", ("UI_LOCKED", "EDITABLE")),
    ("Job", "performance_target", ("PERFORMANCE_OPTIMIZED", "STANDARD")),
    ("Continuous", "task_retry_mode", ("NEVER", "ON_FAILURE")),
    ("TableUpdate", "condition", ("ANY_UPDATED", "ALL_UPDATED")),
]


def _is_sequence(hint: typing.Any) -> bool:
    if typing.get_origin(hint) in (list, collections.abc.Sequence):
        return True
    return any(_is_sequence(a) for a in typing.get_args(hint))


def _is_mapping(hint: typing.Any) -> bool:
    if typing.get_origin(hint) in (dict, collections.abc.Mapping):
        return True
    return any(_is_mapping(a) for a in typing.get_args(hint))


# The provider's numbers are all Int in its schema (jsii types them as float) except these.
FRACTIONAL_FIELDS = {"spot_bid_max_price"}


def _leaf_type(hint: typing.Any, field: str = "") -> str:
    text = str(hint)
    if _is_mapping(hint):
        return "dict[str, str]"
    if _is_sequence(hint):
        return "list[str]"
    if "bool" in text:
        return "bool"
    if "int" in text or "float" in text:
        return "Real" if field in FRACTIONAL_FIELDS else "Number"
    return "str"


def _required(hint: typing.Any) -> bool:
    return type(None) not in typing.get_args(hint) and "Optional" not in str(hint)


def _model_name(cls: type) -> str:
    return "JobSettings" if cls.__name__ == "Job" else cls.__name__.removeprefix("Job")


def _enum_for(cls_name: str, field: str) -> tuple[str, ...] | None:
    for suffix, name, values in ENUMS:
        if name == field and cls_name.endswith(suffix):
            return values
    return None


def provider_version(package: str) -> str:
    """The provider version a bindings package wraps: the second line of its __init__.py
    ("# CDKTF prebuilt bindings for databricks/databricks provider version 1.99.0", CDKTN
    for cdktn's), read without importing it."""
    import importlib.util
    import re

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{package} is not installed: the generator needs both provider "
                         "bindings (make test-cdktn sets up .venv-cdktn with both)")
    head = Path(spec.origin).read_text(encoding="utf-8").splitlines()[1]
    match = re.fullmatch(r"# CDKT[FN] prebuilt bindings for databricks/databricks provider "
                         r"version (\d+\.\d+\.\d+)", head)
    if match is None:
        raise SystemExit(f"{spec.origin}: no provider version on its second line: {head!r}")
    return match.group(1)


def generate() -> str:
    import importlib

    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,18")
    newest_version, oldest_version = provider_version(NEWEST[0]), provider_version(OLDEST[0])
    from brickline.constructs.structs import struct_in

    provider_job = importlib.import_module(f"{NEWEST[0]}.job")
    oldest_job = importlib.import_module(f"{OLDEST[0]}.job")

    def oldest_fields(cls: type) -> set[str] | None:
        """The fields of the same class in the oldest bindings (None: it has no such class:
        a block that came whole, refused where its field is)."""
        older = getattr(oldest_job, cls.__name__, None)
        return set(typing.get_type_hints(older.__init__)) if older is not None else None

    classes: dict[str, list[str]] = {}
    order: list[str] = []
    introduced: dict[str, dict[str, str]] = {}

    def visit(cls: type, is_root: bool = False) -> str:
        name = _model_name(cls)
        if name in classes:
            return name
        classes[name] = []
        hints = typing.get_type_hints(cls.__init__)
        older = oldest_fields(cls)
        lines: list[str] = []
        for field, hint in sorted(hints.items()):
            if field in SKIP_EVERYWHERE or field in ("return", "scope", "id_"):
                continue
            if is_root and (field in SKIP_JOB_FIELDS or field in TERRAFORM_META):
                continue
            struct = struct_in(hint)
            is_list = _is_sequence(hint)
            if struct is not None:
                inner = visit(struct)
                annotation = f"list[{inner}]" if is_list else inner
            else:
                values = _enum_for(cls.__name__, field)
                if values:
                    annotation = "Literal[" + ", ".join(repr(v) for v in values) + "]"
                else:
                    annotation = _leaf_type(hint, field)
            renamed = struct is not None and is_list
            user_name = LIST_RENAMES.get(field, field) if renamed else field
            user_name = next((api for (suffix, f), api in FIELD_RENAMES.items()
                              if f == field and cls.__name__.endswith(suffix)), user_name)
            extras = []
            if user_name in SHADOWING:
                # `schema` is a BaseModel attribute: keep the YAML key through an alias.
                extras.append(f"alias={user_name!r}")
                user_name += "_"
            elif user_name != field:
                # both spellings load; the Jobs API's is the documented one (the schema's)
                extras.append(f"validation_alias=AliasChoices({user_name!r}, {field!r})")
                extras.append(f"serialization_alias={field!r}")
            if _required(hint):
                default = "..."
            else:
                annotation = f"{annotation} | None"
                default = "None"
            if older is None or field not in older:
                introduced.setdefault(name, {})[user_name] = newest_version
            if older is not None and field not in older:
                # came after the oldest provider: refused on an engine older than it
                annotation = (f"Annotated[{annotation}, since({newest_version!r}), "
                              f"since_doc({newest_version!r})]")
            if extras:
                args = ", ".join([default, *extras])
                lines.append(f"    {user_name}: {annotation} = Field({args})")
            elif default == "...":
                lines.append(f"    {user_name}: {annotation}")
            else:
                lines.append(f"    {user_name}: {annotation} = {default}")
        classes[name] = lines or ["    pass"]
        order.append(name)
        return name

    visit(provider_job.Job, is_root=True)
    from importlib.metadata import version

    table = ["INTRODUCED: dict[str, dict[str, str]] = {"]
    for name in sorted(introduced):
        fields = ", ".join(f"{f!r}: {v!r}" for f, v in sorted(introduced[name].items()))
        table.append(f"    {name!r}: {{{fields}}},")
    table.append("}")
    out = [
        f'"""GENERATED by tools/gen_jobs_model.py from {NEWEST[1]} '
        f'{version(NEWEST[1])} (provider {newest_version}),',
        f"compared with {OLDEST[1]} {version(OLDEST[1])} (provider {oldest_version}). "
        "Do not edit.",
        "",
        "A databricks_job in the Jobs API's words; serialization aliases are the provider's",
        "names, and both spellings load (validation aliases). A field the older provider",
        "lacks carries since(version): refused on an engine whose provider is older.",
        'Regenerate after a provider upgrade; a test fails while this is stale."""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Annotated, Literal",
        "",
        "from pydantic import AliasChoices, Field",
        "",
        "from brickline.spec.base import Number, Real, SpecModel",
        "from brickline.spec.since import since, since_doc",
        "",
        "__all__ = [" + ", ".join(repr(n) for n in sorted(order)) + "]",
        "",
        f"# every field not in INTRODUCED is in provider {oldest_version} (the cdktf engine's)",
        f"BASELINE = {oldest_version!r}",
        "# model -> field -> the provider version that introduced it: after the baseline, by",
        "# this version (the newest bindings have it, the oldest do not)",
        *table,
        "",
    ]
    for name in order:
        out += ["", f"class {name}(SpecModel):", *classes[name], ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run .venv/bin/python tools/gen_jobs_model.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
