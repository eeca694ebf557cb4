"""What the platform accepts is accepted (issue 20, precision): values the docs call case
insensitive, Quartz as Quartz parses it, Terraform's own identifier grammar, a reference
in a number field, names beyond ASCII. Each validates and synthesizes."""

from __future__ import annotations

import json
from pathlib import Path

from brickline.spec.diagnostics import render
from brickline.spec.load import collect
from conftest import write

JOBS = """jobs:
  - name: データ取込
    orchestrate: false
    git_source: {git_url: 'https://github.com/acme/etl', git_provider: github, git_branch: main}
    schedule: {quartz_cron_expression: '0 0 12 L-3W * ?', timezone_id: UTC}
    tasks:
      - task_key: ingest
        notebook_task: {notebook_path: notebooks/ingest}
  - name: データ出力
    tasks:
      - task_key: child
        run_job_task: {job_id: '${var.child_job_id}'}
      - task_key: report
        sql_task: {warehouse_id: '${var.sql-warehouse}', query: {query_id: q1}}
"""
SETTINGS = """pipeline:
  variables:
    child_job_id: {default: "123"}
    sql-warehouse: {default: abc123}
"""


def test_what_the_platform_accepts_validates_and_synthesizes(tmp_path: Path) -> None:
    from brickline.app import synth

    folder = write(tmp_path / "precise", {"jobs.yml": JOBS, "pipeline.yml": SETTINGS})
    pipelines, diagnostics = collect([str(folder)])
    assert [d for d in diagnostics if d.severity != "note"] == [], render(diagnostics)
    (pipeline,) = pipelines
    # names beyond ASCII: two distinct addresses, the same on every run
    addresses = [j.address for j in pipeline.jobs]
    assert len(set(addresses)) == 2 and all(a.startswith("job_") for a in addresses)
    (written,) = synth([str(folder)], tmp_path / "out")
    doc = json.loads(written.read_text(encoding="utf-8"))
    assert sorted(doc["resource"]["databricks_job"]) == sorted([*addresses, "orchestrator"])
    assert set(doc["variable"]) >= {"child_job_id", "sql-warehouse"}
    jobs = doc["resource"]["databricks_job"]
    child = next(t for j in jobs.values() for t in j["task"] if t["task_key"] == "child")
    assert child["run_job_task"]["job_id"] == "${var.child_job_id}"
    source = next(j["git_source"] for j in jobs.values() if "git_source" in j)
    assert source["provider"] == "github"  # kept as written: the API reads it in any case
