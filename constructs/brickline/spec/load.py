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
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path as FsPath
from typing import Any

from pydantic import AliasChoices, BaseModel, ValidationError

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
from brickline.spec.model import Job, Orchestrator, Pipeline, PipelineSettings, PipelineTask
from brickline.spec.since import NEWER_FIELD
from brickline.spec.yamlsource import Source, load

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
MAX_FILE_BYTES = 10 * 1024 * 1024


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


def _read(path: FsPath) -> tuple[Source, list[Diagnostic]]:
    name = str(path)
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= MAX_FILE_BYTES else b""
    except OSError as exc:
        return Source(name), [Diagnostic(Location(name, 1, 1), "",
                                         f"cannot read the file: {exc.strerror}")]
    if size > MAX_FILE_BYTES:
        return Source(name), [Diagnostic(Location(name, 1, 1), "",
                                         f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Source(name), [Diagnostic(Location(name, line, column), "",
                                         f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                                         "save the file as UTF-8")]
    return load(text.removeprefix("\ufeff"), name)


def _load_one(origin: str, files: list[FsPath]) -> tuple[Pipeline | None, list[Diagnostic]]:
    diagnostics: list[Diagnostic] = []
    settings: PipelineSettings | None = None
    settings_source: Source | None = None
    jobs: list[Job] = []
    sources: list[Source] = []
    broken_job_names: set[str] = set()
    broken_settings: frozenset[str] = frozenset()
    for file in files:
        source, problems = _read(file)
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
                (), f"expected a mapping with 'jobs:' and/or 'pipeline:', got {_kind(data)}"))
            continue
        for key in data:
            if key in BUNDLE_KEYS:
                fatal, what = BUNDLE_KEYS[key]
                diagnostics.append(Diagnostic(
                    source.where((key,), key=True), format_path((key,)),
                    f"the bundle key '{key}' is not a pipeline key: {what}",
                    severity="error" if fatal else "warning"))
            elif key not in FILE_KEYS:
                diagnostics.append(source.error((key,), _unknown(key, FILE_KEYS), key=True))
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
                settings, broken_settings, problems = _validate_settings(data["pipeline"], source)
                diagnostics.extend(problems)
        if "jobs" in data:
            raw_jobs = data["jobs"]
            if not isinstance(raw_jobs, list):
                if ("jobs",) in source.refused:
                    continue
                diagnostics.append(source.error(("jobs",), f"expected a list of jobs, got "
                                                           f"{_kind(raw_jobs)}"))
                continue
            valid, broken, problems = _each(
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
                inner = _translate(err, model, source, path).message
                rest = format_path(loc[cut + 1:])
                err = {**err, "loc": loc[:cut], "type": "merged_list",
                       "msg": f"in {item}{', ' + rest if rest else ''} after merging the "
                              f"target's override: {inner}"}
            out.append(_translate(err, model, source, path))
        return out
    return []


def _bundle_jobs(source: Source, resources: Any) -> tuple[list[Job], set[str], list[Diagnostic]]:
    """`resources: {jobs: {<key>: {...}}}` as a bundle writes it: each job's key is its
    resource key, and its name defaults to the key."""
    if not isinstance(resources, dict):
        return [], set(), [source.error(("resources",), "expected a mapping with 'jobs:', "
                                                        f"got {_kind(resources)}")]
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
                                     f"to jobs, got {_kind(raw_jobs)}"))
        return [], set(), problems
    valid: list[Job] = []
    broken: set[str] = set()
    for key, raw in raw_jobs.items():
        path: Path = ("resources", "jobs", key)
        if not isinstance(raw, dict):
            problems.append(source.error(path, f"expected a job (a mapping), got {_kind(raw)}"))
            continue
        for bad, what in BUNDLE_JOB_KEYS.items():
            if bad in raw:
                problems.append(source.error((*path, bad), f"'{bad}': {what}", key=True))
        job_data = {"name": key, "key": key,
                    **{k: v for k, v in raw.items() if k not in BUNDLE_JOB_KEYS}}
        if any(k in raw for k in OWN_TRIGGERS) and "orchestrate" not in raw:
            # a bundle job with a schedule of its own keeps running on it, as in the bundle
            job_data["orchestrate"] = False
        job, job_problems = _validate_job(source, path, job_data)
        problems.extend(job_problems)
        if job is not None:
            valid.append(job)
        else:
            broken.add(str(job_data["name"]))
    return valid, broken, problems


