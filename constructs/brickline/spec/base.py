"""The base of every spec model: strict, closed, and number-preserving.

Kept apart from the generated Jobs API model so that the generator and the hand-written
pipeline model share one definition of what "strict" means.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator, WithJsonSchema


def _real(value: Any) -> int | float:
    # YAML gives int or float; bool is an int to Python but never a number to a user.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("expected a number")
    return value


def _whole(value: Any) -> int:
    number = _real(value)
    if isinstance(number, float) and not number.is_integer():
        raise ValueError("expected a whole number")
    return int(number)


# The Jobs API's numbers are integers (the provider's schema: TypeInt), bar a few prices.
Number = Annotated[int, PlainValidator(_whole), WithJsonSchema({"type": "integer"})]
Real = Annotated[int | float, PlainValidator(_real), WithJsonSchema({"type": "number"})]


class SpecModel(BaseModel):
    """Unknown keys are errors; no silent coercion of "4" to 4 or 1 to True."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)
