"""The pipeline format as a JSON Schema, generated from the model, for editors (the YAML
language server completes and checks keys with it). brickline's own validation stays the
authority: it also checks references, cycles and everything a schema cannot express."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import Field

from brickline.spec.base import SpecModel
from brickline.spec.model import Job, PipelineSettings

SCHEMA_FILE = Path(__file__).with_name("pipeline.schema.json")
SCHEMA_ID = "https://github.com/brickline/brickline/pipeline.schema.json"


class BundleJob(Job):
    name: str | None = Field(  # type: ignore[assignment]
        None, description="Default: the job's resource key.")


class BundleResources(SpecModel):
    jobs: dict[str, BundleJob] | None = Field(
        None, description="Jobs by resource key, as a Databricks Asset Bundle file writes "
        "them; the resource key is the job's key.")


class PipelineFile(SpecModel):
    """A file of a pipeline folder: `pipeline:` settings (pipeline.yml), `jobs:`, or both."""

    pipeline: PipelineSettings | None = Field(
        None, description="Pipeline settings; one `pipeline:` section per pipeline.")
    jobs: list[Job] | None = Field(None, description="Databricks jobs, in the Jobs API's "
                                   "shape, plus brickline's keys.")
    resources: BundleResources | None = Field(
        None, description="A bundle job file's `resources: {jobs: ...}`, loaded as it is.")


def json_schema() -> dict[str, Any]:
    schema = PipelineFile.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "brickline pipeline file", **schema}


def text() -> str:
    return json.dumps(json_schema(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
