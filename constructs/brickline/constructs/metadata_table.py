"""The job_metadata status log: a managed Delta table that no change may drop."""

from __future__ import annotations

from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import Construct, SqlTable, TerraformResourceLifecycle
from brickline.plan import TablePlan


class MetadataTable:
    def __init__(self, scope: Construct, *, plan: TablePlan) -> None:
        self.resource = SqlTable(
            scope, plan.address,
            **struct_kwargs(SqlTable, plan.settings),
            # re-creating a managed Delta table loses every row: Terraform must refuse
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
