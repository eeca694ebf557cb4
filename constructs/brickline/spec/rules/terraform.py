"""Terraform's own rules: variable names, expressions in strings and keys, and one
namespace of names per stack."""

from __future__ import annotations

import re
from typing import Any

from brickline import names
from brickline.spec.diagnostics import Diagnostic, Location, Path, did_you_mean
from brickline.spec.model import Job, Pipeline
from brickline.spec.rules.limits import ADDRESS, DEFAULT_WAREHOUSE_VARIABLE, VARIABLE_NAME
from brickline.spec.yamlsource import Source

TEMPLATE = re.compile(r"(?<![$%])([$%])\{")


VAR_REF = re.compile(r"\$\{var\.([A-Za-z_][A-Za-z0-9_-]*)\}")


TARGET_REF = "${bundle.target}"


BUNDLE_REFS = ("${resources.", "${workspace.", "${bundle.", "${artifacts.")


def declared_variables(p: Pipeline) -> set[str]:
    names_ = set(p.settings.variables)
    if p.settings.metadata.warehouse_id == "${var.warehouse_id}":
        names_.add(DEFAULT_WAREHOUSE_VARIABLE)
    return names_


def variable_names(p: Pipeline) -> list[Diagnostic]:
    """Variable names are Terraform identifiers, and not one Terraform reserves."""
    src = p.settings_source
    if src is None:
        return []
    out = []
    for name in p.settings.variables:
        path = ("pipeline", "variables", name)
        if not VARIABLE_NAME.fullmatch(name):
            out.append(src.error(path, f"bad variable name {name!r}: use letters, digits and "
                                       "'_', starting with a letter or '_'", key=True))
        elif name in names.TERRAFORM_RESERVED_VARIABLES:
            out.append(src.error(path, f"Terraform reserves the variable name '{name}' "
                                       "(for module meta-arguments): choose another name",
                                 key=True))
    return out


def _takes_target_name(path: Path) -> bool:
    """Jobs and the orchestrator, and their target overrides, are laid out per target."""
    if path[:1] in (("jobs",), ("resources",)) or path[:2] == ("pipeline", "orchestrator"):
        return True
    return path[:2] == ("pipeline", "targets") and len(path) > 3 and \
        path[3] in ("jobs", "orchestrator")


def templates(p: Pipeline) -> list[Diagnostic]:
    """Terraform reads '${' and '%{' in every string, and in every map key (HCL JSON
    syntax, hashicorp/hcl json/spec.md: object property names are templates too): only
    ${var.NAME} of a declared variable is passed through."""
    out: list[Diagnostic] = []
    declared = declared_variables(p)
    unsure = {b.removeprefix("variables.") for b in p.broken if b.startswith("variables.")}
    check_declared = p.intact("variables", "metadata")
    for source in p.sources:
        for path, text in source.templates:
            out += _template_problems(source, path, text, declared, unsure, check_declared)
        for path, text in source.key_templates:
            if path[:2] in (("pipeline", "variables"), ("pipeline", "destinations")) or (
                    path[:2] == ("pipeline", "targets") and (
                        len(path) == 3 or (len(path) == 5 and path[3] == "variables"))):
                continue  # those names (variables, destinations, targets) have rules of
                # their own; a target's other keys, such as its tags, are Terraform's keys
            sign = "$" if "${" in text else "%"
            out.append(source.error(path, f"this key holds '{sign}{{', which Terraform reads "
                                          "as an expression in a key too; remove it, or write "
                                          f"'{sign}{sign}{{' for a literal '{sign}{{'",
                                    key=True))
    return out


def _template_problems(source: Source, path: Path, text: str, declared: set[str],
                       unsure: set[str], check_declared: bool) -> list[Diagnostic]:
    out = []
    for match in TEMPLATE.finditer(text):
        ref = VAR_REF.match(text, match.start())
        if match.group(1) == "$" and ref:
            name = ref.group(1)
            if check_declared and name not in declared and name not in unsure:
                out.append(source.error(path, f"undeclared variable '{name}'"
                                        f"{did_you_mean(name, declared)}: declare it under "
                                        "pipeline.variables in pipeline.yml"))
            continue
        if text.startswith(TARGET_REF, match.start()):
            if not _takes_target_name(path):
                out.append(source.error(path, "${bundle.target} is filled in in jobs and the "
                                        "orchestrator only; set this per target under "
                                        "pipeline.targets instead"))
            continue  # the deployment's target name, filled in per stack (spec/targets.py)
        if text.startswith(BUNDLE_REFS, match.start()):
            out.append(source.error(
                path, "a bundle reference ('${resources...}', '${workspace...}', "
                "'${bundle...}') has no value outside a bundle: write the value, or a "
                "${var.NAME} declared under pipeline.variables"))
            continue
        sign = match.group(1)
        out.append(source.error(
            path, f"'{sign}{{' starts a Terraform expression; only ${{var.NAME}} is "
                  f"supported. Write '{sign}{sign}{{' for a literal '{sign}{{'"))
        break  # one message per string, however many expressions it holds
    return out


