"""The cdktf app: every pipeline under the given paths, one stack each."""

from __future__ import annotations

from collections.abc import Sequence

from brickline.plan import plans
from brickline.spec.load import load_pipelines


def build(paths: Sequence[str], outdir: str | None = None) -> object:
    """Validate everything first (raises SpecError), then build the app; nothing is
    written unless every pipeline is valid."""
    pipelines = load_pipelines(paths)
    stacks = [stack for p in pipelines for stack in plans(p)]
    from brickline.constructs.stack import PipelineStack
    from brickline.constructs.tf import App

    app = App(outdir=outdir) if outdir else App()
    for stack_plan in sorted(stacks, key=lambda s: s.name):
        PipelineStack(app, plan=stack_plan)
    return app
