"""brickline's command line: thin over spec, plan and constructs.

Exit codes: 0 ok; 1 the pipelines have errors; 2 the command was used wrongly; 70 a bug in
brickline (set BRICKLINE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import gc
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from brickline.engine import EngineError
from brickline.spec.diagnostics import SpecError, render

DEFAULT_PATHS = ("pipelines",)


def _fail(error: SpecError) -> NoReturn:
    click.echo(render(error.diagnostics), err=True)
    sys.exit(1)


def _paths(paths: Sequence[str]) -> list[str]:
    return list(paths) or list(DEFAULT_PATHS)


def _version() -> str:
    from brickline.init import brickline_version

    return brickline_version()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="brickline")
def cli() -> None:
    """Pipeline YAML to Terraform for Databricks, through CDK for Terraform."""


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--deploy", is_flag=True,
              help="Also check that every stack is ready for a deploy from any machine: its "
              "Terraform state is in a remote backend, not in a local file.")
def validate(paths: tuple[str, ...], deploy: bool) -> None:
    """Check pipelines; print every mistake with file:line:col. PATHS default: pipelines/."""
    from brickline.spec.load import collect

    pipelines, diagnostics = collect(_paths(paths))
    if deploy and not any(d.severity == "error" for d in diagnostics):
        from brickline.spec import rules_state

        diagnostics = [*diagnostics, *rules_state.check(pipelines)]
    if diagnostics:
        click.echo(render(diagnostics), err=True)
    if any(d.severity == "error" for d in diagnostics):
        sys.exit(1)
    jobs = sum(len(p.jobs) for p in pipelines)
    stacks = sum(max(1, len(p.settings.targets)) for p in pipelines)
    extra = f" ({stacks} stacks)" if stacks != len(pipelines) else ""
    click.echo(f"OK: {len(pipelines)} pipeline{'s' * (len(pipelines) != 1)}{extra}, "
               f"{jobs} job{'s' * (jobs != 1)}" + (", state in remote backends" if deploy else ""))


@cli.command()
@click.argument("paths", nargs=-1)
def build(paths: tuple[str, ...]) -> None:
    """Build each artifact of the bundles under PATHS (wheels, JARs) as `databricks bundle
    deploy` builds them: its build command in its folder. Synth does not build; run this
    before `terraform plan`. PATHS default: pipelines/."""
    from brickline import build as builds

    found, problems = builds.steps(_paths(paths))
    if problems:
        click.echo(render(problems), err=True)
        sys.exit(1)
    if not found:
        click.echo("nothing to build: no bundle under these paths has artifacts")
        return
    for step in found:
        code = builds.run(step, lambda line: click.echo(line, err=True))
        if code != 0:
            click.echo(f"building {step.artifact} failed (exit {code})", err=True)
            sys.exit(1)
    click.echo(f"built {len(found)} artifact{'s' * (len(found) != 1)}")


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--outdir", default="cdktf.out", show_default=True,
              help="Where stacks/<stack>/cdk.tf.json go (as `cdktf synth` writes them).")
def synth(paths: tuple[str, ...], outdir: str) -> None:
    """Write the Terraform JSON of every pipeline, as `cdktf synth` does."""
    from brickline.app import synth as synthesize

    try:
        written = synthesize(_paths(paths), Path(outdir))
    except SpecError as error:
        _fail(error)
    for dest in written:
        click.echo(str(dest))


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True)
def graph(paths: tuple[str, ...], fmt: str) -> None:
    """Print the pipelines' jobs, tasks and job edges as Mermaid or Graphviz DOT. PATHS
    default: pipelines/."""
    from brickline import graph as graphs
    from brickline.plan import plan
    from brickline.spec.load import load_pipelines

    try:
        pipelines = load_pipelines(_paths(paths))
    except SpecError as error:
        _fail(error)
    for pipeline in pipelines:
        stack = plan(pipeline)
        click.echo(graphs.dot(stack) if fmt == "dot" else graphs.mermaid(stack), nl=False)


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--base", "base_ref", metavar="REF",
              help="The revision to compare with (a branch, tag or commit), e.g. origin/main.")
@click.option("--head", "head_ref", metavar="REF",
              help="The revision to review (default: the working tree, uncommitted changes "
              "included).")
@click.option("--base-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Compare existing synth outputs instead: the base's cdktf.out folder.")
@click.option("--head-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="... and the head's (both needed).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "text"]), default="markdown",
              show_default=True)
@click.option("--report-only", is_flag=True,
              help="Exit 0 even when something would be destroyed.")
def diff(paths: tuple[str, ...], base_ref: str | None, head_ref: str | None,
         base_dir: Path | None, head_dir: Path | None, fmt: str, report_only: bool) -> None:
    """Review a change offline: what it does to each pipeline, and anything Terraform would
    destroy. Exit 0 when safe, 2 when something would be destroyed."""
    from brickline.review import render
    from brickline.review.diff import OutputError, compare, load_stacks
    from brickline.review.revisions import RevisionError

    if base_dir is not None or head_dir is not None:
        if base_dir is None or head_dir is None or base_ref or head_ref:
            raise click.UsageError("give --base-dir with --head-dir, or --base REF")
        try:
            review = compare(load_stacks(base_dir), load_stacks(head_dir),
                             base_label=str(base_dir), head_label=str(head_dir))
        except OutputError as exc:
            raise click.UsageError(str(exc)) from None
    elif base_ref is None:
        raise click.UsageError("which revision to compare with? give --base REF "
                               "(e.g. --base origin/main)")
    else:
        try:
            review = _review_revisions(_paths(paths), base_ref, head_ref)
        except RevisionError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(render.markdown(review) if fmt == "markdown" else render.text(review), nl=False)
    if review.destroys and not report_only:
        sys.exit(2)


def _review_revisions(paths: Sequence[str], base_ref: str, head_ref: str | None) -> Any:
    import tempfile
    from contextlib import ExitStack

    from brickline import app
    from brickline.review import revisions
    from brickline.review.diff import compare, load_stacks

    repo = revisions.toplevel(Path.cwd())
    relative = revisions.relative_paths(repo, paths)
    base_sha, base_label = revisions.describe(repo, base_ref)
    with tempfile.TemporaryDirectory(prefix="brickline-diff-") as tmp, ExitStack() as trees:
        base = revisions.Side(trees.enter_context(revisions.checkout(repo, base_sha)),
                              Path(tmp) / "base", f"base {base_label}")
        sides = [base]
        head_dir, head_stacks = Path(tmp) / "head", None
        if head_ref is None:
            head_label = "working tree"
            # the working tree's own synth output, when it is current, is the head as is
            present = [str(repo / r) for r in relative if (repo / r).exists()]
            for candidate in (Path.cwd() / "cdktf.out", repo / "cdktf.out"):
                head_stacks = app.current_output(present, candidate) if present else None
                if head_stacks is not None:
                    head_dir = candidate
                    break
            else:
                sides.append(revisions.Side(repo, head_dir, "working tree"))
        else:
            head_sha, head_label = revisions.describe(repo, head_ref)
            sides.append(revisions.Side(trees.enter_context(revisions.checkout(repo, head_sha)),
                                        head_dir, f"head {head_label}"))
        try:
            revisions.synth_sides(sides, relative, app.synth)
        except revisions.SideError as error:
            click.echo(f"brickline: the pipelines of the {error.label} have errors:", err=True)
            _fail(SpecError(error.diagnostics))
        return compare(load_stacks(base.outdir), load_stacks(head_dir, head_stacks),
                       base_label=base_label, head_label=head_label)


@cli.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema here instead of printing it.")
@click.option("--check", is_flag=True,
              help="Exit 1 if the schema file is not current: the one -o names (a team's "
              ".vscode/brickline.schema.json), else the package's own copy.")
def schema(output: Path | None, check: bool) -> None:
    """The JSON Schema of pipeline files, for editors (yaml-language-server)."""
    from brickline.spec import schema as schemas

    text = schemas.text()
    if check:
        checked = output if output is not None else schemas.SCHEMA_FILE
        try:
            current = checked.read_text(encoding="utf-8") == text
        except FileNotFoundError:
            click.echo(f"brickline: {checked} does not exist: write it with `brickline schema "
                       f"-o {checked}`", err=True)
            sys.exit(1)
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"brickline: cannot read {checked}: {exc}", err=True)
            sys.exit(1)
        if not current:
            click.echo(f"brickline: {checked} is stale (this is brickline "
                       f"{_version()}): run `brickline schema -o {checked}`", err=True)
            sys.exit(1)
        click.echo(f"{checked} is current")
    elif output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(f"brickline: cannot write {output}: {exc.strerror}", err=True)
            sys.exit(1)
        click.echo(str(output))
    else:
        click.echo(text, nl=False)


@cli.command("plan-report")
@click.argument("plan_json", type=click.File("r", encoding="utf-8"))
@click.option("--format", "fmt", type=click.Choice(["markdown", "text"]), default="markdown",
              show_default=True)
@click.option("--report-only", is_flag=True,
              help="Exit 0 even when something would be destroyed or replaced.")
def plan_report(plan_json: Any, fmt: str, report_only: bool) -> None:
    """Summarize `terraform show -json PLANFILE` output (use - for stdin) for a review;
    exit 2 when something would be destroyed or replaced."""

    from brickline.review import plan_report as pr

    try:
        rep = pr.report(json.load(plan_json))
    except (ValueError, pr.PlanError) as exc:
        click.echo(f"brickline: {plan_json.name}: {exc}", err=True)
        sys.exit(1)
    click.echo(pr.markdown(rep) if fmt == "markdown" else pr.text(rep), nl=False)
    if rep.destroys and not report_only:
        sys.exit(2)


def _stack(pipeline: str, paths: Sequence[str], target: str | None) -> Any:
    """The plan of the pipeline named `pipeline` among those under `paths`, for `target`."""
    from brickline.plan import plan
    from brickline.spec.load import load_pipelines

    as_path = Path(pipeline)
    try:
        # PIPELINE is a name among PATHS, or the folder of one (a bundle root too)
        pipelines = load_pipelines([pipeline] if as_path.is_dir() else _paths(paths))
    except SpecError as error:
        _fail(error)
    found = [p for p in pipelines if p.name == pipeline or (
        as_path.is_dir() and len(pipelines) == 1)]
    if not found:
        names = ", ".join(sorted(p.name for p in pipelines)) or "none"
        raise click.UsageError(f"no pipeline named '{pipeline}' (found: {names})")
    targets = sorted(found[0].settings.targets)
    if targets and target is not None and target not in targets:
        raise click.UsageError(f"unknown target '{target}' of pipeline '{pipeline}': its "
                               f"targets are {', '.join(targets)}")
    if targets and target is None and found[0].bundle is not None:
        from brickline.spec.bundle import base_target

        target = base_target(found[0].bundle)  # the bundle's default, as the CLI picks it
    if targets and target not in targets:
        raise click.UsageError(f"pipeline '{pipeline}' has the targets {', '.join(targets)}: "
                               "pick one with --target")
    if not targets and target is not None:
        raise click.UsageError(f"pipeline '{pipeline}' has no targets (so no '{target}'); "
                               "drop --target")
    return plan(found[0], target)


def _orchestrator_name(stack: Any) -> str:
    """The orchestrator job's name; a usage error (exit 2, like an unknown pipeline) when
    no job runs from an orchestrator, before connecting to anything."""
    from brickline.ops import runs

    if stack.orchestrator is None:
        raise click.UsageError(runs.no_orchestrator(stack))
    return str(stack.orchestrator.name)


def _ops_error(exc: Exception) -> NoReturn:
    click.echo(f"brickline: {exc}", err=True)
    sys.exit(1)


_pipelines_option = click.option(
    "--pipelines", "paths", multiple=True, metavar="PATH",
    help="Where the pipelines are (repeatable). Default: pipelines/.")
_target_option = click.option(
    "--target", "-t", default=None, help="The target (for a pipeline with targets).")
_profile_option = click.option(
    "--profile", default=None, help="Profile of ~/.databrickscfg (default: the standard "
    "Databricks auth: DATABRICKS_HOST/DATABRICKS_TOKEN, DEFAULT profile, OAuth...).")


def _limits_options(func: Any) -> Any:
    func = click.option(
        "--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
        metavar="SECONDS", help="Give up when Databricks does not answer within about this "
        "long (each request gets a quarter of it, retries included).")(func)
    # the pause between two looks at a run: 1 s growing to 5 s unless set (the tests set it)
    return click.option("--poll-interval", type=click.FloatRange(min=0), default=None,
                        hidden=True)(func)


def _connect(stack: Any, profile: str | None, timeout: float,
             poll_interval: float | None) -> Any:
    from brickline import ops

    limits = ops.Limits(timeout=timeout, poll=poll_interval)
    try:
        return ops.connect(profile=profile, host=stack.host if stack is not None else None,
                           limits=limits)
    except ops.OpsError as exc:
        _ops_error(exc)


def _command(verb: str, pipeline: str, target: str | None, paths: Sequence[str],
             profile: str | None, *extra: str) -> str:
    """A brickline command line for the same pipeline, target, paths and profile."""
    import shlex

    words = ["brickline", verb, pipeline]
    words += ["--target", target] if target else []
    for path in paths:
        words += ["--pipelines", path]
    words += ["--profile", profile] if profile else []
    return shlex.join([*words, *extra])


def _next_recover(pipeline: str, target: str | None, paths: Sequence[str],
                  profile: str | None, run_id: int | None) -> str:
    return _command("recover", pipeline, target, paths, profile,
                    *(["--run-id", str(run_id)] if run_id is not None else []))


def _live_terminal() -> bool:
    """A redrawn table only on an interactive terminal; plain lines when piped or in CI."""
    stream = sys.stdout
    ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    return stream.isatty() and os.environ.get("TERM") != "dumb" and not ci


def _watch(session: Any, poll: Any, *, goes_on: str, next_command: str | None,
           errors: Any = None) -> NoReturn:
    """Follow to the end; exit 0 when it succeeded, 1 when not (with what failed and the
    command to run next), 130 on Ctrl-C (which stops the watching, not the run)."""
    from brickline import ops

    if _live_terminal():
        from rich.console import Console

        view: Any = ops.LiveTable(Console(file=sys.stdout))
    else:
        view = ops.Lines(click.echo)
    try:
        with session.calls():
            final = ops.follow(poll, view, limits=session.limits)
            details = errors(final) if errors is not None and not final.ok else {}
    except KeyboardInterrupt:
        view.close()
        click.echo(f"brickline: stopped watching; {goes_on}", err=True)
        sys.exit(130)
    except ops.OpsError as exc:
        view.close()
        _ops_error(ops.OpsError(f"{exc} (stopped watching; {goes_on})"))
    view.close()
    for text in ops.summary(final, details, None if final.ok else next_command):
        click.echo(text)
    sys.exit(0 if final.ok else 1)


def _attach_command(pipeline: str, target: str | None, paths: Sequence[str],
                    profile: str | None, run_id: int) -> str:
    return _command("run", pipeline, target, paths, profile, "--attach", str(run_id))


@cli.command()
@click.argument("pipeline", required=False)
@click.option("--job", "job_name", default=None, metavar="NAME",
              help="Run only this job of the pipeline (its name or key), with the "
              "pipeline's run_key, so its status rows join that run's.")
@click.option("--attach", "attach_id", type=int, default=None, metavar="RUN_ID",
              help="Follow a run that is already going (after Ctrl-C or --no-wait), of the "
              "orchestrator or of one of the pipeline's jobs; start nothing.")
@click.option("--run-key", default=None,
              help="The run_key job parameter, for an orchestrator that declares one "
              "(brickline's declares none: the run's key is orchestrator.run_key).")
@click.option("--no-wait", is_flag=True, help="Start the run and return at once.")
@_target_option
@_pipelines_option
@_profile_option
@_limits_options
def run(pipeline: str | None, job_name: str | None, attach_id: int | None, run_key: str | None,
        no_wait: bool, target: str | None, paths: tuple[str, ...], profile: str | None,
        timeout: float, poll_interval: float | None) -> None:
    """Start the pipeline (its orchestrator job), or one job of it (--job), and follow the
    run to its end: exit 0 when it succeeded, 1 when it failed (naming the failed jobs,
    their errors and the command to run next). Ctrl-C stops the watching, not the run;
    --attach RUN_ID follows it again."""
    from brickline import ops
    from brickline.ops import runs

    if attach_id is not None and (job_name or run_key or no_wait):
        raise click.UsageError("--attach follows a run that exists: it takes no --job, "
                               "--run-key or --no-wait")
    if pipeline is None:
        if attach_id is None:
            raise click.UsageError("which pipeline? brickline run PIPELINE (or --attach "
                                   "RUN_ID to follow a run that is going)")
        pipeline, target = _pipeline_of_run(attach_id, paths, target, profile, timeout,
                                            poll_interval)
    stack = _stack(pipeline, paths, target)
    job = None
    if job_name is not None:
        try:
            job = runs.find_job(stack, job_name)
        except ops.OpsError as exc:
            raise click.UsageError(str(exc)) from None
    elif attach_id is None:
        _orchestrator_name(stack)
    session = _connect(stack, profile, timeout, poll_interval)
    found = None
    try:
        with session.calls():
            if attach_id is not None:
                first = runs.read(session.ws, attach_id)
                found = runs.attach(first, stack)
                if found is None:
                    raise ops.OpsError(
                        f"run {attach_id} is not a run of pipeline '{pipeline}' (neither its "
                        f"orchestrator nor one of its jobs): it is a run of "
                        f"{first.get('run_name') or 'job ' + str(first.get('job_id'))}")
                run_id = attach_id
            else:
                started = (runs.start_job(session.ws, stack, job, run_key=run_key) if job
                           else runs.start(session.ws, stack, run_key=run_key))
                run_id = started.run_id
                first = runs.read(session.ws, run_id)
    except ops.OpsError as exc:
        _ops_error(exc)
    if found is not None:
        title, names, job, repair_id = found.title, found.names, found.job, found.repair_id
        if repair_id is not None:
            title += f", repair {repair_id}"
    elif job is not None:
        title, names, repair_id = f"run {run_id} of '{job.settings['name']}'", \
            runs.task_names(job), None
    else:
        title, names, repair_id = f"run {run_id} of '{_orchestrator_name(stack)}'", \
            runs.job_names(stack), None
    again = _attach_command(pipeline, target, paths, profile, run_id)
    if no_wait:
        click.echo(f"started {title}: {first.get('run_page_url') or '(no run page url)'}")
        click.echo(f"follow it with: {again}")
        return
    apart = runs.apart(stack) if job is None else ()
    latest = {"run": first}
    looks = [first]  # the first look is the one just read

    def poll() -> Any:
        latest["run"] = looks.pop() if looks else runs.read(session.ws, run_id)
        return runs.snapshot(latest["run"], names, title=title, apart=apart,
                             repair_id=repair_id)

    if job is not None:
        key = run_key or runs.run_key_of(first)
        next_command = _next_job_run(pipeline, target, paths, profile, job.name, key)
        errors = lambda final: runs.task_failures(session.ws, latest["run"])  # noqa: E731
    else:
        next_command = _next_recover(pipeline, target, paths, profile, run_id)
        errors = lambda final: runs.failures(session.ws, latest["run"], final.jobs)  # noqa: E731
    _watch(session, poll, goes_on=f"{title} goes on (it was not cancelled); follow it again "
           f"with: {again}", next_command=next_command, errors=errors)


def _pipeline_of_run(run_id: int, paths: Sequence[str], target: str | None,
                     profile: str | None, timeout: float,
                     poll_interval: float | None) -> tuple[str, str | None]:
    """`run --attach RUN_ID` without a pipeline: the pipeline (and target) whose
    orchestrator or job the run belongs to, among those under --pipelines, asked of the
    workspace the standard auth (or --profile) names."""
    from brickline import ops
    from brickline.app import stacks_of
    from brickline.ops import runs

    try:
        stacks = stacks_of(_paths(paths))
    except SpecError as error:
        _fail(error)
    session = _connect(None, profile, timeout, poll_interval)
    try:
        with session.calls():
            first = runs.read(session.ws, run_id)
    except ops.OpsError as exc:
        _ops_error(exc)
    found = [s for s in stacks if (target is None or s.target == target)
             and runs.attach(first, s) is not None]
    if len(found) != 1:
        what = first.get("run_name") or f"job {first.get('job_id')}"
        raise click.UsageError(
            f"run {run_id} is a run of {what}, " + (
                "which is no job of the pipelines under " + ", ".join(_paths(paths))
                if not found else "a job of several pipelines or targets ("
                + ", ".join(s.name for s in found) + ")") + ": name the pipeline (and --target)")
    return found[0].pipeline or found[0].name, found[0].target


def _next_job_run(pipeline: str, target: str | None, paths: Sequence[str],
                  profile: str | None, job: str, run_key: str | None) -> str:
    return _command("run", pipeline, target, paths, profile, "--job", job,
                    *(["--run-key", run_key] if run_key else []))


@cli.command()
@click.argument("pipeline")
@click.option("--run-id", type=int, default=None,
              help="The orchestrator run to repair (default: its latest run).")
@click.option("--dry-run", is_flag=True, help="Print what would run again; change nothing.")
@click.option("--no-wait", is_flag=True, help="Start the repair and return at once.")
@_target_option
@_pipelines_option
@_profile_option
@_limits_options
def recover(pipeline: str, run_id: int | None, dry_run: bool, no_wait: bool,
            target: str | None, paths: tuple[str, ...], profile: str | None, timeout: float,
            poll_interval: float | None) -> None:
    """Repair the orchestrator's latest failed run: only the failed jobs, and the jobs
    after them, run again, with the same run_key. Follows the repair to its end (exit 0
    when the pipeline then succeeded, 1 when not)."""
    from brickline import ops
    from brickline.ops import runs

    stack = _stack(pipeline, paths, target)
    _orchestrator_name(stack)
    session = _connect(stack, profile, timeout, poll_interval)
    try:
        with session.calls():
            result = runs.recover(session.ws, stack, run_id=run_id, dry_run=dry_run)
    except ops.OpsError as exc:
        _ops_error(exc)
    click.echo(result.message)
    for rerun in result.reruns:
        click.echo(f"  {'would re-run' if dry_run else 're-runs'} {rerun.job_name} "
                   f"(task {rerun.task_key}: {rerun.state})")
    if result.run_url:
        click.echo(f"  {result.run_url}")
    if result.repair_id is None or no_wait:
        return
    names = runs.job_names(stack)
    repair_id = result.repair_id
    title = f"run {result.run_id} of '{result.orchestrator}', repair {repair_id}"
    latest = {"run": result.run}
    missing = [0]  # looks that did not show the repair

    def poll() -> Any:
        latest["run"] = runs.read(session.ws, result.run_id)
        if runs.repair_item(latest["run"], repair_id) is None:
            missing[0] += 1
        return runs.snapshot(latest["run"], names, title=title, repair_id=repair_id,
                             repair_must_show=missing[0] < runs.REPAIR_PATIENCE,
                             apart=runs.apart(stack))

    _watch(session, poll, goes_on=f"the repair of run {result.run_id} goes on (it was not "
           "cancelled)",
           next_command=_next_recover(pipeline, target, paths, profile, result.run_id),
           errors=lambda final: runs.failures(session.ws, latest["run"], final.jobs))


@cli.command()
@click.argument("pipeline")
@click.option("--run-key", default=None, help="The run to show (default: the latest).")
@click.option("--warehouse-id", default=None,
              help="SQL warehouse for the query (default: metadata.warehouse_id, or "
              "TF_VAR_<name> when it is a variable).")
@click.option("--watch", is_flag=True,
              help="Keep showing the run until the orchestrator has no active run (exit 1 "
              "if a job failed).")
@_target_option
@_pipelines_option
@_profile_option
@_limits_options
def status(pipeline: str, run_key: str | None, warehouse_id: str | None, watch: bool,
           target: str | None, paths: tuple[str, ...], profile: str | None, timeout: float,
           poll_interval: float | None) -> None:
    """Print the latest status of each job of one pipeline run, from the job_status view."""
    from brickline import ops
    from brickline.ops import log, runs

    stack = _stack(pipeline, paths, target)
    orchestrator = _orchestrator_name(stack) if watch else ""
    try:
        warehouse = log.warehouse_for(stack.table.settings["warehouse_id"], warehouse_id)
    except ops.OpsError as exc:
        _ops_error(exc)
    session = _connect(stack, profile, timeout, poll_interval)
    if watch:
        try:
            with session.calls():
                job_id = runs.orchestrator_id(session.ws, orchestrator, takes_run_id=False)
        except ops.OpsError as exc:
            _ops_error(exc)

        def poll() -> Any:
            # the orchestrator is asked first: rows read after it ended are final
            active = runs.active_run(session.ws, job_id)
            rows = log.status(session.ws, stack, warehouse_id=warehouse, run_key=run_key,
                              limits=session.limits)
            return log.snapshot(rows, stack, over=active is None)

        again = _command("status", pipeline, target, paths, profile, "--watch")
        _watch(session, poll, goes_on=f"the run goes on; follow it again with: {again}",
               next_command=_next_recover(pipeline, target, paths, profile, None))
    try:
        with session.calls():
            rows = log.status(session.ws, stack, warehouse_id=warehouse, run_key=run_key,
                              limits=session.limits)
            # a run the log shows in progress may have ended without logging (a cancel)
            rows = log.reconcile(session.ws, rows)
    except ops.OpsError as exc:
        _ops_error(exc)
    if not rows:
        click.echo(f"no runs of '{pipeline}' logged" + (f" for run_key {run_key}" if run_key
                                                        else ""))
        return
    click.echo(f"{pipeline}  run_key {rows[0].get('run_key')}")
    click.echo(log.table(rows, log.STATUS_COLUMNS))


# --- deploy, destroy, summary ---------------------------------------------------------------

def _chosen_stacks(pipeline: str | None, paths: Sequence[str], target: str | None, *,
                   state_check: bool) -> list[Any]:
    """The stacks (plans) of the named pipeline (all pipelines without one) and target (all
    targets without one), after validating everything as `validate` does; with
    `state_check`, as `validate --deploy` does for those stacks: a stack whose Terraform
    state is a local file is refused (spec/rules_state.py)."""
    from brickline.plan import plans
    from brickline.spec import rules_state
    from brickline.spec.load import collect

    loaded, diagnostics = collect(_paths(paths))
    if any(d.severity == "error" for d in diagnostics):
        _fail(SpecError(diagnostics))
    chosen = [p for p in loaded if pipeline is None or p.name == pipeline]
    if pipeline is not None and not chosen:
        names = ", ".join(sorted(p.name for p in loaded)) or "none"
        raise click.UsageError(f"no pipeline named '{pipeline}' (found: {names})")
    stacks = [s for p in chosen for s in plans(p) if target is None or s.target == target]
    if target is not None and not stacks:
        known = sorted({t for p in chosen for t in p.settings.targets})
        raise click.UsageError(f"no target '{target}'" + (f" in pipeline '{pipeline}'"
                                                          if pipeline else "")
                               + (f": the targets are {', '.join(known)}" if known else
                                  ": the pipelines have no targets; drop --target"))
    if state_check:
        chosen_names = {s.name for s in stacks}
        # rules_state words each finding "stack '<name>' keeps its Terraform state in ..."
        problems = [d for d in rules_state.check(chosen)
                    if any(d.message.startswith(f"stack '{n}' ") for n in chosen_names)]
        diagnostics = [*diagnostics, *problems]
    if diagnostics:
        click.echo(render(diagnostics), err=True)
    if any(d.severity == "error" for d in diagnostics):
        sys.exit(1)
    if state_check:
        _one_state_each([s for p in loaded for s in plans(p)], {s.name for s in stacks})
    return stacks


def _one_state_each(everything: Sequence[Any], chosen: set[str]) -> None:
    """Two stacks with the same remote backend settings share one state: applying one
    plans the other's resources for destruction (each stack's configuration lacks them).
    A chosen stack may share its state with no other stack."""
    by_state: dict[str, list[str]] = {}
    for stack in everything:
        if stack.backend is not None:
            key = json.dumps(stack.backend, sort_keys=True)
            by_state.setdefault(key, []).append(stack.name)
    shared = [names for names in by_state.values() if len(names) > 1 and chosen & set(names)]
    if shared:
        click.echo("brickline: " + "; ".join(
            f"stacks {', '.join(names)} keep their Terraform state in the same place "
            f"({json.loads(key)[0]} {json.loads(key)[1]})" for key, names in by_state.items()
            if names in shared) + ": deploying one would destroy what the other deployed. "
            "Give each target a backend of its own (pipeline.targets.<t>.backend, another "
            "key or prefix)", err=True)
        sys.exit(1)


def _synthesized(stacks: Sequence[Any], paths: Sequence[str], outdir: Path,
                 profile: str | None) -> list[Any]:
    """The synthesized folders of `stacks` (synthesized now unless `outdir` is the current
    output of the pipelines)."""
    from brickline import app
    from brickline.ops import terraform

    current = app.current_output(_paths(paths), outdir)
    if current is None or not {s.name for s in stacks} <= set(current):
        try:
            app.synth(_paths(paths), outdir)
        except SpecError as error:
            _fail(error)
    return [terraform.Stack(s.name, outdir / "stacks" / s.name, profile) for s in stacks]


def _who(stacks: Sequence[Any], profile: str | None, timeout: float) -> None:
    """Before any Terraform call: each workspace answers, and says who deploys."""
    from brickline import ops

    for host in sorted({s.host or "" for s in stacks}):
        try:
            session = ops.connect(profile=profile, host=host or None,
                                  limits=ops.Limits(timeout=timeout))
            with session.calls():
                me = session.ws.current_user.me()
        except ops.OpsError as exc:
            _ops_error(exc)
        click.echo(f"workspace {session.host}, as {me.user_name or me.display_name or me.id}")


def _variables_given(stacks: Sequence[Any]) -> None:
    from brickline.ops import terraform

    missing = {s.name: terraform.missing_variables(s) for s in stacks}
    lines = [f"stack '{name}' needs {', '.join(f'TF_VAR_{v}' for v in names)}"
             for name, names in missing.items() if names]
    if lines:
        click.echo("brickline: variables without a value (Terraform would stop at the first "
                   "one): " + "; ".join(lines) + ". Set them in the environment "
                   "(a repository secret each, in CI)", err=True)
        sys.exit(1)


def _confirm(question: str, answer: str) -> bool:
    try:
        given = click.prompt(f"{question} Only '{answer}' is taken", default="",
                             show_default=False)
    except click.Abort:
        return False
    return bool(given.strip() == answer)


def _print_summary(stack: Any, folder: Any) -> None:
    from brickline import ops
    from brickline.ops import terraform

    try:
        jobs = terraform.deployed_jobs(stack, terraform.outputs(folder))
    except ops.OpsError as exc:
        _ops_error(exc)
    if not any(j.job_id for j in jobs):
        click.echo(f"{stack.name}: nothing deployed (its state has no job outputs)")
        return
    click.echo(f"{stack.name}:")
    width = max(len(j.name) for j in jobs)
    for job in jobs:
        where = f"{job.job_id}  {job.url or ''}".rstrip() if job.job_id else "not deployed"
        click.echo(f"  {job.name:<{width}}  {where}")


_outdir_option = click.option(
    "--outdir", default="cdktf.out", show_default=True, type=click.Path(path_type=Path),
    help="Where the stacks are synthesized (stacks/<stack>/cdk.tf.json), as `cdktf synth`.")
_approve_option = click.option(
    "--auto-approve", is_flag=True, help="Apply without asking (CI); the plan is still shown.")
_timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True,
    metavar="SECONDS", help="How long to wait for the workspace to answer brickline's own "
    "calls (Terraform's are Terraform's).")


@cli.command()
@click.argument("pipeline", required=False)
@_target_option
@_pipelines_option
@_outdir_option
@_approve_option
@_profile_option
@_timeout_option
def deploy(pipeline: str | None, target: str | None, paths: tuple[str, ...], outdir: Path,
           auto_approve: bool, profile: str | None, timeout: float) -> None:
    """Deploy the pipeline (every pipeline without PIPELINE; every target without --target)
    the safe way: validate --deploy (state in a remote backend), synth, terraform init and
    plan of each stack, the plan in the review's words (destroys and replacements loudly),
    a confirmation unless --auto-approve, then apply of exactly that plan, and each job's
    URL."""
    from brickline import ops
    from brickline.ops import terraform
    from brickline.review import plan_report

    stacks = _chosen_stacks(pipeline, paths, target, state_check=True)
    folders = _synthesized(stacks, paths, outdir, profile)
    _variables_given(folders)
    _who(stacks, profile, timeout)
    planned = []
    try:
        for i, folder in enumerate(folders, 1):
            click.echo(f"planning stack {folder.name} ({i} of {len(folders)})")
            terraform.init(folder)
            plan = terraform.plan(folder)
            rep = plan_report.report(plan)
            if terraform.has_changes(plan):
                planned.append((folder, rep))
                click.echo("  " + plan_report.text(rep).rstrip("\n").replace("\n", "\n  "))
            else:
                click.echo("  no changes")
    except (ops.OpsError, plan_report.PlanError) as exc:
        _ops_error(exc)
    if planned:
        lost = [d for _, rep in planned for d in rep.destroys]
        if lost:
            click.echo(f"!! {len(lost)} resource(s) would be destroyed or replaced (listed "
                       "with !! above)" + (", some holding data" if any(d.data_loss for d in lost)
                                           else ""))
        if not auto_approve and not _confirm(
                f"Apply the plan of {', '.join(f.name for f, _ in planned)}?", "yes"):
            click.echo("brickline: nothing applied", err=True)
            sys.exit(1)
        try:
            for i, (folder, _) in enumerate(planned, 1):
                click.echo(f"applying stack {folder.name} ({i} of {len(planned)})")
                terraform.apply(folder, lambda line: click.echo(f"  {line}" if line else ""))
        except ops.OpsError as exc:
            _ops_error(exc)
    else:
        click.echo("nothing to apply: every stack is as planned")
    for stack, folder in zip(stacks, folders, strict=True):
        _print_summary(stack, folder)


@cli.command()
@click.argument("pipeline")
@_target_option
@_pipelines_option
@_outdir_option
@click.option("--delete-status-log", "delete_log", metavar="TABLE", default=None,
              help="Also delete the status log table and every row in it: name the table "
              "(catalog.schema.name). Without it, a stack that holds the table is not "
              "destroyed.")
@_approve_option
@_profile_option
@_timeout_option
def destroy(pipeline: str, target: str | None, paths: tuple[str, ...], outdir: Path,
            delete_log: str | None, auto_approve: bool, profile: str | None,
            timeout: float) -> None:
    """Destroy one stack of a pipeline (its jobs, the orchestrator and everything else it
    created), after showing the plan and a confirmation. A stack that holds the status log
    table is refused unless --delete-status-log names that table."""
    from brickline.ops import terraform

    stacks = _chosen_stacks(pipeline, paths, target, state_check=False)
    if len(stacks) != 1:
        raise click.UsageError(f"pipeline '{pipeline}' has {len(stacks)} stacks "
                               f"({', '.join(s.name for s in stacks)}): destroy one at a "
                               "time, with --target")
    (stack,) = stacks
    (folder,) = _synthesized(stacks, paths, outdir, profile)
    _variables_given([folder])
    _who(stacks, profile, timeout)
    table = stack.table.settings
    table_name = f"{table['catalog_name']}.{table['schema_name']}.{table['name']}"
    table_address = f"{terraform.TABLE_TYPE}.{stack.table.address}"
    synthesized = (folder.folder / "cdk.tf.json").read_bytes()
    try:
        _destroy(stack, folder, target, delete_log, table_name, table_address, auto_approve)
    finally:  # the stack's JSON as synthesized again (prevent_destroy back on the table)
        (folder.folder / "cdk.tf.json").write_bytes(synthesized)


def _destroy(stack: Any, folder: Any, target: str | None, delete_log: str | None,
             table_name: str, table_address: str, auto_approve: bool) -> None:
    from brickline import ops
    from brickline.ops import terraform
    from brickline.review import plan_report

    pipeline = stack.pipeline or stack.name
    try:
        terraform.init(folder)
        held = terraform.state_addresses(folder)
        if table_address in held:
            if delete_log is None:
                _ops_error(ops.OpsError(
                    f"stack '{stack.name}' holds the status log {table_name}: destroying it "
                    "deletes the table and every row logged in it (the table is protected "
                    "by prevent_destroy for this reason). Nothing was changed. To delete it "
                    f"all the same: brickline destroy {pipeline}"
                    + (f" --target {target}" if target else "")
                    + f" --delete-status-log {table_name}"))
            if delete_log != table_name:
                raise click.UsageError(f"--delete-status-log {delete_log}: the status log of "
                                       f"stack '{stack.name}' is {table_name}; name it exactly")
            terraform.without_prevent_destroy(folder, table_address)
        if not held:
            click.echo(f"stack '{stack.name}' holds nothing (its state is empty): nothing to "
                       "destroy")
            return
        plan = terraform.plan(folder, destroy=True)
        rep = plan_report.report(plan)
    except (ops.OpsError, plan_report.PlanError) as exc:
        _ops_error(exc)
    click.echo(plan_report.text(rep).rstrip("\n"))
    if not auto_approve and not _confirm(
            f"Destroy every resource of stack '{stack.name}' listed above? Type the stack's "
            "name to go on.", stack.name):
        click.echo("brickline: nothing destroyed", err=True)
        sys.exit(1)
    try:
        click.echo(f"destroying stack {stack.name}")
        terraform.apply(folder, lambda line: click.echo(f"  {line}" if line else ""))
    except ops.OpsError as exc:
        _ops_error(exc)
    click.echo(f"stack '{stack.name}' destroyed")


@cli.command()
@click.argument("pipeline", required=False)
@_target_option
@_pipelines_option
@_outdir_option
@_profile_option
def summary(pipeline: str | None, target: str | None, paths: tuple[str, ...],
            outdir: Path, profile: str | None) -> None:
    """Every deployed job of the pipeline (every pipeline without PIPELINE) with its id and
    URL, from each stack's Terraform outputs (its state)."""
    from brickline import ops
    from brickline.ops import terraform

    stacks = _chosen_stacks(pipeline, paths, target, state_check=False)
    folders = _synthesized(stacks, paths, outdir, profile)
    for stack, folder in zip(stacks, folders, strict=True):
        try:
            terraform.init(folder)
        except ops.OpsError as exc:
            _ops_error(exc)
        _print_summary(stack, folder)


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pipeline", "pipeline_name", default="example", show_default=True,
              help="Name of the example pipeline (its folder under pipelines/).")
