"""Job fields by the provider version that introduced them.

The jobs model (jobs_api.py) is generated from the newest provider brickline synthesizes
for (cdktn-provider-databricks 18.11.0: provider 1.138.0), so it knows every field of
either engine. tools/gen_jobs_model.py compares it with the oldest (cdktf-cdktf-provider-
databricks 15.16.1: provider 1.99.0): a field the older bindings lack is marked with the
newer provider's version (jobs_api.INTRODUCED) and carries `since(version)`, which refuses
it, with the field's location, when the engine in use synthesizes for an older provider.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from brickline import engine

# the pydantic error type of such a field (spec.validation locates it at its key)
NEWER_FIELD = "newer_field"
M = TypeVar("M", bound=BaseModel)


def since(version: str) -> Any:
    """The check of a field that came with provider `version` (Annotated metadata). It
    runs before the field's own validation: one error for the field, whatever is in it."""
    def check(value: Any, info: ValidationInfo) -> Any:
        field = (info.field_name or "").removesuffix("_")  # schema_ is `schema`
        message = engine.newer_field(field, version, engine.current())
        if message is not None:
            raise PydanticCustomError(NEWER_FIELD, "{message}", {"message": message})
        return value

    return BeforeValidator(check)


def since_doc(version: str) -> Any:
    """The field's description in the editor schema: which engine has it (Annotated
    metadata, beside `since`)."""
    newer = [e for e in engine.ENGINES.values()
             if engine.version_key(e.provider_version) >= engine.version_key(version)]
    older = [e.label for e in engine.ENGINES.values() if e not in newer]
    where = f"brickline's {newer[0].label} engine" if newer else "a newer provider"
    return Field(description=f"Needs Databricks provider {version} ({where}); refused on "
                 f"{' and '.join(older)}.")


def required_before(model: M, version: str, *fields: str) -> M:
    """For a block whose `fields` the older provider requires and provider `version` made
    optional (a job cluster's new_cluster: 1.138 also takes serverless_compute_id): the
    check of the generated model's `check_older_provider`, which asks for them on an engine
    whose provider is older than `version`."""
    chosen = engine.current()
    if engine.version_key(chosen.provider_version) >= engine.version_key(version):
        return model
    missing = next((f for f in fields if getattr(model, f) is None), None)
    if missing is not None:
        raise PydanticCustomError(NEWER_FIELD, "{message}", {
            "message": engine.required_before(missing, version, chosen)})
    return model


def introduced(model: str, field: str) -> str:
    """The provider version that introduced `field` of the jobs model class named `model`
    ("Task", "python_operator_task" -> "1.138.0"): every field the oldest provider already
    has says that provider's version (jobs_api.BASELINE)."""
    from brickline.spec import jobs_api

    return jobs_api.INTRODUCED.get(model, {}).get(field, jobs_api.BASELINE)
