"""A Terraform plan (`terraform show -json PLAN`) in a reviewer's words: counts per resource
type, each job change in pipeline terms, and a loud block for every destroy and replace.
Sensitive values are never printed; unknown ones show as (known after apply)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from brickline import names
from brickline.review.fields import changes, describe, flatten

ACTIONS = ("create", "update", "delete", "replace")
DATA_TYPES = ("databricks_sql_table",)
UNKNOWN = "(known after apply)"
SENSITIVE = "(sensitive)"


@dataclass
class Destroy:
    address: str
    action: str  # delete | replace
    reason: str
    data_loss: bool


@dataclass
class Report:
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    updates: list[tuple[str, list[str]]] = field(default_factory=list)
    creates: list[str] = field(default_factory=list)
    destroys: list[Destroy] = field(default_factory=list)
    format_version: str = ""
    # resources an import block adopts: the existing object comes under Terraform, and any
    # update of it is listed too (never a create)
    imports: list[str] = field(default_factory=list)


class PlanError(Exception):
    """The file is not the JSON of `terraform show -json PLAN`."""


def _action(actions: list[str]) -> str | None:
    if actions in (["delete", "create"], ["create", "delete"]):
        return "replace"
    if actions == ["create"]:
        return "create"
    if actions == ["update"]:
        return "update"
    if actions == ["delete"]:
        return "delete"
    return None  # no-op, read


def _secret_leaves(value: Any, sensitive: Any) -> list[str]:
    if sensitive is True:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [x for v in value.values() for x in _secret_leaves(v, True)]
        if isinstance(value, list):
            return [x for v in value for x in _secret_leaves(v, True)]
        return [str(value)] if value is not None else []
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return [x for k, v in value.items() for x in _secret_leaves(v, sensitive.get(k))]
    if isinstance(value, list) and isinstance(sensitive, list):
        return [x for v, m in zip(value, sensitive, strict=False)
                for x in _secret_leaves(v, m)]
    return []


# A secret this short is not looked for inside other text: masking every text that holds
# "ab" would hide most of the plan. It is still masked where Terraform marks it and in any
# text that is exactly it; inside a longer unmarked text it shows (and, that short, it
# protects nothing anyway).
MIN_SECRET = 4


def secrets(plan: dict[str, Any]) -> set[str]:
    """Every sensitive value the plan carries: values of sensitive variables and every leaf
    marked sensitive. Terraform does not mark values derived from them (terraform_data's
    `output`, a `nonsensitive()` in a text, say), so a text that is one of these, or that
    contains one of at least MIN_SECRET characters, is masked too."""
    found: set[str] = set()
    declared = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    for name, var in plan.get("variables", {}).items():
        if declared.get(name, {}).get("sensitive"):
            found.update(_secret_leaves(var.get("value"), True))
    for rc in plan.get("resource_changes", []):
        change = rc.get("change", {})
        found.update(_secret_leaves(change.get("before"), change.get("before_sensitive")))
        found.update(_secret_leaves(change.get("after"), change.get("after_sensitive")))
    return {x for x in found if x}


def _hides(value: str, hidden: frozenset[str]) -> bool:
    return value in hidden or any(h in value for h in hidden if len(h) >= MIN_SECRET)


def _mask(value: Any, sensitive: Any, unknown: Any = None,
          hidden: frozenset[str] = frozenset()) -> Any:
    """The value with sensitive leaves replaced by "(sensitive)" and unknown ones by
    "(known after apply)"; both masks have the value's shape (or are just `true`)."""
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    if isinstance(value, str) and _hides(value, hidden):
        return SENSITIVE
    if isinstance(value, dict):
        s = sensitive if isinstance(sensitive, dict) else {}
        u = unknown if isinstance(unknown, dict) else {}
        keys = value.keys() | {k for k, v in u.items() if v is True}
        return {k: _mask(value.get(k), s.get(k), u.get(k), hidden) for k in keys}
    if isinstance(value, list):
        ls = sensitive if isinstance(sensitive, list) else []
        lu = unknown if isinstance(unknown, list) else []
        return [_mask(v, ls[i] if i < len(ls) else None, lu[i] if i < len(lu) else None,
                      hidden) for i, v in enumerate(value)]
    return value


