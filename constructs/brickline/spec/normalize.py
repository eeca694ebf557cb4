"""A bundle file's values converted to their fields' types as the Databricks CLI converts
them before anything else reads them (databricks/cli libs/dyn/convert/normalize.go):

- a number or boolean in a string field becomes its text (`base_parameters: {threshold:
  100}` -> "100"; a float as Go's FormatFloat 'f' -1 writes it: 1.0 -> "1");
- in a boolean field, the strings true y Y yes Yes YES on On ON / false n N no No NO off Off
  OFF become booleans; in a number field, a string that is a whole number becomes one;
- a pure `${...}` reference is kept in any field (resolved later, spec/interpolate.py);
- an unknown key, or a value the field cannot take, is dropped with a warning, as the CLI
  does ("unknown field: x", "expected a string value, found null", ...): the CLI deploys
  the rest, and so does brickline.

Only the bundle door normalizes; a pipeline folder's files stay strict (spec/load.py).
"""

from __future__ import annotations

import decimal
import typing
from typing import Any

from pydantic import BaseModel

from brickline.spec.base import is_reference
from brickline.spec.diagnostics import Diagnostic, Path, format_path
from brickline.spec.validation import _choices, _model_in, _strip_optional
from brickline.spec.yamlsource import Source

# libs/dyn/convert/normalize.go normalizeBool (and the YAML 1.1 spellings it keeps)
TRUE = {"true", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON"}
FALSE = {"false", "n", "N", "no", "No", "NO", "off", "Off", "OFF"}


def normalize(model: type[BaseModel], data: Any, source: Source, base: Path,
              ) -> tuple[Any, list[Diagnostic]]:
    """`data` (a mapping for `model`) normalized as the CLI normalizes it, and the warnings
    the CLI gives on the way."""
    out: list[Diagnostic] = []
    return _struct(model, data, source, base, out), out


def _warn(source: Source, path: Path, message: str, *, key: bool = False) -> Diagnostic:
    return Diagnostic(source.where(path, key=key), format_path(path), message,
                      severity="warning")


_DROP = object()


def _struct(model: type[BaseModel], data: Any, source: Source, path: Path,
            out: list[Diagnostic]) -> Any:
    if not isinstance(data, dict):
        return data  # the model reports a mapping that is not one
    fields = _fields(model)
    result: dict[str, Any] = {}
    for key, value in data.items():
        info = fields.get(key)
        if info is None:
            if model.model_config.get("extra") == "forbid" and not source.anchored(
                    (*path, key)):
                out.append(_warn(source, (*path, key),
                                 f"unknown field: {key} (the Databricks CLI drops it, and so "
                                 "does brickline)", key=True))
                continue
            result[key] = value
            continue
        converted = _value(info.annotation, value, source, (*path, key), out)
        if converted is not _DROP:
            result[key] = converted
    return result


def _fields(model: type[BaseModel]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        for spelled in (name, info.alias, *_choices(info)):
            if spelled:
                found[spelled] = info
    return found


def _value(annotation: Any, value: Any, source: Source, path: Path,
           out: list[Diagnostic]) -> Any:
    if is_reference(value):
        return value
    stripped = _strip_optional(annotation)
    if value is None:
        kind = _leaf_kind(stripped)
        if not kind:
            return value  # a null struct, list or map is kept (no value)
        out.append(_warn(source, path, f"expected a {_KIND_WORDS[kind]} value, found null "
                                       "(the Databricks CLI drops it, and so does brickline)"))
        return _DROP
    origin = typing.get_origin(stripped)
    if origin is list:
        (item,) = typing.get_args(stripped) or (Any,)
        if not isinstance(value, list):
            return value
        return [_value(item, v, source, (*path, i), out) for i, v in enumerate(value)]
    if origin is dict:
        args = typing.get_args(stripped)
        inner = args[-1] if args else Any
        if not isinstance(value, dict):
            return value
        kept = {}
        for k, v in value.items():
            converted = _value(inner, v, source, (*path, k), out)
            if converted is not _DROP:
                kept[k] = converted
        return kept
    model = _model_in(stripped) if isinstance(stripped, type) else None
    if model is not None and isinstance(stripped, type) and issubclass(stripped, BaseModel):
        return _struct(model, value, source, path, out)
    return _scalar(_leaf_kind(stripped), value, source, path, out)


def _leaf_kind(annotation: Any) -> str:
    """'str', 'bool', 'int', 'float' or '' (anything else) for a leaf annotation."""
    text = str(annotation)
    if annotation is str or "OneOf" in text or text.startswith("typing.Annotated[str"):
        return "str"
    if "_bool" in text or annotation is bool:
        return "bool"
    if "_whole" in text or annotation is int:
        return "int"
    if "_real" in text or annotation is float:
        return "float"
    return ""


def _scalar(kind: str, value: Any, source: Source, path: Path,
            out: list[Diagnostic]) -> Any:
    if kind == "str":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return _format_float(value)
        if isinstance(value, (dict, list)):
            out.append(_warn(source, path, f"expected a string, found "
                                           f"{'a map' if isinstance(value, dict) else 'a list'}"
                                           " (the Databricks CLI drops it, and so does "
                                           "brickline)"))
            return _DROP
        return value
    if kind == "bool":
        if isinstance(value, str) and value in TRUE | FALSE:
            return value in TRUE
        return value
    if kind in ("int", "float"):
        if isinstance(value, str):
            try:
                return int(value, 10) if kind == "int" else float(value)
            except ValueError:
                return value  # the model says what is wrong with it
        return value
    return value


_KIND_WORDS = {"str": "string", "bool": "boolean", "int": "whole number", "float": "number"}


def _format_float(value: float) -> str:
    """Go's strconv.FormatFloat(f, 'f', -1, 64): the shortest digits, never an exponent."""
    if value != value or value in (float("inf"), float("-inf")):
        return {True: "+Inf", False: "-Inf"}.get(value > 0, "NaN") if value == value \
            else "NaN"
    text = format(decimal.Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