@click.option("--wheel", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The brickline wheel to keep in the repository (vendor/). Default: the "
              "wheel file this brickline was installed from, if it was.")
def init(folder: Path, pipeline_name: str, wheel: Path | None) -> None:
    """Set up FOLDER (default: here) as a repository of pipelines deployed with brickline:
    cdktf.json, main.py, package.json, requirements.txt (with the brickline wheel in
    vendor/), pipelines/<name>/, the GitHub workflows, the editor schema, a README section.
    Overwrites nothing."""
    from brickline import init as scaffold

    try:
        install = scaffold.install_source(wheel)
        planned = scaffold.files(folder, pipeline_name, install)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    taken = scaffold.conflicts(folder, planned)
    if taken:
        raise click.UsageError(f"these files exist in {folder}, and init overwrites nothing: "
                               + ", ".join(taken))
    scaffold.write(folder, planned)
    for item in planned:
        click.echo(f"{'appended to' if item.append else 'wrote'} {item.path}")
    if install.note:
        click.echo(f"note: {install.note}", err=True)
    click.echo("next: python3 -m venv .venv && .venv/bin/pip install -r requirements.txt, "
               "then .venv/bin/brickline validate and .venv/bin/brickline synth (or npm "
               "install and npx cdktf synth: cdktf.json runs .venv/bin/python)")


