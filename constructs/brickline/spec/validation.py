"""Reading a YAML file, and validating its values against the spec's models, with every
mistake in the user's words: file:line:col, key path, the bad value and what to write.
Shared by both front doors (spec/load.py, spec/bundle.py)."""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path as FsPath
from typing import Any

from pydantic import AliasChoices, BaseModel, ValidationError

from brickline.spec.diagnostics import (
    Diagnostic,
    Location,
    Path,
    did_you_mean,
    format_path,
)
from brickline.spec.model import Job, PipelineSettings, PipelineTask
from brickline.spec.overrides import hint
from brickline.spec.rules import platform
from brickline.spec.since import NEWER_FIELD
from brickline.spec.yamlsource import Source, load

MAX_FILE_BYTES = 10 * 1024 * 1024


def read_file(path: FsPath, *, bundle: bool = False) -> tuple[Source, list[Diagnostic]]:
    """A YAML file's data with where each value is; `bundle`: read as the Databricks CLI
    reads a bundle file (a key written twice keeps its last value, with a warning)."""
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
    return load(text.removeprefix("\ufeff"), name, last_key_wins=bundle)



# sections of pipeline.yml that are a mapping of the user's names to entries: each entry
# is validated apart, so one bad variable does not make every ${var.x} "undeclared"
_NAMED_SECTIONS = ("variables", "destinations", "targets")


def validate_settings(raw: Any, source: Source,
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


def validate_job(source: Source, path: Path,
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
    # the platform's rules on the job as written: a value the model refuses elsewhere in
    # the job hides none of them (spec/rules/platform.py)
    notes += platform.diagnostics(source, path, raw)
    if not isinstance(raw_tasks, list):
        job, problems = validate_model(Job, raw, source, path)
        return (job.locate(source, path, raw) if job else None), notes + problems
    job, problems = validate_model(Job, {**raw, tasks_key: []}, source, path)
    problems = notes + problems
    tasks, broken, task_problems = each(
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


def each(items: list[Any], name_key: str,
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
        return None, [translate(err, model, source, base) for err in errors]


def translate(err: Any, model: type[BaseModel], source: Source, base: Path) -> Diagnostic:
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
        message = unknown_key(name, candidates)
        if model in (Job, PipelineTask) and name in _provider_lacks():
            message += (f"; '{name}' is a Jobs API field that the Databricks Terraform "
                        "provider brickline builds on does not take (yet): remove it")
        return source.error(path, message, key=True)
    if kind == NEWER_FIELD:  # a field the engine's provider lacks (spec/since.py)
        return source.error(path, str(err["msg"]), key=True)
    if kind == "missing":
        return Diagnostic(source.where(path[:-1], key=True), format_path(path),
                          f"missing required key '{loc[-1]}'")
    if kind in ("literal_error", "enum_value"):
        expected = [str(v) for v in (err["ctx"]["expected"] if kind == "enum_value"
                                     else _literal_values(model, loc))]
        hint = ""
        if isinstance(value, str):
            # a case or a plural away (DAY for DAYS) is the likely intent
            close = [e for e in expected if e.lower() in (value.lower(), value.lower() + "s")]
            hint = f" (did you mean '{close[0]}'?)" if close else did_you_mean(value, expected)
        return source.error(path, f"bad value {value!r}: expected one of "
                                  f"{', '.join(expected)}{hint}")
    expectation = _EXPECTED.get(kind)
    if expectation:
        message = f"expected {expectation}, got {kind_of(value)}"
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
            message += f", got {kind_of(value)}"
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


def kind_of(value: Any) -> str:
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


def unknown_key(name: str, candidates: Iterable[str]) -> str:
    options = sorted(candidates)
    return f"unknown key '{name}'{did_you_mean(name, options) or hint(name, options)}"


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
