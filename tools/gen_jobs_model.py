"""Generate constructs/brickline/spec/jobs_api.py (databricks_job) and
constructs/brickline/spec/resources_api.py (databricks_pipeline, databricks_schema,
databricks_volume) from the Databricks provider's own classes.

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

The bundle's pipelines, schemas and volumes are walked the same way into resources_api.py,
in the bundle's words: a field of the provider's resource that the bundle's own struct lacks
(the SDK's create request, which databricks/cli bundle/config/resources/pipeline.go,
schema.go and volume.go embed) is left out, as the CLI drops it ("unknown field",
libs/dyn/convert/normalize.go); a field of the create request that the provider lacks is
listed in NOT_SENT (the CLI's Terraform deployment drops it, bundle/deploy/terraform/tfdyn/
convert_pipeline.go `convert.Normalize(schema.ResourcePipeline{}, ...)`); and the bundle's
own keys (permissions, grants, lifecycle, ...) are added from the provider's classes for
what they become (databricks_permissions access_control, databricks_grants grant).

Both packages must be installed (`make test-cdktn` sets up .venv-cdktn with both):

    .venv-cdktn/bin/python tools/gen_jobs_model.py            # rewrite the module
    .venv-cdktn/bin/python tools/gen_jobs_model.py --check    # exit 1 if it would change
"""

from __future__ import annotations

import collections.abc
import dataclasses
import enum
import functools
import itertools
import os
import re
import sys
import typing
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "constructs/brickline/spec/jobs_api.py"
RESOURCES_TARGET = TARGET.with_name("resources_api.py")
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
    "always_running", "control_run_state", "id", "timeouts", "format",
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

# Enum fields take their values from the SDK's enums (databricks-sdk service/jobs.py and
# service/compute.py), found by walking the SDK's JobSettings beside the provider's classes
# (`_sdk_field`); a field whose SDK docs say "The value is case insensitive" (git_provider)
# accepts any case and keeps what was written. Where the provider refuses values the SDK
# lists, the provider's list wins: (class-name suffix, field) -> values, with the source.
PROVIDER_ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    # provider 1.99.0 jobs/resource_job.go:599 (periodic trigger unit StringInSlice), still
    # there in 1.128.0 (line 600); the SDK's PeriodicTriggerConfigurationTimeUnit adds
    # MINUTES. (The plural `triggers` of provider 1.138 has no such check in 1.128.0.)
    ("TriggerPeriodic", "unit"): ("DAYS", "HOURS", "WEEKS"),
}


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
        return "Bool"
    if "int" in text or "float" in text:
        return "Real" if field in FRACTIONAL_FIELDS else "Number"
    return "str"


def _required(hint: typing.Any) -> bool:
    return type(None) not in typing.get_args(hint) and "Optional" not in str(hint)


def _model_name(cls: type) -> str:
    return "JobSettings" if cls.__name__ == "Job" else cls.__name__.removeprefix("Job")


def _sdk_inner(hint: typing.Any) -> typing.Any:
    """The element type of an SDK field's hint: Optional[List[X]] -> X."""
    while True:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        wraps = typing.get_origin(hint) in (list, collections.abc.Sequence, typing.Union) or \
            hint.__class__.__name__ == "UnionType"
        if not (wraps and args):
            return hint
        hint = args[0]


@functools.cache
def _sdk_docs(cls: typing.Any) -> dict[str, str]:
    """Field -> the docstring after it in the SDK dataclass's source (a method's: its
    `:param field:` text)."""
    import ast
    import inspect
    import re

    if inspect.isfunction(cls):
        text = inspect.getdoc(cls) or ""
        return {m.group(1): m.group(2) for m in re.finditer(
            r":param (\w+):(.*?)(?=\n:param |\n:returns|\Z)", text, re.DOTALL)}
    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and \
                isinstance(after.value.value, str):
            docs[node.target.id] = after.value.value
    return docs


def _sdk_field(sdk_cls: typing.Any, *names: str) -> tuple[typing.Any, str] | None:
    """The SDK's type and docstring of the first of `names` that `sdk_cls` (a dataclass, or
    an API method: its parameters) has."""
    import inspect

    if sdk_cls is None or not (dataclasses.is_dataclass(sdk_cls) or inspect.isfunction(sdk_cls)):
        return None
    hints = typing.get_type_hints(sdk_cls)
    for name in names:
        if name in hints:
            return _sdk_inner(hints[name]), _sdk_docs(sdk_cls).get(name, "")
    return None