def _ids_by_name(ws: Any, names: Sequence[str], pattern: str | None) -> list[int]:
    from brickline import importer

    ids: list[int] = []
    for name in names:
        found = importer.ids_named(ws, name)
        if len(found) != 1:
            _ops_error(ValueError(
                f"no job named {name!r}" if not found else
                f"{len(found)} jobs are named {name!r} (ids {', '.join(map(str, found))}): "
                "import the one you mean by its id"))
        ids += found
    if pattern is not None:
        matched = importer.ids_matching(ws, pattern)
        if not matched:
            _ops_error(ValueError(f"no job name matches {pattern!r}"))
        ids += matched
    return ids


@cli.command("import")
@click.argument("job_ids", nargs=-1, type=int)
@click.option("--name", "names", multiple=True, metavar="NAME",
              help="Import the job of this name (repeatable).")
@click.option("--all-matching", "pattern", metavar="REGEX",
              help="Import every job whose name matches this regular expression.")
@click.option("--pipeline", "target_path", required=True, metavar="PATH",
              type=click.Path(path_type=Path),
              help="The pipeline folder to write jobs.yml into (added to, when it exists), "
              "a .yml file to write, or a bundle root (databricks.yml): a "
              "resources/<key>.job.yml per job, as `databricks bundle generate job` writes.")
