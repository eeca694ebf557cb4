"""Provider-shaped plain data -> the provider's jsii struct classes.

jsii converts a dict to a struct only for a single nested block, not inside lists, so the
plan's data is rebuilt here into struct instances, guided by the classes' own type hints.
One generic mechanism instead of a hand-written mapping per block.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable
from typing import Any


@functools.cache
def _struct_fields(cls: Any) -> dict[str, type | None]:
    """For each argument of a struct (or resource) class, the struct class it takes, if any."""
    hints = typing.get_type_hints(cls.__init__)
    return {name: struct_in(hint) for name, hint in hints.items() if name != "return"}


def struct_in(hint: Any) -> type | None:
    """The jsii struct class a type hint accepts, if any (also used by the model generator)."""
    if isinstance(hint, type) and hasattr(hint, "__jsii_name_mapping__"):
        return hint
    for arg in typing.get_args(hint):
        found = struct_in(arg)
        if found is not None:
            return found
    return None


def struct_kwargs(cls: Any, values: dict[str, Any],
                  resolve: Callable[[Any], Any] = lambda v: v) -> dict[str, Any]:
    """Keyword arguments for `cls`, nested blocks built as struct instances.

    `resolve` turns plan placeholders (references to other resources) into tokens.
    """
    fields = _struct_fields(cls)
    out: dict[str, Any] = {}
    for name, value in values.items():
        struct = fields[name]
        if struct is None:
            out[name] = _resolve_leaf(value, resolve)
        elif isinstance(value, list):
            out[name] = [struct(**struct_kwargs(struct, item, resolve)) for item in value]
        else:
            out[name] = struct(**struct_kwargs(struct, value, resolve))
    return out


def _resolve_leaf(value: Any, resolve: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict):
        return {k: _resolve_leaf(v, resolve) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_leaf(v, resolve) for v in value]
    return resolve(value)