def _job_at(source: Source, index: int, raw: Any) -> tuple[Job | None, list[Diagnostic]]:
    return _validate_job(source, ("jobs", index), raw)


# sections of pipeline.yml that are a mapping of the user's names to entries: each entry
# is validated apart, so one bad variable does not make every ${var.x} "undeclared"
_NAMED_SECTIONS = ("variables", "destinations", "targets")


def _validate_settings(raw: Any, source: Source,
                       ) -> tuple[PipelineSettings | None, frozenset[str], list[Diagnostic]]:
    """pipeline.yml section by section (and entry by entry in the named sections): a
    section that fails is left at its default and named in `broken`, so the rules report
    nothing that follows from it. One mistake, one message."""
    path: Path = ("pipeline",)
    if not isinstance(raw, dict):
        whole, found = validate_model(PipelineSettings, raw, source, path)
        return whole, frozenset(PipelineSettings.model_fields if found else ()), found
    problems: list[Diagnostic] = []
    broken: set[str] = set()
    kept: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _NAMED_SECTIONS and isinstance(value, dict):
            entries = {}
            for name, entry in value.items():
                _, found = validate_model(PipelineSettings, {key: {name: entry}}, source, path)
                if found:
                    problems.extend(found)
                    broken.add(f"{key}.{name}")
                else:
                    entries[name] = entry
            kept[key] = entries
            continue
        _, found = validate_model(PipelineSettings, {key: value}, source, path)
        if found:
            problems.extend(found)
            broken.add(key)
        else:
            kept[key] = value
    settings, found = validate_model(PipelineSettings, kept, source, path)
    problems.extend(found)  # none: every part passed alone
    return settings, frozenset(broken), problems


def _validate_job(source: Source, path: Path,
                  raw: Any) -> tuple[Job | None, list[Diagnostic]]:
    """The job's own keys and each task apart, so one bad task hides no other mistake.

    A job whose own keys are valid is kept with its valid tasks; the keys of its invalid
    tasks are remembered so the rules do not also call references to them unknown.
    """
    notes: list[Diagnostic] = []
    if isinstance(raw, dict) and "format" in raw:
        # jobs/get gives it; create and update ignore it (databricks-sdk-py jobs.py
        # JobSettings.format: "This field is ignored in Create/Update/Reset calls")
        notes.append(Diagnostic(source.where((*path, "format"), key=True),
                                format_path((*path, "format")),
                                "'format' is ignored: the Jobs API ignores it on create and "
                                "update; remove it", severity="warning"))
        raw = {k: v for k, v in raw.items() if k != "format"}
    tasks_key = "task" if isinstance(raw, dict) and "tasks" not in raw and "task" in raw \
        else "tasks"
    raw_tasks = raw.get(tasks_key) if isinstance(raw, dict) else None
    if not isinstance(raw_tasks, list):
        job, problems = validate_model(Job, raw, source, path)
        return (job.locate(source, path, raw) if job else None), notes + problems
    job, problems = validate_model(Job, {**raw, tasks_key: []}, source, path)
    problems = notes + problems
    tasks, broken, task_problems = _each(
        raw_tasks, "task_key",
        lambda t, raw_task: validate_model(PipelineTask, raw_task, source,
                                           (*path, tasks_key, t)))
    problems.extend(task_problems)
    if job is None:
        return None, problems
    job.tasks = tasks
    # a task that failed with no usable task_key (task_key: 007 is a number) still counts as
    # written: the job is not also told it "needs at least one task" (one mistake, one message)
    job.broken_tasks = broken or ({"\x00"} if raw_tasks and not tasks else set())
    return job.locate(source, path, raw), problems


T = typing.TypeVar("T")


