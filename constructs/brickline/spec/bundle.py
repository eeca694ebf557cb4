"""A Databricks Asset Bundle root (`databricks.yml` and the files it includes), read as the
Databricks CLI reads it, into the same Pipeline model as a pipeline folder. Nothing after
the loader knows which door a pipeline came through, except where a target resolves its
values (spec/targets.py asks `view` for a target's jobs and resources).

Sources, databricks/cli (snapshot 7bbe285, 2026-08-21; /work/notes/bundle_semantics.md):
- root file names and "more than one is an error": bundle/config/filename.go:12 FileNames,
  FindInPath;
- includes: bundle/config/loader/process_root_includes.go (Go filepath.Glob per entry, the
  matches of an entry sorted, a file seen twice skipped, a literal entry that matches nothing
  is an error, only .yml/.yaml/.json), process_include.go (an include outside the root file
  is ignored with a warning);
- merging: bundle/config/root.go Merge and libs/dyn/merge/merge.go (mappings key by key, the
  later file wins; lists are concatenated); the same resource key twice is an error
  (bundle/config/validate/unique_resource_keys.go);
- unknown keys are warnings and dropped (libs/dyn/convert/normalize.go), a key holding only
  YAML anchors is silent (isAnchorContainer);
- variables: bundle/config/variable/variable.go, lookup.go; values: target default > root
  default; a target default clears a root lookup and the reverse (root.go
  MergeTargetOverrides); no value is an error at deploy (set_variables.go) -- brickline
  makes it a Terraform variable, set at deploy with TF_VAR_<name>;
- targets: bundle/config/target.go; merged over the root by root.go MergeTargetOverrides
  (resources deep, lists concatenated), then job tasks, job_clusters and parameters merged by
  key (bundle/config/mutator/resourcemutator/merge_job_tasks.go, merge_job_clusters.go,
  merge_job_parameters.go; tasks sorted by task_key);
- modes: resourcemutator/apply_target_mode.go (development: name prefix
  "[dev <short_name>] ", tag dev, max_concurrent_runs 4, triggers paused, pipelines in
  development mode), validate_target_mode.go (production: workspace.root_path);
  presets: apply_presets.go; short_name: libs/iamutil/user.go GetShortUserName;
- run_as: resourcemutator/run_as.go (each job without its own gets it); permissions:
  apply_bundle_permissions.go (CAN_MANAGE, CAN_VIEW, CAN_RUN -> a job's CAN_MANAGE,
  CAN_VIEW, CAN_MANAGE_RUN);
- workspace paths: bundle/config/mutator/default_workspace_root.go, default_workspace_paths.go
  (~/.bundle/<name>/<target>, then files, artifacts, state, resources under it).
"""

from __future__ import annotations

import copy
import functools
import glob
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any, Literal

from pydantic import ValidationError

from brickline.spec import interpolate
from brickline.spec.base import SpecModel
from brickline.spec.diagnostics import Diagnostic, Location, Path, did_you_mean, format_path
from brickline.spec.interpolate import Expression
from brickline.spec.model import (
    Job,
    MetadataOverride,
    Permission,
    Pipeline,
    PipelineSettings,
    Target,
)
from brickline.spec.normalize import normalize
from brickline.spec.validation import (
    kind_of,
    read_file,
    validate_job,
    validate_model,
    validate_settings,
)
from brickline.spec.yamlsource import Source

ROOT_FILES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
SETTINGS_FILES = ("pipeline.yml", "pipeline.yaml")
INCLUDE_SUFFIXES = (".yml", ".yaml", ".json")
# bundle/config/root.go type Root
ROOT_KEYS = ("variables", "bundle", "include", "workspace", "artifacts", "resources",
             "targets", "environments", "sync", "run_as", "presets", "experimental",
             "permissions", "scripts", "python", "definitions")
# bundle/config/target.go type Target
TARGET_KEYS = ("default", "mode", "presets", "compute_id", "cluster_id", "bundle",
               "workspace", "artifacts", "resources", "variables", "git", "run_as", "sync",
               "permissions")
# bundle/config/resources.go SupportedResources
RESOURCE_TYPES = (
    "jobs", "job_runs", "pipelines", "models", "experiments", "model_serving_endpoints",
    "registered_models", "quality_monitors", "catalogs", "schemas", "volumes",
    "external_locations", "clusters", "dashboards", "genie_spaces", "apps", "secret_scopes",
    "alerts", "sql_warehouses", "database_instances", "database_catalogs",
    "synced_database_tables", "postgres_projects", "postgres_branches", "postgres_endpoints",
    "postgres_catalogs", "postgres_databases", "postgres_roles", "postgres_synced_tables",
    "vector_search_endpoints", "vector_search_indexes", "instance_pools", "secrets")
