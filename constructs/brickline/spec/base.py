"""The base of every spec model: strict, closed, and number-preserving.

Kept apart from the generated Jobs API model so that the generator and the hand-written
pipeline model share one definition of what "strict" means.

A field of any type also takes a pure reference, a whole value `${...}` such as
`${var.concurrency}`: the Databricks CLI resolves references before it converts a value to
its field's type, so a pure reference "keeps the field's type" (databricks/cli
libs/dyn/dynvar/ref.go IsPureVariableReference; bundle/config/mutator/
resolve_variable_references.go runs before the normalisation of libs/dyn/convert). brickline
resolves it later the same way, or hands it to Terraform, which converts "5" to a number
itself; its value is checked once known (spec/references.py).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError, core_schema

# databricks/cli libs/dyn/dynvar/ref.go: `\$\{(` + baseVarDef + `(\.` + baseVarDef +
# `(\[[0-9]+\])*)*(\[[0-9]+\])*)\}` with baseVarDef `[a-zA-Z]+([-_]*[a-zA-Z0-9]+)*`
_NAME = r"[a-zA-Z]+(?:[-_]*[a-zA-Z0-9]+)*"
REFERENCE = re.compile(rf"\$\{{({_NAME}(?:\.{_NAME}(?:\[[0-9]+\])*)*(?:\[[0-9]+\])*)\}}")
REFERENCE_SCHEMA = {"type": "string", "pattern": r"^\$\{[^${}]+\}$"}


def is_reference(value: Any) -> bool:
    """A string that is one whole `${...}` reference, nothing around it."""
    return isinstance(value, str) and value.startswith("${") and \
        REFERENCE.fullmatch(value) is not None


def _real(value: Any) -> int | float | str:
    # YAML gives int or float; bool is an int to Python but never a number to a user.
    if is_reference(value):
        return str(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number")
    return value


def _whole(value: Any) -> int | str:
    number = _real(value)
    if isinstance(number, str):
        return number
    if isinstance(number, float) and not number.is_integer():
        raise ValueError("expected a whole number")
    return int(number)


def _bool(value: Any) -> bool | str:
    if isinstance(value, bool):
        return value
    if is_reference(value):
        return str(value)
    raise PydanticCustomError("bool_type", "Input should be a valid boolean")


# The Jobs API's numbers are integers (the provider's schema: TypeInt), bar a few prices. A
# reference stays a string until it is resolved: rules compare numbers only once known.
Number = Annotated[int | str, PlainValidator(_whole), WithJsonSchema(
    {"anyOf": [{"type": "integer"}, REFERENCE_SCHEMA]})]
Real = Annotated[int | float | str, PlainValidator(_real), WithJsonSchema(
    {"anyOf": [{"type": "number"}, REFERENCE_SCHEMA]})]
Bool = Annotated[bool | str, PlainValidator(_bool), WithJsonSchema(
    {"anyOf": [{"type": "boolean"}, REFERENCE_SCHEMA]})]


def known_int(value: Any) -> int | None:
    """A number field's value once known: None for an unset field or a reference."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class OneOf:
    """The values an enum field takes (generated from the SDK's enums; see
    tools/gen_jobs_model.py), or a pure reference. `case_insensitive` where the field's
    docs say "The value is case insensitive": the value is kept as written."""

    def __init__(self, *values: str, case_insensitive: bool = False) -> None:
        self.values = values
        self.case_insensitive = case_insensitive
        self._lowered = {v.lower() for v in values}

    def accepts(self, value: str) -> bool:
        return value in self.values or (self.case_insensitive and value.lower() in self._lowered)

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def check(value: Any) -> str:
            if isinstance(value, str) and (self.accepts(value) or is_reference(value)):
                return value
            if not isinstance(value, str):
                raise PydanticCustomError("string_type", "Input should be a valid string")
            raise PydanticCustomError("enum_value", "bad value {value!r}",
                                      {"value": value, "expected": list(self.values)})

        return core_schema.no_info_plain_validator_function(
            check, json_schema_input_schema=core_schema.str_schema())

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return {"anyOf": [{"enum": list(self.values)}, REFERENCE_SCHEMA]}


def one_of(annotation: Any) -> OneOf | None:
    """The OneOf marker of an annotation (Annotated[str, OneOf(...)] | None), if any."""
    for meta in getattr(annotation, "__metadata__", ()):
        if isinstance(meta, OneOf):
            return meta
    for arg in getattr(annotation, "__args__", ()) or ():
        found = one_of(arg)
        if found is not None:
            return found
    return None


class SpecModel(BaseModel):
    """Unknown keys are errors; no silent coercion of "4" to 4 or 1 to True."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)