def _label(rc: dict[str, Any], values: dict[str, Any]) -> str:
    name = values.get("name") if isinstance(values, dict) else None
    if rc.get("type") == "databricks_job" and isinstance(name, str):
        return f"job {name} ({rc['address']})"
    return str(rc["address"])


def _is_status_log(rc: dict[str, Any], values: dict[str, Any]) -> bool:
    if rc.get("name") == names.METADATA_TABLE:
        return True
    return (rc.get("type") in DATA_TYPES and isinstance(values, dict)
            and values.get("table_type") not in (None, "VIEW"))


def _prefixes(path: str) -> list[str]:
    """`a.b[k].c` -> a, a.b, a.b[k], a.b[k].c: the blocks that hold the leaf, and the leaf."""
    return [path[:i] for i, ch in enumerate(path) if ch in ".["] + [path]


def _under(path: str, flat: dict[str, Any], mark: str) -> str | None:
    """The leaf or block of `path` whose masked value is `mark` or a list that holds it."""
    return next((q for q in _prefixes(path) if flat.get(q) == mark
                 or (isinstance(flat.get(q), list) and mark in flat[q])), None)


def _update_lines(before: Any, after: Any, raw_before: Any, raw_after: Any) -> list[str]:
    """One line per changed leaf of the masked values. Where either side is masked, both
    are: the old text of a secret that changed is not in the plan to look for (a sensitive
    variable's old value is not), so a text whose new value holds a secret hides its old
    value too, and a hidden old value hides the new one."""
    diffs = changes(before, after)
    unknown = [p for p, _, n in diffs if n == UNKNOWN]
    lines = set()
    for path, old, new in diffs:
        if any(path.startswith((u + ".", u + "[")) for u in unknown):
            continue  # the whole block is recomputed: one line says so
        if SENSITIVE not in (old, new):
            lines.add(f"{path} {UNKNOWN}" if new == UNKNOWN else describe(path, old, new))
    old_flat, new_flat = flatten(before), flatten(after)
    for path, _, _ in changes(raw_before, raw_after):
        if any(path == u or path.startswith((u + ".", u + "[")) for u in unknown):
            continue
        hidden = _under(path, old_flat, SENSITIVE) or _under(path, new_flat, SENSITIVE)
        if hidden:
            lines.add(f"{hidden} (sensitive value changes)")
    return sorted(lines)


