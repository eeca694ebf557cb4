"""Every `{{...}}` dynamic value reference in every synthesized example is one the Jobs
service documents, and names a task or job parameter that exists: a typo would otherwise
ship as literal text (a syntax error in a reference is silently left as it is).

Source: Databricks docs, "What is a dynamic value reference?"
(https://docs.databricks.com/jobs/dynamic-value-references.html), section "Supported value
references" and its date and time options."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from brickline.plan import StackPlan
from helpers import synth_json

# the `<argument>` of job.start_time and job.trigger.time ("Date and time value options")
TIME_ARGUMENTS = ("iso_weekday", "is_weekday", "iso_date", "iso_datetime", "year", "month",
                  "day", "hour", "minute", "second", "timestamp_ms")
# an identifier a user provides: letters, digits, underscores, or anything in backticks
NAME = r"(?:[A-Za-z0-9_]+|`[^`]+`)"
DOCUMENTED = [re.compile(p) for p in (
    r"job\.(?:id|name|run_id|repair_count|trigger\.type|trigger\.file_arrival\.location)",
    rf"job\.(?:start_time|trigger\.time)\.(?:{'|'.join(TIME_ARGUMENTS)})",
    rf"job\.parameters\.(?P<parameter>{NAME})",
    r"task\.(?:name|run_id|execution_count|notebook_path)",
    # no `error_code`: the docs' table does not list it (issue 21, item 6)
    rf"tasks\.(?P<task>{NAME})\.(?:run_id|result_state|execution_count|notebook_path)",
    rf"tasks\.(?P<task>{NAME})\.values\.{NAME}",
    r"workspace\.(?:id|url)",
)]
REFERENCE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")


def problems(doc: dict[str, Any]) -> list[str]:
    """Each reference that is not documented, names a missing task or job parameter, or a
    `{{` or `}}` that belongs to no well-formed reference."""
    out = []
    for address, job in doc.get("resource", {}).get("databricks_job", {}).items():
        tasks = {t["task_key"] for t in job.get("task", [])}
        parameters = {p["name"] for p in job.get("parameter", [])}
        for path, text in strings(job, f"databricks_job.{address}"):
            found = REFERENCE.findall(text)
            if text.count("{{") != len(found) or text.count("}}") != len(found):
                out.append(f"{path}: a brace pair that is no reference: {text!r}")
            for ref in found:
                match = next((m for p in DOCUMENTED if (m := p.fullmatch(ref))), None)
                if match is None:
                    out.append(f"{path}: {{{{{ref}}}}} is not a documented reference")
                    continue
                named = match.groupdict()
                if named.get("task") and named["task"].strip("`") not in tasks:
                    out.append(f"{path}: {{{{{ref}}}}} names no task of this job")
                if named.get("parameter") and named["parameter"].strip("`") not in parameters:
                    out.append(f"{path}: {{{{{ref}}}}} names no parameter of this job")
    return out


@pytest.fixture(scope="module")
def synthesized(examples: dict[str, StackPlan]) -> dict[str, dict[str, Any]]:
    return {name: synth_json(stack) for name, stack in sorted(examples.items())}


def test_every_reference_in_every_example_is_documented_and_resolves(
        synthesized: dict[str, dict[str, Any]]) -> None:
    found = {ref for doc in synthesized.values() for _, text in strings(doc)
             for ref in REFERENCE.findall(text)}
    # it looked: the references brickline's own tasks use
    assert {"job.repair_count", "job.trigger.type", "job.start_time.timestamp_ms"} <= found
    assert any(ref.endswith(".result_state") for ref in found)
    assert not any(ref.startswith("job.parameters.") for ref in found)  # none of brickline's
    assert {name: problems(doc) for name, doc in synthesized.items()} == \
        {name: [] for name in synthesized}


def job(*values: str, tasks: tuple[str, ...] = ("a",), parameters: tuple[str, ...] = ()
        ) -> dict[str, Any]:
    return {"resource": {"databricks_job": {"j": {
        "parameter": [{"name": p, "default": ""} for p in parameters],
        "task": [{"task_key": t} for t in tasks[1:]]
        + [{"task_key": tasks[0], "notebook_task": {"base_parameters": {
            f"p{i}": v for i, v in enumerate(values)}}}]}}}}


@pytest.mark.parametrize("text", [
    "{{job.id}}", "{{job.name}}", "run-{{job.run_id}}", "{{job.repair_count}}",
    "{{job.start_time.iso_date}}", "{{job.start_time.timestamp_ms}}",
    "{{job.trigger.time.is_weekday}}", "{{job.trigger.type}}",
    "{{job.trigger.file_arrival.location}}", "{{job.parameters.run_key}}",
    "{{task.name}}", "{{task.run_id}}", "{{task.execution_count}}",
    "{{tasks.a.result_state}}", "{{tasks.a.run_id}}",
    "{{tasks.a.execution_count}}", "{{tasks.a.values.rows}}", "{{tasks.`a`.result_state}}",
    "{{workspace.id}}", "{{workspace.url}}",
])
def test_documented_references_pass(text: str) -> None:
    assert problems(job(text, parameters=("run_key",))) == []


@pytest.mark.parametrize(("text", "why"), [
    ("{{job.run_idd}}", "is not a documented reference"),
    ("{{jobs.id}}", "is not a documented reference"),
    ("{{job.start_time.iso_dat}}", "is not a documented reference"),
    ("{{tasks.a.result}}", "is not a documented reference"),
    ("{{tasks.a.error_code}}", "is not a documented reference"),
    ("{{tasks.a.values}}", "is not a documented reference"),
    ("{{tasks.b.result_state}}", "names no task of this job"),
    ("{{job.parameters.run_day}}", "names no parameter of this job"),
    ("{{job.id}", "a brace pair that is no reference"),
    ("{job.id}}", "a brace pair that is no reference"),
    ("{{ job.id }", "a brace pair that is no reference"),
])
def test_a_typo_is_caught(text: str, why: str) -> None:
    (problem,) = problems(job(text, parameters=("run_key",)))
    assert why in problem and problem.startswith("databricks_job.j.task[0].notebook_task")
