"""The job_metadata status log (a managed Delta table that no change may drop) and the
job_status view over it: both databricks_sql_table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import Construct, SqlTable, TerraformResourceLifecycle
from brickline.plan import TablePlan


class Table:
    def __init__(self, scope: Construct, *, plan: TablePlan,
                 resources: Mapping[str, Any]) -> None:
        self.resource = SqlTable(
            scope, plan.address,
            **struct_kwargs(SqlTable, plan.settings),
            depends_on=[resources[a] for a in plan.depends_on] or None,
            # re-creating a managed Delta table loses every row: Terraform must refuse
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if plan.protect else None,
        )
