"""Rules at their edges, each on a minimal pipeline: a value exactly at a limit is allowed,
a value past it is refused with its key path (tools/mutation.py runs these per mutant)."""

from __future__ import annotations

from pathlib import Path

from brickline.spec.load import collect
from conftest import write

JOB = """jobs:
  - name: A
    tasks:
      - task_key: check
        condition_task: {op: EQUAL_TO, left: "1", right: "1"}
      - task_key: t
        notebook_task: {notebook_path: /x}
        depends_on: [{task_key: check, outcome: "false"}]
"""


def diagnostics(tmp_path: Path, pipeline: str) -> list[tuple[str, str]]:
    write(tmp_path, {"pipeline.yml": pipeline, "j.yml": JOB})
    _, found = collect([str(tmp_path)])
    return [(d.key_path, d.message) for d in found]


def test_an_edge_on_a_false_outcome_is_allowed(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, "pipeline:\n  name: p\n") == []


def test_max_concurrent_runs_at_its_limit_is_allowed(tmp_path: Path) -> None:
    # rules.MAX_CONCURRENT_RUNS: 1000 is allowed, 1001 is not
    assert diagnostics(tmp_path, "pipeline:\n  name: p\n  orchestrator:\n"
                                 "    max_concurrent_runs: 1000\n") == []


def test_a_negative_min_workers_in_the_defaults_is_located(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, (
        "pipeline:\n  name: p\n  defaults:\n    new_cluster:\n"
        "      spark_version: 15.4.x-scala2.12\n      node_type_id: i3.xlarge\n"
        "      autoscale: {min_workers: -1, max_workers: 2}\n")) == [
        ("pipeline.defaults.new_cluster.autoscale.min_workers",
         "bad value -1: min_workers is 0 or more")]
