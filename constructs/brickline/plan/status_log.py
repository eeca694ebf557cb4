"""The status log: the job_metadata table, its status view, the schema (read or created)
and the Unity Catalog grants on them."""

from __future__ import annotations

from typing import Any

from brickline import names
from brickline.plan.model import Ref, ResourcePlan, StackPlan, TablePlan
from brickline.runtime import status
from brickline.runtime.views import status_view_sql
from brickline.spec.targets import Deployment

METADATA_COLUMNS = status.COLUMNS


def _table(d: Deployment) -> TablePlan:
    pipeline, meta = d.pipeline, d.metadata
    # a schema the stack creates exists before the table (CREATE TABLE needs it)
    return TablePlan(address=names.METADATA_TABLE, protect=True,
                     depends_on=[names.METADATA_SCHEMA] if meta.create_schema else [],
                     settings={
        "catalog_name": meta.catalog,
        "schema_name": meta.schema_name,
        "name": meta.table,
        "table_type": "MANAGED",
        "data_source_format": "DELTA",
        "warehouse_id": meta.warehouse_id,
        "comment": f"Status log of pipeline {pipeline.name}, written by brickline: one row "
                   "per job state change, appended, never updated.",
        "column": [{"name": n, "type": t, "comment": c} for n, t, c in METADATA_COLUMNS],
    })


def _view(d: Deployment) -> TablePlan:
    pipeline, meta = d.pipeline, d.metadata
    return TablePlan(address=names.STATUS_VIEW, depends_on=[names.METADATA_TABLE], settings={
        "catalog_name": meta.catalog,
        "schema_name": meta.schema_name,
        "name": meta.view_name,
        "table_type": "VIEW",
        "warehouse_id": meta.warehouse_id,
        "comment": f"Latest status of each job of pipeline {pipeline.name} per run_key "
                   f"(pending until its first row), over {meta.full_name}.",
        # the jobs of a pipeline run: one the orchestrator does not run is not pending in it
        "view_definition": status_view_sql(
            meta.full_name, pipeline.name, [j.name for j in d.jobs if j.orchestrate]),
    })


def _schema(d: Deployment) -> ResourcePlan:
    """The schema of the status log. Read by default: the databricks_schema data source
    fails `terraform plan` when the schema does not exist (catalog/data_schema.go returns
    the Schemas.GetByFullName error), so nothing is created halfway. Or created, with
    metadata.create_schema."""
    meta = d.metadata
    if not meta.create_schema:
        return ResourcePlan(names.METADATA_SCHEMA, type="databricks_schema",
                            settings={"name": f"{meta.catalog}.{meta.schema_name}"})
    return ResourcePlan(names.METADATA_SCHEMA, type="databricks_schema", settings={
        "catalog_name": meta.catalog,
        "name": meta.schema_name,
        "comment": f"Created by brickline for the status log of pipeline {d.pipeline.name}.",
    })


# Privileges (provider docs/resources/grants.md: table, view, schema and catalog grants).
TABLE_WRITER = ("MODIFY", "SELECT")
READER = ("SELECT",)


def _grants(d: Deployment, stack: StackPlan) -> list[ResourcePlan]:
    """Unity Catalog grants for the identities the jobs run as (they write the table, which
    belongs to whoever deployed it) and for the pipeline's job viewers (they read the view).

    databricks_grant, not databricks_grants: the latter replaces every grant on the object.
    databricks_grant is authoritative for its one principal (docs/resources/grant.md;
    catalog/resource_grant.go removes the principal's other privileges on that object), so
    by default it is used only on what the stack creates; `grants: all` also reaches the
    catalog and an existing schema."""
    meta = d.metadata
    if meta.grants == "none":
        return []
    writers = sorted({value for job in stack.jobs
                      for value in job.settings.get("run_as", {}).values()})
    # the pipeline's (or target's) viewers and each job's own: whoever may see a job's runs
    # may read their status
    readers = sorted({name for grant in [*d.permissions,
                                         *(g for job in d.jobs for g in job.permissions or [])]
                      for _, name in grant.principals})
    wanted: dict[tuple[str, str], set[str]] = {}  # (securable, principal) -> privileges

    def grant(securable: str, principals: list[str], privileges: tuple[str, ...]) -> None:
        for principal in principals:
            wanted.setdefault((securable, principal), set()).update(privileges)

    grant("table", writers, TABLE_WRITER)
    grant("view", [*writers, *readers], READER)
    # the identities the jobs run as cannot reach the table without USE_CATALOG and
    # USE_SCHEMA ("Unity Catalog privileges and securable objects"); viewers get them only
    # with `all`, since a group's own catalog grants would be replaced
    reach = {"objects": [], "run_as": writers, "all": [*writers, *readers]}[meta.grants]
    grant("schema", [*readers, *writers] if meta.create_schema else reach, ("USE_SCHEMA",))
    grant("catalog", reach, ("USE_CATALOG",))
    schema = Ref(names.METADATA_SCHEMA if meta.create_schema
                 else f"data.{names.METADATA_SCHEMA}", "id")
    # the grant names its object by a reference, so it waits for the object
    objects: dict[str, tuple[str, Any]] = {
        "table": ("table", Ref(names.METADATA_TABLE, "id")),
        "view": ("table", Ref(names.STATUS_VIEW, "id")),
        "schema": ("schema", schema),
        "catalog": ("catalog", meta.catalog),
    }
    slugs = names.grant_slugs([p for _, p in wanted])
    out = []
    for (securable, principal), privileges in sorted(wanted.items()):
        argument, target = objects[securable]
        out.append(ResourcePlan(names.grant_address(securable, slugs[principal]),
                                type="databricks_grant",
                                settings={argument: target, "principal": principal,
                                          "privileges": sorted(privileges)}))
    return out
