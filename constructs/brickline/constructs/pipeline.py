"""`Pipeline`: a brickline pipeline as a construct, for any cdktf stack.

    Pipeline(stack, "sales", path="pipelines/sales_daily", target="prod")

validates and plans the YAML and adds the pipeline's resources to the stack it is placed
in: its jobs, the orchestrator, the status log and its view, the status program, the
destinations, the permissions, the dashboard. Its Terraform addresses start with the
construct id (`sales_orchestrator`, `sales_job_metadata`, ...), and a synth refuses, with
the YAML location, any address that another resource of the stack also uses. The user's
own resources refer to it through typed attributes: `jobs[name].id` / `.url`,
`orchestrator` (None when every job has `orchestrate: false`), `status_table`.

The resources' Terraform JSON is rendered in Python (`blocks.render`) and handed to cdktf
as one element: a constant number of jsii round trips whatever the number of jobs.
`typed=True` builds them with the provider's classes instead (the reference path).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickline.constructs import tfjson
from brickline.constructs.blocks import JOB, Block, blocks, render
from brickline.constructs.core import (
    ENGINE,
    App,
    Construct,
    IResolvable,
    IResolveContext,
    IStackSynthesizer,
    ISynthesisSession,
    Manifest,
    TerraformDataSource,
    TerraformElement,
    TerraformResource,
    TerraformStack,
    TerraformVariable,
    Token,
    Validation,
    implements,
)
from brickline.plan import StackPlan
from brickline.plan import plan as plan_of
from brickline.spec.diagnostics import format_path
from brickline.spec.model import Pipeline as PipelineSpec


class PipelineError(ValueError):
    """A Pipeline construct used wrongly (a folder of several pipelines, a wrong target)."""


@dataclass(frozen=True)
class PipelineJob:
    """One job of a pipeline, as Terraform expressions other resources can use."""

    name: str  # the job's name (with the target's name prefix)
    address: str  # databricks_job.<name>
    id: str  # ${databricks_job.<name>.id}
    url: str  # ${databricks_job.<name>.url}

    def id_as_number(self) -> float:
        """The id for a number-typed argument (e.g. a run_job_task's job_id)."""
        return float(Token.as_number(self.id))


class Pipeline(Construct):
    def __init__(self, scope: Construct, id: str, *, path: str | None = None,
                 target: str | None = None, plan: StackPlan | None = None,
                 prefix: str | None = None, typed: bool = False,
                 checked: bool = True) -> None:
        """`path`: a folder (or file) that holds one pipeline; `target`: which of its
        targets. `plan` instead of `path`: an already planned stack (PipelineStack).
        `prefix`: what starts every address (default: the id and `_`). `checked=False`
        leaves out the synth-time check of the stack's other addresses and variables
        (PipelineStack: the stack holds only what it makes for the plan)."""
        super().__init__(scope, id)
        self.stack = scope if isinstance(scope, TerraformStack) else TerraformStack.of(self)
        parent = path_of(scope)
        self._brickline_path = f"{parent}/{id}" if parent else id
        self.spec: PipelineSpec | None = None
        if plan is None:
            if path is None:
                raise PipelineError("Pipeline needs path= (the folder of a pipeline)")
            self.spec, plan = _load(path, target)
        self.plan = plan
        self.prefix = _prefix(id) if prefix is None else prefix
        self.blocks = blocks(plan)
        self.addresses = {self._full(b): b for b in self.blocks}
        # the typed path's resources by plan address (empty on the fast path)
        self.resources: dict[str, Any] = {}
        # the fast path's element: the resources' JSON (None on the typed path)
        self.terraform: Fragment | None = None
        if typed:
            from brickline.constructs import typed as typed_path

            self.resources = typed_path.build(self, self.blocks, prefix=self.prefix)
        else:
            rendered = render(self.blocks, path=path_of(self), prefix=self.prefix)
            self.terraform = Fragment(self, "terraform", stack=self.stack,
                                      fragment=rendered.fragment, metadata=rendered.metadata)
        self.jobs = {j.name: self._job(j.address, j.settings["name"]) for j in plan.jobs}
        # None when no job runs from the orchestrator (every job has `orchestrate: false`)
        self.orchestrator = self._job(plan.orchestrator.address,
                                      plan.orchestrator.settings["name"]) \
            if plan.orchestrator else None
        table = plan.table.settings
        # catalog.schema.table of the status log (job_metadata), and of its view
        self.status_table = ".".join(str(table[k]) for k in
                                     ("catalog_name", "schema_name", "name"))
        self.status_view = ".".join(str(plan.view.settings[k]) for k in
                                    ("catalog_name", "schema_name", "name"))
        # the Terraform variables the pipeline refers to (${var.NAME}): PipelineStack
        # declares them; a stack of the user's must (checked when it synthesizes)
        self.variables = [v.name for v in plan.variables]
        # at synth, so resources added after the Pipeline count too
        if checked:
            self.node.add_validation(Validation(self.problems))

    def _job(self, address: str, name: str) -> PipelineJob:
        full = f"{JOB}.{self.prefix}{address}"
        return PipelineJob(name=name, address=full, id=f"${{{full}.id}}",
                           url=f"${{{full}.url}}")

    def _full(self, block: Block) -> str:
        base = f"{block.type}.{self.prefix}{block.address}"
        return f"data.{base}" if block.kind == "data" else base

    def problems(self) -> list[str]:
        """Every address of this pipeline that another element of its stack also uses, and
        every variable the pipeline refers to that the stack does not declare."""
        mine = self.node.path + "/"
        others: dict[str, str] = {}
        variables: set[str] = set()
        for construct in self.stack.node.find_all():
            if construct is self:
                continue
            if isinstance(construct, TerraformVariable):
                variables.add(construct.friendly_unique_id)
                continue
            if isinstance(construct, Pipeline):
                others.update({a: construct.node.path for a in construct.addresses})
                continue
            if not isinstance(construct, (TerraformResource, TerraformDataSource)):
                continue
            path = construct.node.path
            if path.startswith(mine) or _inside_pipeline(construct):
                continue
            full = f"{construct.terraform_resource_type}.{construct.friendly_unique_id}"
            if isinstance(construct, TerraformDataSource):
                full = f"data.{full}"
            others[full] = path
        missing = [v.name for v in self.plan.variables if v.name not in variables]
        return [self._collision(address, others[address])
                for address in sorted(self.addresses) if address in others] + [
            f"pipeline {self.plan.pipeline} refers to the variable {name}: declare it in the "
            f"stack, e.g. TerraformVariable(stack, \"{name}\", type=\"string\")"
            for name in missing]

    def _collision(self, address: str, other: str) -> str:
        block = self.addresses[address]
        job = self.spec.job_named(block.name) if self.spec and block.name else None
        if job is not None:
            field = "key" if job.key else "name"
            where = job.source.where((*job.path, field))
            key_path = format_path((*job.path, field))
            return (f"{where}: {key_path}: the job's address {address} is also used by "
                    f"{other}: give the job another `key`, or the Pipeline another id")
        origin = self.spec.origin if self.spec else self.plan.pipeline
        return (f"{origin}: the address {address} of pipeline {self.plan.pipeline} is also "
                f"used by {other}: give the Pipeline another id")


def _inside_pipeline(construct: Any) -> bool:
    scope = construct.node.scope
    while scope is not None:
        if isinstance(scope, Pipeline):
            return True
        scope = scope.node.scope
    return False


class Fragment(TerraformElement):
    """Ready Terraform JSON as one element of a stack.

    When its stack synthesizes (app.synth(), `cdktf synth`, Testing.full_synth), the
    stack's `Splice` writes the JSON into the stack's cdk.tf.json after cdktf has written
    the rest: no jsii at all, whatever the size. Anything else that asks for the stack's
    JSON (Testing.synth, stack.to_terraform()) gets it the usual way: cdktf resolves the
    element's value, a `Lazy` that hands the JSON to Node in one piece, and merges it as it
    merges each resource's (lib/terraform-stack.ts `toTerraform`, deepMerge of every
    element's resolved toTerraform)."""

    def __init__(self, scope: Construct, id: str, *, stack: TerraformStack,
                 fragment: dict[str, Any], metadata: dict[str, Any]) -> None:
        """`stack`: the stack `scope` is in."""
        super().__init__(scope, id)
        self.fragment = fragment
        self._metadata = metadata
        self._lazy = Lazy(self)
        self.deferred = False  # while the stack's Splice synthesizes it: write nothing
        Splice.of(stack).fragments.append(self)

    # while `synthesize` synthesizes an app: every Fragment writes nothing, not even in
    # the preparing pass (no Lazy to resolve, so no call back into Python for it)
    everywhere_deferred = False

    def to_terraform(self) -> Any:
        if self.deferred or Fragment.everywhere_deferred:
            return {}
        return self._lazy

    def to_metadata(self) -> Any:
        return self._metadata

    def to_hcl_terraform(self) -> Any:
        # an HCL rendering would silently leave every pipeline resource out
        raise NotImplementedError("brickline pipelines synthesize to Terraform JSON only: "
                                  "unset SYNTH_HCL_OUTPUT (or hclOutput)")


@implements(IResolvable)
class Lazy:
    """A Fragment's JSON, resolved only when cdktf needs its value. App.synth first
    resolves every element in a "preparing" pass that only looks for tokens
    (lib/terraform-stack.ts `prepareStack`, for cross-stack references); a Fragment holds
    plain data, no tokens, so that pass gets nothing, nor does the Splice's synth."""

    def __init__(self, fragment: Fragment) -> None:
        self._fragment = fragment

    @property
    def creation_stack(self) -> list[str]:
        return []

    def resolve(self, context: IResolveContext) -> Any:
        if self._fragment.deferred or context.preparing:  # (deferred: no jsii call)
            return {}
        return self._fragment.fragment

    def to_string(self) -> str:
        return f"brickline fragment {self._fragment.node.path}"


@implements(IStackSynthesizer)
class Splice:
    """A stack's synthesizer that writes its Fragments' JSON in Python.

    It runs the stack's own synthesizer (cdktf's StackSynthesizer: aspects, validations,
    annotations, cdk.tf.json) with the Fragments left out, then merges them into the
    written JSON and writes it again as cdktf writes it (`tfjson`). The result is the
    bytes cdktf would have written (tests/test_equivalence.py, tests/test_tfjson.py). When
    some key path of a Fragment is also set by another element or an override of the
    stack, the order of cdktf's merge decides, so the whole JSON is then taken from cdktf
    (stack.to_terraform()) instead: slower, never different."""

    def __init__(self, stack: TerraformStack) -> None:
        self.stack = stack
        self.inner = stack.synthesizer
        self.fragments: list[Fragment] = []
        # where cdktf writes the stack: <outdir>/stacks/<stack id>/<stackFileName>
        # (lib/manifest.ts `forStack`), without fetching the whole StackManifest
        self.folder = Path(_stacks_folder(), path_of(stack).rpartition("/")[2])

    @staticmethod
    def of(stack: TerraformStack) -> Splice:
        splice = getattr(stack, "_brickline_splice", None)
        if splice is None:
            splice = Splice(stack)
            stack._brickline_splice = splice  # type: ignore[attr-defined]
            stack.synthesizer = splice
        return splice

    def synthesize(self, session: ISynthesisSession) -> None:
        for fragment in self.fragments:
            fragment.deferred = True
        try:
            self.inner.synthesize(session)
        finally:
            for fragment in self.fragments:
                fragment.deferred = False
        path = Path(session.outdir, self.folder, session.manifest.stack_file_name)
        config = json.loads(path.read_text(encoding="utf-8"))
        for fragment in self.fragments:
            if tfjson.overlaps(config, fragment.fragment):
                config = self._from_cdktf()
                break
            tfjson.merge(config, fragment.fragment)
        path.write_text(tfjson.stringify(config, compact_empty=ENGINE.compact_empty),
                        encoding="utf-8")

    def _from_cdktf(self) -> Any:
        """The stack's JSON merged by cdktf itself, in its order."""
        everywhere, Fragment.everywhere_deferred = Fragment.everywhere_deferred, False
        try:
            return self.stack.to_terraform()
        finally:
            Fragment.everywhere_deferred = everywhere


def synthesize(app: App) -> None:
    """app.synth(), with every Fragment's JSON written by its stack's Splice only: the
    same files, with fewer calls between Python and Node (what brickline's own app uses)."""
    Fragment.everywhere_deferred = True
    try:
        app.synth()
    finally:
        Fragment.everywhere_deferred = False


def path_of(construct: Construct) -> str:
    """construct.node.path, known in Python for the constructs brickline makes (a Node
    round trip saved each time)."""
    known = getattr(construct, "_brickline_path", None)
    return known if isinstance(known, str) else construct.node.path


@functools.cache
def _stacks_folder() -> str:
    return Manifest.STACKS_FOLDER


def _prefix(id: str) -> str:
    """A Terraform name may hold letters, digits, _ and -, and starts with a letter or _."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", id)
    return (name if name[:1].isalpha() or name[:1] == "_" else f"p_{name}") + "_"


def _load(path: str, target: str | None) -> tuple[PipelineSpec, StackPlan]:
    from brickline.spec.load import load_pipelines

    pipelines = load_pipelines([path])  # SpecError: every mistake, located
    if len(pipelines) != 1:
        names = ", ".join(sorted(p.name for p in pipelines)) or "none"
        raise PipelineError(f"{path} holds {len(pipelines)} pipelines ({names}): give "
                            "Pipeline the folder of one")
    (pipeline,) = pipelines
    targets = sorted(pipeline.settings.targets)
    if targets and target not in targets:
        raise PipelineError(f"pipeline '{pipeline.name}' has the targets {', '.join(targets)}"
                            f": pick one with target= (got {target!r})")
    if not targets and target is not None:
        raise PipelineError(f"pipeline '{pipeline.name}' has no targets; drop target=")
    return pipeline, plan_of(pipeline, target)