def _each(items: list[Any], name_key: str,
          check: Callable[[int, Any], tuple[T | None, list[Diagnostic]]],
          ) -> tuple[list[T], set[str], list[Diagnostic]]:
    """Validate each item; keep the valid ones and the names of the invalid ones."""
    valid: list[T] = []
    broken: set[str] = set()
    problems: list[Diagnostic] = []
    for index, raw in enumerate(items):
        item, item_problems = check(index, raw)
        problems.extend(item_problems)
        if item is not None:
            valid.append(item)
        elif isinstance(raw, dict) and isinstance(raw.get(name_key), str):
            broken.add(raw[name_key])
    return valid, broken, problems


def _default_name(origin: str) -> str:
    path = FsPath(origin)
    return path.stem if path.suffix in YAML_SUFFIXES else path.name


# --- pydantic errors in the user's words -------------------------------------------------

M = typing.TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], data: Any, source: Source,
                   base: Path) -> tuple[M | None, list[Diagnostic]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=True)
        if source.refused:
            # a refused tag already has its message; the empty value it left is no mistake
            errors = [e for e in errors
                      if not any((*base, *e["loc"])[:len(r)] == r for r in source.refused)]
        return None, [_translate(err, model, source, base) for err in errors]


def _translate(err: Any, model: type[BaseModel], source: Source, base: Path) -> Diagnostic:
    loc: Path = tuple(err["loc"])
    path = (*base, *loc)
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        name = str(loc[-1])
        if name == "for_each_task" and "for_each_task" in loc[:-1]:
            # no for_each inside a for_each (docs.databricks.com/jobs/for-each: "You cannot
            # add another For each task as the nested task"; databricks/cli
            # bundle/config/validate/job_cluster_key_defined.go: "The Jobs API rejects
            # nested for_each_task"); the generated model has no such key
            return source.error(path, "for_each cannot be nested: the task of a "
                                "for_each_task runs once per input and cannot loop itself; "
                                "move the inner loop into a job of its own and call it with "
                                "run_job_task", key=True)
        twin = _spelling_of(model, loc[:-1], name)
        if twin:
            return source.error(path, f"'{name}' and '{twin}' are one field (the provider's "
                                      f"and the Jobs API's spelling): keep '{twin}'", key=True)
        candidates = _fields_at(model, loc[:-1])
        message = _unknown(name, candidates)
        if model in (Job, PipelineTask) and name in _provider_lacks():
            message += (f"; '{name}' is a Jobs API field that the Databricks Terraform "
                        "provider brickline builds on does not take (yet): remove it")
        return source.error(path, message, key=True)
    if kind == NEWER_FIELD:  # a field the engine's provider lacks (spec/since.py)
        return source.error(path, str(err["msg"]), key=True)
    if kind == "missing":
        return Diagnostic(source.where(path[:-1], key=True), format_path(path),
                          f"missing required key '{loc[-1]}'")
    if kind == "literal_error":
        expected = [str(v) for v in _literal_values(model, loc)]
        hint = ""
        if isinstance(value, str):
            close = [e for e in expected if e.lower() == value.lower()]
            hint = f" (did you mean '{close[0]}'?)" if close else did_you_mean(value, expected)
        return source.error(path, f"bad value {value!r}: expected one of "
                                  f"{', '.join(expected)}{hint}")
    expectation = _EXPECTED.get(kind)
    if expectation:
        message = f"expected {expectation}, got {_kind(value)}"
        if kind == "string_type" and isinstance(value, (int, float, bool)):
            message += " (quote it to make it a string)"
        elif kind == "string_type" and isinstance(value, list) and loc[-1] == "inputs":
            message += (" (for_each_task.inputs is a JSON array written as a string: "
                        "inputs: '[\"a\", \"b\"]', or a reference such as "
                        "'{{job.parameters.items}}')")
        elif kind == "bool_type" and isinstance(value, str) and value.lower() in YAML11_BOOLS:
            message += (" (YAML 1.2, which Databricks bundles and brickline read, has only "
                        "true and false; yes/no/on/off are strings)")
        return source.error(path, message)
    if kind in ("value_error", "assertion_error"):
        message = str(err["msg"]).removeprefix("Value error, ")
        if message.startswith("expected"):
            message += f", got {_kind(value)}"
        return source.error(path, message)
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return source.error(path, f"bad value {value!r}: {err['msg'].lower()}")
    return source.error(path, str(err["msg"]))


