"""The job_metadata status log: a managed Delta table that no change may drop."""

from __future__ import annotations

from brickline.constructs.structs import struct_kwargs
from brickline.constructs.tf import Construct, SqlTable, TerraformResourceLifecycle
from brickline.plan import TablePlan


class MetadataTable(Construct):
    def __init__(self, scope: Construct, *, plan: TablePlan) -> None:
        super().__init__(scope, plan.address)
        self.resource = SqlTable(
            self, "table",
            **struct_kwargs(SqlTable, plan.settings),
            # re-creating a managed Delta table loses every row: Terraform must refuse
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True),
        )
        self.resource.override_logical_id(plan.address)