PROVISIONED = ("jobs", "pipelines", "schemas", "volumes")
# apply_bundle_permissions.go levelsMap, the jobs row
JOB_LEVELS = {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_VIEW", "CAN_RUN": "CAN_MANAGE_RUN"}
# apply_bundle_permissions.go levelsMap["pipelines"]
PIPELINE_LEVELS = {"CAN_MANAGE": "CAN_MANAGE", "CAN_VIEW": "CAN_VIEW", "CAN_RUN": "CAN_RUN"}
PRINCIPALS = ("user_name", "group_name", "service_principal_name")
DEFAULT_TARGET = "default"
DEV_CONCURRENT_RUNS = 4  # apply_target_mode.go developmentConcurrentRuns
CURRENT_USER = "data.databricks_current_user.current_user"
# the current user's display name is in databricks_user, not databricks_current_user
USER_DETAILS = "data.databricks_user.current_user_details"
# libs/iamutil/user.go GetShortUserName + libs/textutil NormalizeString: the user name's
# local part, lowercased, every run of other characters than letters and digits one '_',
# trimmed of '_' (a service principal's display name is not in the data source: its
# application id is used)
SHORT_NAME = ('trim(replace(lower(split("@", ' + CURRENT_USER + '.user_name)[0]), '
              '"/[^\\\\p{L}\\\\p{N}]+/", "_"), "_")')
NEEDS_USER = ("current_user",)


@dataclass
class Piece:
    """A value of the bundle's configuration and where it was written."""

    value: Any
    source: Source
    path: Path

    def where(self, rel: Path = (), *, key: bool = False) -> Location:
        return self.source.where((*self.path, *rel), key=key)

    def error(self, rel: Path, message: str, *, key: bool = False,
              severity: Literal["error", "warning"] = "error") -> Diagnostic:
        return Diagnostic(self.where(rel, key=key), format_path((*self.path, *rel)), message,
                          severity=severity)


@dataclass
class Variable:
    name: str
    where: Piece
    default: Any = None
    lookup: dict[str, Any] | None = None
    description: str | None = None
    complex: bool = False


@dataclass
class BundleTarget:
    name: str
    where: Piece | None
    mode: str | None = None
    default: bool = False
    # the target's own values of these root keys (merged over the root's)
    parts: dict[str, list[Piece]] = field(default_factory=dict)
    variables: dict[str, Piece] = field(default_factory=dict)
    # (resource type, key) -> override fragments, in file order
    resources: dict[tuple[str, str], list[Piece]] = field(default_factory=dict)


@dataclass
class Bundle:
    """A bundle as its files say it, before any target is chosen (plain data)."""

    name: str
    root: FsPath
    root_source: Source
    sources: list[Source]
    variables: dict[str, Variable]
    targets: dict[str, BundleTarget]
    resources: dict[tuple[str, str], Piece]
    parts: dict[str, list[Piece]]  # the root keys other than resources/targets/variables
    # per target: what the target resolves to (spec/bundle.py view), made once
    views: dict[str, View] = field(default_factory=dict)

    @property
    def target_names(self) -> list[str]:
        return sorted(self.targets) if self.targets else [DEFAULT_TARGET]


def root_file(folder: FsPath) -> tuple[FsPath | None, list[Diagnostic]]:
    """The folder's bundle root file; two of them is the CLI's error."""
    found = [folder / n for n in ROOT_FILES if (folder / n).is_file()]
    if len(found) > 1:
        return None, [Diagnostic(Location(str(found[1]), 1, 1), "",
                                 f"multiple bundle root configuration files found in "
                                 f"{folder}: {', '.join(f.name for f in found)}; keep one "
                                 "(the Databricks CLI refuses this too)")]
    return (found[0] if found else None), []


def files(folder: FsPath) -> list[FsPath]:
    """The bundle root file of `folder` and the files its `include` names, as the CLI finds
    them (none when there is no single root file; a file that does not read is left out:
    `brickline validate` reports it)."""
    root, _ = root_file(folder)
    if root is None:
        return []
    source, _ = read_file(root, bundle=True)
    included, _ = _includes(folder, source)
    return [root, *included]


# --- reading the files -------------------------------------------------------------------

def _includes(root: FsPath, source: Source) -> tuple[list[FsPath], list[Diagnostic]]:
    entries = source.data.get("include") if isinstance(source.data, dict) else None
    if entries is None:
        return [], []
    if not isinstance(entries, list):
        return [], [source.error(("include",), f"expected a list of paths, got "
                                               f"{kind_of(entries)}")]
    out: list[FsPath] = []
    problems: list[Diagnostic] = []
    seen = set(ROOT_FILES)
    for i, entry in enumerate(entries):
        if not isinstance(entry, str):
            problems.append(source.error(("include", i), f"expected a path, got "
                                                         f"{kind_of(entry)}"))
            continue
        if os.path.isabs(entry):
            problems.append(source.error(("include", i), f"{entry}: includes must be "
                                                         "relative paths"))
            continue
        # Go's filepath.Glob: one segment per '*', dot files included, no '**' recursion
        matches = sorted(glob.glob(entry, root_dir=root, include_hidden=True))
        if not matches and not any(c in entry for c in "*?["):
            problems.append(source.error(("include", i), f"{entry} defined in 'include' "
                                                         "section does not match any files"))
            continue
        for match in matches:
            rel = os.path.normpath(match)
            if rel in seen or (root / rel).is_dir():
                continue
            seen.add(rel)
            if not rel.endswith(INCLUDE_SUFFIXES):
                problems.append(source.error(("include", i), f"the file {rel} in the "
                                             "'include' section is not a YAML or JSON file; "
                                             "only such files are supported"))
                continue
            out.append(root / rel)
    return out, problems


def read(folder: FsPath, root: FsPath) -> tuple[Bundle | None, Source | None,
                                                 list[Diagnostic]]:
    """The bundle's files merged as the CLI merges them, and pipeline.yml beside it."""
    problems: list[Diagnostic] = []
    root_source, found = read_file(root, bundle=True)
    problems += found
    if root_source.data is None and found:
        return None, None, problems
    if not isinstance(root_source.data, dict):
        problems.append(root_source.error((), f"expected a mapping with 'bundle:' and "
                                              f"'resources:', got {kind_of(root_source.data)}"))
        return None, None, problems
    files, found = _includes(folder, root_source)
    problems += found
    sources = [root_source]
    for file in files:
        source, found = read_file(file, bundle=True)
        problems += found
        if source.data is None:
            continue
        if not isinstance(source.data, dict):
            problems.append(source.error((), f"expected a mapping, got "
                                             f"{kind_of(source.data)}"))
            continue
        sources.append(source)
    settings_source = None
    for name in SETTINGS_FILES:
        if (folder / name).is_file():
            settings_source, found = read_file(folder / name)
            problems += found
            break
    bundle = _merge(folder, root_source, sources, problems)
    return bundle, settings_source, problems


def _merge(folder: FsPath, root_source: Source, sources: list[Source],
           problems: list[Diagnostic]) -> Bundle:
    variables: dict[str, Variable] = {}
    targets: dict[str, BundleTarget] = {}
    resources: dict[tuple[str, str], Piece] = {}
    by_key: dict[str, Piece] = {}
    parts: dict[str, list[Piece]] = {}
    name = ""
    for source in sources:
        data = source.data
        for key, value in data.items():
            if key not in ROOT_KEYS:
                if not source.anchored((key,)):
                    problems.append(Diagnostic(
                        source.where((key,), key=True), "", f"unknown field: {key} (the "
                        f"Databricks CLI ignores it with this warning, and so does brickline)"
                        f"{did_you_mean(key, ROOT_KEYS)}", severity="warning"))
                continue
            if key == "include" and source is not root_source:
                problems.append(Diagnostic(
                    source.where(("include",), key=True), "include",
                    "Include section is defined outside root file: it is ignored (only the "
                    "includes of databricks.yml are applied)", severity="warning"))
                continue
            if key == "bundle" and isinstance(value, dict) and isinstance(
                    value.get("name"), str):
                name = value["name"]
            if key == "variables":
                _variables(source, value, variables, problems)
            elif key == "resources":
                _resources(source, value, resources, by_key, problems)
            elif key in ("targets", "environments"):
                if key == "environments" and "targets" in data:
                    problems.append(source.error(
                        ("environments",), "both 'environments' and 'targets' are "
                        "specified; only 'targets' should be used", key=True))
                    continue
                _targets(source, key, value, targets, problems)
            elif key != "definitions":
                parts.setdefault(key, []).append(Piece(value, source, (key,)))
                problems += _not_done(source, key, value)
    if not name:
        problems.append(root_source.error(("bundle",), "the bundle needs a name: set "
                                                       "bundle.name in databricks.yml",
                                          key=True))
    return Bundle(name=name or folder.resolve().name, root=folder, root_source=root_source,
                  sources=sources, variables=variables, targets=targets,
                  resources=resources, parts=parts)


def _not_done(source: Source, key: str, value: Any) -> list[Diagnostic]:
    """What a bundle can say that brickline does not do, said once where it is said."""
    python = value.get("python") if key == "experimental" and isinstance(value, dict) \
        else value if key == "python" else None
    out = []
    if isinstance(python, dict) and (python.get("resources") or python.get("mutators")):
        where: Path = (key, "python") if key == "experimental" else (key,)
        out.append(Diagnostic(source.where(where, key=True), format_path(where),
                              "resources and mutators written in Python "
                              "(bundle/config/mutator/python) are not run by brickline: "
                              "their resources are not deployed; write them in YAML",
                              severity="warning"))
    scripts = value.get("scripts") if key == "experimental" and isinstance(value, dict) \
        else None
    if scripts:
        out.append(Diagnostic(source.where((key, "scripts"), key=True),
                              f"{key}.scripts", "hook scripts (preinit, predeploy, ...) are "
                              "not run by brickline: run them yourself before synth or "
                              "deploy", severity="warning"))
    return out


def _variables(source: Source, value: Any, out: dict[str, Variable],
               problems: list[Diagnostic]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append(source.error(("variables",), f"expected a mapping of variable "
                                                     f"names, got {kind_of(value)}"))
        return
    for name, definition in value.items():
        path: Path = ("variables", name)
        if definition is None:
            definition = {}
        if not isinstance(definition, dict):
            problems.append(source.error(path, "expected a variable definition (default, "
                                               "description, type, lookup), got "
                                               f"{kind_of(definition)}"))
            continue
        var = out.get(name) or Variable(name, Piece(definition, source, path))
        for key in definition:
            if key not in ("default", "description", "type", "lookup", "value"):
                problems.append(Diagnostic(source.where((*path, key), key=True),
                                           format_path((*path, key)), f"unknown field: {key}",
                                           severity="warning"))
        if "default" in definition:
            var.default = definition["default"]
        if "value" in definition:  # an assigned value wins over everything
            var.default = definition["value"]
        if "lookup" in definition:
            var.lookup = definition["lookup"] if isinstance(definition["lookup"], dict) \
                else None
            if var.lookup is None:
                problems.append(source.error((*path, "lookup"), "expected a mapping such as "
                                             "{warehouse: <name>}"))
        if isinstance(definition.get("description"), str):
            var.description = definition["description"]
        if definition.get("type") is not None:
            if definition["type"] != "complex":
                problems.append(Diagnostic(source.where((*path, "type")),
                                           format_path((*path, "type")),
                                           f"invalid value {definition['type']!r} for enum "
                                           "field. Valid values are [complex]",
                                           severity="warning"))
            var.complex = definition["type"] == "complex"
        out[name] = var


def _resources(source: Source, value: Any, out: dict[tuple[str, str], Piece],
               by_key: dict[str, Piece], problems: list[Diagnostic]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append(source.error(("resources",), f"expected a mapping of resource "
                                                     f"types, got {kind_of(value)}"))
        return
    for kind, items in value.items():
        path: Path = ("resources", kind)
        if kind not in RESOURCE_TYPES:
            if not source.anchored(path):
                problems.append(Diagnostic(source.where(path, key=True), format_path(path),
                                           f"unknown field: {kind}"
                                           f"{did_you_mean(kind, RESOURCE_TYPES)} (the "
                                           "Databricks CLI ignores it with this warning)",
                                           severity="warning"))
            continue
        if items is None:
            continue
        if not isinstance(items, dict):
            # libs/dyn/convert/normalize.go: a value of the wrong kind is dropped, warned
            problems.append(Diagnostic(source.where(path), format_path(path),
                                       f"expected a mapping of {kind} by key, found "
                                       f"{kind_of(items)}: the Databricks CLI drops it with "
                                       "this warning, and so does brickline",
                                       severity="warning"))
            continue
        for key, item in items.items():
            piece = Piece(item, source, (*path, key))
            if "${" in key:
                problems.append(piece.error((), f'resource key "{key}" must not contain '
                                                "variable references", key=True))
                continue
            if item is None:
                problems.append(piece.error((), f"{kind[:-1]} {key} is not defined"))
                continue
            first = by_key.get(key)
            if first is not None:
                problems.append(piece.error((), "multiple resources have been defined with "
                                                f"the same key: {key} (first at "
                                                f"{first.where(key=True)}); override a "
                                                "resource under targets.<target>.resources",
                                            key=True))
                continue
            by_key[key] = piece
            out[(kind, key)] = piece


def _targets(source: Source, key: str, value: Any, out: dict[str, BundleTarget],
             problems: list[Diagnostic]) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        problems.append(source.error((key,), f"expected a mapping of target names, got "
                                             f"{kind_of(value)}"))
        return
    for name, body in value.items():
        path: Path = (key, name)
        target = out.setdefault(name, BundleTarget(name, Piece(body, source, path)))
        if body is None:
            continue
        if not isinstance(body, dict):
            problems.append(source.error(path, f"expected a target (a mapping), got "
                                               f"{kind_of(body)}"))
            continue
        for field_name, part in body.items():
            at: Path = (*path, field_name)
            if field_name not in TARGET_KEYS:
                problems.append(Diagnostic(source.where(at, key=True), format_path(at),
                                           f"unknown field: {field_name}"
                                           f"{did_you_mean(field_name, TARGET_KEYS)}",
                                           severity="warning"))
            elif field_name == "default":
                target.default = part is True
            elif field_name == "mode":
                if part not in ("development", "production") and not (
                        isinstance(part, str) and "${" in part):
                    problems.append(source.error(at, f"unsupported value {part!r} specified "
                                                     "for 'mode': must be either "
                                                     "'development' or 'production'"))
                else:
                    target.mode = part
            elif field_name == "variables":
                if isinstance(part, dict):
                    for var, assigned in part.items():
                        target.variables[var] = Piece(assigned, source, (*at, var))
            elif field_name == "resources":
                if isinstance(part, dict):
                    for kind, items in part.items():
                        if isinstance(items, dict):
                            for res_key, item in items.items():
                                target.resources.setdefault((kind, res_key), []).append(
                                    Piece(item, source, (*at, kind, res_key)))
            else:
                target.parts.setdefault(field_name, []).append(Piece(part, source, at))


@functools.cache
def git_info(folder: FsPath) -> dict[str, str]:
    """bundle.git from the local repository (libs/git/info.go): branch, commit, origin_url,
    and the bundle root's place in the work tree; empty without git."""
    def run(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True,
                                  timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    top = run("rev-parse", "--show-toplevel")
    if not top:
        return {"branch": "", "actual_branch": "", "commit": "", "origin_url": "",
                "bundle_root_path": "."}
    branch = run("symbolic-ref", "--short", "-q", "HEAD")
    origin = re.sub(r"//[^/@]*@", "//", run("config", "--get", "remote.origin.url"))
    rel = os.path.relpath(folder.resolve(), top).replace(os.sep, "/")
    return {"branch": branch, "actual_branch": branch, "commit": run("rev-parse", "HEAD"),
            "origin_url": origin, "bundle_root_path": rel}


# --- the bundle as a pipeline ------------------------------------------------------------

def pipeline_name(name: str, folder: FsPath) -> str:
    """The stack's name from bundle.name: letters, digits, '_' and '-' (a bundle name is
    free text; the Terraform stack's is not)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_-")[:63]
    return slug or re.sub(r"[^A-Za-z0-9_-]+", "_", folder.resolve().name).strip("_-") or \
        "bundle"


def load(folder: FsPath, root: FsPath
         ) -> tuple[Pipeline | None, list[Diagnostic], set[str]]:
    """The bundle at `folder` as a Pipeline (unvalidated by the rules: spec/load.py runs
    them), with every problem of reading it and the keys of the jobs that failed."""
    bundle, settings_source, problems = read(folder, root)
    if bundle is None:
        return None, problems, set()
    settings = PipelineSettings()
    broken: frozenset[str] = frozenset()
    if settings_source is not None and isinstance(settings_source.data, dict):
        for key in settings_source.data:
            if key != "pipeline":
                problems.append(settings_source.error(
                    (key,), f"pipeline.yml beside databricks.yml holds brickline's settings "
                    f"only ('pipeline:'); '{key}' belongs in the bundle's files", key=True))
        raw = settings_source.data.get("pipeline")
        if raw is not None:
            found_settings, broken, found = validate_settings(raw, settings_source)
            problems += found
            settings = found_settings or settings
            problems += _settings_clashes(bundle, settings, settings_source)
    reported: set[str] = set()
    # a resource a target alone defines is deployed there too (root.go MergeTargetOverrides)
    defined = {**{k: [f] for k, f in bundle.resources.items()},
               **{k: fragments for bt in bundle.targets.values()
                  for k, fragments in bt.resources.items() if k not in bundle.resources}}
    for (kind, _key), pieces in defined.items():
        if kind not in PROVISIONED and kind not in reported and pieces:
            reported.add(kind)
            piece = pieces[0]
            keys = sorted({k for (t, k) in defined if t == kind})
            problems.append(Diagnostic(
                piece.source.where(piece.path[:-1], key=True), format_path(piece.path[:-1]),
                f"brickline provisions jobs, pipelines, schemas and volumes; resources."
                f"{kind} ({', '.join(keys)}) is not one of them: deploy it with `databricks "
                "bundle deploy` from a bundle of its own, and give brickline its id as a "
                "variable (or a lookup variable, such as lookup: {warehouse: <name>})"))
    targets = {}
    stem = pipeline_name(bundle.name, folder).lower().replace("-", "_")
    table_set = "table" in settings.metadata.model_fields_set
    for name in bundle.target_names:
        own = settings.targets.get(name) or Target()
        update: dict[str, Any] = {"paused": False}
        if (own.metadata is None or own.metadata.table is None) and not table_set:
            # each target its own status table: a bundle's targets often share a workspace
            # (spec/rules/pipeline.py check_across refuses two stacks writing one table)
            slug = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")
            table = MetadataOverride(table=f"{stem}_{slug}_job_metadata")
            update["metadata"] = own.metadata.model_copy(update={"table": table.table}) \
                if own.metadata is not None else table
        targets[name] = own.model_copy(update=update)
    for name in settings.targets:
        if name not in targets and settings_source is not None:
            problems.append(settings_source.error(
                ("pipeline", "targets", name), f"the bundle has no target '{name}'"
                f"{did_you_mean(name, bundle.target_names)}: pipeline.yml's targets add "
                "brickline's settings to the bundle's targets", key=True))
    settings = settings.model_copy(update={"targets": targets})
    # the jobs as the base target deploys them: the rules check their values, the other
    # targets' differences are checked per target (check)
    base = view_of(bundle, base_target(bundle))
    problems += base.problems
    pipeline = Pipeline(
        name=pipeline_name(bundle.name, folder), origin=str(folder), settings=settings,
        jobs=list(base.jobs), settings_source=settings_source,
        sources=[*bundle.sources, *([settings_source] if settings_source else [])],
        broken=broken, bundle=bundle)
    return pipeline, problems, set(base.broken)


def _settings_clashes(bundle: Bundle, settings: PipelineSettings,
                      source: Source) -> list[Diagnostic]:
    """What the bundle says is the bundle's to say: pipeline.yml may not say it again."""
    out: list[Diagnostic] = []
    data = source.data.get("pipeline") if isinstance(source.data, dict) else None
    if not isinstance(data, dict):
        return out
    if "name" in data:
        out.append(source.error(("pipeline", "name"), "in a bundle, bundle.name in "
                                                      "databricks.yml names the pipeline; "
                                                      "remove it from pipeline.yml", key=True))
    # pipeline.yml's variables are Terraform variables of brickline's settings (a secret
    # for a destination): they may not take a bundle variable's name
    for name in data.get("variables") or {}:
        if name in bundle.variables:
            out.append(source.error(("pipeline", "variables", name), f"'{name}' is a "
                                    "variable of the bundle: brickline's settings use it as "
                                    f"${{var.{name}}} without declaring it again", key=True))
    bundle_keys = ("host", "run_as", "permissions", "variables", "jobs", "name_prefix",
                   "paused", "tags")
    for name, target in (data.get("targets") or {}).items():
        if not isinstance(target, dict):
            continue
        for key in target:
            if key in bundle_keys:
                out.append(source.error(
                    ("pipeline", "targets", name, key), f"in a bundle, targets.{name} in "
                    f"databricks.yml sets this ({_BUNDLE_SPELLING.get(key, key)}); pipeline.yml"
                    " adds brickline's own settings (metadata, backend, notifications, "
                    "orchestrator, clusters)", key=True))
    return out


_BUNDLE_SPELLING = {"host": "workspace.host", "jobs": "resources.jobs",
                    "name_prefix": "presets.name_prefix", "paused":
                    "presets.trigger_pause_status", "tags": "presets.tags"}


# --- a target ----------------------------------------------------------------------------

@dataclass
class View:
    """A bundle as one target deploys it: its jobs resolved, and what the stack needs."""

    target: str
    jobs: list[Job]
    broken: set[str]  # keys of jobs that failed validation in this target
    problems: list[Diagnostic]
    needs: set[str]
    name_prefix: str
    tags: dict[str, str]
    host: str | None
    permissions: list[Permission]
    file_path: str
    artifact_path: str
    variables: dict[str, Variable]  # the variables with no value: Terraform variables
    lookups: dict[str, dict[str, Any]]  # variable name -> its lookup
    resources: dict[tuple[str, str], dict[str, Any]]
    # what the target's references resolve in (spec/interpolate.py)
    scope: dict[str, Any] = field(default_factory=dict)

    def resolve(self, value: Any) -> tuple[Any, set[str]]:
        """A value of pipeline.yml (brickline's settings) with the bundle's references
        resolved in this target; a ${var.x} the bundle does not declare stays a Terraform
        variable of pipeline.yml's. The value and what the stack needs for it."""
        names = self.scope.get("variables", {})
        done = interpolate.resolve(value, self.scope, keep=lambda ref: ref.startswith(
            "var.") and ref.split(".")[1].split("[")[0] not in names)
        return done.value, done.needs


def view(p: Pipeline, target: str) -> View:
    assert p.bundle is not None
    return view_of(p.bundle, target)


def view_of(bundle: Bundle, target: str) -> View:
    found: View | None = bundle.views.get(target)
    if found is None:
        found = bundle.views[target] = _view(bundle, target)
    return found


def base_target(bundle: Bundle) -> str:
    """The target `bundle validate` picks without -t (select_default_target.go): the only
    one, or the one marked default; else the first by name."""
    names = bundle.target_names
    marked = [n for n in names if bundle.targets.get(n) and bundle.targets[n].default]
    return marked[0] if len(marked) == 1 else names[0]


def _merged_part(bundle: Bundle, bt: BundleTarget, key: str) -> Any:
    """A root key (workspace, presets, run_as, permissions, ...) with the target's laid over
    it as MergeTargetOverrides lays it: run_as replaced, the others merged."""
    pieces = [*bundle.parts.get(key, []), *bt.parts.get(key, [])]
    if key == "run_as":
        return pieces[-1].value if pieces else None
    value: Any = None
    for piece in pieces:
        value = merge(value, copy.deepcopy(piece.value))
    return value


def merge(base: Any, other: Any) -> Any:
    """libs/dyn/merge/merge.go: mappings key by key (the later wins), lists concatenated,
    anything else replaced; null on either side gives the other."""
    if base is None:
        return other
    if other is None:
        return base
    if isinstance(base, dict) and isinstance(other, dict):
        out = dict(base)
        for k, v in other.items():
            out[k] = merge(out.get(k), v) if k in out else v
        return out
    if isinstance(base, list) and isinstance(other, list):
        return [*base, *other]
    return other


def _keyed(items: Any, key: str, *, sort: bool = False) -> Any:
    """libs/dyn/merge/elements_by_key.go: items with the same key merged into the first."""
    if not isinstance(items, list):
        return items
    order: list[Any] = []
    by: dict[Any, Any] = {}
    for item in items:
        k = item.get(key, "") if isinstance(item, dict) else id(item)
        if k in by:
            by[k] = merge(by[k], item)
        else:
            by[k] = item
            order.append(k)
    out = [by[k] for k in order]
    return sorted(out, key=lambda t: str(t.get(key, "")) if isinstance(t, dict) else "") \
        if sort else out


def _keyed_merges(job: dict[str, Any]) -> dict[str, Any]:
    """merge_job_tasks.go (by task_key, sorted), merge_job_clusters.go,
    merge_job_parameters.go."""
    out = dict(job)
    for name, key, sort in (("tasks", "task_key", True), ("job_clusters", "job_cluster_key",
                                                          False), ("parameters", "name", False)):
        if isinstance(out.get(name), list):
            out[name] = _keyed(out[name], key, sort=sort)
    return out


def _variable_values(bundle: Bundle, bt: BundleTarget, problems: list[Diagnostic]
                     ) -> tuple[dict[str, Any], dict[str, Variable], dict[str, dict[str, Any]]]:
    """Each variable's value in the target (a value, or an Expression), the variables left
    to Terraform, and the lookups."""
    values: dict[str, Any] = {}
    unset: dict[str, Variable] = {}
    lookups: dict[str, dict[str, Any]] = {}
    for name, piece in bt.variables.items():
        if name not in bundle.variables:
            problems.append(piece.error((), f"variable {name} is not defined but is assigned "
                                            f"a value in target {bt.name}"
                                            f"{did_you_mean(name, bundle.variables)}: define "
                                            "it under the top-level variables", key=True))
    for name, var in bundle.variables.items():
        default, lookup = var.default, var.lookup
        assigned = bt.variables.get(name)
        if assigned is not None:
            value = assigned.value
            full = isinstance(value, dict) and set(value) and set(value) <= {
                "default", "type", "description", "lookup"} and not (var.complex and not (
                    set(value) & {"lookup", "default"}))
            if full and "lookup" in value:
                default, lookup = None, value["lookup"]
            elif full:
                default, lookup = value.get("default"), None
            else:
                default, lookup = value, None
        if default is not None:
            values[name] = default
        elif isinstance(lookup, dict) and lookup:
            lookups[name] = lookup
            values[name] = Expression(_lookup_expression(name, lookup), (f"lookup:{name}",))
        else:
            unset[name] = var
            values[name] = Expression(f"var.{name}", (f"variable:{name}",))
    return values, unset, lookups


# lookup kind -> (data source type, the argument that names it, the attribute to read)
# (databricks/cli bundle/config/variable/lookup.go and resolve_*.go for what each returns;
# provider 1.99.0 data sources of the same objects)
LOOKUPS: dict[str, tuple[str, str, str]] = {
    "warehouse": ("databricks_sql_warehouse", "name", "id"),
    "cluster": ("databricks_cluster", "cluster_name", "cluster_id"),
    "cluster_policy": ("databricks_cluster_policy", "name", "id"),
    "instance_pool": ("databricks_instance_pool", "name", "id"),
    "job": ("databricks_job", "job_name", "id"),
    "pipeline": ("databricks_pipelines", "pipeline_name", "ids[0]"),
    "metastore": ("databricks_metastore", "name", "id"),
    "service_principal": ("databricks_service_principal", "display_name", "application_id"),
    "notification_destination": ("databricks_notification_destinations",
                                 "display_name_contains", "notification_destinations[0].id"),
    "query": ("databricks_queries", "", ""),
    "alert": ("databricks_alerts_v2", "", ""),
    "dashboard": ("databricks_dashboards", "dashboard_name_contains", "dashboards[0].id"),
}


def lookup_address(variable: str) -> str:
    return "lookup_" + re.sub(r"[^a-z0-9_]+", "_", variable.lower())


def _lookup_expression(variable: str, lookup: dict[str, Any]) -> str:
    kind = next(iter(lookup))
    data_type, _, attribute = LOOKUPS.get(kind, ("", "", ""))
    return f"data.{data_type}.{lookup_address(variable)}.{attribute}"


def _workspace_paths(bundle: Bundle, bt: BundleTarget, workspace: dict[str, Any],
                     target: str) -> dict[str, Any]:
    """root_path and the paths under it (default_workspace_root.go, default_workspace_paths.go,
    expand_workspace_root.go, prepend_workspace_prefix.go)."""
    root = workspace.get("root_path") or f"~/.bundle/{bundle.name}/{target}"
    if isinstance(root, str) and root.startswith("~/"):
        root = "/Workspace/Users/${workspace.current_user.userName}/" + root[2:]
    paths = {"root_path": root}
    for key, default in (("file_path", "files"), ("artifact_path", "artifacts"),
                         ("state_path", "state"), ("resource_path", "resources")):
        paths[key] = workspace.get(key) or f"{root}/{default}"
    for key, value in paths.items():
        if isinstance(value, str) and value.startswith("/") and not value.startswith(
                ("/Workspace/", "/Volumes/")):
            paths[key] = "/Workspace" + value
    return paths


def _scope(bundle: Bundle, bt: BundleTarget, target: str,
           values: dict[str, Any], workspace: dict[str, Any], mode: str | None) -> dict[str, Any]:
    user = {
        "userName": Expression(f"{CURRENT_USER}.user_name", NEEDS_USER),
        "short_name": Expression(SHORT_NAME, NEEDS_USER),
        "domain_friendly_name": Expression(SHORT_NAME.replace('"_"), "_")', '"-"), "-")'),
                                           NEEDS_USER),
        "id": Expression(f"{CURRENT_USER}.id", NEEDS_USER),
        "displayName": Expression(f"{USER_DETAILS}.display_name", (*NEEDS_USER, "user")),
    }
    jobs = {key: key for (kind, key) in [*bundle.resources, *bt.resources] if kind == "jobs"}

    def resources(path: tuple[str | int, ...]) -> Any:
        if len(path) < 3 or not all(isinstance(x, str) for x in path[:3]):
            return None
        group, key, *rest = path
        if group == "jobs" and key in jobs:
            return Expression(".".join(["databricks_job", jobs[str(key)],
                                        *(str(r) for r in rest)]))
        defined = bundle.resources.get((str(group), str(key))) or next(
            iter(bt.resources.get((str(group), str(key))) or []), None)
        if group in ("pipelines", "schemas", "volumes") and defined is not None:
            if group == "volumes" and rest == ["volume_path"]:
                value = defined.value if isinstance(defined.value, dict) else {}
                return "/Volumes/{catalog_name}/{schema_name}/{name}".format(
                    **{k: value.get(k, "") for k in ("catalog_name", "schema_name", "name")})
            kind = {"pipelines": "databricks_pipeline", "schemas": "databricks_schema",
                    "volumes": "databricks_volume"}[str(group)]
            return Expression(".".join([kind, resource_address(str(group), str(key)),
                                        *(str(r) for r in rest)]))
        if group not in PROVISIONED and defined is not None:
            # a resource brickline does not provision has one message of its own (load):
            # what refers to it stays as written, and nothing is synthesized
            return Expression(".".join(str(x) for x in ("resources", *path)))
        return None

    def git(path: tuple[str | int, ...]) -> Any:
        info = {**git_info(bundle.root), **{k: v for k, v in (
            _merged_part(bundle, bt, "bundle") or {}).get("git", {}).items()
            if isinstance(v, str)}}
        return info.get(str(path[0])) if len(path) == 1 else None

    own = _merged_part(bundle, bt, "bundle") or {}
    return {
        # bundle/config/bundle.go: what the bundle's own section says (uuid, cluster_id, ...)
        # and what the CLI sets (target, environment, mode, git)
        "bundle": {**{k: v for k, v in own.items() if not isinstance(v, (dict, list))},
                   "name": bundle.name, "target": target, "environment": target,
                   "mode": mode or "", "git": git},
        "workspace": {"host": workspace.get("host") or "", **_workspace_paths(
            bundle, bt, workspace, target), "current_user": user},
        "variables": {name: {"value": value, "default": value}
                      for name, value in values.items()},
        "resources": resources,
    }


def resource_address(kind: str, key: str) -> str:
    """A bundle pipeline's, schema's or volume's address: its key after its type (the
    stack's construct ids are one namespace for every type)."""
    return f"{kind[:-1]}_" + re.sub(r"[^A-Za-z0-9_-]+", "_", key)


def _view(bundle: Bundle, target: str) -> View:
    problems: list[Diagnostic] = []
    bt = bundle.targets.get(target) or BundleTarget(target, None)
    values, unset, lookups = _variable_values(bundle, bt, problems)
    workspace = _merged_part(bundle, bt, "workspace") or {}
    mode = bt.mode
    scope = _scope(bundle, bt, target, values, workspace, mode)
    needs: set[str] = set()

    def resolve(value: Any, locate: Any) -> Any:
        done = interpolate.resolve(value, scope)
        needs.update(done.needs)
        for path, message in done.problems:
            problems.append(locate(path, message))
        return done.value

    def at_part(key: str, rel: Path = ()) -> Any:
        return lambda path, m: _at_part(bundle, bt, key, (*rel, *path), m)

    for name, var in bundle.variables.items():
        # the CLI resolves every variable, used or not: a cycle or a reference to nothing
        # in one is an error (resolve_variable_references.go)
        resolve(values.get(name), lambda path, m, var=var: var.where.error(("default",), m))
    presets = resolve(_merged_part(bundle, bt, "presets") or {}, at_part("presets"))
    problems += _mode_problems(bundle, bt, presets)
    if mode == "development":
        presets.setdefault("name_prefix", "[dev ${workspace.current_user.short_name}] ")
        presets.setdefault("tags", {})
        if isinstance(presets["tags"], dict):
            presets["tags"].setdefault("dev", "${workspace.current_user.short_name}")
        presets.setdefault("jobs_max_concurrent_runs", DEV_CONCURRENT_RUNS)
        presets.setdefault("trigger_pause_status", "PAUSED")
        presets.setdefault("pipelines_development", True)
        presets = resolve(presets, at_part("presets"))
    run_as = resolve(_merged_part(bundle, bt, "run_as"), at_part("run_as"))
    paths = _workspace_paths(bundle, bt, workspace, target)
    file_path = str(resolve(paths["file_path"], at_part("workspace", ("file_path",))))
    artifact_path = str(resolve(paths["artifact_path"], at_part("workspace",
                                                                ("artifact_path",))))
    jobs: list[Job] = []
    broken: set[str] = set()
    pieces = {key: piece for (kind, key), piece in bundle.resources.items() if kind == "jobs"}
    for (kind, key), fragments in bt.resources.items():
        if kind == "jobs" and key not in pieces and fragments:
            pieces[key] = fragments[0]  # a job of this target only
    for key, piece in pieces.items():
        fragments = [f for f in bt.resources.get(("jobs", key), []) if f is not piece]
        job = _job_in_view(key, piece, fragments, resolve, presets, run_as, problems)
        if job is None:
            broken.add(key)
        else:
            jobs.append(job)
    resources = {}
    defined = dict(bundle.resources)
    for (kind, key), fragments in bt.resources.items():
        if (kind, key) not in defined and fragments:
            defined[(kind, key)] = fragments[0]  # a resource of this target only
    for (kind, key), piece in defined.items():
        if kind in PROVISIONED and kind != "jobs":
            value = _resource_in_view(kind, piece, [f for f in bt.resources.get((kind, key), [])
                                                    if f is not piece], resolve, problems)
            if kind == "pipelines" and isinstance(value, dict):
                value = _pipeline_paths(value, bundle, piece, file_path, problems)
                if presets.get("pipelines_development") is True:
                    value["development"] = True
                if presets.get("trigger_pause_status") == "PAUSED":
                    value["continuous"] = False
                if isinstance(run_as, dict) and run_as and not value.get("run_as"):
                    value["run_as"] = dict(run_as)
                _bundle_permissions(value, bundle, bt)
            if isinstance(value, dict):
                _, found = validate_model(_resource_model(kind), value, piece.source,
                                          piece.path)
                problems += found
            resources[(kind, key)] = value
    host = resolve(workspace.get("host"), at_part("workspace", ("host",)))
    tags = presets.get("tags") if isinstance(presets.get("tags"), dict) else {}
    return View(target=target, jobs=jobs, broken=broken, problems=problems, needs=needs,
                name_prefix=str(presets.get("name_prefix") or ""),
                tags={str(k): str(v) for k, v in tags.items()},
                host=host if isinstance(host, str) and host else None,
                permissions=_permissions(bundle, bt, problems), file_path=file_path,
                artifact_path=artifact_path, variables=unset, lookups=lookups,
                resources=resources, scope=scope)


def _mode_problems(bundle: Bundle, bt: BundleTarget,
                   presets: dict[str, Any]) -> list[Diagnostic]:
    """validate_target_mode.go validateDevelopmentMode: a development target cannot unpause
    triggers by default, and a name prefix of its own must name the user."""
    if bt.mode != "development" or bt.where is None:
        return []
    out = []
    if presets.get("trigger_pause_status") == "UNPAUSED":
        where = _at_part(bundle, bt, "presets", ("trigger_pause_status",), "").location
        out.append(Diagnostic(where, "presets.trigger_pause_status", "a target with 'mode: "
                              "development' cannot set trigger_pause_status to UNPAUSED (the "
                              "Databricks CLI refuses it too)"))
    prefix = presets.get("name_prefix")
    if isinstance(prefix, str) and prefix and "current_user" not in prefix:
        out.append(Diagnostic(_at_part(bundle, bt, "presets", ("name_prefix",), "").location,
                              "presets.name_prefix", "in 'mode: development' the name prefix "
                              "should contain the current user, such as "
                              "${workspace.current_user.short_name}, so that each developer's "
                              "copy is their own (the Databricks CLI refuses it too)"))
    return out


def _local(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and not value.startswith("/") and \
        not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) and "${" not in value


def _remote(bundle: Bundle, piece: Piece, value: str, file_path: str, notebook: bool,
            problems: list[Diagnostic], at: Path, *, check: bool = True) -> str:
    """A path relative to the file that names it, as the synced copy's workspace path
    (translate_paths.go: notebooks lose their extension)."""
    local = os.path.normpath(FsPath(piece.source.file).parent / value)
    rel = os.path.relpath(local, bundle.root).replace(os.sep, "/")
    if rel.startswith("../"):
        problems.append(piece.error(at, f"path {value} is not contained in the bundle root "
                                        f"{bundle.root}: keep the code in the bundle"))
    elif check and not os.path.exists(local):
        problems.append(piece.error(at, f"{'notebook' if notebook else 'file'} {value} not "
                                        f"found (relative to {piece.source.file})"))
    if notebook:
        stem, suffix = os.path.splitext(rel)
        rel = stem if suffix.lower() in (".py", ".sql", ".scala", ".r", ".ipynb") else rel
    return f"{file_path}/{rel}"


def _pipeline_paths(value: dict[str, Any], bundle: Bundle, piece: Piece, file_path: str,
                    problems: list[Diagnostic]) -> dict[str, Any]:
    """A pipeline's local sources as their synced copies (paths/pipeline_paths_visitor.go:
    libraries notebook.path, file.path, glob.include, and root_path)."""
    value = dict(value)
    for i, library in enumerate(value.get("libraries") or []):
        if not isinstance(library, dict):
            continue
        for kind, field_name in (("notebook", "path"), ("file", "path"), ("glob", "include")):
            block = library.get(kind)
            if isinstance(block, dict) and _local(block.get(field_name)):
                at: Path = ("libraries", i, kind, field_name)
                block[field_name] = _remote(bundle, piece, block[field_name], file_path,
                                            kind == "notebook", problems, at,
                                            check=kind != "glob")
    if _local(value.get("root_path")):
        value["root_path"] = _remote(bundle, piece, value["root_path"], file_path, False,
                                     problems, ("root_path",))
    return value


def _job_in_view(key: str, piece: Piece, fragments: list[Piece], resolve: Any,
                 presets: dict[str, Any], run_as: Any,
                 problems: list[Diagnostic]) -> Job | None:
    """A bundle job as a target deploys it: its key is its key and, without a name, its
    name; values normalized as the CLI does; the target's fragments merged in; references
    resolved; presets applied; then validated task by task, at the lines that wrote it."""
    raw = piece.value
    if not isinstance(raw, dict):
        problems.append(piece.error((), f"expected a job (a mapping), got {kind_of(raw)}"))
        return None
    data, found = normalize(Job, {"name": key, "key": key, **raw}, piece.source, piece.path)
    problems += found
    if "tasks" not in data and "task" not in data:
        data["tasks"] = []  # tasks is not required by the Jobs API
    for fragment in fragments:
        if isinstance(fragment.value, dict):
            more, found = normalize(Job, fragment.value, fragment.source, fragment.path)
            problems += found
            data = merge(data, more)
    data = _keyed_merges(data)
    data = resolve(data, lambda path, m: piece.error(path, m))
    # what a reference put in is normalized again, as the CLI does after each round
    data, found = normalize(Job, data, piece.source, piece.path)
    problems += [d for d in found if d not in problems]
    _apply_presets(data, presets, run_as)
    job, found = validate_job(piece.source, piece.path, data)
    problems += found
    return job


def _resource_model(kind: str) -> type[SpecModel]:
    """The model of a bundle's pipeline, schema or volume (spec/resources_api.py, generated
    from the provider's classes like the jobs model), imported only for a bundle that has
    one."""
    from brickline.spec import resources_api

    model: type[SpecModel] = getattr(resources_api, resources_api.ROOTS[kind])
    return model


# databricks/cli bundle/config/mutator/resourcemutator/resource_mutator.go: the defaults
# set on each resource before anything reads it (only those the provider requires a value
# for; the others are the provider's own defaults too)
RESOURCE_DEFAULTS = {"volumes": {"volume_type": "MANAGED"}}


def _resource_in_view(kind: str, piece: Piece, fragments: list[Piece], resolve: Any,
                      problems: list[Diagnostic]) -> Any:
    """A bundle's pipeline, schema or volume as a target deploys it, in the bundle's words:
    normalized as the CLI normalizes it (an unknown key is a warning and dropped, a value
    converted to its field's type), the target's fragments merged in, references resolved,
    the CLI's defaults set. The caller validates it once the presets are applied."""
    raw = piece.value
    if not isinstance(raw, dict):
        problems.append(piece.error((), f"expected a {kind[:-1]} (a mapping), got "
                                        f"{kind_of(raw)}"))
        return raw
    model = _resource_model(kind)
    data, found = normalize(model, _not_sent(kind, piece, problems), piece.source,
                            piece.path)
    problems += found
    for fragment in fragments:
        if isinstance(fragment.value, dict):
            more, found = normalize(model, _not_sent(kind, fragment, problems),
                                    fragment.source, fragment.path)
            problems += found
            data = merge(data, more)
    data = resolve(data, lambda path, m: piece.error(path, m))
    # what a reference put in is normalized again, as the CLI does after each round
    data, found = normalize(model, data, piece.source, piece.path)
    problems += [d for d in found if d not in problems]
    for name, default in RESOURCE_DEFAULTS.get(kind, {}).items():
        if data.get(name) is None:
            data[name] = default
    for (refused_kind, name), message in REFUSED_KEYS.items():
        if refused_kind == kind and data.get(name) is not None:
            problems.append(piece.error((name,), message, key=True))
    return data


# keys of the bundle's own that the CLI refuses when set (with brickline's engines: the
# CLI's Terraform deployment), each with its message
REFUSED_KEYS = {
    # bundle/config/mutator/validate_cascade_on_destroy.go: "cascade_on_destroy is only
    # supported in direct deployment mode"; brickline deploys through the provider
    ("pipelines", "cascade_on_destroy"): (
        "cascade_on_destroy is not supported by the Databricks Terraform provider brickline "
        "deploys with (the Databricks CLI refuses it too, except in its direct deployment "
        "mode): remove it"),
    # bundle/config/mutator/initialize_volume_paths.go
    ("volumes", "volume_path"): (
        "volume_path is computed and read-only (/Volumes/<catalog_name>/<schema_name>/<name>); "
        "remove it from the configuration"),
}


def _not_sent(kind: str, piece: Piece, problems: list[Diagnostic]) -> dict[str, Any]:
    """The resource without the keys of the API's create request that the provider's
    resource does not take (spec/resources_api.py NOT_SENT), each one a warning: the CLI's
    Terraform deployment drops them too (bundle/deploy/terraform/tfdyn/convert_pipeline.go,
    convert_schema.go: `convert.Normalize(schema.Resource...)`)."""
    from brickline.spec import resources_api

    dropped = resources_api.NOT_SENT[kind]
    value: dict[str, Any] = piece.value
    for key in dropped:
        if key in value:
            problems.append(piece.error(
                (key,), f"'{key}' is not deployed: the Databricks provider's "
                f"databricks_{kind[:-1]} has no such argument (the Databricks CLI's Terraform "
                "deployment drops it too)", key=True, severity="warning"))
    return {k: v for k, v in value.items() if k not in dropped}


def _apply_presets(job: dict[str, Any], presets: dict[str, Any], run_as: Any) -> None:
    """apply_presets.go for a job: max_concurrent_runs and the pause status only where the
    job does not set them; run_as.go: run_as where the job has none."""
    runs = presets.get("jobs_max_concurrent_runs")
    if runs and not job.get("max_concurrent_runs"):
        job["max_concurrent_runs"] = runs
    status = presets.get("trigger_pause_status")
    if status:
        for key in ("schedule", "trigger", "continuous"):
            block = job.get(key)
            if isinstance(block, dict) and not block.get("pause_status"):
                job[key] = {**block, "pause_status": status}
    if isinstance(run_as, dict) and run_as and not job.get("run_as"):
        job["run_as"] = dict(run_as)


def _permissions(bundle: Bundle, bt: BundleTarget,
                 problems: list[Diagnostic]) -> list[Permission]:
    """Top-level and target permissions as a job's levels (apply_bundle_permissions.go)."""
    out = []
    for piece in [*bundle.parts.get("permissions", []), *bt.parts.get("permissions", [])]:
        if not isinstance(piece.value, list):
            continue
        for i, entry in enumerate(piece.value):
            if not isinstance(entry, dict):
                continue
            level = entry.get("level")
            if level not in JOB_LEVELS:
                problems.append(piece.error((i, "level"), f"invalid permission level: "
                                                          f"{level}, allowed values: "
                                                          f"[{', '.join(JOB_LEVELS)}]"))
                continue
            try:
                out.append(Permission.model_validate(
                    {**{k: v for k, v in entry.items() if k in PRINCIPALS},
                     "level": JOB_LEVELS[level]}))
            except ValidationError:
                problems.append(piece.error((i,), "a permission names one of user_name, "
                                                  "group_name and service_principal_name"))
    return out


def _bundle_permissions(pipeline: dict[str, Any], bundle: Bundle, bt: BundleTarget) -> None:
    """The top-level and target permissions added to a pipeline's own at the pipeline's
    levels, except for a principal the pipeline already names (apply_bundle_permissions.go
    convertPermissions, isPermissionOverlap); a bad level is reported by _permissions."""
    own = pipeline.get("permissions")
    own = own if isinstance(own, list) else []
    added = []
    for piece in [*bundle.parts.get("permissions", []), *bt.parts.get("permissions", [])]:
        for entry in piece.value if isinstance(piece.value, list) else []:
            if not isinstance(entry, dict) or entry.get("level") not in PIPELINE_LEVELS:
                continue
            who = {k: entry[k] for k in PRINCIPALS if entry.get(k)}
            if any(isinstance(p, dict) and p.get(k) == v for p in own for k, v in who.items()):
                continue
            added.append({**who, "level": PIPELINE_LEVELS[entry["level"]]})
    if added:
        pipeline["permissions"] = [*own, *added]


def _job_problem(job: Job, target: str, path: Path, message: str) -> Diagnostic:
    return job.source.error((*job.path, *path), f"in target {target}: {message}")


def _at_part(bundle: Bundle, bt: BundleTarget, key: str, path: Path,
             message: str) -> Diagnostic:
    pieces = [*bt.parts.get(key, []), *bundle.parts.get(key, [])]
    if pieces:
        return pieces[0].error(path, f"in target {bt.name}: {message}")
    return bundle.root_source.error((key,), f"in target {bt.name}: {message}")


# libs/sync and libs/fileset: the sync root's files, minus what the tree's .gitignore files
# ignore and sync.exclude, plus sync.include (bundle/config/sync.go); .git and .databricks
# are never synced
NEVER_SYNCED = (".git", ".databricks")


def synced_files(bundle: Bundle, target: str) -> list[str]:
    """The files the Databricks CLI would sync for a target, relative to the bundle root,
    '/'-separated and sorted (the same on every machine)."""
    from pathspec import GitIgnoreSpec

    bt = bundle.targets.get(target) or BundleTarget(target, None)
    sync = _merged_part(bundle, bt, "sync") or {}
    if not isinstance(sync, dict) or ("paths" in sync and not sync["paths"]):
        return []
    root = bundle.root
    exclude = GitIgnoreSpec.from_lines(_strings(sync.get("exclude")))
    include = GitIgnoreSpec.from_lines(_strings(sync.get("include")))
    ignored: list[tuple[str, Any]] = []
    out: list[str] = []
    for folder, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(folder, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if ".gitignore" in files:
            try:
                lines = (FsPath(folder) / ".gitignore").read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            ignored.append((rel_dir, GitIgnoreSpec.from_lines(lines)))

        def skip(rel: str) -> bool:
            return any(rel.startswith(base) and spec.match_file(rel[len(base):])
                       for base, spec in ignored) or exclude.match_file(rel)

        dirs[:] = sorted(d for d in dirs if d not in NEVER_SYNCED and not (
            skip(rel_dir + d + "/") and not include.match_file(rel_dir + d + "/")))
        for name in sorted(files):
            rel = rel_dir + name
            if not skip(rel) or include.match_file(rel):
                out.append(rel)
    return sorted(out)


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _metadata_names(p: Pipeline, target: str) -> list[Diagnostic]:
    """The status log's names once the target's references are known: Unity Catalog
    names (spec/rules/pipeline.py metadata_names checks those written as values)."""
    from brickline.spec.rules.limits import NAME_PART
    from brickline.spec.rules.pipeline import _uc_name_problem

    source = p.settings_source
    written = source.data.get("pipeline", {}).get("metadata") if source is not None and \
        isinstance(source.data, dict) and isinstance(source.data.get("pipeline"), dict) \
        else None
    if source is None or not isinstance(written, dict):
        return []
    out = []
    resolved, _ = view(p, target).resolve(written)
    for key in ("catalog", "schema", "table", "view"):
        before, value = written.get(key), resolved.get(key)
        if isinstance(before, str) and "${" in before and isinstance(value, str) and \
                "${" not in value and not NAME_PART.fullmatch(value):
            out.append(source.error(("pipeline", "metadata", key),
                                    f"in target {target}: {_uc_name_problem(key, value)}"))
    return out


def artifacts(bundle: Bundle) -> dict[str, str]:
    """Each artifact's name and the files its build makes, as a glob relative to the bundle
    root (bundle/config/artifact.go: `files[].source`, relative to the file that names it;
    a whl artifact without files makes <path>/dist/*.whl, bundle/artifacts/prepare.go).
    Without an artifacts section, a setup.py at the root is the CLI's implicit
    python_artifact (bundle/artifacts/whl/infer.go InsertPythonArtifact). Several globs
    of one artifact are joined with '|'."""
    out: dict[str, str] = {}
    for piece in bundle.parts.get("artifacts", []):
        if not isinstance(piece.value, dict):
            continue
        base = FsPath(piece.source.file).parent
        for name, artifact in piece.value.items():
            if not isinstance(artifact, dict):
                continue
            folder = artifact.get("path", ".")
            folder = folder if isinstance(folder, str) and "${" not in folder else "."
            sources = [str(f["source"]) for f in artifact.get("files") or []
                       if isinstance(f, dict) and isinstance(f.get("source"), str)]
            if not sources:
                sources = [os.path.join(folder, "dist", "*.whl")]
            globs = [os.path.relpath(os.path.normpath(base / s), bundle.root).replace(
                os.sep, "/") for s in sources]
            out[str(name)] = "|".join(globs)
    if not out and (bundle.root / "setup.py").is_file():
        out["python_artifact"] = "dist/*.whl"
    return out


def check(p: Pipeline) -> list[Diagnostic]:
    """What differs in the other targets (the base target's problems came with load):
    what their references resolve to, their merged jobs and the rules on them, each said
    once with the target's name; and the modes' rules (validate_target_mode.go)."""
    from brickline.spec import rules

    bundle = p.bundle
    assert bundle is not None
    out: list[Diagnostic] = []
    defaults = [t for t in bundle.targets.values() if t.default]
    if len(defaults) > 1:
        names = ", ".join(t.name for t in defaults)
        out.append(bundle.root_source.error(("targets",), f"multiple targets are marked as "
                                                          f"default ({names})", key=True))
    base = base_target(bundle)
    base_view = view_of(bundle, base)
    seen = {(d.location, d.message) for d in base_view.problems}
    seen |= {(d.location, d.message) for job in p.jobs
             for d in rules.check_job(rules.job_context(p, job))}
    for name in bundle.target_names:
        v = view_of(bundle, name)
        found = list(v.problems)
        if name != base:
            for job in v.jobs:
                found += rules.check_job(rules.job_context(p, job))
        for d in found:
            if (d.location, d.message) in seen:
                continue
            seen.add((d.location, d.message))
            out.append(Diagnostic(d.location, d.key_path, f"in target {name}: {d.message}",
                                  severity=d.severity))
        out += _metadata_names(p, name)
        bt = bundle.targets.get(name)
        if bt is not None and bt.mode == "production":
            own = [piece.value for piece in bt.parts.get("workspace", [])
                   if isinstance(piece.value, dict)]
            if not any(w.get("root_path") for w in own) and bt.where is not None:
                # an error in the CLI when the deploying identity is a user and some job has
                # no run_as; who deploys is not known before deploy: a warning here
                out.append(bt.where.error(
                    (), "target with 'mode: production' should set 'workspace.root_path' to "
                    "make sure only one copy is deployed (the Databricks CLI refuses to "
                    "deploy it as a user when a job has no run_as: validate_target_mode.go); "
                    "for example root_path: /Workspace/Users/<user>/.bundle/${bundle.name}/"
                    "${bundle.target}", key=True, severity="warning"))
    return out
