"""Nested Terraform attribute values as flat `path -> value` maps, so that two versions of a
resource compare field by field, and render the result in a reviewer's words.

Lists of blocks that carry an identity (task_key, job_cluster_key, ...) are keyed by it,
never by position: a task inserted before others is one added task, not a change to all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from brickline.spec.model import PRINCIPAL_KINDS

IDENTITY_KEYS = ("task_key", "job_cluster_key", "environment_key", "name", "id")
# a grant names its principal with one of PRINCIPAL_KINDS; the value identifies the grant
MISSING = object()
MAX_VALUE = 80


def _identity(items: list[Any]) -> str | None:
    if not items or not all(isinstance(i, Mapping) for i in items):
        return None
    for key in IDENTITY_KEYS:
        values = [i.get(key) for i in items]
        if all(isinstance(v, str | int) for v in values) and len(set(values)) == len(values):
            return key
    principals = [[k for k in PRINCIPAL_KINDS if k in i] for i in items]
    if all(len(p) == 1 for p in principals):
        values = [i[p[0]] for i, p in zip(items, principals, strict=True)]
        if len(set(values)) == len(values):
            return "principal"
    return None


def _label_of(item: Mapping[str, Any], key: str) -> tuple[Any, list[str]]:
    """The item's identity and the keys that make it (left out of its fields)."""
    if key == "principal":
        found = next(k for k in PRINCIPAL_KINDS if k in item)
        return item[found], [found]
    return item[key], [key]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """{"task": [{"task_key": "a", "max_retries": 3}]} -> {"task[a].max_retries": 3}.
    Scalars and lists of scalars are leaves; an empty block is a leaf too."""
    out: dict[str, Any] = {}
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            if str(key).startswith("//"):  # cdktf's own metadata, not an attribute
                continue
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and value and all(isinstance(i, Mapping) for i in value):
        key = _identity(value)
        for index, item in enumerate(value):
            label, used = _label_of(item, key) if key else (index, [])
            rest = {k: v for k, v in item.items() if k not in used}
            inner = flatten(rest, f"{prefix}[{label}]")
            out.update(inner or {f"{prefix}[{label}]": {}})
    else:
        out[prefix] = value
    return out


def changes(before: Any, after: Any) -> list[tuple[str, Any, Any]]:
    """(path, old, new) for every leaf that differs; MISSING where a side lacks it."""
    old, new = flatten(before), flatten(after)
    return [(path, old.get(path, MISSING), new.get(path, MISSING))
            for path in sorted(old.keys() | new.keys()) if old.get(path, MISSING)
            != new.get(path, MISSING)]


def show(value: Any) -> str:
    if value is MISSING or value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace("\n", "\\n")
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def describe(path: str, old: Any, new: Any) -> str:
    """`task[LoadTask].max_retries` 3 -> 1  ==>  "LoadTask: max_retries 3 → 1"."""
    label = path
    if path.startswith("task[") and "]" in path:
        key, rest = path[5:].split("]", 1)
        label = f"{key}: {rest.lstrip('.') or 'task'}"
    if (isinstance(old, str) and isinstance(new, str)
            and max(len(old), len(new)) > MAX_VALUE):
        return f"{label} {_excerpt(old, new)}"
    if old is MISSING and new == {}:
        return f"{label} added"  # a block that is nothing but its identity
    if new is MISSING and old == {}:
        return f"{label} removed"
    if old is MISSING:
        return f"{label} set to {show(new)}"
    if new is MISSING:
        return f"{label} removed (was {show(old)})"
    return f"{label} {show(old)} → {show(new)}"


def _excerpt(old: str, new: str) -> str:
    """Where two long texts first differ: `...before|old...` → `...before|new...`."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while (end < min(len(old), len(new)) - start
           and old[len(old) - 1 - end] == new[len(new) - 1 - end]):
        end += 1
    left = max(0, start - 15)

    def part(text: str) -> str:
        stop = len(text) - end + 15
        middle = text[left:stop].replace("\n", "\\n")
        cut = len(middle) > 70
        middle = middle[:67] if cut else middle
        return ("..." if left else "") + middle + ("..." if cut or stop < len(text) else "")

    return f"{part(old)} → {part(new)}"
