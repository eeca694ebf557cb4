"""Dynamic value references (`{{job.run_id}}`, `{{tasks.x.values.y}}`) in the user's jobs:
checked as the Jobs service checks them when the job runs.

Source: Databricks docs, "What is a dynamic value reference?"
(docs.databricks.com/jobs/dynamic-value-references.html): "Syntax errors, including
non-existent dynamic reference values and missing braces, are silently ignored and treated
as literal strings. If you provide an invalid reference that belongs to a known namespace,
such as {{job.notebook_url}}, an error message is displayed." The known namespaces and
their references are that page's table "Supported value references" and its date and
time options; "User-provided value identifiers support alphanumeric and underscore
characters. Escape keys that contain special characters by surrounding the identifier with
backticks". A for_each task's inner task also reads `{{input}}` (docs, "Use a For each
task").
"""

from __future__ import annotations

import re
from typing import Any

from brickline.spec.diagnostics import Diagnostic, Path, did_you_mean
from brickline.spec.rules.context import JobContext

# the `<argument>` of job.start_time and job.trigger.time ("Date and time value options")
TIME_ARGUMENTS = ("iso_weekday", "is_weekday", "iso_date", "iso_datetime", "year", "month",
                  "day", "hour", "minute", "second", "timestamp_ms")
NAME = r"(?:[A-Za-z0-9_]+|`[^`]+`)"
NAMESPACES = ("job", "task", "tasks", "workspace")
DOCUMENTED = [re.compile(p) for p in (
    r"job\.(?:id|name|run_id|repair_count|trigger\.type|trigger\.file_arrival\.location)",
    rf"job\.(?:start_time|trigger\.time)\.(?:{'|'.join(TIME_ARGUMENTS)})",
    rf"job\.parameters\.(?P<parameter>{NAME})",
    r"task\.(?:name|run_id|execution_count|notebook_path)",
    # error_code: no stored copy of the docs' table lists it; a false error is worse than a
    # missed one, so it is accepted (issue 21 item 6 stops brickline's own use of it)
    rf"tasks\.(?P<task>{NAME})\.(?:run_id|result_state|error_code|execution_count"
    r"|notebook_path)",
    rf"tasks\.(?P<task>{NAME})\.values\.{NAME}",
    r"workspace\.(?:id|url)",
)]
REFERENCE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def dynamic_references(ctx: JobContext) -> list[Diagnostic]:
    """Each `{{...}}` of a known namespace is a documented reference, and names a task of
    the job or a parameter it declares."""
    job = ctx.job
    if not job.raw_mentions("{{"):
        return []
    raw = job.raw
    tasks = set(ctx.tasks) | set(job.broken_tasks)
    for task in job.tasks:
        if task.for_each_task is not None:
            tasks.add(task.for_each_task.task.task_key)
    parameters = {p.name for p in job.parameters or []}
    out = []
    for path, text in _strings(raw, ()):
        for ref in REFERENCE.findall(text):
            problem = _problem(ref, tasks, parameters)
            if problem:
                out.append(ctx.at(path, problem))
    return out


def _problem(ref: str, tasks: set[str], parameters: set[str]) -> str | None:
    head = ref.split(".", 1)[0]
    if head not in NAMESPACES:
        return None  # not a namespace the service knows: it stays text, as the docs say
    match = next((m for p in DOCUMENTED if (m := p.fullmatch(ref))), None)
    if match is None:
        return (f"{{{{{ref}}}}} is not a dynamic value reference of the '{head}' namespace "
                "(see \"What is a dynamic value reference?\" in the Databricks docs): the "
                "run fails on it")
    named = match.groupdict()
    task = (named.get("task") or "").strip("`")
    if task and task not in tasks:
        return f"{{{{{ref}}}}} names no task of this job{did_you_mean(task, sorted(tasks))}"
    parameter = (named.get("parameter") or "").strip("`")
    if parameter and parameter not in parameters:
        return (f"{{{{{ref}}}}} names no parameter of this job"
                f"{did_you_mean(parameter, sorted(parameters))}: declare it under "
                "parameters")
    return None


def _strings(value: Any, path: Path) -> list[tuple[Path, str]]:
    if isinstance(value, str):
        return [(path, value)] if "{{" in value else []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _strings(v, (*path, i))]
    return []