def _enum_for(cls_name: str, field: str, sdk: tuple[typing.Any, str] | None) -> str | None:
    """`Annotated[str, OneOf(...)]` for a field the SDK types as an enum."""
    if sdk is None or not (isinstance(sdk[0], type) and issubclass(sdk[0], enum.Enum)):
        return None
    values = next((v for (suffix, f), v in PROVIDER_ENUMS.items()
                   if f == field and cls_name.endswith(suffix)), None) or \
        tuple(sorted(e.value for e in sdk[0]))
    insensitive = "case insensitive" in " ".join(sdk[1].split()).lower()
    flag = ", case_insensitive=True" if insensitive else ""
    return "Annotated[str, OneOf(" + ", ".join(repr(v) for v in values) + flag + ")]"


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


class _Walker:
    """The provider's classes walked into model classes (name -> body lines) in the order
    they can be built (each after the ones it names), with the fields that came after the
    oldest provider (`introduced`)."""

    def __init__(self, newest_version: str, name_of: typing.Callable[[type], str],
                 list_renames: dict[str, str], field_renames: dict[tuple[str, str], str], *,
                 both_spellings: bool, renames_at_root_only: bool = False) -> None:
        self.newest_version = newest_version
        self.name_of = name_of
        self.list_renames = list_renames
        self.field_renames = field_renames
        # the jobs model loads the provider's spelling too (a pipeline folder's job may be
        # written in either); a bundle's resource takes only the bundle's, as the CLI does
        self.both_spellings = both_spellings
        self.renames_at_root_only = renames_at_root_only
        self.classes: dict[str, list[str]] = {}
        self.order: list[str] = []
        self.introduced: dict[str, dict[str, str]] = {}

    def visit(self, cls: type, *, sdk_cls: typing.Any = None, skip: frozenset[str] = frozenset(),
              extra: typing.Sequence[tuple[str, str]] = (), is_root: bool = False) -> str:
        """The model class of provider class `cls`; `skip`: its fields left out; `extra`:
        (key, line) of fields that are not the provider's, sorted in among its own."""
        from brickline.constructs.structs import struct_in

        name = self.name_of(cls)
        if name in self.classes:
            return name
        self.classes[name] = []
        hints = typing.get_type_hints(cls.__init__)
        older_cls = _oldest_class(cls)
        older = set(typing.get_type_hints(older_cls.__init__)) if older_cls is not None \
            else None
        older_hints = typing.get_type_hints(older_cls.__init__) if older_cls is not None \
            else {}
        fields: list[tuple[str, str]] = []
        # required by the oldest provider, optional in the newest: asked for on the old one
        loosened = [f for f, h in sorted(hints.items()) if f in older_hints and
                    f not in SKIP_EVERYWHERE and _required(older_hints[f]) and not _required(h)]
        for field, hint in sorted(hints.items()):
            if field in SKIP_EVERYWHERE or field in ("return", "scope", "id_") or field in skip:
                continue
            struct = struct_in(hint)
            is_list = _is_sequence(hint)
            renamed = struct is not None and is_list and (
                is_root or not self.renames_at_root_only)
            user_name = self.list_renames.get(field, field) if renamed else field
            user_name = next((api for (suffix, f), api in self.field_renames.items()
                              if f == field and cls.__name__.endswith(suffix)), user_name)
            sdk = _sdk_field(sdk_cls, user_name, field)
            if struct is not None:
                inner = self.visit(struct, sdk_cls=sdk[0] if sdk else None)
                annotation = f"list[{inner}]" if is_list else inner
            else:
                annotation = _enum_for(cls.__name__, field, sdk) or _leaf_type(hint, field)
                if annotation.startswith("Annotated[") and is_list:
                    annotation = f"list[{annotation}]"
            extras = []
            if user_name in SHADOWING:
                # `schema` is a BaseModel attribute: keep the YAML key through an alias.
                extras.append(f"alias={user_name!r}")
                user_name += "_"
            elif user_name != field and self.both_spellings:
                # both spellings load; the Jobs API's is the documented one (the schema's)
                extras.append(f"validation_alias=AliasChoices({user_name!r}, {field!r})")
                extras.append(f"serialization_alias={field!r}")
            elif user_name != field:
                extras.append(f"serialization_alias={field!r}")
            if _required(hint):
                default = "..."
            else:
                annotation = f"{annotation} | None"
                default = "None"
            if older is None or field not in older:
                self.introduced.setdefault(name, {})[user_name] = self.newest_version
            if older is not None and field not in older:
                # came after the oldest provider: refused on an engine older than it
                annotation = (f"Annotated[{annotation}, since({self.newest_version!r}), "
                              f"since_doc({self.newest_version!r})]")
            if extras:
                args = ", ".join([default, *extras])
                line = f"    {user_name}: {annotation} = Field({args})"
            elif default == "...":
                line = f"    {user_name}: {annotation}"
            else:
                line = f"    {user_name}: {annotation} = {default}"
            fields.append((field, line))
        lines = [line for _, line in sorted([*fields, *extra])]
        if loosened:
            names = ", ".join(repr(f) for f in loosened)
            lines += ["", '    @model_validator(mode="after")',
                      f"    def check_older_provider(self) -> \"{name}\":",
                      f"        return required_before(self, {self.newest_version!r}, {names})"]
        self.classes[name] = lines or ["    pass"]
        self.order.append(name)
        return name

    def introduced_table(self) -> list[str]:
        table = ["INTRODUCED: dict[str, dict[str, str]] = {"]
        for name in sorted(self.introduced):
            fields = ", ".join(f"{f!r}: {v!r}" for f, v in sorted(self.introduced[name].items()))
            table.append(f"    {name!r}: {{{fields}}},")
        table.append("}")
        return table

    def class_lines(self) -> list[str]:
        out: list[str] = []
        aliases = _same_shape(self.classes, self.order)
        for name in self.order:
            if aliases[name] != name:
                out += ["", f"{name} = {aliases[name]}", ""]
            else:
                out += ["", f"class {name}(SpecModel):", *self.classes[name], ""]
        return out