@click.option("--force", is_flag=True, help="Replace the file instead of adding to it.")
@_profile_option
@_timeout_option
def import_jobs(job_ids: tuple[int, ...], names: tuple[str, ...], pattern: str | None,
                target_path: Path, force: bool, profile: str | None, timeout: float) -> None:
    """Write existing jobs (by id or --name) as pipeline YAML; each keeps its id
    (import_id), so the first deploy adopts the job instead of creating a second one, and
    deploys it as it runs today: values the pipeline's defaults would change are written
    out, and whatever else the pipeline or a target changes in it is said."""
    from databricks.sdk.errors.base import DatabricksError

    from brickline import importer, ops

    if not job_ids and not names and not pattern:
        raise click.UsageError("give job ids, --name NAME or --all-matching REGEX")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.UsageError(f"--all-matching: bad regular expression: {exc}") from None
    from brickline.spec import bundle

    if target_path.is_dir() and bundle.root_file(target_path)[0] is not None:
        _import_into_bundle(job_ids, names, pattern, target_path, force, profile, timeout)
        return
    single = target_path.suffix in (".yml", ".yaml")
    file = target_path if single else target_path / "jobs.yml"
    adding = file.exists() and not force
    pipeline_files = ([file] if file.exists() else []) if single else sorted(
        [*file.parent.glob("*.yml"), *file.parent.glob("*.yaml")])
    has = importer.existing([f for f in pipeline_files if not (force and f == file)])
    try:
        session = ops.connect(profile=profile, limits=ops.Limits(timeout=timeout))
        with session.calls():
            ids = [*job_ids, *_ids_by_name(session.ws, names, pattern)]
            payloads = importer.fetch(session.ws, sorted(set(ids)))
        again = sorted(i for i in set(ids) if i in has.import_ids)
        if again:
            raise importer.NotImportable(
                "already in the pipeline: " + ", ".join(
                    f"job {i} ({has.import_ids[i]})" for i in again))
        result = importer.pipeline_yaml(payloads, with_settings=not has.settled,
                                        defaults=has.defaults, taken=has.keys)
        clash = sorted(set(result.names) & has.names)
        if clash:
            raise importer.NotImportable(
                f"the pipeline has a job named {', '.join(map(repr, clash))} already: import "
                "into another pipeline, or rename one of them")
        text = result.text
        if adding:
            try:
                text = importer.appended(file.read_text(encoding="utf-8"), result)
            except ValueError as exc:
                raise importer.NotImportable(
                    f"cannot add the jobs to {file}: {exc}; import into another file "
                    "(--pipeline FOLDER/other.yml), or --force to replace it") from None
    except (ops.OpsError, importer.NotImportable, DatabricksError, OSError) as exc:
        _ops_error(exc)
    file.parent.mkdir(parents=True, exist_ok=True)
    # written whole or not at all
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=file.parent, suffix=".tmp",
                                     delete=False) as out:
        out.write(text)
    os.replace(out.name, file)
    click.echo(f"{'added to' if adding else 'wrote'} {file}: {', '.join(result.names)}")
    for note in [*result.notes, *_import_effects(file, single, result)]:
        click.echo(f"note: {note}", err=True)
    click.echo(f"next: brickline validate {file if single else file.parent}, then brickline "
               "deploy adopts the jobs (an import block each: updated in place, not created)")


