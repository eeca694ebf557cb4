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


def _round_trips(monkeypatch: pytest.MonkeyPatch, tmp: Path, folders: list[Path]) -> int:
    """Messages between Python and jsii's Node process while brickline's app builds and
    synthesizes the stacks of `folders` (each a call, a callback or a callback's answer)."""
    from brickline.app import assemble, stacks_of, synthesize
    from jsii._kernel.providers import process

    stacks = stacks_of([str(f) for f in folders])
    sent = []
    real = process._NodeProcess.send

    def counted(self: Any, request: Any, response_type: Any) -> Any:
        sent.append(type(request).__name__)
        return real(self, request, response_type)

    with monkeypatch.context() as patched:
        patched.setattr(process._NodeProcess, "send", counted)
        synthesize(assemble(stacks, str(tmp)))
    return len(sent)


def test_a_stack_costs_the_same_jsii_round_trips_whatever_its_jobs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The resources' JSON never crosses to Node (the Splice writes it), so the messages
    per stack do not depend on the jobs in it; and they stay few."""
    for jobs in (3, 60):
        write(tmp_path / f"p{jobs}", jobs)
    _round_trips(monkeypatch, tmp_path / "warm", [tmp_path / "p3"])  # one-time lookups
    small = _round_trips(monkeypatch, tmp_path / "o3", [tmp_path / "p3"])
    large = _round_trips(monkeypatch, tmp_path / "o60", [tmp_path / "p60"])
    assert small == large
    # two stacks (the targets dev and prod) and the app
    assert large <= 2 * 30, large
