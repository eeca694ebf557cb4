"""The platform's limits and name formats that several rules share, each with its source."""

from __future__ import annotations

import re

from brickline.spec import jobs_api as api

TASK_TYPES = tuple(sorted(f for f in api.Task.model_fields if f.endswith("_task")))
NESTED_TASK_TYPES = tuple(sorted(f for f in api.TaskForEachTaskTask.model_fields
                                 if f.endswith("_task")))
# Every pattern below is matched whole (fullmatch): Python's `$` also accepts a trailing
# newline, which is how a stack id with a newline once got through to cdktf.
PIPELINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
ADDRESS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
# Jobs API (create job): task_key and job_cluster_key "[ 1 .. 100 ] characters
# ^[\w\-\_]+$" (docs.databricks.com/api/workspace/jobs/create). Python's \w also takes
# letters beyond ASCII; the API's may not, but without evidence they stay valid.
TASK_KEY = re.compile(r"[\w-]{1,100}")
MAX_KEY = 100
# Jobs API: job parameter "name ... May only contain alphanumeric characters, `_`, `-`,
# and `.`" (create job, parameters[].name)
PARAMETER_NAME = re.compile(r"[\w.-]+")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RESERVED_TASK_PREFIX = "brickline_"
# brickline's serverless environment for its status tasks (plan.STATUS_ENVIRONMENT)
STATUS_ENVIRONMENT = "brickline_status"
# Unity Catalog names (docs: "Names", sql-ref-names; "Unity Catalog requirements and
# limitations"): at most 255 characters, no period, space, '/', ASCII control characters
# or DEL, stored lowercase. brickline asks for less: letters, digits, '_' and '-'.
UC_MAX = 255
NAME_PART = re.compile(r"[\w-]{1,255}")
TABLE_NAME = re.compile(r"[\w-]{1,255}\.[\w-]{1,255}\.[\w-]{1,255}")
# "INFORMATION_SCHEMA is a reserved name. Every Unity Catalog catalog automatically includes a
# system-provided read-only INFORMATION_SCHEMA, so you cannot create a user schema with that
# name" (Databricks docs, "Create schemas"); nor a table in it (read-only)
RESERVED_SCHEMA = "information_schema"
DEFAULT_WAREHOUSE_VARIABLE = "warehouse_id"
# Jobs API (create job): "It supports up to 1000 elements" (tasks); "A maximum of 25 tags";
# max_concurrent_runs "cannot exceed 1000"; name "The maximum length is 4096 bytes in UTF-8
# encoding"; description "The maximum length is 27700 characters"; environments "<= 10
# items"; job_clusters "<= 100 items".
MAX_TASKS = 1000
MAX_TAGS = 25
MAX_CONCURRENT_RUNS = 1000
MAX_NAME_BYTES = 4096
MAX_DESCRIPTION = 27700
MAX_ENVIRONMENTS = 10
MAX_JOB_CLUSTERS = 100
MAX_DBT_COMMANDS = 10
MIN_TRIGGER_SECONDS = 60
MAX_WEBHOOKS_PER_EVENT = 3
RETRY_KEYS = ("max_retries", "min_retry_interval_millis", "retry_on_timeout")
