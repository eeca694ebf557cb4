"""Operations on a deployed pipeline, through the Databricks SDK and its standard auth
(DATABRICKS_HOST / DATABRICKS_TOKEN, a ~/.databrickscfg profile, OAuth, ...).

- connect: a client whose every request is bounded in time, and errors in the user's words
- runs: start the orchestrator (run-now), find and repair its latest failed run (only the
  failed jobs and the jobs after them run again, inside the same run, with the same
  run_key), read a run as one entry per job
- log: the job_status view for one run_key, through a SQL warehouse
- watch: follow a run to its end, as lines (piped) or a live table (terminal)
"""

from brickline.ops.connect import Limits, OpsError, Session, connect
from brickline.ops.log import STATUS_COLUMNS, status, table, warehouse_for
from brickline.ops.runs import (
    JobProgress,
    Recovery,
    Rerun,
    Snapshot,
    Started,
    recover,
    start,
)
from brickline.ops.watch import Lines, LiveTable, follow, summary

__all__ = [
    "STATUS_COLUMNS",
    "JobProgress",
    "Limits",
    "Lines",
    "LiveTable",
    "OpsError",
    "Recovery",
    "Rerun",
    "Session",
    "Snapshot",
    "Started",
    "connect",
    "follow",
    "recover",
    "start",
    "status",
    "summary",
    "table",
    "warehouse_for",
]