YAML11_BOOLS = ("yes", "no", "on", "off", "y", "n")
_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
}


@functools.cache
def _provider_lacks() -> frozenset[str]:
    """Field names of a job in the Jobs API (the SDK's dataclasses) that no level of the
    provider's job takes: such a key is not a typo but a field brickline cannot send."""
    import dataclasses

    from databricks.sdk.service import jobs

    ours: set[str] = set()
    walked: set[type[BaseModel]] = set()
    models: list[type[BaseModel]] = [Job, PipelineTask]
    while models:
        model = models.pop()
        if model in walked:
            continue
        walked.add(model)
        for field_name, info in model.model_fields.items():
            ours.update((field_name, *_choices(info), *([info.alias] if info.alias else [])))
            inner = _model_in(info.annotation)
            if inner is not None:
                models.append(inner)

    names: set[str] = set()
    seen: set[type] = set()
    todo: list[type] = [jobs.JobSettings]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            names.add(f.name)
            stack = [hints[f.name]]
            while stack:
                hint = stack.pop()
                if dataclasses.is_dataclass(hint) and isinstance(hint, type):
                    todo.append(hint)
                stack.extend(typing.get_args(hint))
    return frozenset(names - ours)


def _kind(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 60 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _unknown(name: str, candidates: Iterable[str]) -> str:
    options = sorted(candidates)
    return f"unknown key '{name}'{did_you_mean(name, options)}"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _annotation_at(model: type[BaseModel], loc: Path) -> Any:
    """The annotation of the field a loc points at (None when it leaves the models)."""
    current: Any = model
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        is_mapping = typing.get_origin(current) is dict
        cls = _model_in(current) if not isinstance(current, type) else current
        if is_mapping or cls is None or not issubclass(cls, BaseModel):
            # a dict key (variables: {name: ...}) stays on the dict's value type
            args = typing.get_args(_strip_optional(current))
            annotation = args[-1] if args else None
            current = _model_in(annotation) or annotation
            continue
        field = _field(cls, part)
        if field is None:
            return None
        annotation = field.annotation
        stripped = _strip_optional(annotation)
        # a mapping's next part is a key of the user's: stay on the mapping
        current = stripped if typing.get_origin(stripped) is dict else (
            _model_in(annotation) or annotation)
    return annotation


def _strip_optional(annotation: Any) -> Any:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _field(cls: type[BaseModel], name: str | int) -> Any:
    for field_name, info in cls.model_fields.items():
        if name in (field_name, info.alias, *_choices(info)):
            return info
    return None


def _choices(info: Any) -> tuple[str, ...]:
    alias = info.validation_alias
    return tuple(c for c in alias.choices if isinstance(c, str)) \
        if isinstance(alias, AliasChoices) else ()


def _spelling_of(model: type[BaseModel], loc: Path, name: str) -> str | None:
    """The documented name of the field `name` is the other spelling of, if it is one."""
    cls = _model_in(_annotation_at(model, loc) if loc else model)
    if cls is None:
        return None
    for info in cls.model_fields.values():
        choices = _choices(info)
        if name in choices[1:]:
            return choices[0]
    return None


def _fields_at(model: type[BaseModel], loc: Path) -> list[str]:
    annotation = _annotation_at(model, loc) if loc else model
    cls = _model_in(annotation)
    if cls is None:
        return []
    return [info.alias or name for name, info in cls.model_fields.items()]


def _literal_values(model: type[BaseModel], loc: Path) -> list[Any]:
    annotation = _annotation_at(model, loc)
    found: list[Any] = []

    def visit(a: Any) -> None:
        if typing.get_origin(a) is typing.Literal:
            found.extend(typing.get_args(a))
        for arg in typing.get_args(a):
            visit(arg)

    visit(annotation)
    return found
