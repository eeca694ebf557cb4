"""`brickline build`: each artifact of a bundle built as the Databricks CLI builds it at
deploy (bundle/artifacts/build.go, prepare.go): its `build` command run in its `path`
(relative to the file that names it), by `executable` when given, else the shell; a whl
artifact with neither build nor files runs `python3 setup.py bdist_wheel`. Synth never
builds: it stays offline, and Terraform reads the built files when it plans."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from brickline.spec import bundle as bundles
from brickline.spec.diagnostics import Diagnostic


@dataclass(frozen=True)
class Step:
    artifact: str
    command: str
    folder: Path
    executable: str | None = None


def steps(paths: Sequence[str]) -> tuple[list[Step], list[Diagnostic]]:
    """The build steps of every bundle under `paths`, in the bundles' order."""
    from brickline.spec.load import discover

    out: list[Step] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        units, found = discover(raw)
        problems += found
        for origin, files in units:
            if not (len(files) == 1 and files[0].name in bundles.ROOT_FILES):
                continue
            folder = Path(origin)
            bundle, _, found = bundles.read(folder, files[0])
            problems += [d for d in found if d.severity == "error"]
            if bundle is not None:
                out += _bundle_steps(bundle)
    return out, problems


def _bundle_steps(bundle: bundles.Bundle) -> list[Step]:
    out = []
    for piece in bundle.parts.get("artifacts", []):
        if not isinstance(piece.value, dict):
            continue
        base = Path(piece.source.file).parent
        for name, artifact in piece.value.items():
            if not isinstance(artifact, dict):
                continue
            command = artifact.get("build")
            if not command and artifact.get("type") == "whl" and not artifact.get("files"):
                command = "python3 setup.py bdist_wheel"  # bundle/artifacts/prepare.go
            if not isinstance(command, str) or not command:
                continue
            folder = artifact.get("path") or "."
            executable = artifact.get("executable")
            out.append(Step(str(name), command, (base / str(folder)).resolve(),
                            executable if isinstance(executable, str) else None))
    return out


def run(step: Step, echo: Callable[[str], None]) -> int:
    """Run one step with its output on the terminal; its exit code."""
    echo(f"building {step.artifact} in {os.path.relpath(step.folder)}: {step.command}")
    shell = step.executable or os.environ.get("SHELL") or shutil.which("bash") or "sh"
    try:
        done = subprocess.run([shell, "-c", step.command], cwd=step.folder, check=False)
    except OSError as exc:
        echo(f"cannot run {shell}: {exc.strerror}")
        return 127
    return done.returncode
