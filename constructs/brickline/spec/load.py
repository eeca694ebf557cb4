"""From paths on disk to validated Pipelines, or every diagnostic at once.

A pipeline is a folder of YAML files or one YAML file. A folder that holds `pipeline.yml`,
or holds YAML files and no sub-folder with YAML, is one pipeline; any other folder is a
collection: each YAML file directly in it is a one-file pipeline and each sub-folder is
looked at the same way.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
from collections.abc import Iterator, Sequence
from pathlib import Path as FsPath
from typing import Any

from pydantic import BaseModel, ValidationError

from brickline.spec import localfiles, rules, targets
from brickline.spec.diagnostics import (
    Diagnostic,
    Location,
    Path,
    SpecError,
    did_you_mean,
    errors_only,
    format_path,
)
from brickline.spec.model import Job, Orchestrator, Pipeline, PipelineSettings
from brickline.spec.validation import (
    each,
    kind_of,
    read_file,
    translate,
    unknown_key,
    validate_job,
    validate_settings,
)
from brickline.spec.yamlsource import Source

YAML_SUFFIXES = (".yml", ".yaml")
SETTINGS_FILES = ("pipeline.yml", "pipeline.yaml")
IGNORED_DIRS = {"node_modules", "cdktf.out", "__pycache__"}
FILE_KEYS = ("pipeline", "jobs", "resources")
# Top-level keys of a Databricks Asset Bundle file (bundle/schema/jsonschema.json of
# databricks/cli) that brickline does not take: what to do instead. A warning where
# leaving the key out changes no job; an error where it would.
BUNDLE_KEYS: dict[str, tuple[bool, str]] = {
    "bundle": (False, "ignored: the pipeline is named by pipeline.name in pipeline.yml or "
                      "after its folder"),
    "include": (False, "ignored: brickline reads every YAML file of the pipeline's folder; "
                       "keep the included job files in it"),
    "workspace": (False, "ignored: name the workspace per target under pipeline.targets."
                         "<target>.host in pipeline.yml"),
    "sync": (False, "ignored: brickline uploads the files a task names (relative "
                    "notebook_path, python_file, ...), nothing else"),
    "presets": (False, "ignored: use pipeline.targets.<target>.name_prefix, tags and paused "
                       "in pipeline.yml"),
    "experimental": (False, "ignored"),
    "scripts": (False, "ignored"),
    "python": (False, "ignored: brickline does not run bundle Python code"),
    "artifacts": (False, "ignored: build wheels before synth; a relative whl library path "
                         "is uploaded as it is"),
    "environments": (True, "the old name of bundle targets: move each to pipeline.targets."
                           "<target> in pipeline.yml"),
    "targets": (True, "move job overrides to pipeline.targets.<target>.jobs.<job name> in "
                      "pipeline.yml (host, run_as, variables likewise)"),
    "variables": (True, "declare variables under pipeline.variables in pipeline.yml "
                        "(description, default); ${var.NAME} stays as it is"),
    "permissions": (True, "move them to pipeline.permissions in pipeline.yml (same keys)"),
    "run_as": (True, "move it to pipeline.targets.<target>.run_as in pipeline.yml"),
}
OWN_TRIGGERS = ("schedule", "trigger", "continuous")
# keys of a bundle job resource that a databricks_job does not take
BUNDLE_JOB_KEYS = {
    "lifecycle": "not supported: Terraform keeps the job's lifecycle; remove it",
}


def load_pipelines(paths: Sequence[str]) -> list[Pipeline]:
    """Every pipeline under `paths`, validated; raises SpecError with all diagnostics."""
    pipelines, diagnostics = collect(paths)
    if errors_only(diagnostics):
        raise SpecError(diagnostics)
    return pipelines


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Loading builds hundreds of thousands of small containers and no reference cycles
    worth collecting: the cyclic collector's passes cost a quarter of the time for a
    1000-job pipeline. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # what loading made is long-lived: put it with the oldest generation without a
            # full collection on the first allocation after enable() (gc.freeze/unfreeze
            # move objects between the permanent and the oldest generation, uncounted)
            gc.freeze()
            gc.enable()
            gc.unfreeze()


def collect(paths: Sequence[str]) -> tuple[list[Pipeline], list[Diagnostic]]:
    """Pipelines and diagnostics; a pipeline with errors is left out of the list."""
    with no_cycle_collection():
        return _collect(paths)


def _collect(paths: Sequence[str]) -> tuple[list[Pipeline], list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    units: list[tuple[str, list[FsPath]]] = []
    for raw in paths:
        found, problems = discover(raw)
        units.extend(found)
        diagnostics.extend(problems)
    pipelines: list[Pipeline] = []
    for origin, files in units:
        pipeline, problems = _load_one(origin, files)
        diagnostics.extend(problems)
        if pipeline is not None and not errors_only(problems):
            pipelines.append(pipeline)
    diagnostics.extend(rules.check_across(pipelines))
    return pipelines, diagnostics


def discover(raw: str) -> tuple[list[tuple[str, list[FsPath]]], list[Diagnostic]]:
    path = FsPath(raw)
    if path.is_file():
        return [(raw, [path])], []
    if not path.is_dir():
        return [], [Diagnostic(Location(raw, 1, 1), "", "no such file or folder")]
    units = _walk(path)
    if not units:
        return [], [Diagnostic(Location(raw, 1, 1), "",
                               "no pipeline here: no .yml or .yaml file in this folder")]
    return units, []


def _yaml_files(folder: FsPath) -> list[FsPath]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)


def _subfolders(folder: FsPath) -> list[FsPath]:
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name not in IGNORED_DIRS)


def _holds_yaml(folder: FsPath) -> bool:
    for _, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in IGNORED_DIRS]
        if any(f.endswith(YAML_SUFFIXES) for f in files):
            return True
    return False


def _walk(folder: FsPath) -> list[tuple[str, list[FsPath]]]:
    files = _yaml_files(folder)
    subs = [s for s in _subfolders(folder) if _holds_yaml(s)]
    if any(f.name in SETTINGS_FILES for f in files) or (files and not subs):
        return [(str(folder), files)]
    units = [(str(f), [f]) for f in files]
    for sub in subs:
        units.extend(_walk(sub))
    return units


def _load_one(origin: str, files: list[FsPath]) -> tuple[Pipeline | None, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    settings: PipelineSettings | None = None
    settings_source: Source | None = None
    jobs: list[Job] = []
    sources: list[Source] = []
    broken_job_names: set[str] = set()
    broken_settings: frozenset[str] = frozenset()
    for file in files:
        source, problems = read_file(file)
        diagnostics.extend(problems)
        sources.append(source)
        if problems and source.data is None:
            continue
        data = source.data
        if data is None:
            diagnostics.append(source.error((), "the file is empty; give it a 'jobs:' list "
                                                "or a 'pipeline:' mapping"))
            continue
        if not isinstance(data, dict):
            diagnostics.append(source.error(
                (), f"expected a mapping with 'jobs:' and/or 'pipeline:', got {kind_of(data)}"))
            continue
        for key in data:
            if key in BUNDLE_KEYS:
                fatal, what = BUNDLE_KEYS[key]
                diagnostics.append(Diagnostic(
                    source.where((key,), key=True), format_path((key,)),
                    f"the bundle key '{key}' is not a pipeline key: {what}",
                    severity="error" if fatal else "warning"))
            elif key not in FILE_KEYS:
                diagnostics.append(source.error((key,), unknown_key(key, FILE_KEYS), key=True))
        if "resources" in data:
            valid, broken, problems = _bundle_jobs(source, data["resources"])
            jobs.extend(valid)
            broken_job_names |= broken
            diagnostics.extend(problems)
        if "pipeline" in data:
            if settings_source is not None:
                diagnostics.append(source.error(
                    ("pipeline",), "a second 'pipeline:' section; the first is in "
                    f"{settings_source.where(('pipeline',), key=True)}. Keep one per pipeline",
                    key=True))
            else:
                settings_source = source
                settings, broken_settings, problems = validate_settings(data["pipeline"], source)
                diagnostics.extend(problems)
        if "jobs" in data:
            raw_jobs = data["jobs"]
            if not isinstance(raw_jobs, list):
                if ("jobs",) in source.refused:
                    continue
                diagnostics.append(source.error(("jobs",), f"expected a list of jobs, got "
                                                           f"{kind_of(raw_jobs)}"))
                continue
            valid, broken, problems = each(
                raw_jobs, "name", functools.partial(_job_at, source))
            jobs.extend(valid)
            broken_job_names |= broken
            diagnostics.extend(problems)
    if settings is None:
        settings = PipelineSettings()
    name = settings.name or _default_name(origin)
    pipeline = Pipeline(name=name, origin=origin, settings=settings, jobs=jobs,
                        settings_source=settings_source, sources=sources,
                        broken=broken_settings)
    diagnostics.extend(rules.check(pipeline, known_broken=broken_job_names))
    diagnostics.extend(_target_overrides(pipeline, broken_job_names))
    diagnostics.extend(_target_files(pipeline))
    for job in jobs:
        diagnostics.extend(localfiles.check(job))
    return pipeline, diagnostics


def _target_overrides(p: Pipeline, broken: set[str]) -> list[Diagnostic]:
    """Each targets.<t>.jobs.<job> and targets.<t>.orchestrator, merged as the target's
    stack merges it and validated; mistakes located in the override."""
    source = p.settings_source
    if source is None:
        return []
    out: list[Diagnostic] = []
    names = [j.name for j in p.jobs]
    for target_name, target in sorted(p.settings.targets.items()):
        base: Path = ("pipeline", "targets", target_name)
        for job_name, override in (target.jobs or {}).items():
            path: Path = (*base, "jobs", job_name)
            job = targets.find_job(p, job_name)
            if job is None:
                if job_name not in broken:
                    out.append(source.error(path, f"unknown job '{job_name}'"
                                            f"{did_you_mean(job_name, names)}", key=True))
                continue
            for key in targets.FIXED_JOB_KEYS:
                if key in override:
                    out.append(source.error(
                        (*path, key), f"a target cannot change a job's '{key}': the jobs and "
                        "their edges are the same in every target", key=True))
            if any(d.key_path.startswith(format_path(path)) for d in out):
                continue
            merged = targets.job_raw(job, override, target_name)
            problems = _merged_problems(Job, merged, source, path, override)
            out += problems or _merged_files(job, merged, source.where(path, key=True), path)
        if target.orchestrator:
            merged = targets.merge(targets.orchestrator_raw(p), target.orchestrator)
            out += _merged_problems(Orchestrator, merged, source, (*base, "orchestrator"),
                                    target.orchestrator)
    return out


def _target_files(p: Pipeline) -> list[Diagnostic]:
    """Code paths that ${bundle.target} fills in per target name the files they should."""
    out: list[Diagnostic] = []
    overridden = {(t, found.address) for t, target in p.settings.targets.items()
                  for name in (target.jobs or {})
                  if (found := targets.find_job(p, name)) is not None}
    for target_name in sorted(p.settings.targets) or [targets.DEFAULT_TARGET]:
        for job in p.jobs:
            if (target_name, job.address) in overridden or \
                    not job.raw_mentions(targets.TARGET_REF):
                continue
            merged = targets.job_raw(job, None, target_name)
            try:
                Job.model_validate(merged)
            except ValidationError:
                continue  # reported where the job is validated
            out += _merged_files(job, merged, job.source.where(job.path, key=True), job.path,
                                 f"in target {target_name}")
    return out


def _merged_files(job: Job, merged: dict[str, Any], where: Location, path: Path,
                  when: str = "after merging the target's override") -> list[Diagnostic]:
    """Local-file mistakes of a job as a target deploys it that the job as written does not
    have, at `where`."""
    seen = {d.message for d in localfiles.check(job)}
    built = Job.model_validate(merged).locate(job.source, job.path, merged)
    return [Diagnostic(where, format_path(path), f"{when}: {d.key_path}: {d.message}")
            for d in localfiles.check(built) if d.message not in seen]


def _item_name(data: Any, loc: Path) -> str:
    for part in loc:
        data = data[part]
    key = targets.KEYED_LISTS.get(str(loc[-2]))
    return f"{key} '{data[key]}'" if key and isinstance(data, dict) and key in data \
        else format_path(loc)


def _merged_problems(model: type[BaseModel], merged: dict[str, Any], source: Source,
                     path: Path, override: dict[str, Any]) -> list[Diagnostic]:
    """Validation errors of a merged job or orchestrator, at the override's lines: an item
    of a merged list is found by position only within the override, so an error under
    one is shown at the list."""
    try:
        model.model_validate(merged)
    except ValidationError as exc:
        out = []
        for err in exc.errors(include_url=False, include_context=True):
            loc = tuple(err["loc"])
            cut = next((i for i, part in enumerate(loc) if isinstance(part, int)), len(loc))
            if cut < len(loc):
                item = _item_name(merged, loc[:cut + 1])
                inner = translate(err, model, source, path).message
                rest = format_path(loc[cut + 1:])
                err = {**err, "loc": loc[:cut], "type": "merged_list",
                       "msg": f"in {item}{', ' + rest if rest else ''} after merging the "
                              f"target's override: {inner}"}
            out.append(translate(err, model, source, path))
        return out
    return []


def _bundle_jobs(source: Source, resources: Any) -> tuple[list[Job], set[str], list[Diagnostic]]:
    """`resources: {jobs: {<key>: {...}}}` as a bundle writes it: each job's key is its
    resource key, and its name defaults to the key."""
    if not isinstance(resources, dict):
        return [], set(), [source.error(("resources",), "expected a mapping with 'jobs:', "
                                                        f"got {kind_of(resources)}")]
    problems: list[Diagnostic] = []
    for kind in resources:
        if kind != "jobs":
            problems.append(source.error(
                ("resources", kind), f"brickline provisions jobs only: keep resources.{kind} "
                "in a bundle or Terraform configuration of its own", key=True))
    raw_jobs = resources.get("jobs")
    if raw_jobs is None:
        return [], set(), problems
    if not isinstance(raw_jobs, dict):
        problems.append(source.error(("resources", "jobs"), "expected a mapping of job keys "
                                     f"to jobs, got {kind_of(raw_jobs)}"))
        return [], set(), problems
    valid: list[Job] = []
    broken: set[str] = set()
    for key, raw in raw_jobs.items():
        path: Path = ("resources", "jobs", key)
        if not isinstance(raw, dict):
            problems.append(source.error(path, f"expected a job (a mapping), got {kind_of(raw)}"))
            continue
        for bad, what in BUNDLE_JOB_KEYS.items():
            if bad in raw:
                problems.append(source.error((*path, bad), f"'{bad}': {what}", key=True))
        job_data = {"name": key, "key": key,
                    **{k: v for k, v in raw.items() if k not in BUNDLE_JOB_KEYS}}
        if any(k in raw for k in OWN_TRIGGERS) and "orchestrate" not in raw:
            # a bundle job with a schedule of its own keeps running on it, as in the bundle
            job_data["orchestrate"] = False
        job, job_problems = validate_job(source, path, job_data)
        problems.extend(job_problems)
        if job is not None:
            valid.append(job)
        else:
            broken.add(str(job_data["name"]))
    return valid, broken, problems


def _job_at(source: Source, index: int, raw: Any) -> tuple[Job | None, list[Diagnostic]]:
    return validate_job(source, ("jobs", index), raw)


def _default_name(origin: str) -> str:
    path = FsPath(origin)
    return path.stem if path.suffix in YAML_SUFFIXES else path.name

