"""Rules for what a deployment adds around the jobs: targets, alert destinations and their
routes, duration warnings, permissions, state backends, and secrets that must not be in
YAML. Like rules.py: small functions that return diagnostics, nothing raises."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from brickline.spec.diagnostics import Diagnostic, Path, did_you_mean
from brickline.spec.model import (
    BACKEND_KINDS,
    DESTINATION_KINDS,
    EVENTS,
    Backend,
    Permission,
    Pipeline,
    Routes,
)
from brickline.spec.yamlsource import Source

MAX_DESTINATIONS_PER_EVENT = 3
TARGET_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
VAR_ONLY = re.compile(r"^\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}$")
SECRET_KEYS = ("password", "integration_key", "token", "secret", "api_key")
SECRET_TEXT = (
    (re.compile(r"https://hooks\.slack\.com/(services|workflows|triggers)/"),
     "a Slack webhook URL"),
    (re.compile(r"https://[\w.-]*(webhook\.office\.com|office\.com/webhook|"
                r"logic\.azure\.com)[^\s]*"), "a Microsoft Teams webhook URL"),
    (re.compile(r"\bdapi[0-9a-f]{32}\b"), "a Databricks access token"),
    (re.compile(r"\bxox[abposr]-[\w-]{10,}"), "a Slack token"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{30,}"), "a GitHub token"),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), "an AWS access key"),
    (re.compile(r"https://[^/\s:@]+:[^/\s@]+@"), "a URL with a password in it"),
)


def check(p: Pipeline) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    out += _secrets(p)
    for job in p.jobs:
        out += _routes(job.source, (*job.path, "notifications"), job.notifications, p)
        for i, task in enumerate(job.tasks):
            out += _routes(job.source, (*job.path, "tasks", i, "notifications"),
                           task.notifications, p)
        out += _permissions(job.source, (*job.path, "permissions"), job.permissions or [])
        if job.health and job.warn_after and any(
                r.metric == "RUN_DURATION_SECONDS" for r in job.health.rules):
            out.append(job.source.error((*job.path, "warn_after"),
                                        "warn_after and a RUN_DURATION_SECONDS health rule say "
                                        "the same thing; keep one", key=True))
    out += _warn_without_recipients(p)
    if p.settings_source is not None:
        out += _settings(p, p.settings_source)
    return out


def _settings(p: Pipeline, src: Source) -> list[Diagnostic]:
    out = _sensitive_defaults(p)
    settings = p.settings
    for name, dest in settings.destinations.items():
        kinds = [k for k in DESTINATION_KINDS if getattr(dest, k) is not None]
        if len(kinds) != 1:
            out.append(src.error(("pipeline", "destinations", name),
                                 f"a destination is exactly one of {', '.join(DESTINATION_KINDS)}"
                                 f"; '{name}' has {' and '.join(kinds) or 'none'}", key=True))
    out += _routes(src, ("pipeline", "notifications"), settings.notifications, p)
    out += _routes(src, ("pipeline", "orchestrator", "notifications"),
                   settings.orchestrator.notifications, p)
    out += _permissions(src, ("pipeline", "permissions"), settings.permissions)
    if settings.backend is not None:
        out += _backend(src, ("pipeline", "backend"), settings.backend)
    declared = settings.variables
    for name, target in settings.targets.items():
        base: Path = ("pipeline", "targets", name)
        if not TARGET_NAME.match(name):
            out.append(src.error(base, f"bad target name {name!r}: use lowercase letters, "
                                       "digits, '_' and '-' (it ends the stack's name)",
                                 key=True))
        out += _routes(src, (*base, "notifications"), target.notifications, p)
        out += _permissions(src, (*base, "permissions"), target.permissions or [])
        if target.backend is not None:
            out += _backend(src, (*base, "backend"), target.backend)
        for var in target.variables or {}:
            if var not in declared and var != "warehouse_id":
                out.append(src.error((*base, "variables", var),
                                     f"undeclared variable '{var}'"
                                     f"{did_you_mean(var, declared)}: declare it under "
                                     "pipeline.variables", key=True))
            elif var in declared and declared[var].sensitive:
                out.append(src.error((*base, "variables", var),
                                     f"'{var}' is sensitive: its value comes from TF_VAR_{var} "
                                     "or a tfvars file, never from YAML", key=True))
    return out


def _routes(source: Source, path: Path, routes: Routes | None,
            p: Pipeline) -> list[Diagnostic]:
    if routes is None:
        return []
    out = []
    names = p.settings.destinations
    for event in EVENTS:
        recipients = getattr(routes, event) or []
        destinations = 0
        seen: set[str] = set()
        for i, who in enumerate(recipients):
            if who in seen:
                out.append(source.error((*path, event, i), f"'{who}' is listed twice"))
            seen.add(who)
            if "@" in who:
                continue
            destinations += 1
            if who not in names:
                out.append(source.error((*path, event, i),
                                        f"unknown destination '{who}'{did_you_mean(who, names)}"
                                        ": declare it under pipeline.destinations, or write "
                                        "an email address"))
        if destinations > MAX_DESTINATIONS_PER_EVENT:
            out.append(source.error((*path, event), f"{destinations} destinations for "
                                    f"{event}; Databricks allows at most "
                                    f"{MAX_DESTINATIONS_PER_EVENT} per event"))
    return out


def _permissions(source: Source, path: Path, grants: list[Permission]) -> list[Diagnostic]:
    out = []
    owners = 0
    for i, grant in enumerate(grants):
        if len(grant.principals) != 1:
            out.append(source.error((*path, i), "a grant names exactly one of user_name, "
                                                "group_name, service_principal_name"))
        if grant.level == "IS_OWNER":
            owners += 1
            if grant.group_name is not None:
                out.append(source.error((*path, i, "level"), "a group cannot own a job: "
                                        "IS_OWNER is for a user or a service principal"))
            if owners > 1:
                out.append(source.error((*path, i, "level"), "a job has one owner; "
                                                             "IS_OWNER is given twice"))
    return out


def _backend(source: Source, path: Path, backend: Backend) -> list[Diagnostic]:
    kinds = [k for k in BACKEND_KINDS if getattr(backend, k) is not None]
    if len(kinds) == 1:
        local = backend.local
        if local is not None and local.path.startswith("/"):
            return [source.error((*path, "local", "path"), "give a path relative to the "
                                 "project root, so the output is the same on every machine")]
        return []
    return [source.error(path, f"a backend is exactly one of {', '.join(BACKEND_KINDS)}; "
                               f"this one has {' and '.join(kinds) or 'none'}", key=True)]


def strings(data: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string value in a YAML document, with its key path (iterative: documents of
    thousands of jobs are walked without a generator per level)."""
    stack: list[tuple[Path, Any]] = [(path, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            yield where, value
        elif isinstance(value, dict):
            stack.extend(((*where, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*where, i), v) for i, v in enumerate(value))


ANY_SECRET = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in SECRET_TEXT))


