"""Every cdktf and provider import of brickline, in one place.

cdktf 0.21.0 is the last release (HashiCorp archived it on 2025-12-10); its community fork
renames the packages. Moving to it is a change to this file only.
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
    TerraformOutput,
    TerraformResourceLifecycle,
    TerraformStack,
    TerraformVariable,
    Testing,
    Token,
)
from cdktf_cdktf_provider_databricks.dashboard import Dashboard
from cdktf_cdktf_provider_databricks.data_databricks_schema import DataDatabricksSchema
from cdktf_cdktf_provider_databricks.grant import Grant
from cdktf_cdktf_provider_databricks.job import Job as DatabricksJob
from cdktf_cdktf_provider_databricks.notebook import Notebook
from cdktf_cdktf_provider_databricks.notification_destination import NotificationDestination
from cdktf_cdktf_provider_databricks.permissions import Permissions
from cdktf_cdktf_provider_databricks.provider import DatabricksProvider
from cdktf_cdktf_provider_databricks.schema import Schema
from cdktf_cdktf_provider_databricks.sql_table import SqlTable
from cdktf_cdktf_provider_databricks.workspace_file import WorkspaceFile

from constructs import Construct

# Terraform type -> provider class, for the plan's generic resources and data sources
# (StackPlan.resources / StackPlan.data_sources). Add a type here to let the plan use it.
RESOURCE_CLASSES: dict[str, type] = {
    "databricks_notebook": Notebook,  # brickline's status notebook (plan._status_notebook)
    "databricks_grant": Grant,  # Unity Catalog grants on the status log (plan._grants)
    "databricks_permissions": Permissions,  # a job's access list, moved with the job
    "databricks_schema": Schema,  # the metadata schema, with metadata.create_schema
}
DATA_CLASSES: dict[str, type] = {
    "databricks_schema": DataDatabricksSchema,  # the metadata schema, read by default
}

__all__ = [
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
    "LocalBackend",
    "NamedCloudWorkspace",
    "Notebook",
    "NotificationDestination",
    "Permissions",
    "S3Backend",
    "SqlTable",
    "TerraformOutput",
    "TerraformResourceLifecycle",
    "TerraformStack",
    "TerraformVariable",
    "Testing",
    "Token",
    "WorkspaceFile",
]