def _import_into_bundle(job_ids: tuple[int, ...], names: tuple[str, ...],
                        pattern: str | None, root: Path, force: bool, profile: str | None,
                        timeout: float) -> None:
    """`brickline import --pipeline BUNDLE_ROOT`: a job file per job where `databricks
    bundle generate job` writes it (resources/<key>.job.yml), each written whole or not at
    all, none when any would replace a file without --force; a warning when the bundle's
    `include` does not take the file, as the CLI gives (cmd/bundle/generate/include.go)."""
    from databricks.sdk.errors.base import DatabricksError

    from brickline import importer, ops
    from brickline.spec import bundle

    has = importer.existing_bundle(bundle.files(root))
    beside = importer.existing([root / "pipeline.yml"]) if (root / "pipeline.yml").is_file() \
        else None
    try:
        session = ops.connect(profile=profile, limits=ops.Limits(timeout=timeout))
        with session.calls():
            ids = [*job_ids, *_ids_by_name(session.ws, names, pattern)]
            payloads = importer.fetch(session.ws, sorted(set(ids)))
        again = sorted(i for i in set(ids) if i in has.import_ids)
        if again:
            raise importer.NotImportable(
                "already in the bundle: " + ", ".join(
                    f"job {i} ({has.import_ids[i]})" for i in again))
        written = importer.bundle_files(payloads, defaults=beside.defaults if beside else None,
                                        taken=has.keys)
        clash = sorted({n for _, r in written for n in r.names} & has.names)
        if clash:
            raise importer.NotImportable(
                f"the bundle has a job named {', '.join(map(repr, clash))} already: rename "
                "one of them")
        present = [path for path, _ in written if (root / path).exists()]
        if present and not force:
            raise importer.NotImportable(
                f"{', '.join(present)} exists already: --force replaces it")
    except (ops.OpsError, importer.NotImportable, DatabricksError, OSError) as exc:
        _ops_error(exc)
    for path, result in written:
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=file.parent,
                                         suffix=".tmp", delete=False) as out:
            out.write(result.text)
        os.replace(out.name, file)
        click.echo(f"wrote {file}: {', '.join(result.names)}")
        for note in result.notes:
            click.echo(f"note: {note}", err=True)
    included = {p.resolve() for p in bundle.files(root)}
    missing = [path for path, _ in written if (root / path).resolve() not in included]
    if missing:
        click.echo(f"warning: {', '.join(missing)} is not matched by any pattern in the "
                   "'include' section of databricks.yml, so it will not be deployed; add "
                   "one, for example:\ninclude:\n  - resources/*.yml", err=True)
    click.echo(f"next: brickline validate {root}, then brickline deploy adopts the jobs (an "
               "import block each: updated in place, not created)")