def _oldest_class(cls: type) -> type | None:
    """The same class in the oldest bindings (None: it has no such class: a block that came
    whole, refused where its field is)."""
    import importlib

    try:
        module = importlib.import_module(cls.__module__.replace(NEWEST[0], OLDEST[0], 1))
    except ImportError:
        return None
    older = getattr(module, cls.__name__, None)
    return older if isinstance(older, type) else None


def _versions() -> tuple[str, str]:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,18")
    return provider_version(NEWEST[0]), provider_version(OLDEST[0])


def _header(what: list[str]) -> list[str]:
    from importlib.metadata import version

    newest_version, oldest_version = _versions()
    return [
        f'"""GENERATED by tools/gen_jobs_model.py from {NEWEST[1]} '
        f'{version(NEWEST[1])} (provider {newest_version}),',
        f"compared with {OLDEST[1]} {version(OLDEST[1])} (provider {oldest_version}). "
        "Do not edit.",
        "",
        *what,
        'Regenerate after a provider upgrade; a test fails while this is stale."""',
        "",
    ]


def generate() -> str:
    import importlib

    newest_version, oldest_version = _versions()
    provider_job = importlib.import_module(f"{NEWEST[0]}.job")
    from databricks.sdk.service import jobs as sdk_jobs

    walker = _Walker(newest_version, _model_name, LIST_RENAMES, FIELD_RENAMES,
                     both_spellings=True)
    walker.visit(provider_job.Job, sdk_cls=sdk_jobs.JobSettings, is_root=True,
                 skip=frozenset(SKIP_JOB_FIELDS | TERRAFORM_META))
    out = [
        *_header([
            "A databricks_job in the Jobs API's words; serialization aliases are the provider's",
            "names, and both spellings load (validation aliases). A field the older provider",
            "lacks carries since(version): refused on an engine whose provider is older."]),
        # no `from __future__ import annotations`: real annotations, built in order (each
        # class after the ones it names), spare pydantic evaluating 1,000 strings at import
        "from typing import Annotated",
        "",
        "from pydantic import AliasChoices, Field, model_validator",
        "",
        "from brickline.spec.base import Bool, Number, OneOf, Real, SpecModel",
        "from brickline.spec.since import required_before, since, since_doc",
        "",
        "__all__ = [" + ", ".join(repr(n) for n in sorted(walker.order)) + "]",
        "",
        f"# every field not in INTRODUCED is in provider {oldest_version} (the cdktf engine's)",
        f"BASELINE = {oldest_version!r}",
        "# model -> field -> the provider version that introduced it: after the baseline, by",
        "# this version (the newest bindings have it, the oldest do not)",
        *walker.introduced_table(),
        "",
    ]
    out += walker.class_lines()
    return "\n".join(out).rstrip() + "\n"


