"""One local Spark session for a test module of the twin (Java needed: the caller skips
without it)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A pipeline with recovery.skip_succeeded: job A (two tasks), then job B
SKIPPY = {
    "pipeline.yml": "pipeline:\n  name: skippy\n  metadata: {catalog: main, schema: ops,"
                    " table: job_metadata, warehouse_id: w}\n"
                    "  recovery: {skip_succeeded: true}\n",
    "jobs.yml": "jobs:\n  - name: A\n    tasks:\n"
                "      - task_key: a1\n        notebook_task: {notebook_path: /x/a1}\n"
                "      - task_key: a2\n        depends_on: [{task_key: a1}]\n"
                "        notebook_task: {notebook_path: /x/a2}\n"
                "  - name: B\n    depends_on: [A]\n    tasks:\n"
                "      - task_key: b1\n        notebook_task: {notebook_path: /x/b1}\n"}


@contextlib.contextmanager
def spark_session(warehouse: Path) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[1]").appName("brickline-twin")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
