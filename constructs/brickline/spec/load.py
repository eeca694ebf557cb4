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

from pydantic import BaseModel, ValidationError

from brickline.spec import rules
from brickline.spec.diagnostics import (
    Diagnostic,
    Location,
    Path,
    SpecError,
    did_you_mean,
    errors_only,
    format_path,
)
from brickline.spec.model import Job, Pipeline, PipelineSettings, PipelineTask
from brickline.spec.yamlsource import Source, load

YAML_SUFFIXES = (".yml", ".yaml")
SETTINGS_FILES = ("pipeline.yml", "pipeline.yaml")
IGNORED_DIRS = {"node_modules", "cdktf.out", "__pycache__"}
FILE_KEYS = ("pipeline", "jobs")
MAX_FILE_BYTES = 10 * 1024 * 1024


def load_pipelines(paths: Sequence[str]) -> list[Pipeline]:
    """Every pipeline under `paths`, validated; raises SpecError with all diagnostics."""
    pipelines, diagnostics = collect(paths)
    if errors_only(diagnostics):
        raise SpecError(diagnostics)
    return pipelines


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
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
    with _no_cycle_collection():
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
            if key not in FILE_KEYS:
                diagnostics.append(source.error((key,), _unknown(key, FILE_KEYS), key=True))
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
                raw_jobs, "name", functools.partial(_validate_job, source))
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
    return pipeline, diagnostics


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


def _validate_job(source: Source, index: int, raw: Any) -> tuple[Job | None, list[Diagnostic]]:
    """The job's own keys and each task apart, so one bad task hides no other mistake.

    A job whose own keys are valid is kept with its valid tasks; the keys of its invalid
    tasks are remembered so the rules do not also call references to them unknown.
    """
    path: Path = ("jobs", index)
    raw_tasks = raw.get("tasks") if isinstance(raw, dict) else None
    if not isinstance(raw_tasks, list):
        job, problems = validate_model(Job, raw, source, path)
        return (job.locate(source, path) if job else None), problems
    job, problems = validate_model(Job, {**raw, "tasks": []}, source, path)
    tasks, broken, task_problems = _each(
        raw_tasks, "task_key",
        lambda t, raw_task: validate_model(PipelineTask, raw_task, source, (*path, "tasks", t)))
    problems.extend(task_problems)
    if job is None:
        return None, problems
    job.tasks = tasks
    # a task that failed with no usable task_key (task_key: 007 is a number) still counts as
    # written: the job is not also told it "needs at least one task" (one mistake, one message)
    job.broken_tasks = broken or ({"\x00"} if raw_tasks and not tasks else set())
    return job.locate(source, path), problems


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
        return source.error(path, _unknown(name, _fields_at(model, loc[:-1])), key=True)
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
        if name in (field_name, info.alias):
            return info
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
