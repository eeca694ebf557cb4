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
from brickline.spec.targets import Deployment, deployments
from brickline.spec.yamlsource import Source

# Jobs API (create job, webhook_notifications.on_*): "A maximum of 3 destinations can be
# specified" per event
MAX_DESTINATIONS_PER_EVENT = 3
TARGET_NAME = re.compile(r"[a-z][a-z0-9_-]{0,30}")
VAR_ONLY = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}")
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
    deployed = deployments(p) if p.intact("notifications", "targets") else []
    for job in p.jobs:
        source, path = job.source, job.path  # private attributes: slow to read, read once
        out += _routes(source, (*path, "notifications"), job.notifications, p)
        for i, task in enumerate(job.tasks):
            if task.notifications is not None:
                out += _routes(source, (*path, "tasks", i, "notifications"),
                               task.notifications, p)
        if job.permissions:
            out += _permissions(source, (*path, "permissions"), job.permissions)
        if job.notifications or job.webhook_notifications or any(
                d.routes for d in deployed):
            out += _merged_destinations(job, deployed)
        if job.health and job.warn_after and any(
                r.metric == "RUN_DURATION_SECONDS" for r in job.health.rules):
            out.append(job.source.error((*job.path, "warn_after"),
                                        "warn_after and a RUN_DURATION_SECONDS health rule say "
                                        "the same thing; keep one", key=True))
    out += _warn_without_recipients(p)
    if p.settings_source is not None:
        out += _settings(p, p.settings_source)
    out += _one_owner(p)
    return out


def _settings(p: Pipeline, src: Source) -> list[Diagnostic]:
    out = _sensitive_defaults(p)
    settings = p.settings
    for name, dest in settings.destinations.items():
        if not name.strip() or "@" in name:
            # routes tell an email address from a destination by its '@'; the Terraform
            # name (brickline.names.destination_address) is made safe whatever the name
            out.append(src.error(("pipeline", "destinations", name),
                                 f"bad destination name {name!r}: give a name without '@' "
                                 "(a route reads a name with '@' as an email address)",
                                 key=True))
        kinds = [k for k in DESTINATION_KINDS if getattr(dest, k) is not None]
        if len(kinds) != 1:
            out.append(src.error(("pipeline", "destinations", name),
                                 f"a destination is exactly one of {', '.join(DESTINATION_KINDS)}"
                                 f"; '{name}' has {' and '.join(kinds) or 'none'}", key=True))
    out += _routes(src, ("pipeline", "notifications"), settings.notifications, p)
    out += _merged_orchestrator_destinations(p, src)
    out += _routes(src, ("pipeline", "orchestrator", "notifications"),
                   settings.orchestrator.notifications, p)
    if p.intact("permissions"):
        out += _permissions(src, ("pipeline", "permissions"), settings.permissions)
    if settings.backend is not None:
        out += _backend(src, ("pipeline", "backend"), settings.backend)
    declared = settings.variables
    for name, target in settings.targets.items():
        base: Path = ("pipeline", "targets", name)
        if not TARGET_NAME.fullmatch(name):
            out.append(src.error(base, f"bad target name {name!r}: use lowercase letters, "
                                       "digits, '_' and '-' (it ends the stack's name)",
                                 key=True))
        out += _routes(src, (*base, "notifications"), target.notifications, p)
        if p.intact("permissions"):
            out += _permissions(src, (*base, "permissions"), target.permissions or [])
        if target.backend is not None:
            out += _backend(src, (*base, "backend"), target.backend)
        for var in target.variables or {}:
            if not p.intact("variables", f"variables.{var}"):
                continue
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
            if who not in names and p.intact("destinations", f"destinations.{who}"):
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
    for i, grant in enumerate(grants):
        if len(grant.principals) != 1:
            out.append(source.error((*path, i), "a grant names exactly one of user_name, "
                                                "group_name, service_principal_name"))
        elif grant.level == "IS_OWNER" and grant.group_name is not None:
            out.append(source.error((*path, i, "level"), "a group cannot own a job: "
                                    "IS_OWNER is for a user or a service principal"))
        elif grant.group_name == "admins":
            # provider 1.99.0 permissions/permission_definitions.go:121-127: "it is not
            # possible to modify admin permissions for job resources" (admins manage
            # every job already)
            out.append(source.error((*path, i, "group_name"), "the admins group's "
                                    "permissions on a job cannot be changed (workspace "
                                    "admins manage every job): remove this grant"))
    return out


