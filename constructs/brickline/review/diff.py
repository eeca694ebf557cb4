"""Two synthesized revisions (cdktf.out folders) compared in pipeline terms: jobs added,
removed, renamed and changed, tasks, the edges between jobs, and every change that
Terraform would carry out by destroying something.

It reads only the synthesized JSON, the contract between brickline and Terraform, so it
compares any two revisions whatever produced them, with no credentials and no network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from brickline.names import METADATA_TABLE, ORCHESTRATOR, job_from_reference
from brickline.review.fields import MISSING, changes, describe, show
from brickline.runtime.status import END_TASK, RESERVED_PREFIX

JOB = "databricks_job"
TABLE = "databricks_sql_table"
# Attributes whose change makes Terraform destroy and re-create the resource.
# databricks_sql_table: the `force_new` tags of SqlTableInfo in catalog/resource_sql_table.go
# (terraform-provider-databricks); workspace files: `path` is ForceNew in FileContentSchema.
REPLACED_BY = {
    TABLE: ("catalog_name", "schema_name", "table_type", "data_source_format",
            "partitions", "options", "storage_credential_name"),
    "databricks_workspace_file": ("path",),
    # the status notebook: path is ForceNew (FileContentSchema, workspace/file_resource.go)
    "databricks_notebook": ("path",),
    "databricks_notification_destination": ("config.email", "config.slack",
                                            "config.microsoft_teams", "config.pagerduty",
                                            "config.generic_webhook"),
}
# Table attributes the provider changes in place, and what that does to a table that holds
# rows (catalog/resource_sql_table.go): `name` is not force_new and the update runs no RENAME,
# so the live table keeps its name; `storage_location` becomes ALTER TABLE SET LOCATION.
TABLE_IN_PLACE = {
    "name": "the provider renames nothing (name is not force_new and its update runs no "
            "RENAME TABLE): the live table keeps its old name and its rows, and the status "
            "program writes to a table that does not exist. Keep the name, or rename the "
            "table by hand (ALTER TABLE ... RENAME TO) and import it under the new name",
    "storage_location": "the provider points the table at the new location in place (ALTER "
                        "TABLE SET LOCATION): the rows written so far stay at the old "
                        "location and the table reads as empty",
}
# The provider ignores a change of case in these (EqualFoldDiffSuppress in CustomizeSchema).
CASE_INSENSITIVE = ("name", "catalog_name", "schema_name")
# Blocks the provider marks suppress_diff: removing them from the config plans no change.
SUPPRESSED = ("email_notifications", "webhook_notifications", "queue")


@dataclass
class Destroy:
    address: str
    reason: str
    error: bool = False  # data would be lost (the status log): never acceptable


@dataclass
class JobChange:
    name: str
    address: str
    lines: list[str] = field(default_factory=list)


@dataclass
class StackReview:
    name: str
    status: str = "changed"  # added | removed | changed | unchanged
    jobs_added: list[str] = field(default_factory=list)
    # new to the configuration, but existing jobs an `import` block adopts: not created
    jobs_adopted: list[str] = field(default_factory=list)
    jobs_removed: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    jobs_changed: list[JobChange] = field(default_factory=list)
    edges_added: list[tuple[str, str]] = field(default_factory=list)
    edges_removed: list[tuple[str, str]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    destroys: list[Destroy] = field(default_factory=list)
    graph: dict[str, Any] = field(default_factory=dict)  # head jobs, edges, marks

    @property
    def empty(self) -> bool:
        return not (self.jobs_added or self.jobs_adopted or self.jobs_removed or self.renamed
                    or self.jobs_changed or self.edges_added or self.edges_removed
                    or self.other or self.notes or self.destroys
                    or self.status in ("added", "removed"))


@dataclass
class Review:
    base_label: str
    head_label: str
    stacks: list[StackReview]

    @property
    def destroys(self) -> list[Destroy]:
        return [d for s in self.stacks for d in s.destroys]


class OutputError(Exception):
    """A folder that is not a synth output (a usage problem, not a bug)."""


def load_stacks(outdir: Path, names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """The stacks of a synth output folder (cdktf.out): stacks/<stack>/cdk.tf.json (only
    those of `names`, when given)."""
    if not (outdir / "stacks").is_dir():
        raise OutputError(f"{outdir} holds no stacks/ folder: give the folder `brickline "
                          "synth --outdir` or `cdktf synth` wrote (cdktf.out)")
    stacks = {}
    for file in sorted((outdir / "stacks").glob("*/cdk.tf.json")):
        if names is not None and file.parent.name not in names:
            continue
        try:
            stacks[file.parent.name] = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise OutputError(f"{file}: not readable Terraform JSON ({exc}); synthesize it "
                              "again") from None
    return stacks


def compare(base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]], *,
            base_label: str = "base", head_label: str = "head") -> Review:
    reviews = []
    for name in sorted(base.keys() | head.keys()):
        if name not in base:
            review = _stack({}, head[name], name)
            review.status = "added"
        elif name not in head:
            review = StackReview(name, status="removed")
            review.notes.append("the stack is gone from the app: cdktf no longer manages it, "
                                "and its resources stay deployed until `cdktf destroy "
                                f"{name}` (the status log's prevent_destroy refuses even "
                                "that)")
        else:
            review = _stack(base[name], head[name], name)
        if review.empty and review.status == "changed":
            review.status = "unchanged"
        reviews.append(review)
    return Review(base_label, head_label, reviews)


def _resources(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return dict(doc.get("resource", {}).get(kind, {}))


def _follow(resource: dict[str, Any], moves: dict[str, str]) -> dict[str, Any]:
    """A resource with its references to moved resources pointing at their new address."""
    text = json.dumps(resource)
    for before, after in moves.items():
        text = text.replace(f"${{{before}.", f"${{{after}.")
    return dict(json.loads(text))


def _imports(doc: dict[str, Any]) -> dict[str, str]:
    """import blocks of jobs: job address -> the id of the existing job it adopts."""
    return {str(i["to"]).removeprefix(f"{JOB}."): str(i.get("id"))
            for i in doc.get("import", []) if str(i.get("to", "")).startswith(f"{JOB}.")}


def _moves(doc: dict[str, Any]) -> dict[str, str]:
    """moved blocks: old address -> new address (as "type.name")."""
    return {m["from"]: m["to"] for m in doc.get("moved", [])}


def _is_orchestrator(address: str, job: dict[str, Any]) -> bool:
    """brickline's orchestrator: its address, and no end status task, which every planned
    job has (the orchestrator has a start task of its own, brickline_start, since issue 21).
    A stack whose jobs all have `orchestrate: false` has no orchestrator, and a job of it may
    then have the address."""
    return address == ORCHESTRATOR and not any(
        t.get("task_key") == END_TASK for t in job.get("task", []))


def _edges(jobs: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    """(upstream, downstream) job names, from the orchestrator's run_job tasks (not its own
    start task, which every job without an upstream waits for)."""
    found = jobs.get(ORCHESTRATOR, {})
    orchestrator = found if _is_orchestrator(ORCHESTRATOR, found) else {}
    names = {a: j.get("name", a) for a, j in jobs.items()}
    return {(names.get(d["task_key"], d["task_key"]), names.get(t["task_key"], t["task_key"]))
            for t in orchestrator.get("task", []) for d in t.get("depends_on", [])
            if not d["task_key"].startswith(RESERVED_PREFIX)}


def _stack(base: dict[str, Any], head: dict[str, Any], name: str) -> StackReview:
    review = StackReview(name)
    old_jobs, new_jobs = _resources(base, JOB), _resources(head, JOB)
    moves = _moves(head)
    matched: dict[str, str] = {}  # base address -> head address
    for address in old_jobs:
        target = moves.get(f"{JOB}.{address}", "").removeprefix(f"{JOB}.")
        if address in new_jobs:
            matched[address] = address
        elif target in new_jobs:
            matched[address] = target
            review.renamed.append(f"{old_jobs[address]['name']} → {new_jobs[target]['name']} "
                                  f"(moved {address} → {target}: updated in place)")
    unmatched_new = {a for a in new_jobs if a not in matched.values()}
    for address, job in sorted(old_jobs.items()):
        if address in matched:
            continue
        twin = _twin(job, {a: new_jobs[a] for a in unmatched_new})
        if twin:
            unmatched_new.discard(twin)
            review.renamed.append(
                f"{job['name']} → {new_jobs[twin]['name']} (address {address} → {twin})")
            review.destroys.append(Destroy(
                f"{JOB}.{address}", f"{job['name']} gets a new address ({twin}): Terraform "
                "destroys the job and creates another, and its run history is lost. Keep "
                f"the address with `key: {address}` on the job"))
        else:
            review.jobs_removed.append(job["name"])
            review.destroys.append(Destroy(f"{JOB}.{address}",
                                           f"{job['name']} is removed: the job and its run "
                                           "history are deleted"))
    adopted = _imports(head)
    review.jobs_adopted = sorted(f"{new_jobs[a]['name']} (existing job {adopted[a]})"
                                 for a in unmatched_new if a in adopted)
    review.jobs_added = sorted(new_jobs[a]["name"] for a in unmatched_new
                               if not _is_orchestrator(a, new_jobs[a]) and a not in adopted)
    renames: dict[str, str] = {}
    for old, new in matched.items():
        before, after = old_jobs[old], new_jobs[new]
        if before.get("name") != after.get("name"):
            renames[str(before.get("name"))] = str(after.get("name"))
            if old == new:
                review.renamed.append(f"{before['name']} → {after['name']} (same address "
                                      f"{new}: updated in place)")
        change = _job_change(before, after, new)
        if change.lines:
            review.jobs_changed.append(change)
    old_edges = {(renames.get(a, a), renames.get(b, b)) for a, b in _edges(old_jobs)}
    new_edges = _edges(new_jobs)
    review.edges_added = sorted(new_edges - old_edges)
    review.edges_removed = sorted(old_edges - new_edges)
    _others(base, head, review)
    changed = {c.address for c in review.jobs_changed} | unmatched_new
    review.graph = {
        "jobs": {a: j.get("name", a) for a, j in new_jobs.items()
                 if not _is_orchestrator(a, j)},
        "edges": sorted(new_edges),
        "changed": sorted(new_jobs[a].get("name", a) for a in changed if a in new_jobs),
        "added_edges": review.edges_added,
    }
    return review


def _twin(job: dict[str, Any], candidates: dict[str, dict[str, Any]]) -> str | None:
    """The new job that is most likely this job under a new address: same work tasks."""
    keys = _work_keys(job)
    same = [a for a, other in sorted(candidates.items()) if _work_keys(other) == keys and keys]
    return same[0] if len(same) == 1 else None


def _work_keys(job: dict[str, Any]) -> frozenset[str]:
    return frozenset(t["task_key"] for t in job.get("task", [])
                     if not t["task_key"].startswith(RESERVED_PREFIX))


def _job_change(before: dict[str, Any], after: dict[str, Any], address: str) -> JobChange:
    change = JobChange(after.get("name", address), address)
    old_tasks = {t["task_key"]: t for t in before.get("task", [])}
    new_tasks = {t["task_key"]: t for t in after.get("task", [])}
    is_orchestrator = _is_orchestrator(address, after)
    if not is_orchestrator:
        for key in sorted(new_tasks.keys() - old_tasks.keys()):
            if not key.startswith(RESERVED_PREFIX):
                change.lines.append(f"task {key} added")
        for key in sorted(old_tasks.keys() - new_tasks.keys()):
            if not key.startswith(RESERVED_PREFIX):
                change.lines.append(f"task {key} removed")
    status_changes: list[str] = []
    for path, old, new in changes({k: v for k, v in before.items() if k != "task"},
                                  {k: v for k, v in after.items() if k != "task"}):
        if path == "name":
            continue
        change.lines.append(describe(path, old, new))
        if new is MISSING and path.split(".")[0] in SUPPRESSED:
            change.lines.append(f"  note: the provider ignores a removed {path.split('.')[0]}"
                                " (suppress_diff): Terraform plans no change for it, and the "
                                "old value stays on the job until another change resets it")
    if not is_orchestrator:
        for key in sorted(old_tasks.keys() & new_tasks.keys()):
            diffs = changes(old_tasks[key], new_tasks[key])
            if key.startswith(RESERVED_PREFIX):
                status_changes += [_argument_change(o, n) if p.endswith("parameters")
                                   else describe(p, o, n) for p, o, n in diffs]
                continue
            change.lines += [describe(f"task[{key}].{p}", o, n) for p, o, n in diffs]
        for line in sorted(set(status_changes)):
            change.lines.append(f"brickline's status tasks: {line}")
    return change


def _argument_change(old: object, new: object) -> str:
    """A status task's command line: the options whose value changes, or what was added."""
    if not (isinstance(old, list) and isinstance(new, list)):
        return f"arguments {show(old)} → {show(new)}"
    if len(old) == len(new):
        parts = [f"{old[i - 1]} {show(old[i])} → {show(new[i])}" if i and
                 str(old[i - 1]).startswith("--") else f"{show(old[i])} → {show(new[i])}"
                 for i in range(len(old)) if old[i] != new[i]]
        return ", ".join(parts)
    added = [a for a in new if a not in old]
    removed = [a for a in old if a not in new]
    return ", ".join([*(f"adds {a}" for a in added if str(a).startswith("--")),
                      *(f"drops {a}" for a in removed if str(a).startswith("--"))]) or (
        "arguments change")


