"""The command line: exit codes, messages, no tracebacks, nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from brickline.cli import cli
from click.testing import CliRunner
from conftest import PIPELINES, REPO, write
from test_spec_errors import CASES, _write


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "brickline.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_validate_examples() -> None:
    result = CliRunner().invoke(cli, ["validate", str(PIPELINES)])
    assert result.exit_code == 0, result.output
    assert "OK: 3 pipelines (4 stacks), 10 jobs" in result.output


@pytest.mark.parametrize(("files", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_every_corpus_case_exits_1_with_a_location(tmp_path: Path, files: dict[str, str],
                                                   message: str) -> None:
    folder = _write(tmp_path, files)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in result.output.replace(f"{folder}/", "")
    assert f"{folder}/" in result.output and "Found " in result.output
    assert "Traceback" not in result.output


def test_validate_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    folder = write(tmp_path / "p", {"j.yml": "jobs:\n  - name: A\n    tasks: 5\n"})
    result = run("validate", str(folder))
    assert result.returncode == 1
    assert "jobs[0].tasks: expected a list, got the number 5" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_synth_writes_nothing_when_a_pipeline_is_invalid(tmp_path: Path) -> None:
    good = PIPELINES / "parallel_abcd"
    bad = write(tmp_path / "bad", {"j.yml": "jobs:\n  - name: A\n    tasks: []\n"})
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["synth", str(good), str(bad), "--outdir", str(out)])
    assert result.exit_code == 1
    assert "a job needs at least one task" in result.output
    assert not out.exists() or not any(out.rglob("*.json"))
    assert not list(tmp_path.glob(".brickline-synth-*"))


def test_graph_mermaid_and_dot() -> None:
    result = CliRunner().invoke(cli, ["graph", str(PIPELINES / "parallel_abcd")])
    assert result.exit_code == 0
    assert "job_1_task_a --> job_2_task_b" in result.output
    assert "job_2_task_b --> job_4_task_d" in result.output
    job_edges = [line for line in result.output.splitlines()
                 if line.startswith("  ") and not line.startswith("   ") and "-->" in line]
    assert job_edges == ["  job_1_task_a --> job_2_task_b", "  job_2_task_b --> job_4_task_d"]
    # inside each job: the status tasks frame the work
    assert "    job_3_task_c__brickline_start --> job_3_task_c__TaskC" in result.output
    assert "    job_3_task_c__TaskC --> job_3_task_c__brickline_end" in result.output
    dot = CliRunner().invoke(cli, ["graph", str(PIPELINES / "seed_etl"), "--format", "dot"])
    assert dot.exit_code == 0
    assert ('"data_extract_job/brickline_end" -> "data_load_job/brickline_start" '
            '[ltail="cluster_data_extract_job", lhead="cluster_data_load_job"];') in dot.output


def test_unknown_command_is_a_usage_error() -> None:
    result = run("deploy-everything")
    assert result.returncode == 2
    assert "No such command" in result.stderr and "Traceback" not in result.stderr