def _one_owner(p: Pipeline) -> list[Diagnostic]:
    """A job has exactly one owner ("Control access to a job", docs.databricks.com/jobs/
    privileges: only one user or service principal can be the owner), counted over the
    grants that reach it: the pipeline's, the target's and the job's own, merged as the
    plan merges them (per principal, the last level listed wins)."""
    src = p.settings_source
    if not p.intact("permissions", "targets"):
        return []
    every = [*p.settings.permissions, *[g for t in p.settings.targets.values()
                                        for g in t.permissions or []],
             *[g for j in p.jobs for g in j.permissions or []]]
    if sum(g.level == "IS_OWNER" for g in every) < 2:
        return []  # the common case: at most one owner is ever named
    base: list[tuple[Source | None, Path, Permission]] = [
        (src, ("pipeline", "permissions", i), g) for i, g in enumerate(p.settings.permissions)]
    out: dict[Path, Diagnostic] = {}
    for d in deployments(p):
        own_target = p.settings.targets[d.target].permissions or [] if d.target else []
        target = [(src, ("pipeline", "targets", str(d.target), "permissions", i), g)
                  for i, g in enumerate(own_target)]
        holders: list[tuple[str, list[tuple[Source | None, Path, Permission]]]] = [
            ("the orchestrator", [*base, *target])]
        holders += [(f"job '{j.name}'", [*base, *target, *[
            (j.source, (*j.path, "permissions", i), g)
            for i, g in enumerate(j.permissions or [])]]) for j in p.jobs]
        for label, grants in holders:
            final: dict[tuple[str, str], tuple[Source | None, Path, str]] = {}
            for source, path, grant in grants:
                if len(grant.principals) == 1:
                    final[grant.principals[0]] = (source, path, grant.level)
            owners = [(who, where) for who, where in final.items() if where[2] == "IS_OWNER"]
            if len(owners) > 1 and owners[-1][1][0] is not None:
                (_, first), _ = owners[0]
                source, path, _ = owners[-1][1]
                assert source is not None
                out.setdefault(path, source.error(
                    (*path, "level"), f"{label} would have two owners ({first} and "
                    f"{owners[-1][0][1]}, from the pipeline's, the target's and its own "
                    "grants); a job has exactly one IS_OWNER: give the other CAN_MANAGE"))
    return list(out.values())


def _merged_destinations(job: Any, deployed: list[Deployment]) -> list[Diagnostic]:
    """At most 3 webhook destinations per event on a job, counting its own
    webhook_notifications and the routes it inherits (pipeline's or a target's)."""
    own = job.notifications
    hooks = job.webhook_notifications
    for d in deployed:
        inherited = d.routes
        for event in EVENTS:
            mine = getattr(own, event) if own else None
            route = mine if mine is not None else (getattr(inherited, event)
                                                   if inherited else None)
            names = {who for who in route or [] if "@" not in who}
            listed = len(getattr(hooks, event, None) or []) if hooks else 0
            if len(names) > MAX_DESTINATIONS_PER_EVENT or (
                    listed > MAX_DESTINATIONS_PER_EVENT):
                continue  # the list alone is reported where it is written
            if len(names) + listed > MAX_DESTINATIONS_PER_EVENT:
                where = ((*job.path, "notifications", event) if mine is not None else
                         (*job.path, "webhook_notifications", event) if listed else
                         (*job.path, "name"))
                target = f" with target '{d.target}'" if d.target else ""
                return [job.source.error(where, f"{len(names) + listed} webhook destinations "
                                                f"for {event}{target} (its webhook_notifications"
                                                " and the routes it gets together); Databricks "
                                                f"allows at most {MAX_DESTINATIONS_PER_EVENT} "
                                                "per event")]
    return []


