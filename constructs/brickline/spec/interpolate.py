"""`${...}` references, resolved as the Databricks CLI resolves them: into a value known at
synth, or into a Terraform expression (a data source's or a resource's attribute, or a
Terraform variable). Pure data and functions: the scope a pipeline's values are resolved in
is built by spec/targets.py (per target) from the pipeline and, for a bundle, its variables.

Sources (databricks/cli, the snapshot in /work/notes is 7bbe285):
- the syntax, libs/dyn/dynvar/ref.go: a segment is a letter then letters and digits, with runs
  of '-' or '_' only between them; segments joined by '.', each may be indexed `[N]`. Anything
  else (`${var._x}`, `${a.}`) is not a reference and stays text. The CLI's own Python twin of
  the pattern (python/databricks/bundles/core/_transform.py) is used here as it is;
- a pure reference (the whole string) takes the referenced value with its own type; references
  inside a longer string are replaced by the value's text, and a mapping or list there is an
  error ("cannot interpolate non-primitive value", libs/dyn/dynvar/resolve.go resolveRef);
- `${var.x}` is `${variables.x.value}`; a value that holds references is resolved first, and a
  cycle is an error (bundle/config/mutator/resolve_variable_references.go);
- a reference under bundle, workspace, var or variables that names nothing is an error with a
  did-you-mean ("reference does not exist", libs/dyn/dynvar/resolve.go and libs/dyn/suggest.go);
- `${resources.<group>.<key>.<field>}` becomes the Terraform address of that resource
  (bundle/deploy/terraform/interpolate.go, GroupToTerraformName in pkg.go).
The CLI leaves a reference under any other prefix as text; Terraform would then read it as an
expression and fail, so brickline reports it instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from brickline.spec.diagnostics import did_you_mean

_SEGMENT = r"[^\W\d_]+(?:[-_]*[^\W_]+)*"
REFERENCE = re.compile(
    rf"\$\{{({_SEGMENT}(?:\.{_SEGMENT}(?:\[[0-9]+\])*)*(?:\[[0-9]+\])*)\}}")
_PART = re.compile(rf"({_SEGMENT})|\[([0-9]+)\]")
# the prefixes the CLI resolves itself (defaultPrefixes), and the one resolved at deploy
RESOLVED = ("bundle", "workspace", "var", "variables")
RESOURCES = "resources"
# databricks/cli resolve_variable_references.go: maxResolutionRounds
MAX_DEPTH = 11


def is_pure(text: str) -> bool:
    """The whole string is one reference (dynvar.IsPureVariableReference)."""
    match = REFERENCE.match(text)
    return match is not None and match.end() == len(text)


def references(text: str) -> list[str]:
    """The reference paths in a string, in order (`var.x`, `bundle.target`, ...)."""
    return [m.group(1) for m in REFERENCE.finditer(text)] if "${" in text else []


def split(path: str) -> tuple[str | int, ...]:
    """`var.list[0].name` -> ('var', 'list', 0, 'name')."""
    return tuple(m.group(1) if m.group(1) is not None else int(m.group(2))
                 for m in _PART.finditer(path))


@dataclass(frozen=True)
class Expression:
    """A value Terraform computes: `text` goes inside `${...}` in the Terraform JSON.
    `needs` names what the stack must declare for it (data sources, variables)."""

    text: str
    needs: tuple[str, ...] = ()


@dataclass
class Resolved:
    """What resolving a value gave: the value, the problems, and what the stack needs."""

    value: Any
    problems: list[str] = field(default_factory=list)
    needs: set[str] = field(default_factory=set)


# A scope: nested mappings and lists of plain values or Expressions, keyed by the first
# segment (bundle, workspace, variables, resources). A callable at a node answers for any
# path below it (resources: every job key), returning None for a path it does not know.
Scope = Mapping[str, Any]
Resolver = Callable[[tuple[str | int, ...]], Any]


class _Missing:
    pass


MISSING = _Missing()


def lookup(scope: Scope, path: tuple[str | int, ...]) -> Any:
    """The value at a reference path, MISSING when it names nothing."""
    node: Any = scope
    for i, part in enumerate(path):
        if callable(node):
            found = node(path[i:])
            return MISSING if found is None else found
        in_map = isinstance(node, Mapping) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if not (in_map or in_list):
            return MISSING
        node = node[part]
    return node


def _canonical(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """`var.x...` is `variables.x.value...`."""
    if path[:1] == ("var",) and len(path) >= 2:
        return ("variables", path[1], "value", *path[2:])
    return path


def resolve(value: Any, scope: Scope, *, keep: Callable[[str], bool] | None = None) -> Resolved:
    """`value` with every reference it holds resolved in `scope`. `keep(path)` says which
    references stay as they are (a target's name before the target is known)."""
    out = Resolved(None)
    out.value = _value(value, scope, out, (), keep)
    return out


def _value(value: Any, scope: Scope, out: Resolved, chain: tuple[str, ...],
           keep: Callable[[str], bool] | None) -> Any:
    if isinstance(value, str):
        return _string(value, scope, out, chain, keep) if "${" in value else value
    if isinstance(value, dict):
        return {k: _value(v, scope, out, chain, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, scope, out, chain, keep) for v in value]
    return value


def _string(text: str, scope: Scope, out: Resolved, chain: tuple[str, ...],
            keep: Callable[[str], bool] | None) -> Any:
    matches = list(REFERENCE.finditer(text))
    if not matches:
        return text
    pure = len(matches) == 1 and matches[0].start() == 0 and matches[0].end() == len(text)
    parts: list[str] = []
    last = 0
    for match in matches:
        parts.append(text[last:match.start()])
        last = match.end()
        ref = match.group(1)
        resolved = _reference(ref, scope, out, chain, keep)
        if resolved is _KEPT:
            parts.append(match.group(0))
            continue
        if pure:
            return resolved
        if isinstance(resolved, (dict, list)):
            kind = "map" if isinstance(resolved, dict) else "sequence"
            out.problems.append(f"${{{ref}}} is a {kind}: a {kind} cannot be put inside a "
                                "longer string; use the reference alone as the value")
            parts.append(match.group(0))
        elif isinstance(resolved, bool):
            parts.append(str(resolved).lower())
        elif resolved is None:
            parts.append("")
        else:
            parts.append(str(resolved))
    parts.append(text[last:])
    return "".join(parts)


class _Kept:
    pass


_KEPT = _Kept()


def _reference(ref: str, scope: Scope, out: Resolved, chain: tuple[str, ...],
               keep: Callable[[str], bool] | None) -> Any:
    if keep is not None and keep(ref):
        return _KEPT
    path = split(ref)
    if path[0] not in (*RESOLVED, RESOURCES):
        out.problems.append(
            f"${{{ref}}} is not a reference brickline can resolve: it resolves ${{var.*}}, "
            "${bundle.*}, ${workspace.*} and ${resources.*}; Terraform would read any other "
            "${...} as an expression of its own")
        return _KEPT
    canonical = _canonical(path)
    if canonical[0] not in scope:
        return _KEPT  # resolved elsewhere (a pipeline's ${var.x} is a Terraform variable)
    found = lookup(scope, canonical)
    if found is MISSING:
        out.problems.append(f"${{{ref}}}: reference does not exist{_suggest(scope, path)}")
        return _KEPT
    if isinstance(found, Expression):
        out.needs.update(found.needs)
        return "${" + found.text + "}"
    if ref in chain:
        out.problems.append("the references form a cycle: "
                            + " -> ".join(f"${{{r}}}" for r in (*chain, ref)))
        return _KEPT
    if len(chain) >= MAX_DEPTH:
        out.problems.append(f"references nested deeper than {MAX_DEPTH}: ${{{ref}}}")
        return _KEPT
    return _value(found, scope, out, (*chain, ref), keep)


def _suggest(scope: Scope, path: tuple[str | int, ...]) -> str:
    """A did-you-mean for the first segment of `path` that names nothing, written as the
    user wrote the reference (`${var.x}` or the long form)."""
    short = path[:1] == ("var",)
    node: Any = scope
    canonical = _canonical(path)
    for i, part in enumerate(canonical):
        if callable(node) or not isinstance(node, Mapping) or not isinstance(part, str):
            return ""
        if part not in node:
            hint = did_you_mean(part, [str(k) for k in node])
            if not hint:
                return ""
            guess: list[str | int] = [*canonical[:i], hint.split("'")[1]]
            if short:
                guess = ["var", *guess[1:2], *guess[3:]]
            return f" (did you mean ${{{_join(tuple(guess))}}}?)"
        node = node[part]
    return ""


def _join(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p)
                   for i, p in enumerate(path))


def walk_strings(value: Any, path: tuple[str | int, ...] = ()
                 ) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string in a value, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from walk_strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_strings(v, (*path, i))