def _others(base: dict[str, Any], head: dict[str, Any], review: StackReview) -> None:
    """Tables, the view, the status program, variables: and what would be destroyed."""
    kinds = sorted((set(base.get("resource", {})) | set(head.get("resource", {}))) - {JOB})
    moves = _moves(head)
    for kind in kinds:
        old, new = _resources(base, kind), _resources(head, kind)
        # a moved block (a renamed job's permissions) updates in place: compare the two,
        # with references to moved resources read as their new addresses
        if moves:
            followed = {}
            for address, resource in old.items():
                target = moves.get(f"{kind}.{address}", "").removeprefix(f"{kind}.")
                moved = address not in new and target in new and target not in old
                followed[target if moved else address] = _follow(resource, moves)
            old = followed
        for address in sorted(old.keys() | new.keys()):
            full = f"{kind}.{address}"
            before, after = old.get(address), new.get(address)
            protected = bool(((before or after or {}).get("lifecycle") or {})
                             .get("prevent_destroy")) or address == METADATA_TABLE
            label = _label(kind, address, before or after or {})
            if before is None:
                review.other.append(f"{label} added")
            elif after is None:
                review.other.append(f"{label} removed")
                review.destroys.append(Destroy(full, f"{label} is removed" + (
                    ": every row of the status log would be deleted" if protected else ""),
                    error=protected))
            else:
                diffs = [(p, o, n) for p, o, n in changes(before, after)
                         if p != "content_base64" and not _same_name(kind, p, o, n)]
                if before.get("content_base64") != after.get("content_base64"):
                    review.other.append(f"{label}: content changes (uploaded again)")
                replaced = [p for p, _, _ in diffs
                            if p.split(".")[0] in REPLACED_BY.get(kind, ())
                            or any(p.startswith(r) for r in REPLACED_BY.get(kind, ()))]
                review.other += [f"{label}: {describe(p, o, n)}" for p, o, n in diffs]
                if kind == TABLE and protected:
                    review.destroys += _table_columns(full, label, before, after)
                if kind == TABLE and after.get("table_type") != "VIEW":
                    review.destroys += [Destroy(full, f"{label}: changing {p}: {why}",
                                                error=True)
                                        for p, why in TABLE_IN_PLACE.items()
                                        if before.get(p) != after.get(p)
                                        and not _same_name(kind, p, before.get(p),
                                                           after.get(p))]
                if replaced:
                    what = ", ".join(replaced)
                    if kind == TABLE and after.get("table_type") != "VIEW":
                        review.destroys.append(Destroy(
                            full, f"{label}: changing {what} makes Terraform drop and "
                            "re-create the table, and every row is lost"
                            + (" (prevent_destroy makes the plan fail instead)"
                               if protected else ""), error=True))
                    else:
                        review.notes.append(f"{label} is replaced (changing {what}); it "
                                            "holds no data")
    old_vars, new_vars = set(base.get("variable", {})), set(head.get("variable", {}))
    review.other += [f"variable {v} added" for v in sorted(new_vars - old_vars)]
    review.other += [f"variable {v} removed" for v in sorted(old_vars - new_vars)]


