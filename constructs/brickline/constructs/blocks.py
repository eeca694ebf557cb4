"""A plan's Terraform blocks, and their Terraform JSON rendered in Python (no jsii).

Every resource and data source of a StackPlan becomes one Block: its Terraform type, its
address and its arguments in the provider's names. Two paths build the same blocks:
- the fast path (`render`) writes their Terraform JSON here, in plain Python, and hands it
  to cdktf whole (a constant number of jsii round trips per pipeline);
- the typed path (`brickline.constructs.typed`) builds them with the provider's classes,
  one jsii object per struct; it is the reference the fast path is tested against
  (tests/test_equivalence.py: byte-identical JSON).

The JSON here is what cdktf 0.21 writes for a resource
(cdktf lib/terraform-resource.ts `toTerraform`, lib/terraform-data-source.ts,
lib/terraform-output.ts): the arguments, the meta-arguments (depends_on, lifecycle), a
`//` metadata block with the construct path and the address; a `moved` block per
`moveFromId`, an `import` block per `importFrom`, and in the stack's metadata the moved and
imported addresses per type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from brickline import names
from brickline.plan import Ref, ResourcePlan, StackPlan

JOB = names.JOB_TYPE
TABLE = "databricks_sql_table"
DESTINATION = "databricks_notification_destination"
PERMISSIONS = "databricks_permissions"
DASHBOARD = "databricks_dashboard"


@dataclass(frozen=True)
class Block:
    """One resource (kind "resource") or data source (kind "data") of a plan."""

    kind: str
    type: str
    address: str  # the plan's address; a Pipeline may put a prefix before it
    settings: dict[str, Any]
    depends_on: tuple[str, ...] = ()  # plan addresses ("data.<address>" for a data source)
    protect: bool = False  # lifecycle.prevent_destroy
    moved_from: str | None = None  # "<type>.<plan address>" before a rename
    import_id: str | None = None  # an existing object to adopt: an `import` block
    name: str | None = None  # a job's name in the YAML (job blocks only)


@dataclass
class Rendered:
    """The Terraform JSON of a pipeline's blocks, as cdktf would merge it into the stack."""

    fragment: dict[str, Any] = field(default_factory=dict)  # resource, data, moved, import
    metadata: dict[str, Any] = field(default_factory=dict)  # the stack's "//" metadata part


def blocks(plan: StackPlan) -> list[Block]:
    """Every block of a stack, in the order the constructs create them: first a generic
    resource the tables wait for (the metadata schema, when the stack creates it) or that
    refers to nothing (the status notebook, which the jobs refer to), every other generic
    resource last."""
    first = {a for table in (plan.table, plan.view) for a in table.depends_on}
    first |= {r.address for r in plan.resources if not _refers(r)}
    out = [_resource(r) for r in plan.resources if r.address in first]
    out += [
        Block("resource", TABLE, plan.table.address, plan.table.settings,
              tuple(plan.table.depends_on), protect=plan.table.protect),
        Block("resource", TABLE, plan.view.address, plan.view.settings,
              tuple(plan.view.depends_on), protect=plan.view.protect),
    ]
    out += [Block("resource", DESTINATION, d.address, d.settings) for d in plan.destinations]
    out += [Block("resource", JOB, j.address, j.settings,
                  moved_from=names.job_resource(j.moved_from) if j.moved_from else None,
                  import_id=j.import_id, name=j.name, protect=j.protect)
            for j in plan.all_jobs]
    out += [Block("resource", PERMISSIONS, p.address, p.settings) for p in plan.permissions]
    if plan.dashboard is not None:
        out.append(Block("resource", DASHBOARD, plan.dashboard.address,
                         plan.dashboard.settings))
    out += [Block("data", d.type, d.address, d.settings, tuple(d.depends_on))
            for d in plan.data_sources]
    out += [_resource(r) for r in plan.resources if r.address not in first]
    return out


def _refers(resource: ResourcePlan) -> bool:
    """Whether a resource refers to others of the stack (a Ref or depends_on)."""
    def any_ref(value: Any) -> bool:
        if isinstance(value, Ref):
            return True
        if isinstance(value, dict):
            return any(any_ref(v) for v in value.values())
        if isinstance(value, list):
            return any(any_ref(v) for v in value)
        return False

    return bool(resource.depends_on) or any_ref(resource.settings)


def _resource(r: ResourcePlan) -> Block:
    return Block("resource", r.type, r.address, r.settings, tuple(r.depends_on),
                 moved_from=r.moved_from, protect=r.protect)


def key(block: Block) -> str:
    """How the plan refers to a block (Ref.address, depends_on): data sources as data.<a>."""
    return f"data.{block.address}" if block.kind == "data" else block.address


class Addresses:
    """Plan addresses -> Terraform addresses of one pipeline (with its prefix)."""

    def __init__(self, all_blocks: list[Block], prefix: str = "") -> None:
        self.prefix = prefix
        self.by_key = {key(b): b for b in all_blocks}

    def name(self, block: Block) -> str:
        """The block's Terraform name (the cdktf logical id)."""
        return self.prefix + block.address

    def full(self, plan_key: str) -> str:
        """<type>.<name>, or data.<type>.<name>: a depends_on entry or a reference's base."""
        block = self.by_key[plan_key]
        base = f"{block.type}.{self.name(block)}"
        return f"data.{base}" if block.kind == "data" else base

    def moved_from(self, block: Block) -> str | None:
        if block.moved_from is None:
            return None
        kind, _, old = block.moved_from.partition(".")
        return f"{kind}.{self.prefix}{old}"

    def expression(self, ref: Ref) -> str:
        """What cdktf's token of the attribute resolves to (also as a number, e.g. a job id
        in run_job_task.job_id: Token.as_number of it renders the same string)."""
        return f"${{{self.full(ref.address)}.{ref.attribute}}}"


def render(all_blocks: list[Block], *, path: str, prefix: str = "") -> Rendered:
    """The Terraform JSON of `all_blocks`, created under the construct path `path`."""
    names = Addresses(all_blocks, prefix)
    out = Rendered()
    for block in all_blocks:
        name = names.name(block)
        body = _value(block.settings, names)
        if block.depends_on:
            body["depends_on"] = [names.full(a) for a in block.depends_on]
        if block.protect:
            body["lifecycle"] = {"prevent_destroy": True}
        body["//"] = {"metadata": {"path": f"{path}/{name}", "uniqueId": name}}
        out.fragment.setdefault(block.kind, {}).setdefault(block.type, {})[name] = body
        moved = names.moved_from(block)
        if moved is not None:
            out.fragment.setdefault("moved", []).append(
                {"from": moved, "to": f"{block.type}.{name}"})
            out.metadata.setdefault("moved", {}).setdefault(block.type, []).append(name)
        if block.import_id is not None:
            out.fragment.setdefault("import", []).append(
                {"id": block.import_id, "to": f"{block.type}.{name}"})
            out.metadata.setdefault("imports", {}).setdefault(block.type, []).append(name)
    return out


def _value(value: Any, names: Addresses) -> Any:
    """Plan data -> JSON: references become Terraform expressions; an unset (None) argument
    is left out, as the provider's classes leave it out."""
    if isinstance(value, dict):
        return {k: _value(v, names) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_value(v, names) for v in value]
    if isinstance(value, Ref):
        return names.expression(value)
    return value