def _import_effects(file: Path, single: bool, result: Any) -> list[str]:
    """What the pipeline changes in the imported jobs (importer.effects), from its plans
    and those of the imported jobs alone, each planned from a scratch copy."""
    import shutil

    import yaml

    from brickline import importer
    from brickline.plan import plans
    from brickline.spec.load import collect

    with tempfile.TemporaryDirectory(prefix="brickline-import-") as tmp:
        alone = Path(tmp) / "alone" / "jobs.yml"
        alone.parent.mkdir()
        alone.write_text(yaml.safe_dump({"jobs": result.jobs}, sort_keys=False),
                         encoding="utf-8")
        whole = Path(tmp) / "pipeline"
        if single:
            whole.mkdir()
            shutil.copy(file, whole / file.name)
        else:
            shutil.copytree(file.parent, whole, ignore=shutil.ignore_patterns(".*"))
        mine, _ = collect([str(alone)])
        found, diagnostics = collect([str(whole / file.name) if single else str(whole)])
        if any(d.severity == "error" for d in diagnostics) or len(found) != 1 or not mine:
            return [f"the pipeline does not validate with these jobs yet: run brickline "
                    f"validate {file if single else file.parent}"]
        return importer.effects(plans(mine[0])[0], plans(found[0]), result.names)


def main(argv: Sequence[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="brickline", standalone_mode=True)
    except EngineError as exc:  # an engine setting that names none, or one not installed
        click.echo(f"brickline: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug, not a user mistake: short, with a way to see more
        if os.environ.get("BRICKLINE_DEBUG"):
            raise
        click.echo(f"brickline: internal error: {type(exc).__name__}: {exc}\n"
                   "Run again with BRICKLINE_DEBUG=1 for the traceback, and report it.",
                   err=True)
        sys.exit(70)
    finally:
        # the process ends next: no last walk over what the command left alive
        # (brickline.app.exiting says why)
        gc.freeze()


if __name__ == "__main__":
    main()
