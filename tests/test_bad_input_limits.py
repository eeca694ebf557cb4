"""Hostile input is refused in bounded time and memory: each case runs `brickline validate`
in its own process under a 1 GiB address-space limit and a time limit, and must exit 1 with
a located message and no traceback."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

MEMORY_LIMIT = 1024**3
TIME_LIMIT = 60


def _limit() -> None:  # runs in the child before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def validate(folder: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "brickline.cli", "validate", str(folder)],
                          capture_output=True, text=True, timeout=TIME_LIMIT,
                          preexec_fn=_limit, check=False)
    return done, time.monotonic() - start


def one_file(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "pipe"
    folder.mkdir()
    (folder / "p.yml").write_bytes(data)
    return folder


def check(tmp_path: Path, data: bytes, message: str, where: str) -> None:
    done, _ = validate(one_file(tmp_path, data))
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f"p.yml:{where}: " in done.stderr and message in done.stderr, done.stderr[-2000:]


def test_a_50_mb_file(tmp_path: Path) -> None:
    job = (b"  - name: J%d\n    tasks:\n      - task_key: t\n"
           b"        notebook_task: {notebook_path: /x}\n")
    chunk = b"".join(job % i for i in range(1000))
    data = b"jobs:\n" + chunk * (50 * 2**20 // len(chunk) + 1)
    assert len(data) >= 50 * 2**20
    check(tmp_path, data, "file is larger than 10 MiB", "1:1")


def test_deep_nesting(tmp_path: Path) -> None:
    depth = 100_000
    check(tmp_path, b"jobs: " + b"[" * depth + b"]" * depth + b"\n",
          "invalid YAML: exceeded maximum nesting depth", "1:1006")


def test_nesting_deeper_than_a_pipeline_needs(tmp_path: Path) -> None:
    check(tmp_path, b"jobs: " + b"[" * 100 + b"]" * 100 + b"\n",
          "the document nests deeper than 64 levels", "1:1")


def test_deep_block_nesting(tmp_path: Path) -> None:
    lines = b"".join(b"  " * i + b"- \n" for i in range(2000))
    check(tmp_path, b"jobs:\n" + lines, "exceeded maximum nesting depth", "1001:1999")


def test_billion_laughs(tmp_path: Path) -> None:
    lines = [b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * 10) + b"]"
              for i in range(1, 10)]
    data = b"\n".join(lines) + b"\njobs: *a9\n"
    done, _ = validate(one_file(tmp_path, data))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "aliases" in done.stderr or "too large" in done.stderr, done.stderr


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 64,                       # binary garbage
    b"\xff\xfe" + "jobs: []".encode("utf-16-le"),  # UTF-16
    b"jobs:\n  - name: \xe9t\xe9\n",              # Latin-1
])
def test_not_utf8_text(tmp_path: Path, data: bytes) -> None:
    done, _ = validate(one_file(tmp_path, data))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "not UTF-8 text" in done.stderr or "invalid YAML" in done.stderr, done.stderr