# The bundle's resources brickline provisions besides jobs: bundle key -> (provider module
# and class, SDK service and API whose `create` takes the request the bundle's struct
# embeds: databricks/cli bundle/config/resources/pipeline.go pipelines.CreatePipeline,
# schema.go catalog.CreateSchema, volume.go catalog.CreateVolumeRequestContent).
RESOURCES = {
    "pipelines": ("pipeline", "Pipeline", "pipelines", "PipelinesAPI"),
    "schemas": ("schema", "Schema", "catalog", "SchemasAPI"),
    "volumes": ("volume", "Volume", "catalog", "VolumesAPI"),
}
# bundle/deploy/terraform/tfdyn/convert_pipeline.go renameKeys: the top-level blocks only
RESOURCE_LIST_RENAMES = {"library": "libraries", "cluster": "clusters",
                         "notification": "notifications"}
# a bundle permission's `level` is access_control's permission_level (bundle/config/
# resources/permission.go PermissionT; tfdyn/convert_permissions.go)
RESOURCE_FIELD_RENAMES = {("PermissionsAccessControl", "permission_level"): "level"}
# the provider classes of the bundle's own keys, by the names the bundle gives them
RESOURCE_CLASS_NAMES = {"PermissionsAccessControl": "PipelinePermission",
                        "GrantsGrant": "Grant"}
# The bundle's own keys of each resource, not the provider's resource's: key -> the provider
# module and class it becomes and the SDK class of its enums (a list of them), or a leaf
# annotation. bundle/config/resources/pipeline.go (permissions, cascade_on_destroy),
# schema.go and volume.go (grants; volume_path, read-only), base.go (lifecycle, every
# resource); tfdyn/convert_permissions.go, convert_grants.go (what they become).
BUNDLE_KEYS: dict[str, dict[str, tuple[str, str, str] | str]] = {
    "pipelines": {
        "permissions": ("permissions", "PermissionsAccessControl",
                        "pipelines.PipelineAccessControlRequest"),
        "cascade_on_destroy": "Bool",
        "lifecycle": "Lifecycle",
    },
    "schemas": {
        "grants": ("grants", "GrantsGrant", "catalog.PrivilegeAssignment"),
        "lifecycle": "Lifecycle",
    },
    "volumes": {
        "grants": ("grants", "GrantsGrant", "catalog.PrivilegeAssignment"),
        "lifecycle": "Lifecycle",
        "volume_path": "str",
    },
}
# bundle/config/resources/lifecycle.go Lifecycle (a resource's `lifecycle`)
LIFECYCLE = ["    prevent_destroy: Bool | None = None"]


