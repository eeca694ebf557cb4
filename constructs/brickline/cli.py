"""brickline's command line: thin over spec, plan and constructs.

Exit codes: 0 ok; 1 the pipelines have errors; 2 the command was used wrongly; 70 a bug in
brickline (set BRICKLINE_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import gc
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from brickline.spec.diagnostics import SpecError, render

DEFAULT_PATHS = ("pipelines",)


def _fail(error: SpecError) -> NoReturn:
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
              help="Exit 1 if the committed schema (in the package) is not current.")
def schema(output: Path | None, check: bool) -> None:
    """The JSON Schema of pipeline files, for editors (yaml-language-server)."""
    from brickline.spec import schema as schemas

    text = schemas.text()
    if check:
        if schemas.SCHEMA_FILE.read_text(encoding="utf-8") != text:
            click.echo(f"brickline: {schemas.SCHEMA_FILE} is stale: run `brickline schema -o "
                       f"{schemas.SCHEMA_FILE}`", err=True)
            sys.exit(1)
        click.echo("schema is current")
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
    import json

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

    try:
        pipelines = load_pipelines(_paths(paths))
    except SpecError as error:
        _fail(error)
    found = [p for p in pipelines if p.name == pipeline]
    if not found:
        names = ", ".join(sorted(p.name for p in pipelines)) or "none"
        raise click.UsageError(f"no pipeline named '{pipeline}' (found: {names})")
    targets = sorted(found[0].settings.targets)
    if targets and target is not None and target not in targets:
        raise click.UsageError(f"unknown target '{target}' of pipeline '{pipeline}': its "
                               f"targets are {', '.join(targets)}")
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
        return ops.connect(profile=profile, host=stack.host, limits=limits)
    except ops.OpsError as exc:
        _ops_error(exc)


def _next_recover(pipeline: str, target: str | None, paths: Sequence[str],
                  profile: str | None, run_id: int | None) -> str:
    import shlex

    words = ["brickline", "recover", pipeline]
    words += ["--target", target] if target else []
    for path in paths:
        words += ["--pipelines", path]
    words += ["--profile", profile] if profile else []
    words += ["--run-id", str(run_id)] if run_id is not None else []
    return shlex.join(words)


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


@cli.command()
@click.argument("pipeline")
@click.option("--run-key", default=None,
              help="The run_key job parameter, for an orchestrator that declares one "
              "(brickline's declares none: the run's key is orchestrator.run_key).")
@click.option("--no-wait", is_flag=True, help="Start the run and return at once.")
@_target_option
@_pipelines_option
@_profile_option
@_limits_options
def run(pipeline: str, run_key: str | None, no_wait: bool, target: str | None,
        paths: tuple[str, ...], profile: str | None, timeout: float,
        poll_interval: float | None) -> None:
    """Start the pipeline (its orchestrator job) and follow the run to its end: exit 0 when
    it succeeded, 1 when it failed (naming the failed jobs, their errors and the recover
    command). Ctrl-C stops the watching, not the run."""
    from brickline import ops
    from brickline.ops import runs

    stack = _stack(pipeline, paths, target)
    name = _orchestrator_name(stack)
    session = _connect(stack, profile, timeout, poll_interval)
    try:
        with session.calls():
            started = runs.start(session.ws, stack, run_key=run_key)
            first = runs.read(session.ws, started.run_id)
    except ops.OpsError as exc:
        _ops_error(exc)
    title = f"run {started.run_id} of '{name}'"
    if no_wait:
        click.echo(f"started {title}: {first.get('run_page_url') or '(no run page url)'}")
        return
    names = runs.job_names(stack)
    latest = {"run": first}
    looks = [first]  # the first look is the one just read

    def poll() -> Any:
        latest["run"] = looks.pop() if looks else runs.read(session.ws, started.run_id)
        return runs.snapshot(latest["run"], names, title=title)

    _watch(session, poll, goes_on=f"{title} goes on (it was not cancelled)",
           next_command=_next_recover(pipeline, target, paths, profile, started.run_id),
           errors=lambda final: runs.failures(session.ws, latest["run"], final.jobs))


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
                             repair_must_show=missing[0] < runs.REPAIR_PATIENCE)

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

        _watch(session, poll, goes_on="the run goes on",
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


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pipeline", "pipeline_name", default="example", show_default=True,
              help="Name of the example pipeline (its folder under pipelines/).")
def init(folder: Path, pipeline_name: str) -> None:
    """Set up FOLDER (default: here) as a repository of pipelines deployed with brickline:
    cdktf.json, main.py, package.json, requirements.txt, pipelines/<name>/, the GitHub
    workflows, the editor schema, a README section. Overwrites nothing."""
    from brickline import init as scaffold

    try:
        planned = scaffold.files(folder, pipeline_name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    taken = scaffold.conflicts(folder, planned)
    if taken:
        raise click.UsageError(f"these files exist in {folder}, and init overwrites nothing: "
                               + ", ".join(taken))
    scaffold.write(folder, planned)
    for item in planned:
        click.echo(f"{'appended to' if item.append else 'wrote'} {item.path}")
    click.echo("next: python3 -m venv .venv && . .venv/bin/activate && "
               "pip install -r requirements.txt && npm install, then brickline validate "
               "and npx cdktf synth")


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
              help="The pipeline folder to write jobs.yml into, or a .yml file to write.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@_profile_option
def import_jobs(job_ids: tuple[int, ...], names: tuple[str, ...], pattern: str | None,
                target_path: Path, force: bool, profile: str | None) -> None:
    """Write existing jobs (by id or --name) as pipeline YAML; each keeps its id
    (import_id), so the first deploy adopts the job instead of creating a second one."""
    from databricks.sdk.errors.base import DatabricksError

    from brickline import importer, ops

    if not job_ids and not names and not pattern:
        raise click.UsageError("give job ids, --name NAME or --all-matching REGEX")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.UsageError(f"--all-matching: bad regular expression: {exc}") from None
    file = target_path if target_path.suffix in (".yml", ".yaml") else target_path / "jobs.yml"
    if file.exists() and not force:
        raise click.UsageError(f"{file} exists: choose another path, or --force to replace it")
    settled = any((file.parent / name).exists() for name in ("pipeline.yml", "pipeline.yaml"))
    try:
        session = ops.connect(profile=profile)
        with session.calls():
            ids = [*job_ids, *_ids_by_name(session.ws, names, pattern)]
            payloads = importer.fetch(session.ws, sorted(set(ids)))
        result = importer.pipeline_yaml(payloads, with_settings=not settled)
    except (ops.OpsError, importer.NotImportable, DatabricksError, OSError) as exc:
        _ops_error(exc)
    file.parent.mkdir(parents=True, exist_ok=True)
    # written whole or not at all
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=file.parent, suffix=".tmp",
                                     delete=False) as out:
        out.write(result.text)
    os.replace(out.name, file)
    click.echo(f"wrote {file}: {', '.join(result.names)}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"next: brickline validate {file.parent}, then cdktf deploy adopts the jobs")


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
    finally:
        # the process ends next: no last walk over what the command left alive
        # (brickline.app.exiting says why)
        gc.freeze()


if __name__ == "__main__":
    main()
