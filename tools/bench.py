"""Benchmark: validate, synth and review of generated pipelines, against the floor.

    .venv/bin/python tools/bench.py [--sizes 10,100,1000] [--validate-only] [--shapes-only]

For N jobs of 3 tasks each (a chain of jobs, a chain of tasks in each) it prints:
- validate: load + validate in-process (after imports), and `brickline validate` as a process
- synth CLI: `brickline synth` as a whole process (imports, Node's start, load, validate,
  plan, render, write), the figure a user waits for; x10: its ratio to the 10-job run
- synth: load, validate, plan, build the stack and write cdk.tf.json, in-process; with the
  peak memory (resident set) of the Python process and of jsii's Node process
- floor: the same resources (jobs with their status tasks, table, view, workspace file)
  built directly with the provider classes in one stack, one jsii object per struct: what
  any typed-provider synth costs (brickline's own typed path, the reference, is about this)
- diff: `brickline diff --base HEAD` in a git repository whose working tree changes every
  tenth job's retries, renames one job and adds a task (two synths and the comparison), and
  the comparison alone (`--base-dir/--head-dir` on the two outputs)
Then `brickline synth` of other shapes of 1000 jobs (many pipelines, jobs of many tasks),
each against the same shape at 10 jobs, and `npx cdktf synth` of the examples
(pipelines/), twice, the faster run.
Each measurement runs in a fresh process, so jsii's state never carries over.
Figures, not a test.
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20,18"}


def write_pipeline(folder: Path, jobs: int, changed: bool = False, audit: bool = False) -> None:
    """`jobs` jobs of 3 tasks (4 with `audit`, the shape issue 20's goal is stated in)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pipeline.yml").write_text(
        "pipeline:\n  name: bench\n  defaults:\n    max_retries: 2\n    timeout_seconds: 600\n"
        "    new_cluster: {node_type_id: i3.xlarge}\n", encoding="utf-8")
    lines = ["jobs:"]
    for i in range(jobs):
        renamed = changed and i == jobs // 2
        lines += [
            f"  - name: Job_{i:04d}{'_renamed' if renamed else ''}",
            *([f"    renamed_from: Job_{i:04d}"] if renamed else []),
            *([f"    depends_on: [Job_{i - 1:04d}"
               f"{'_renamed' if changed and i - 1 == jobs // 2 else ''}]"] if i else []),
            "    job_clusters:",
            "      - job_cluster_key: c",
            "        new_cluster: {spark_version: 15.4.x-scala2.12, num_workers: 2}",
            "    tasks:",
            "      - task_key: extract",
            "        job_cluster_key: c",
            f"        notebook_task: {{notebook_path: /Workspace/bench/extract_{i}}}",
            "      - task_key: transform",
            "        job_cluster_key: c",
            "        depends_on: [{task_key: extract}]",
            f"        notebook_task: {{notebook_path: /Workspace/bench/transform_{i}}}",
            "      - task_key: load",
            "        job_cluster_key: c",
            "        depends_on: [{task_key: transform}]",
            f"        notebook_task: {{notebook_path: /Workspace/bench/load_{i}}}",
            *(["        max_retries: 5"] if changed and i % 10 == 0 else []),
            *(["      - task_key: audit", "        job_cluster_key: c",
               "        depends_on: [{task_key: load}]",
               "        notebook_task: {notebook_path: /Workspace/bench/audit}"]
              if (changed and i == 1) or audit else []),
        ]
    (folder / "jobs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_repository(folder: Path, pipelines: int, jobs: int, tasks: int) -> None:
    """`pipelines` pipelines of `jobs` jobs of `tasks` tasks each (every job after the
    first waits for the one before, each task for the one before, a notebook with two
    parameters), each in a folder of its own with a status table of its own."""
    for p in range(pipelines):
        sub = folder / f"p{p:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / "pipeline.yml").write_text(
            f"pipeline:\n  name: shape{p:03d}\n  metadata: {{schema: ops{p:03d}}}\n"
            "  defaults:\n    max_retries: 2\n    new_cluster: {node_type_id: i3.xlarge}\n",
            encoding="utf-8")
        lines = ["jobs:"]
        for i in range(jobs):
            lines += [f"  - name: Job_{i:04d}",
                      *([f"    depends_on: [Job_{i - 1:04d}]"] if i else []),
                      "    job_clusters:", "      - job_cluster_key: c",
                      "        new_cluster: {spark_version: 15.4.x-scala2.12, num_workers: 2}",
                      "    tasks:"]
            for t in range(tasks):
                lines += [f"      - task_key: t{t}", "        job_cluster_key: c",
                          *([f"        depends_on: [{{task_key: t{t - 1}}}]"] if t else []),
                          f"        notebook_task: {{notebook_path: /Workspace/s/n{i}_{t}, "
                          "base_parameters: {date: '{{job.start_time.iso_date}}', "
                          f"part: '{t}'}}}}"]
        (sub / "jobs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


# other shapes of 1000 jobs, each against the same shape at 10 jobs: (label, pipelines,
# jobs per pipeline, tasks per job) at 1000 jobs, and at 10
SHAPES = [
    ("1 pipeline, 1000 jobs of 10 tasks", (1, 1000, 10), (1, 10, 10)),
    ("50 pipelines of 20 jobs of 3 tasks", (50, 20, 3), (1, 10, 3)),
    ("100 pipelines of 10 jobs of 3 tasks", (100, 10, 3), (1, 10, 3)),
]


def shapes(tmp: Path) -> None:
    print("other shapes of 1000 jobs, `brickline synth` as a whole process, the faster of "
          "two runs:")
    for label, large, small in SHAPES:
        took = []
        for size in (small, large):
            folder = tmp / f"shape-{'-'.join(map(str, size))}"
            if not folder.exists():
                write_repository(folder, *size)
            took.append(min(cli_synth(folder, tmp / f"out-{folder.name}-{i}")
                            for i in range(2)))
        print(f"  {label}: {took[1]:.2f}s, {took[1] / took[0]:.1f}x the same at 10 jobs "
              f"({took[0]:.2f}s)", flush=True)


def peak_memory() -> tuple[float, float]:
    """Peak resident memory (MiB) of this process and of the largest process under it
    (jsii's Node runtime: a launcher and the node process that does the work), from /proc
    (Linux)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table: dict[str, tuple[str, float]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        hwm = float(fields.get("VmHWM", "0 kB").split()[0]) / 1024
        table[status.parent.name] = (fields.get("PPid", "").strip(), hwm)
    descendants, frontier = set(), {str(os.getpid())}
    while frontier:
        frontier = {pid for pid, (parent, _) in table.items() if parent in frontier}
        descendants |= frontier
    return own, max((table[pid][1] for pid in descendants), default=0.0)


def measure(kind: str, folder: str, outdir: str) -> float:
    """Runs in the child process: one measurement, seconds."""
    if kind == "validate":
        from brickline.spec.load import load_pipelines

        start = time.perf_counter()
        load_pipelines([folder])
        return time.perf_counter() - start
    if kind == "synth":
        from brickline.app import build

        # imports are not the work; a synth never imports the provider bindings (tf.py)
        from brickline.constructs import core  # noqa: F401

        start = time.perf_counter()
        build([folder], outdir).synth()
        took = time.perf_counter() - start
        own, node = peak_memory()
        print(f"memory {own:.0f} {node:.0f}")
        return took
    if kind == "compare":
        from brickline.review.diff import compare, load_stacks
        from brickline.review.render import markdown

        start = time.perf_counter()
        markdown(compare(load_stacks(Path(folder)), load_stacks(Path(outdir))))
        return time.perf_counter() - start
    if kind == "floor":
        return floor(folder, outdir)
    raise ValueError(kind)


def floor(folder: str, outdir: str) -> float:
    """The same resources, written straight against the provider classes."""
    from brickline.constructs import tf
    from brickline.plan import METADATA_COLUMNS
    from cdktf_cdktf_provider_databricks.job import (
        JobJobCluster,
        JobJobClusterNewCluster,
        JobParameter,
        JobTask,
        JobTaskDependsOn,
        JobTaskLibrary,
        JobTaskLibraryPypi,
        JobTaskNotebookTask,
        JobTaskRunJobTask,
        JobTaskSparkPythonTask,
    )
    from cdktf_cdktf_provider_databricks.sql_table import SqlTable, SqlTableColumn

    jobs = sum(1 for line in Path(folder, "jobs.yml").read_text().splitlines()
               if line.startswith("  - name:"))
    start = time.perf_counter()
    app = tf.App(outdir=outdir)
    stack = tf.TerraformStack(app, "bench")
    tf.DatabricksProvider(stack, "databricks")
    tf.LocalBackend(stack, path="../../../terraform.bench.tfstate")
    SqlTable(stack, "job_metadata", catalog_name="main", schema_name="pipeline_ops",
             name="job_metadata", table_type="MANAGED", data_source_format="DELTA",
             column=[SqlTableColumn(name=n, type=t, comment=c) for n, t, c in METADATA_COLUMNS],
             lifecycle=tf.TerraformResourceLifecycle(prevent_destroy=True))
    SqlTable(stack, "job_status", catalog_name="main", schema_name="pipeline_ops",
             name="job_status", table_type="VIEW", view_definition="SELECT 1")
    program = tf.WorkspaceFile(stack, "brickline_status", path="/Shared/b/status.py",
                               content_base64="eA==")
    made = []
    for i in range(jobs):
        def status(key: str, after: list[str], i: int = i) -> JobTask:
            return JobTask(
                task_key=key, job_cluster_key="c", max_retries=0, timeout_seconds=1800,
                library=[JobTaskLibrary(pypi=JobTaskLibraryPypi(package="databricks-sdk"))],
                spark_python_task=JobTaskSparkPythonTask(
                    python_file=program.workspace_path,
                    parameters=[key, "--pipeline", "bench", "--job-name", f"Job_{i:04d}",
                                "--run-id", "{{job.run_id}}"]),
                depends_on=[JobTaskDependsOn(task_key=a) for a in after] or None)

        def task(key: str, after: str | None, i: int = i) -> JobTask:
            return JobTask(
                task_key=key, job_cluster_key="c", max_retries=2, timeout_seconds=600,
                notebook_task=JobTaskNotebookTask(notebook_path=f"/Workspace/bench/{key}_{i}"),
                depends_on=[JobTaskDependsOn(task_key=after)] if after else None)
        made.append(job := tf.DatabricksJob(
            stack, f"job_{i:04d}", name=f"Job_{i:04d}",
            job_cluster=[JobJobCluster(job_cluster_key="c", new_cluster=JobJobClusterNewCluster(
                spark_version="15.4.x-scala2.12", num_workers=2, node_type_id="i3.xlarge"))],
            parameter=[JobParameter(name="run_key", default="{{job.start_time.iso_date}}")],
            task=[status("brickline_end", ["brickline_start", "extract", "load",
                                           "transform"]),
                  status("brickline_start", []), task("extract", "brickline_start"),
                  task("load", "transform"), task("transform", "extract")]))
        tf.TerraformOutput(stack, f"job_{i:04d}_job_id", value=job.id)
        tf.TerraformOutput(stack, f"job_{i:04d}_job_url", value=job.url)
    tf.DatabricksJob(stack, "orchestrator", name="bench_orchestrator", max_concurrent_runs=1, task=[
        JobTask(task_key=f"job_{i:04d}",
                run_job_task=JobTaskRunJobTask(job_id=tf.Token.as_number(made[i].id)),
                depends_on=[JobTaskDependsOn(task_key=f"job_{i - 1:04d}")] if i else None)
        for i in range(jobs)])
    app.synth()
    return time.perf_counter() - start


MEMORY: dict[str, tuple[float, float]] = {}


def child(kind: str, folder: Path, outdir: Path) -> float:
    code = ("import sys; sys.path.insert(0, 'tools'); import bench; "
            f"print(bench.measure({kind!r}, {str(folder)!r}, {str(outdir)!r}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, env=ENV, check=True)
    lines = result.stdout.strip().splitlines()
    for line in lines:
        if line.startswith("memory "):
            own, node = line.split()[1:]
            MEMORY[str(folder)] = (float(own), float(node))
    return float(lines[-1])


def review(tmp: Path, n: int) -> float:
    """`brickline diff --base HEAD` in a fresh repository with a changed working tree."""
    repo = tmp / f"repo{n}"
    write_pipeline(repo / "pipelines" / "bench", n)
    git = ["git", "-C", str(repo), "-c", "user.email=b@example.com", "-c", "user.name=b"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "base"], check=True)
    write_pipeline(repo / "pipelines" / "bench", n, changed=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "brickline.cli", "diff", "--base", "HEAD",
                           "--format", "text"], cwd=repo, capture_output=True, text=True,
                          env=ENV, check=False)
    took = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    assert "max_retries 2 → 5" in done.stdout and "task audit added" in done.stdout
    return took


def cli_synth(folder: Path, outdir: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "brickline.cli", "synth", str(folder), "--outdir",
                    str(outdir)], cwd=REPO, capture_output=True, env=ENV, check=True)
    return time.perf_counter() - start


def cdktf_synth(tmp: Path) -> float | None:
    cdktf = REPO / "node_modules/.bin/cdktf"
    if not cdktf.exists():
        return None
    start = time.perf_counter()
    subprocess.run([str(cdktf), "synth", "--output", str(tmp / "cdktf-examples")], cwd=REPO,
                   capture_output=True, env={**ENV, "CHECKPOINT_DISABLE": "1",
                                             "DISABLE_VERSION_CHECK": "1"}, check=True)
    return time.perf_counter() - start


def yaml_alone(folder: Path) -> float:
    """PyYAML's own yaml.safe_load of the pipeline's files, in a process of its own: its
    start, its import and the loads, what `brickline validate` is compared with."""
    code = ("import time; t = time.perf_counter(); import pathlib, yaml; "
            f"[yaml.safe_load(p.read_text()) for p in sorted(pathlib.Path({str(folder)!r})"
            ".glob('*.yml'))]; print(time.perf_counter() - t)")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], capture_output=True, env=ENV, check=True)
    return time.perf_counter() - start


def cli_validate(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "brickline.cli", "validate", str(folder)], cwd=REPO,
                   capture_output=True, env=ENV, check=True)
    return time.perf_counter() - start


def main() -> None:
    sizes = [10, 100, 1000]
    if "--sizes" in sys.argv:
        sizes = [int(s) for s in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    # a process's figure is the steady one, brickline's modules read from their bytecode as
    # after any install (`make setup` compiles the editable checkout): where
    # PYTHONDONTWRITEBYTECODE is set, each process would otherwise compile them again
    import brickline

    compileall.compile_dir(Path(brickline.__file__).parent, quiet=1)
    if "--shapes-only" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            shapes(Path(tmp))
        return
    if "--validate-only" in sys.argv:
        # the goals (issue 20): `brickline validate` of 10 jobs under 0.4 s as a whole
        # process; of 1000 jobs of 4 tasks within 1.3x of PyYAML alone (yaml.safe_load, in a
        # process of its own) loading the same files, in the same run
        with tempfile.TemporaryDirectory() as tmp:
            for n in sizes:
                folder = Path(tmp, f"p{n}")
                write_pipeline(folder, n, audit=True)
                validate = min(child("validate", folder, Path(tmp)) for _ in range(5))
                process = min(cli_validate(folder) for _ in range(3))
                alone = min(yaml_alone(folder) for _ in range(3))
                print(f"{n:>6} jobs of 4 tasks: validate {validate:.3f}s in-process, "
                      f"{process:.3f}s as a process; PyYAML alone {alone:.3f}s: "
                      f"{process / alone:.2f}x")
        return
    header = (f"{'jobs':>6} {'validate':>9} {'val. CLI':>9} {'synth CLI':>10} {'x10':>5} "
              f"{'synth':>8} {'floor':>8} {'floor/synth':>12} {'py MiB':>7} {'node MiB':>9} "
              f"{'diff':>7} {'compare':>8}")
    print(header)
    first_cli = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp, f"p{n}")
            write_pipeline(folder, n)
            validate = min(child("validate", folder, Path(tmp)) for _ in range(3))
            validate_cli = min(cli_validate(folder) for _ in range(2))
            synth_cli = min(cli_synth(folder, Path(tmp, f"cli{n}-{i}")) for i in range(2))
            first_cli = first_cli or synth_cli
            synth = child("synth", folder, Path(tmp, f"s{n}"))
            base = child("floor", folder, Path(tmp, f"f{n}"))
            ours = json.loads(Path(tmp, f"s{n}/stacks/bench/cdk.tf.json").read_text())
            assert len(ours["resource"]["databricks_job"]) == n + 1
            changed = Path(tmp, f"c{n}")
            write_pipeline(changed, n, changed=True)
            child("synth", changed, Path(tmp, f"sc{n}"))
            compared = child("compare", Path(tmp, f"s{n}"), Path(tmp, f"sc{n}"))
            full = min(review(Path(tmp, f"r{n}-{i}"), n) for i in range(2))
            own, node = MEMORY[str(folder)]
            print(f"{n:>6} {validate:>8.3f}s {validate_cli:>8.2f}s {synth_cli:>9.2f}s "
                  f"{synth_cli / first_cli:>4.1f}x {synth:>7.2f}s {base:>7.2f}s "
                  f"{base / synth:>11.1f}x {own:>7.0f} {node:>9.0f} {full:>6.1f}s "
                  f"{compared:>7.2f}s", flush=True)
        shapes(Path(tmp))
        runs = [cdktf_synth(Path(tmp)) for _ in range(2)]
        if runs[0] is not None:
            print(f"npx cdktf synth of the examples (pipelines/): "
                  f"{min(r for r in runs if r is not None):.2f}s")
    print(f"load average {os.getloadavg()[0]:.1f} at the end (another process on the machine "
          "slows every figure)")


if __name__ == "__main__":
    main()