def generate_resources() -> str:
    import importlib

    newest_version, oldest_version = _versions()
    walker = _Walker(newest_version, lambda c: RESOURCE_CLASS_NAMES.get(c.__name__, c.__name__),
                     RESOURCE_LIST_RENAMES, RESOURCE_FIELD_RENAMES, both_spellings=False,
                     renames_at_root_only=True)
    walker.classes["Lifecycle"] = LIFECYCLE
    walker.order.append("Lifecycle")
    roots: dict[str, str] = {}
    not_sent: dict[str, list[str]] = {}
    for kind, (module, class_name, service, api) in RESOURCES.items():
        provider_cls = getattr(importlib.import_module(f"{NEWEST[0]}.{module}"), class_name)
        create = getattr(importlib.import_module(f"databricks.sdk.service.{service}"),
                         api).create
        request = set(typing.get_type_hints(create)) - {"return"}
        fields = set(typing.get_type_hints(provider_cls.__init__))
        spelled = {RESOURCE_LIST_RENAMES.get(f, f): f for f in fields}
        # the provider's fields the bundle's struct lacks: the CLI drops them as unknown
        skip = frozenset({f for api_name, f in spelled.items() if api_name not in request} |
                         {"id"} | TERRAFORM_META)
        not_sent[kind] = sorted(request - set(spelled))
        extra = []
        for key, what in BUNDLE_KEYS[kind].items():
            if isinstance(what, str):
                extra.append((key, f"    {key}: {what} | None = None"))
                continue
            sub_module, sub_class, sdk_name = what
            sub = getattr(importlib.import_module(f"{NEWEST[0]}.{sub_module}"), sub_class)
            sdk_service, sdk_class = sdk_name.split(".")
            sdk_cls = getattr(importlib.import_module(f"databricks.sdk.service.{sdk_service}"),
                              sdk_class)
            inner = walker.visit(sub, sdk_cls=sdk_cls)
            extra.append((key, f"    {key}: list[{inner}] | None = None"))
        roots[kind] = walker.visit(provider_cls, sdk_cls=create, skip=skip, extra=extra,
                                   is_root=True)
    body = "\n".join(walker.class_lines())
    imports = ", ".join(n for n in ("Bool", "Number", "OneOf", "Real") if
                        re.search(rf"\b{n}\b", body))
    pydantic = ", ".join(n for n in ("Field", "model_validator") if re.search(rf"\b{n}\b", body))
    since_names = ", ".join(n for n in ("required_before", "since", "since_doc")
                            if re.search(rf"\b{n}\(", body))
    out = [
        *_header([
            "The bundle's pipelines, schemas and volumes (databricks_pipeline, databricks_schema,",
            "databricks_volume) in the bundle's words (clusters, libraries, notifications;",
            "serialization aliases are the provider's names), with the bundle's own keys",
            "(permissions, grants, lifecycle). A field the older provider lacks carries",
            "since(version): refused on an engine whose provider is older."]),
        "from typing import Annotated",
        "",
        f"from pydantic import {pydantic}",
        "",
        f"from brickline.spec.base import {imports}, SpecModel",
        f"from brickline.spec.since import {since_names}",
        "",
        "__all__ = [" + ", ".join(repr(n) for n in sorted(walker.order)) + "]",
        "",
        f"# every field not in INTRODUCED is in provider {oldest_version} (the cdktf engine's)",
        f"BASELINE = {oldest_version!r}",
        "# model -> field -> the provider version that introduced it: after the baseline, by",
        "# this version (the newest bindings have it, the oldest do not)",
        *walker.introduced_table(),
        "# the bundle's resource types -> their model",
        "ROOTS = {" + ", ".join(f"{k!r}: {v!r}" for k, v in roots.items()) + "}",
        "# keys of the API's create request (the bundle's struct) that the provider's resource",
        "# does not take: the CLI's Terraform deployment drops them (tfdyn), so does brickline",
        "NOT_SENT: dict[str, tuple[str, ...]] = {" + ", ".join(
            f"{k!r}: {tuple(v)!r}" for k, v in not_sent.items()) + "}",
        "# the bundle's own keys of each type (not the provider's resource's): what they",
        "# become is plan/bundle.py's",
        "OWN_KEYS: dict[str, tuple[str, ...]] = {" + ", ".join(
            f"{k!r}: {tuple(sorted(v))!r}" for k, v in BUNDLE_KEYS.items()) + "}",
        "",
        body,
    ]
    return "\n".join(out).rstrip() + "\n"


def _same_shape(classes: dict[str, list[str]], order: list[str]) -> dict[str, str]:
    """Each class's first earlier class of the same shape (itself if none): the same fields
    with the same annotations once the classes they name are replaced by theirs. The
    provider repeats a task's blocks inside for_each_task (TaskNotebookTask,
    TaskForEachTaskTaskNotebookTask, ...); one class each halves the model's import and
    schema build, and the other name stays, bound to it (`api.TaskForEachTaskTask...`)."""
    import re

    canonical: dict[str, str] = {}
    seen: dict[tuple[str, ...], str] = {}
    word = re.compile(r"\b[A-Z]\w*\b")
    for name in order:  # each class after the ones it names
        names = {**canonical, name: "Self"}
        body = tuple(word.sub(lambda m, names=names: names.get(m.group(0), m.group(0)), line)
                     for line in classes[name])
        canonical[name] = seen.setdefault(body, name)
    return canonical


def main(argv: list[str]) -> int:
    outputs = {TARGET: generate(), RESOURCES_TARGET: generate_resources()}
    if "--check" in argv:
        stale = [t for t, text in outputs.items()
                 if (t.read_text(encoding="utf-8") if t.exists() else "") != text]
        for target in stale:
            print(f"{target} is stale: run .venv-cdktn/bin/python tools/gen_jobs_model.py")
        return 1 if stale else 0
    for target, text in outputs.items():
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
