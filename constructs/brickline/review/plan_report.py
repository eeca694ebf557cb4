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


def secrets(plan: dict[str, Any]) -> set[str]:
    """Every sensitive value the plan carries: values of sensitive variables and every leaf
    marked sensitive. Terraform does not mark values derived from them (terraform_data's
    `output`, say), so any text that contains one of these is masked too."""
    found: set[str] = set()
    declared = plan.get("configuration", {}).get("root_module", {}).get("variables", {})
    for name, var in plan.get("variables", {}).items():
        if declared.get(name, {}).get("sensitive"):
            found.update(_secret_leaves(var.get("value"), True))
    for rc in plan.get("resource_changes", []):
        change = rc.get("change", {})
        found.update(_secret_leaves(change.get("before"), change.get("before_sensitive")))
        found.update(_secret_leaves(change.get("after"), change.get("after_sensitive")))
    return {x for x in found if len(x) >= 4}


def _mask(value: Any, sensitive: Any, unknown: Any = None,
          hidden: frozenset[str] = frozenset()) -> Any:
    """The value with sensitive leaves replaced by "(sensitive)" and unknown ones by
    "(known after apply)"; both masks have the value's shape (or are just `true`)."""
    if sensitive is True:
        return "(sensitive)"
    if unknown is True:
        return "(known after apply)"
    if isinstance(value, str) and any(h in value for h in hidden):
        return "(sensitive)"
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


UNKNOWN = "(known after apply)"


def _update_lines(before: Any, after: Any) -> list[str]:
    diffs = changes(before, after)
    unknown = [p for p, _, n in diffs if n == UNKNOWN]
    lines = []
    for path, old, new in diffs:
        if any(path.startswith((u + ".", u + "[")) for u in unknown):
            continue  # the whole block is recomputed: one line says so
        lines.append(f"{path} {UNKNOWN}" if new == UNKNOWN else describe(path, old, new))
    return lines


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
            lines = _update_lines(before, after)
            masked = flatten(before) if isinstance(before, dict) else {}
            lines += [f"{p} (sensitive value changes)"
                      for p, _, _ in changes(change.get("before"), change.get("after"))
                      if masked.get(p) == "(sensitive)" and flatten(after).get(p) == "(sensitive)"]
            out.updates.append((label, sorted(lines)))
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
        lines += ["No changes.", ""]
    for label, diffs in rep.updates:
        lines.append(f"**{label}**")
        lines += [f"- {d}" for d in diffs] or ["- (no visible attribute change)"]
        lines.append("")
    if rep.creates:
        lines.append("**Created:** " + ", ".join(f"`{c}`" for c in rep.creates))
    return "\n".join(lines).rstrip() + "\n"


def text(rep: Report) -> str:
    lines = []
    total = Counter[str]()
    for c in rep.counts.values():
        total.update(c)
    lines.append(f"Plan: {total['create']} to add, {total['update']} to change, "
                 f"{total['delete']} to destroy, {total['replace']} to replace")
    for d in rep.destroys:
        lines.append(f"!! {d.action.upper()} {d.address}: {d.reason}")
    for label, diffs in rep.updates:
        lines.append(f"~ {label}")
        lines += [f"    {d}" for d in diffs]
    lines += [f"+ {c}" for c in rep.creates]
    return "\n".join(lines) + "\n"