def _merged_orchestrator_destinations(p: Pipeline, src: Source) -> list[Diagnostic]:
    orch = p.settings.orchestrator
    if not p.intact("orchestrator"):
        return []
    for event in EVENTS:
        route = getattr(orch.notifications, event) if orch.notifications else None
        names = {who for who in route or [] if "@" not in who}
        hooks = orch.webhook_notifications
        listed = len(getattr(hooks, event, None) or []) if hooks else 0
        if max(len(names), listed) <= MAX_DESTINATIONS_PER_EVENT < len(names) + listed:
            return [src.error(("pipeline", "orchestrator", "webhook_notifications", event),
                              f"{len(names) + listed} webhook destinations for {event} on the "
                              "orchestrator (webhook_notifications and notifications "
                              "together); Databricks allows at most "
                              f"{MAX_DESTINATIONS_PER_EVENT} per event")]
    return []


def _backend(source: Source, path: Path, backend: Backend) -> list[Diagnostic]:
    kinds = [k for k in BACKEND_KINDS if getattr(backend, k) is not None]
    if len(kinds) == 1:
        settings = getattr(backend, kinds[0]).model_dump(exclude_none=True)
        # Terraform: "A backend block cannot refer to named values (like input variables,
        # locals, or data source attributes)" (developer.hashicorp.com/terraform/language/
        # backend, "Define a backend block")
        templated = [k for k, v in settings.items() if isinstance(v, str) and "${" in v]
        if templated:
            return [source.error((*path, kinds[0], k),
                                 "a backend cannot use ${var.NAME} (Terraform reads its "
                                 "settings before any variable): write the value, or leave "
                                 "it out and pass it with `terraform init -backend-config`")
                    for k in templated]
        s3 = backend.s3
        if s3 is not None and (s3.key.startswith("/") or s3.key.endswith("/")
                               or "//" in s3.key or not s3.key.strip()):
            # hashicorp/terraform v1.11.4 internal/backend/remote-state/s3/validate.go
            # validateStringS3Path ("The value must not start or end with \"/\"") and
            # validateStringDoesNotContain("//")
            return [source.error((*path, "s3", "key"), f"bad key {s3.key!r}: an S3 state key "
                                 "does not start or end with '/' and holds no '//', such as "
                                 "brickline/prod.tfstate")]
        local = backend.local
        if local is not None and local.path.startswith("/"):
            return [source.error((*path, "local", "path"), "give a path relative to the "
                                 "project root, so the output is the same on every machine")]
        if local is not None and (not local.path.strip() or local.path.endswith(("/", "\\"))
                                  or local.path.rstrip("/").split("/")[-1] in (".", "..")):
            # Terraform's local backend writes its state to this path as a file
            # (developer.hashicorp.com/terraform/language/backend/local, `path`)
            return [source.error((*path, "local", "path"),
                                 f"bad state path {local.path!r}: give a file, such as "
                                 "state/terraform.tfstate, not an empty path or a folder")]
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
        for path, text in source.strings:
            key = path[-1] if path else ""
            suspicious_key = key in SECRET_KEYS and bool(text) and path[:2] != (
                "pipeline", "variables")
            if not suspicious_key and not ANY_SECRET.search(text):
                continue  # the common case: one scan of the text, nothing found
            if VAR_ONLY.fullmatch(text.strip()):
                continue
            what = next((label for pattern, label in SECRET_TEXT if pattern.search(text)),
                        None)
            if what is None and suspicious_key:
                words = str(key).replace("_", " ")
                what = f"{'an' if words[0] in 'aeiou' else 'a'} {words}"
            if what is not None:
                # a sensitive variable already declared is the likely home of the secret
                sensitive = sorted(n for n, v in p.settings.variables.items() if v.sensitive)
                fix = (f"write ${{var.{sensitive[0]}}} here" if len(sensitive) == 1 else
                       "write one of " + ", ".join(f"${{var.{n}}}" for n in sensitive)
                       + " here" if sensitive else
                       "declare a sensitive variable and write ${var.NAME} here")
                out.append(source.error(path, f"this looks like {what}, written into YAML (so "
                                              f"into git and the Terraform JSON): {fix}"))
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
