"""brickline's command line: thin over spec, plan and constructs.

Exit codes: 0 ok; 1 the pipelines have errors; 2 the command was used wrongly; 70 a bug in
brickline (set BRICKLINE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from brickline.spec.diagnostics import SpecError, render

DEFAULT_PATHS = ("pipelines",)


def _fail(error: SpecError) -> None:
    click.echo(render(error.diagnostics), err=True)
    sys.exit(1)


def _paths(paths: Sequence[str]) -> list[str]:
    return list(paths) or list(DEFAULT_PATHS)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="brickline")
def cli() -> None:
    """Pipeline YAML to Terraform for Databricks, through CDK for Terraform."""


@cli.command()
@click.argument("paths", nargs=-1)
def validate(paths: tuple[str, ...]) -> None:
    """Check pipelines; print every mistake with file:line:col. PATHS default: pipelines/."""
    from brickline.spec.load import collect

    pipelines, diagnostics = collect(_paths(paths))
    if diagnostics:
        click.echo(render(diagnostics), err=True)
    if any(d.severity == "error" for d in diagnostics):
        sys.exit(1)
    jobs = sum(len(p.jobs) for p in pipelines)
    click.echo(f"OK: {len(pipelines)} pipeline{'s' * (len(pipelines) != 1)}, "
               f"{jobs} job{'s' * (jobs != 1)}")


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--outdir", default="cdktf.out", show_default=True,
              help="Where stacks/<stack>/cdk.tf.json go (as `cdktf synth` writes them).")
def synth(paths: tuple[str, ...], outdir: str) -> None:
    """Write the Terraform JSON of every pipeline, as `cdktf synth` does."""
    from brickline.app import build

    target = Path(outdir)
    target.parent.mkdir(parents=True, exist_ok=True)
    # everything is synthesized into a scratch folder first: a failure writes nothing
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".brickline-synth-") as tmp:
        try:
            app = build(_paths(paths), tmp)
        except SpecError as error:
            _fail(error)
        app.synth()  # type: ignore[attr-defined]
        written = []
        for file in sorted(Path(tmp).rglob("*")):
            if file.is_file():
                dest = target / file.relative_to(tmp)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(file, dest)
                written.append(dest)
    for dest in written:
        if dest.name == "cdk.tf.json":
            click.echo(str(dest))


@cli.command()
@click.argument("path")
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True)
def graph(path: str, fmt: str) -> None:
    """Print a pipeline's jobs, tasks and job edges as Mermaid or Graphviz DOT."""
    from brickline import graph as graphs
    from brickline.plan import plan
    from brickline.spec.load import load_pipelines

    try:
        pipelines = load_pipelines([path])
    except SpecError as error:
        _fail(error)
    for pipeline in pipelines:
        stack = plan(pipeline)
        click.echo(graphs.dot(stack) if fmt == "dot" else graphs.mermaid(stack), nl=False)


def main(argv: Sequence[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="brickline", standalone_mode=True)
    except Exception as exc:  # a bug, not a user mistake: short, with a way to see more
        if os.environ.get("BRICKLINE_DEBUG"):
            raise
        click.echo(f"brickline: internal error: {type(exc).__name__}: {exc}\n"
                   "Run again with BRICKLINE_DEBUG=1 for the traceback, and report it.",
                   err=True)
        sys.exit(70)


def synth_for_cdktf(paths: Sequence[str] | None = None) -> None:
    """main.py's body: `cdktf synth` runs it with CDKTF_OUTDIR set."""
    from brickline.app import build

    chosen = paths or os.environ.get("BRICKLINE_PIPELINES", "pipelines").split(os.pathsep)
    try:
        app = build(chosen)
    except SpecError as error:
        click.echo(render(error.diagnostics), err=True)
        sys.exit(1)
    app.synth()  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
