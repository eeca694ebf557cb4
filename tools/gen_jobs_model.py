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
import dataclasses
import enum
import functools
import itertools
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
def _sdk_docs(cls: type) -> dict[str, str]:
    """Field -> the docstring after it in the SDK dataclass's source."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(cls))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and \
                isinstance(after.value.value, str):
            docs[node.target.id] = after.value.value
    return docs


def _sdk_field(sdk_cls: type | None, *names: str) -> tuple[typing.Any, str] | None:
    """The SDK's type and docstring of the first of `names` that `sdk_cls` has."""
    if sdk_cls is None or not dataclasses.is_dataclass(sdk_cls):
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

    from databricks.sdk.service import jobs as sdk_jobs

    def visit(cls: type, is_root: bool = False, sdk_cls: type | None = None) -> str:
        name = _model_name(cls)
        if name in classes:
            return name
        classes[name] = []
        hints = typing.get_type_hints(cls.__init__)
        older = oldest_fields(cls)
        older_hints = typing.get_type_hints(getattr(oldest_job, cls.__name__).__init__) \
            if older is not None else {}
        lines: list[str] = []
        # required by the oldest provider, optional in the newest: asked for on the old one
        loosened = [f for f, h in sorted(hints.items()) if f in older_hints and
                    f not in SKIP_EVERYWHERE and _required(older_hints[f]) and not _required(h)]
        for field, hint in sorted(hints.items()):
            if field in SKIP_EVERYWHERE or field in ("return", "scope", "id_"):
                continue
            if is_root and (field in SKIP_JOB_FIELDS or field in TERRAFORM_META):
                continue
            struct = struct_in(hint)
            is_list = _is_sequence(hint)
            api_name = LIST_RENAMES.get(field, field) if struct is not None and is_list \
                else field
            api_name = next((api for (suffix, f), api in FIELD_RENAMES.items()
                             if f == field and cls.__name__.endswith(suffix)), api_name)
            sdk = _sdk_field(sdk_cls, api_name, field)
            if struct is not None:
                inner = visit(struct, sdk_cls=sdk[0] if sdk else None)
                annotation = f"list[{inner}]" if is_list else inner
            else:
                annotation = _enum_for(cls.__name__, field, sdk) or _leaf_type(hint, field)
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
        if loosened:
            fields = ", ".join(repr(f) for f in loosened)
            lines += ["", '    @model_validator(mode="after")',
                      f"    def check_older_provider(self) -> \"{name}\":",
                      f"        return required_before(self, {newest_version!r}, {fields})"]
        classes[name] = lines or ["    pass"]
        order.append(name)
        return name

    visit(provider_job.Job, is_root=True, sdk_cls=sdk_jobs.JobSettings)
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
        # no `from __future__ import annotations`: real annotations, built in order (each
        # class after the ones it names), spare pydantic evaluating 1,000 strings at import
        "from typing import Annotated",
        "",
        "from pydantic import AliasChoices, Field, model_validator",
        "",
        "from brickline.spec.base import Bool, Number, OneOf, Real, SpecModel",
        "from brickline.spec.since import required_before, since, since_doc",
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
    aliases = _same_shape(classes, order)
    for name in order:
        if aliases[name] != name:
            out += ["", f"{name} = {aliases[name]}", ""]
        else:
            out += ["", f"class {name}(SpecModel):", *classes[name], ""]
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
    text = generate()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run .venv-cdktn/bin/python tools/gen_jobs_model.py")
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