def report(plan: Any) -> Report:
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise PlanError("not a plan in JSON: make it with `terraform show -json PLANFILE`")
    resource_changes = plan.get("resource_changes", [])
    if not isinstance(resource_changes, list) or not all(
            isinstance(rc, dict) and isinstance(rc.get("change"), dict)
            and {"type", "address"} <= rc.keys() for rc in resource_changes):
        raise PlanError("resource_changes is not the list `terraform show -json PLANFILE` "
                        "writes: make the file with that command, unedited")
    out = Report(format_version=str(plan["format_version"]))
    hidden = frozenset(secrets(plan))
    for rc in resource_changes:
        change = rc.get("change", {})
        action = _action(change.get("actions", []))
        # "importing": present (not null) when the change imports an existing object, in
        # addition to its actions (hashicorp/terraform-json plan.go, Change.Importing)
        importing = change.get("importing")
        if isinstance(importing, dict) and rc.get("mode") != "data":
            values = change.get("after") if isinstance(change.get("after"), dict) else {}
            found = importing.get("id")
            out.imports.append(_label(rc, _mask(values, change.get("after_sensitive"), None,
                                                hidden)) + (f", existing id {found}"
                                                            if found is not None else ""))
        if action is None or rc.get("mode") == "data":
            continue
        out.counts.setdefault(rc["type"], Counter())[action] += 1
        before = _mask(change.get("before"), change.get("before_sensitive"), None, hidden)
        after = _mask(change.get("after"), change.get("after_sensitive"),
                      change.get("after_unknown"), hidden)
        values = after if isinstance(after, dict) else before if isinstance(before, dict) else {}
        label = _label(rc, values)
        if action == "create":
            out.creates.append(label)
        elif action == "update":
            out.updates.append((label, _update_lines(before, after, change.get("before"),
                                                     change.get("after"))))
        else:
            loses = _is_status_log(rc, before if isinstance(before, dict) else {})
            paths = [".".join(str(x) for x in p) for p in change.get("replace_paths", [])]
            why = {"delete": "removed from the configuration",
                   "replace": "replaced (destroyed, then created again)"}[action]
            if paths:
                why += f" because {', '.join(paths)} changes"
            if rc.get("action_reason"):
                why += f" [{rc['action_reason']}]"
            if loses:
                why += ("; this is the job_metadata status log"
                        if rc.get("name") == names.METADATA_TABLE else "; this is a table")
                why += ": every row in it would be lost"
            if rc.get("type") == "databricks_job":
                why += "; the job's run history would be lost"
            out.destroys.append(Destroy(label, action, why, loses))
    return out


def markdown(rep: Report) -> str:
    lines = ["<!-- brickline-plan-report -->", "## Terraform plan", ""]
    if rep.destroys:
        lost = [d for d in rep.destroys if d.data_loss]
        lines.append(f"🛑 **{len(rep.destroys)} resource(s) would be destroyed or replaced"
                     + (f", {len(lost)} of them holding data" if lost else "") + ".**")
        lines.append("")
        for d in rep.destroys:
            lines.append(f"> **{d.action.upper()}** `{d.address}`: {d.reason}")
            lines.append(">")
        lines.pop()
        lines.append("")
    else:
        lines += ["✅ Nothing is destroyed or replaced.", ""]
    if rep.counts:
        lines += ["| resource type | add | change | destroy | replace |", "|---|--:|--:|--:|--:|"]
        for kind in sorted(rep.counts):
            c = rep.counts[kind]
            lines.append(f"| {kind} | {c['create']} | {c['update']} | {c['delete']} | "
                         f"{c['replace']} |")
        lines.append("")
    else:
        lines += ["No other changes." if rep.imports else "No changes.", ""]
    for label, diffs in rep.updates:
        lines.append(f"**{label}**")
        lines += [f"- {d}" for d in diffs] or ["- (no visible attribute change)"]
        lines.append("")
    if rep.imports:
        lines.append("**Adopted** (an import block: the existing object is kept and managed "
                     "from now on, not created): " + ", ".join(f"`{c}`" for c in rep.imports))
        lines.append("")
    if rep.creates:
        lines.append("**Created:** " + ", ".join(f"`{c}`" for c in rep.creates))
    return "\n".join(lines).rstrip() + "\n"


def text(rep: Report) -> str:
    lines = []
    total = Counter[str]()
    for c in rep.counts.values():
        total.update(c)
    adopted = f"{len(rep.imports)} to adopt (import), " if rep.imports else ""
    lines.append(f"Plan: {adopted}{total['create']} to add, {total['update']} to change, "
                 f"{total['delete']} to destroy, {total['replace']} to replace")
    for d in rep.destroys:
        lines.append(f"!! {d.action.upper()} {d.address}: {d.reason}")
    for label, diffs in rep.updates:
        lines.append(f"~ {label}")
        lines += [f"    {d}" for d in diffs]
    lines += [f"= adopt {c}" for c in rep.imports]
    lines += [f"+ {c}" for c in rep.creates]
    return "\n".join(lines) + "\n"
