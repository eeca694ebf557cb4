"""End to end: main.py as cdktf runs it, and the real cdktf CLI pinned in package.json."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ENGINE, REPO

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

# the CLI of this run's engine: cdktf-cli 0.21.0 or cdktn-cli 0.24.0 (package.json)
CLI = REPO / "node_modules/.bin" / ENGINE.cli
ENV = {**os.environ, "CHECKPOINT_DISABLE": "1", "DISABLE_VERSION_CHECK": "1",
       "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20,18"}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("cdk.tf.json"))}


def test_constructs_library_is_not_shadowed_by_the_source_root() -> None:
    # `python main.py` puts the repo root first on sys.path, where constructs/ also is
    code = "import constructs, cdktf; print(constructs.__file__)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=300, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "site-packages" in result.stdout
    assert not (REPO / "constructs/__init__.py").exists()


def test_main_py_synthesizes_every_example(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "main.py"], cwd=REPO, capture_output=True,
                            text=True, timeout=600, env={**ENV, "CDKTF_OUTDIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert sorted(_files(tmp_path)) == ["stacks/parallel_abcd/cdk.tf.json",
                                        "stacks/sales_daily-dev/cdk.tf.json",
                                        "stacks/sales_daily-prod/cdk.tf.json",
                                        "stacks/seed_etl/cdk.tf.json"]


def test_main_py_reports_invalid_pipelines(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "j.yml").write_text("jobs:\n  - name: A\n    tasks: []\n")
    result = subprocess.run([sys.executable, "main.py"], cwd=REPO, capture_output=True,
                            text=True, timeout=600,
                            env={**ENV, "CDKTF_OUTDIR": str(tmp_path / "out"),
                                 "BRICKLINE_PIPELINES": str(bad)})
    assert result.returncode == 1
    assert "j.yml:3:5: jobs[0].tasks: a job needs at least one task" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.e2e
@pytest.mark.skipif(not CLI.exists() or shutil.which("node") is None,
                    reason=f"the pinned {ENGINE.cli} CLI is not installed (run `make setup`)")
def test_real_cdktf_synth_matches_brickline_synth(tmp_path: Path) -> None:
    """`cdktf synth` (or `cdktn synth`, on cdktn) runs main.py with this run's Python."""
    cdktf_out, ours = tmp_path / "cdktf", tmp_path / "ours"
    result = subprocess.run([str(CLI), "synth", "--app", f"{sys.executable} main.py",
                             "--output", str(cdktf_out)], cwd=REPO,
                            capture_output=True, text=True, timeout=600, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ("Generated Terraform code for the stacks: parallel_abcd, sales_daily-dev,"
            in result.stdout)
    first = subprocess.run([sys.executable, "-m", "brickline.cli", "synth", "--outdir",
                            str(ours)], cwd=REPO, capture_output=True, text=True, timeout=600,
                           env=ENV)
    assert first.returncode == 0, first.stderr
    assert _files(cdktf_out) == _files(ours)


def test_synth_is_byte_identical_across_hash_seeds_and_folders(tmp_path: Path) -> None:
    outputs = []
    for seed, cwd in (("1", REPO), ("2", tmp_path)):
        out = tmp_path / f"out{seed}"
        result = subprocess.run(
            [sys.executable, "-m", "brickline.cli", "synth", str(REPO / "pipelines"),
             "--outdir", str(out)], cwd=cwd, capture_output=True, text=True, timeout=600,
            env={**ENV, "PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append(_files(out))
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 4