def _same_name(kind: str, path: str, old: object, new: object) -> bool:
    return (kind == TABLE and path in CASE_INSENSITIVE and isinstance(old, str)
            and isinstance(new, str) and old.lower() == new.lower())


def _table_columns(full: str, label: str, before: dict[str, Any],
                   after: dict[str, Any]) -> list[Destroy]:
    old = [(c["name"], c["type"]) for c in before.get("column", [])]
    new = [(c["name"], c["type"]) for c in after.get("column", [])]
    if new[: len(old)] == old:
        return []
    return [Destroy(full, f"{label}: columns are removed, reordered or retyped "
                          f"({', '.join(n for n, _ in old)} → {', '.join(n for n, _ in new)}); "
                          "the provider compares columns by position, so this renames or "
                          "drops columns of the live status log. Only append columns",
                    error=True)]


def _label(kind: str, address: str, attrs: dict[str, Any]) -> str:
    if kind == TABLE:
        what = "view" if attrs.get("table_type") == "VIEW" else "table"
        name = ".".join(str(attrs.get(k)) for k in ("catalog_name", "schema_name", "name"))
        return f"{what} {name}"
    if kind == "databricks_workspace_file":
        return f"workspace file {attrs.get('path', address)}"
    if kind == "databricks_notebook":
        return f"notebook {attrs.get('path', address)}"
    if kind == "databricks_permissions":
        job = job_from_reference(str(attrs.get("job_id", "")))
        return f"permissions of job {job or address}"
    if kind == "databricks_notification_destination":
        return f"destination {attrs.get('display_name', address)}"
    return f"{kind}.{address}"


