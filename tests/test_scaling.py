"""Validation stays linear in the number of jobs: work that is per pipeline (resolving the
targets' deployments, which merges every job's overrides) is done once per pipeline, not
once per job. Counted, not timed: the benchmark (tools/bench.py) keeps the figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from brickline.spec import targets
from brickline.spec.load import collect

JOB = """  - name: Job_{i}
    tasks:
      - task_key: t
        notebook_task: {{notebook_path: /Workspace/x}}
"""


def write(folder: Path, jobs: int) -> None:
    folder.mkdir()
    (folder / "pipeline.yml").write_text(
        "pipeline:\n  targets:\n    dev: {metadata: {schema: ops_dev}}\n    prod: {}\n",
        encoding="utf-8")
    (folder / "jobs.yml").write_text(
        "jobs:\n" + "".join(JOB.format(i=i) for i in range(jobs)), encoding="utf-8")


@pytest.mark.parametrize("jobs", [5, 50])
def test_deployments_are_resolved_a_constant_number_of_times(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    calls = []
    real = targets.deployments

    def counted(pipeline: Any) -> Any:
        calls.append(pipeline.name)
        return real(pipeline)

    monkeypatch.setattr(targets, "deployments", counted)
    write(tmp_path / "p", jobs)
    pipelines, diagnostics = collect([str(tmp_path / "p")])
    assert [d for d in diagnostics if d.severity == "error"] == []
    assert len(pipelines[0].jobs) == jobs
    assert 0 < len(calls) <= 12, f"deployments() resolved {len(calls)} times for {jobs} jobs"
