"""Every provider import of brickline, in one place (with core.py, the cdktf core the fast
path needs without loading the provider bindings).

cdktf 0.21.0 is the last release (HashiCorp archived it on 2025-12-10); its community fork
renames the packages. Moving to it is a change to this file and core.py only.

The provider classes serve the typed path (constructs/typed.py), the reference that the
fast path is tested against, and the tests; a synth never imports this module.
"""

from __future__ import annotations

import os

# jsii prints a banner on every run when Node is past its end of life (Node 20 here); the
# banner is noise in every synth, so it is silenced for the Node version actually running.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,18")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

from cdktf import (
    App,
    AzurermBackend,
    CloudBackend,
    GcsBackend,
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
from cdktf_cdktf_provider_databricks.dashboard import Dashboard
from cdktf_cdktf_provider_databricks.data_databricks_cluster import DataDatabricksCluster
from cdktf_cdktf_provider_databricks.data_databricks_cluster_policy import (
    DataDatabricksClusterPolicy,
)
from cdktf_cdktf_provider_databricks.data_databricks_current_user import (
    DataDatabricksCurrentUser,
)
from cdktf_cdktf_provider_databricks.data_databricks_dashboards import DataDatabricksDashboards
from cdktf_cdktf_provider_databricks.data_databricks_instance_pool import (
    DataDatabricksInstancePool,
)
from cdktf_cdktf_provider_databricks.data_databricks_job import DataDatabricksJob
from cdktf_cdktf_provider_databricks.data_databricks_metastore import DataDatabricksMetastore
from cdktf_cdktf_provider_databricks.data_databricks_notification_destinations import (
    DataDatabricksNotificationDestinations,
)
from cdktf_cdktf_provider_databricks.data_databricks_pipelines import DataDatabricksPipelines
from cdktf_cdktf_provider_databricks.data_databricks_schema import DataDatabricksSchema
from cdktf_cdktf_provider_databricks.data_databricks_service_principal import (
    DataDatabricksServicePrincipal,
)
from cdktf_cdktf_provider_databricks.data_databricks_sql_warehouse import (
    DataDatabricksSqlWarehouse,
)
from cdktf_cdktf_provider_databricks.data_databricks_user import DataDatabricksUser
from cdktf_cdktf_provider_databricks.grant import Grant
from cdktf_cdktf_provider_databricks.grants import Grants
from cdktf_cdktf_provider_databricks.job import Job as DatabricksJob
from cdktf_cdktf_provider_databricks.notebook import Notebook
from cdktf_cdktf_provider_databricks.notification_destination import NotificationDestination
from cdktf_cdktf_provider_databricks.permissions import Permissions
from cdktf_cdktf_provider_databricks.pipeline import Pipeline as DatabricksPipeline
from cdktf_cdktf_provider_databricks.provider import DatabricksProvider
from cdktf_cdktf_provider_databricks.schema import Schema
from cdktf_cdktf_provider_databricks.sql_table import SqlTable
from cdktf_cdktf_provider_databricks.volume import Volume
from cdktf_cdktf_provider_databricks.workspace_file import WorkspaceFile

from constructs import Construct, IValidation

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
    "databricks_pipeline": DatabricksPipeline,
    "databricks_volume": Volume,
    "databricks_grants": Grants,
}
DATA_CLASSES: dict[str, type] = {
    "databricks_schema": DataDatabricksSchema,  # the metadata schema, read by default
    # a bundle's ${workspace.current_user.*} and its lookup variables (plan/bundle.py)
    "databricks_current_user": DataDatabricksCurrentUser,
    "databricks_user": DataDatabricksUser,
    "databricks_sql_warehouse": DataDatabricksSqlWarehouse,
    "databricks_cluster": DataDatabricksCluster,
    "databricks_cluster_policy": DataDatabricksClusterPolicy,
    "databricks_instance_pool": DataDatabricksInstancePool,
    "databricks_job": DataDatabricksJob,
    "databricks_pipelines": DataDatabricksPipelines,
    "databricks_metastore": DataDatabricksMetastore,
    "databricks_service_principal": DataDatabricksServicePrincipal,
    "databricks_notification_destinations": DataDatabricksNotificationDestinations,
    "databricks_dashboards": DataDatabricksDashboards,
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
    "RESOURCE_CLASSES",
    "App",
    "AzurermBackend",
    "CloudBackend",
    "Construct",
    "Dashboard",
    "DatabricksJob",
    "DatabricksProvider",
    "GcsBackend",
    "IValidation",
    "LocalBackend",
    "NamedCloudWorkspace",
    "Notebook",
    "NotificationDestination",
    "Permissions",
    "S3Backend",
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
    "classes_of",
]