def terraform_names(p: Pipeline) -> list[Diagnostic]:
    """Every construct of a stack shares one namespace (brickline.names.claims): a job's
    address and outputs, permissions, destinations, variables and brickline's own
    resources. A clash stops cdktf's synth, so it is reported here, at the YAML that made
    the second name."""
    from brickline.spec.targets import deployments

    seen: set[str] = set()
    valid_jobs = []
    for job in p.jobs:
        # a bad key and a second job of one name have their own messages
        if (job.key is None or ADDRESS.fullmatch(job.key)) and job.name not in seen:
            valid_jobs.append(job)
        seen.add(job.name)
    variables = [v for v in p.settings.variables if VARIABLE_NAME.fullmatch(v)]
    if DEFAULT_WAREHOUSE_VARIABLE not in variables and (
            DEFAULT_WAREHOUSE_VARIABLE in declared_variables(p)):
        variables.append(DEFAULT_WAREHOUSE_VARIABLE)
    out: dict[tuple[Location, str], Diagnostic] = {}
    for d in deployments(p) if p.intact("targets") else []:
        granted = list(dict.fromkeys(j.address for j in valid_jobs
                                     if d.permissions or j.permissions))
        orchestrated = any(j.orchestrate for j in p.jobs)  # else no orchestrator job
        if d.permissions and orchestrated:
            granted.append(names.ORCHESTRATOR)
        taken: dict[str, names.Owner] = {}
        claimed = names.claims(jobs=[j.address for j in valid_jobs],
                               destinations=p.settings.destinations, variables=variables,
                               permissions=granted, grants=_grant_addresses(p, d),
                               dashboard=p.settings.dashboard is not None,
                               orchestrator=orchestrated)
        for name, owner, _ in claimed:
            first = taken.setdefault(name, owner)
            if first == owner:
                continue
            for found in _name_clash(p, valid_jobs, name, owner, first):
                out.setdefault((found.location, found.key_path), found)
    return list(out.values())


def _grant_addresses(p: Pipeline, d: Any) -> list[str]:
    """The addresses of the Unity Catalog grants the plan adds (plan._grants): per
    principal the jobs run as and per job viewer, on the table, the view, and with
    metadata.create_schema or grants: all the schema (and the catalog)."""
    meta = d.metadata
    if meta.grants == "none":
        return []
    writers = sorted({v for job in p.jobs
                      for v in (d.run_as or (job.run_as.model_dump(exclude_none=True)
                                             if job.run_as else {})).values()})
    readers = sorted({name for grant in d.permissions for _, name in grant.principals})
    wanted = {("table", w) for w in writers} | {("view", r) for r in [*writers, *readers]}
    reach = {"objects": [], "run_as": writers, "all": [*writers, *readers]}[meta.grants]
    wanted |= {("schema", r) for r in ([*writers, *readers] if meta.create_schema else reach)}
    wanted |= {("catalog", r) for r in reach}
    slugs = names.grant_slugs([principal for _, principal in wanted])
    return [names.grant_address(securable, slugs[principal])
            for securable, principal in sorted(wanted)]


def _owner_label(p: Pipeline, jobs: list[Job], owner: names.Owner, name: str) -> str:
    kind, key, index = owner
    if kind == "reserved" and key in names.RESERVED:
        label = names.RESERVED[key]
        return label if name == key else f"an output of {label}"
    if kind == "reserved":
        return "a Unity Catalog grant brickline adds (metadata.grants)"
    if kind in ("job", "permissions"):
        job = jobs[index] if kind == "job" else next(j for j in jobs if j.address == key)
        label = f"job '{job.name}'"
        if kind == "permissions":
            return f"the permissions of {label}"
        return label if name == key else f"an output of {label}"
    if kind == "variable" and key == DEFAULT_WAREHOUSE_VARIABLE and (
            key not in p.settings.variables):
        return "the variable 'warehouse_id' (metadata.warehouse_id's default)"
    return f"the {kind} '{key}'"


def _owner_place(p: Pipeline, jobs: list[Job], owner: names.Owner,
                 ) -> tuple[Source, Path, bool] | None:
    kind, key, index = owner
    src = p.settings_source
    if kind == "job":
        job = jobs[index]
        return job.source, (*job.path, "key" if job.key else "name"), True
    if kind == "permissions":
        job = next(j for j in jobs if j.address == key)
        return (job.source, (*job.path, "permissions"), True) if job.permissions else None
    if kind == "destination" and src is not None:
        return src, ("pipeline", "destinations", key), True
    if kind == "variable" and src is not None and key in p.settings.variables:
        return src, ("pipeline", "variables", key), True
    return None


_FIX = {"job": "set a different 'key:' on the job", "permissions": "set a different 'key:' "
        "on the job", "destination": "rename the destination", "variable": "rename the "
        "variable"}


def _name_clash(p: Pipeline, jobs: list[Job], name: str, later: names.Owner,
                first: names.Owner) -> list[Diagnostic]:
    mine, other = later, first
    place = _owner_place(p, jobs, mine)
    if place is None:
        mine, other = first, later
        place = _owner_place(p, jobs, mine)
    if place is None:
        return []
    source, path, key = place
    return [source.error(path, f"the Terraform name '{name}' of "
                               f"{_owner_label(p, jobs, mine, name)} is also that of "
                               f"{_owner_label(p, jobs, other, name)}; each name in a stack "
                               f"must be unique: {_FIX[mine[0]]}", key=key)]