def _secrets(p: Pipeline) -> list[Diagnostic]:
    """Secrets written into YAML end up in git and in the synthesized JSON: refuse them."""
    out = []
    for source in p.sources:
        for path, text in strings(source.data):
            key = path[-1] if path else ""
            suspicious_key = key in SECRET_KEYS and bool(text) and path[:2] != (
                "pipeline", "variables")
            if not suspicious_key and not ANY_SECRET.search(text):
                continue  # the common case: one scan of the text, nothing found
            if VAR_ONLY.match(text.strip()):
                continue
            what = next((label for pattern, label in SECRET_TEXT if pattern.search(text)),
                        None)
            if what is None and suspicious_key:
                words = str(key).replace("_", " ")
                what = f"{'an' if words[0] in 'aeiou' else 'a'} {words}"
            if what is not None:
                out.append(source.error(path, f"this looks like {what}, written into YAML (so "
                                              "into git and the Terraform JSON): declare a "
                                              "sensitive variable and write ${var.NAME} here"))
    return sorted(out, key=lambda d: (d.location.file, d.location.line, d.location.column))


def _sensitive_defaults(p: Pipeline) -> list[Diagnostic]:
    src = p.settings_source
    if src is None:
        return []
    return [src.error(("pipeline", "variables", name, "default"),
                      f"'{name}' is sensitive: its value comes from TF_VAR_{name} or a tfvars "
                      "file, never a default in YAML")
            for name, var in p.settings.variables.items()
            if var.sensitive and var.default is not None]


def _warn_without_recipients(p: Pipeline) -> list[Diagnostic]:
    """A duration warning that nobody hears of is a mistake worth a warning."""
    base = p.settings.notifications
    heard = bool(base and base.on_duration_warning_threshold_exceeded)
    out = []
    for job in p.jobs:
        own = job.notifications
        if (job.warn_after or p.settings.warn_after) and not (
                (own and own.on_duration_warning_threshold_exceeded) or heard):
            where = (*job.path, "warn_after") if job.warn_after else (*job.path, "name")
            found = job.source.error(where, "warn_after, but no one hears of it: route "
                                     "on_duration_warning_threshold_exceeded under "
                                     "notifications")
            out.append(dataclasses.replace(found, severity="warning"))
    return out
