"""Unity Catalog grants across stacks: each grant has one owner.

brickline grants with `databricks_grant`, which is authoritative for one principal on one
securable: its Delete revokes that principal's privileges there (terraform-provider-
databricks catalog/resource_grant.go; docs/resources/grant.md). Two stacks that grant the
same principal on the same catalog or schema (two targets in one workspace, two pipelines
run as one identity) both own that grant: destroying one stack, or dropping a target,
revokes the other's. The table and view of a stack are its own (rules.check_across refuses
two stacks with one table), so only the catalog and a schema the stack does not create can
be shared. Called from rules.check_across, across every pipeline and target.
"""

from __future__ import annotations

from typing import Any

from brickline.spec.diagnostics import Diagnostic
from brickline.spec.model import Pipeline


def _principals(run_as: Any) -> set[str]:
    if run_as is None:
        return set()
    values = run_as.model_dump(exclude_none=True) if hasattr(run_as, "model_dump") else run_as
    return {str(v) for v in values.values() if v}


def shared_grants(d: Any) -> set[tuple[str, str, str]]:
    """(securable type, lowercase name, principal) of the catalog and schema grants the
    stack of deployment `d` makes: the same choice as plan.status_log._grants."""
    meta = d.metadata
    if meta.grants in ("none", "objects"):
        return set()
    writers = {p for job in d.jobs for p in _principals(job.run_as or d.run_as)}
    writers |= _principals(d.orchestrator.run_as or d.run_as)
    readers = {name for grant in [*d.permissions,
                                  *(g for job in d.jobs for g in job.permissions or [])]
               for _, name in grant.principals}
    reach = writers | (readers if meta.grants == "all" else set())
    out = {("catalog", meta.catalog.lower(), p) for p in reach}
    if not meta.create_schema:
        out |= {("schema", f"{meta.catalog}.{meta.schema_name}".lower(), p) for p in reach}
    return out


def check(pipelines: list[Pipeline]) -> list[Diagnostic]:
    from brickline.spec.targets import deployments

    out: list[Diagnostic] = []
    owner: dict[tuple[str | None, str, str, str], str] = {}
    for p in pipelines:
        for d in deployments(p):
            label = f"pipeline '{p.name}'" + (f", target '{d.target}'" if d.target else "")
            clashes = []
            for kind, name, principal in sorted(shared_grants(d)):
                other = owner.setdefault((d.host, kind, name, principal), label)
                if other != label:
                    clashes.append(f"{principal} on {kind} {name} (also granted by {other})")
            if not clashes or p.settings_source is None:
                continue
            path = ("pipeline", "targets", d.target, "metadata", "grants") if d.target else (
                "pipeline", "metadata", "grants")
            out.append(p.settings_source.error(
                path, f"{label} grants {'; '.join(clashes)}, in the same workspace: a "
                "databricks_grant is authoritative for its principal on its object (provider "
                "catalog/resource_grant.go), so destroying either stack, or dropping a "
                "target, revokes the other's grant. Set metadata.grants: objects here (and "
                "grant USE_CATALOG / USE_SCHEMA once, where you manage the catalog), or run "
                "the jobs as another identity"))
    return out
