"""Benchmark: validate and synth time for generated pipelines, against the floor.

    .venv/bin/python tools/bench.py [--sizes 10,100,1000]

For N jobs of 3 tasks each (a chain of jobs, a diamond of tasks in each) it prints:
- validate: load + validate in-process (after imports), and `brickline validate` as a process
- synth: load, validate, plan, build the stack and write cdk.tf.json, in-process
- floor: the same databricks_job and databricks_sql_table resources built directly with the
  provider classes in one stack and synthesized; brickline's overhead is synth / floor
Each size runs in a fresh process, so jsii's state never carries over. Figures, not a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20,18"}


def write_pipeline(folder: Path, jobs: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pipeline.yml").write_text(
        "pipeline:\n  name: bench\n  defaults:\n    max_retries: 2\n    timeout_seconds: 600\n"
        "    new_cluster: {node_type_id: i3.xlarge}\n", encoding="utf-8")
    lines = ["jobs:"]
    for i in range(jobs):
        lines += [
            f"  - name: Job_{i:04d}",
            *([f"    depends_on: [Job_{i - 1:04d}]"] if i else []),
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
        ]
    (folder / "jobs.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure(kind: str, folder: str, outdir: str) -> float:
    """Runs in the child process: one measurement, seconds."""
    if kind == "validate":
        from brickline.spec.load import load_pipelines

        start = time.perf_counter()
        load_pipelines([folder])
        return time.perf_counter() - start
    if kind == "synth":
        from brickline.app import build
        from brickline.constructs import tf  # noqa: F401  (imports are not the work)

        start = time.perf_counter()
        build([folder], outdir).synth()  # type: ignore[attr-defined]
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
        JobTaskNotebookTask,
        JobTaskRunJobTask,
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
    made = []
    for i in range(jobs):
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
            task=[task("extract", None), task("load", "transform"),
                  task("transform", "extract")]))
        tf.TerraformOutput(stack, f"job_{i:04d}_job_id", value=job.id)
        tf.TerraformOutput(stack, f"job_{i:04d}_job_url", value=job.url)
    tf.DatabricksJob(stack, "orchestrator", name="bench_orchestrator", max_concurrent_runs=1, task=[
        JobTask(task_key=f"job_{i:04d}",
                run_job_task=JobTaskRunJobTask(job_id=tf.Token.as_number(made[i].id)),
                depends_on=[JobTaskDependsOn(task_key=f"job_{i - 1:04d}")] if i else None)
        for i in range(jobs)])
    app.synth()
    return time.perf_counter() - start


def child(kind: str, folder: Path, outdir: Path) -> float:
    code = ("import sys; sys.path.insert(0, 'tools'); import bench; "
            f"print(bench.measure({kind!r}, {str(folder)!r}, {str(outdir)!r}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, env=ENV, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def cli_validate(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "brickline.cli", "validate", str(folder)], cwd=REPO,
                   capture_output=True, env=ENV, check=True)
    return time.perf_counter() - start


def main() -> None:
    sizes = [10, 100, 1000]
    if "--sizes" in sys.argv:
        sizes = [int(s) for s in sys.argv[sys.argv.index("--sizes") + 1].split(",")]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    header = f"{'jobs':>6} {'validate':>10} {'validate CLI':>13} {'synth':>9} {'floor':>9} " \
             f"{'synth/floor':>12} {'synth/job':>10}"
    print(header)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp, f"p{n}")
            write_pipeline(folder, n)
            validate = min(child("validate", folder, Path(tmp)) for _ in range(3))
            validate_cli = min(cli_validate(folder) for _ in range(2))
            synth = child("synth", folder, Path(tmp, f"s{n}"))
            base = child("floor", folder, Path(tmp, f"f{n}"))
            ours = json.loads(Path(tmp, f"s{n}/stacks/bench/cdk.tf.json").read_text())
            assert len(ours["resource"]["databricks_job"]) == n + 1
            results.append((n, validate, validate_cli, synth, base))
            print(f"{n:>6} {validate:>9.3f}s {validate_cli:>12.3f}s {synth:>8.2f}s "
                  f"{base:>8.2f}s {synth / base:>11.2f}x {1000 * synth / n:>8.1f}ms", flush=True)


if __name__ == "__main__":
    main()
