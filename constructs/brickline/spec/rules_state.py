"""`brickline validate --deploy`: every stack's Terraform state must outlive the machine
that deploys it.

A stack applied with a lost state does not know its resources: the managed Delta table is
created again with CREATE OR REPLACE TABLE (provider v1.99.0 catalog/resource_sql_table.go,
buildTableCreateStatement), which empties the live job_metadata table without any plan
saying "destroy" (so lifecycle.prevent_destroy cannot stop it); the view's CREATE fails on
the existing view, and every job is created a second time beside the first.
"""

from __future__ import annotations

from brickline.spec.diagnostics import Diagnostic, Location, Path
from brickline.spec.model import Pipeline
from brickline.spec.targets import deployments

REMOTE_KINDS = ("s3", "azurerm", "gcs", "cloud")


def check(pipelines: list[Pipeline]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for p in pipelines:
        for d in deployments(p):
            if d.backend is not None and d.backend.local is None:
                continue  # one remote kind: the rules check there is exactly one
            own = d.target is not None and p.settings.targets[d.target].backend is not None
            base: Path = ("pipeline", "targets", d.target, "backend") if own and d.target else (
                "pipeline", "backend")
            path: Path
            if d.backend is None:
                file, path = f"terraform.{d.stack_name}.tfstate", ("pipeline", "name")
                what = f"the default local file {file}"
            else:
                assert d.backend.local is not None
                path = (*base, "local", "path")
                what = f"the local file {d.backend.local.path}"
            out.append(Diagnostic(
                _where(p, path), ".".join(str(k) for k in path),
                f"stack '{d.stack_name}' keeps its Terraform state in {what}: a fresh "
                "machine (a CI runner) deploys without it, and then Terraform re-creates the "
                f"{d.metadata.full_name} table with CREATE OR REPLACE TABLE (every logged "
                "row lost), fails on the view and creates every job a second time. Set a "
                f"remote backend ({', '.join(REMOTE_KINDS)}) under {_under(base, d.target, own)}"
                " before any shared deploy"))
    return out


def _under(base: Path, target: str | None, own: bool) -> str:
    if target is None or own:
        return ".".join(map(str, base))
    return f"pipeline.backend (every target) or pipeline.targets.{target}.backend"


def _where(p: Pipeline, path: Path) -> Location:
    if p.settings_source is not None:
        return p.settings_source.where(path, key=True)
    first = p.sources[0].file if p.sources else p.origin
    return Location(first, 1, 1)
