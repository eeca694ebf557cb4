"""Every provider import of brickline, in one place (with core.py, the engine's core
library that the fast path needs without loading the provider bindings).

The bindings are the chosen engine's (brickline.engine): cdktf-cdktf-provider-databricks
15.16.1 (provider 1.99.0) on cdktf, cdktn-provider-databricks 18.11.0 (provider 1.138.0) on
cdktn. Their modules and classes have the same names in both (`job.Job`, `grant.Grant`);
the 1.138 classes take more arguments.

The provider classes serve the typed path (constructs/typed.py), the reference that the
fast path is tested against, and the tests; a synth never imports this module.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from brickline.constructs.core import (
    ENGINE,
    App,
    AzurermBackend,
    CloudBackend,
    Construct,
    GcsBackend,
    IValidation,
    LocalBackend,
    NamedCloudWorkspace,
    S3Backend,
    TerraformDataSource,
    TerraformElement,
    TerraformOutput,
    TerraformResource,
    TerraformResourceLifecycle,
    TerraformStack,
    TerraformVariable,
    Testing,
    Token,
)


def bindings(module: str) -> ModuleType:
    """A module of the engine's provider bindings, by its name in both packages
    ("job": cdktf_cdktf_provider_databricks.job or cdktn_provider_databricks.job)."""
    return importlib.import_module(f"{ENGINE.bindings}.{module}")


Dashboard: Any = bindings("dashboard").Dashboard
DataDatabricksSchema: Any = bindings("data_databricks_schema").DataDatabricksSchema
Grant: Any = bindings("grant").Grant
DatabricksJob: Any = bindings("job").Job
Notebook: Any = bindings("notebook").Notebook
NotificationDestination: Any = bindings("notification_destination").NotificationDestination
Permissions: Any = bindings("permissions").Permissions
DatabricksProvider: Any = bindings("provider").DatabricksProvider
Schema: Any = bindings("schema").Schema
SqlTable: Any = bindings("sql_table").SqlTable
WorkspaceFile: Any = bindings("workspace_file").WorkspaceFile

# Terraform type -> provider class, for the plan's generic resources and data sources
# (StackPlan.resources / StackPlan.data_sources). Add a type here to let the plan use it.
RESOURCE_CLASSES: dict[str, type] = {
    # brickline's status notebook (plan._status_notebook) and local notebooks a task names
    "databricks_notebook": Notebook,
    "databricks_grant": Grant,  # Unity Catalog grants on the status log (plan._grants)
    "databricks_permissions": Permissions,  # a job's access list, moved with the job
    "databricks_schema": Schema,  # the metadata schema, with metadata.create_schema
    "databricks_workspace_file": WorkspaceFile,  # other local code files a task names
    # a bundle's own pipelines, schemas and volumes, and their grants (plan/bundle.py)
    "databricks_pipeline": bindings("pipeline").Pipeline,
    "databricks_volume": bindings("volume").Volume,
    "databricks_grants": bindings("grants").Grants,
}
DATA_CLASSES: dict[str, type] = {
    "databricks_schema": DataDatabricksSchema,  # the metadata schema, read by default
    # a bundle's ${workspace.current_user.*} and its lookup variables (plan/bundle.py)
    **{f"databricks_{name}": getattr(bindings(f"data_databricks_{name}"),
                                     "DataDatabricks" + "".join(
                                         w.title() for w in name.split("_")))
       for name in ("current_user", "user", "sql_warehouse", "cluster", "cluster_policy",
                    "instance_pool", "job", "pipelines", "metastore", "service_principal",
                    "notification_destinations", "dashboards")},
}

# the types every pipeline has, built by brickline itself
CORE_CLASSES: dict[str, type] = {
    "databricks_dashboard": Dashboard,
    "databricks_job": DatabricksJob,
    "databricks_notification_destination": NotificationDestination,
    "databricks_permissions": Permissions,
    "databricks_sql_table": SqlTable,
}


def classes_of(kind: str) -> dict[str, type]:
    """Terraform type -> provider class, for a block of kind "resource" or "data"."""
    return DATA_CLASSES if kind == "data" else {**CORE_CLASSES, **RESOURCE_CLASSES}

__all__ = [
    "CORE_CLASSES",
    "DATA_CLASSES",
    "ENGINE",
    "RESOURCE_CLASSES",
    "App",
    "AzurermBackend",
    "CloudBackend",
    "Construct",
    "Dashboard",
    "DataDatabricksSchema",
    "DatabricksJob",
    "DatabricksProvider",
    "GcsBackend",
    "Grant",
    "IValidation",
    "LocalBackend",
    "NamedCloudWorkspace",
    "Notebook",
    "NotificationDestination",
    "Permissions",
    "S3Backend",
    "Schema",
    "SqlTable",
    "TerraformDataSource",
    "TerraformElement",
    "TerraformOutput",
    "TerraformResource",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "TerraformVariable",
    "Testing",
    "Token",
    "WorkspaceFile",
    "bindings",
    "classes_of",
]
