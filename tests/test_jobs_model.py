"""The generated Jobs API model matches the installed provider."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_generated_model_is_current() -> None:
    result = subprocess.run([sys.executable, "tools/gen_jobs_model.py", "--check"], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
