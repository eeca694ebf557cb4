"""What many tests need, in one place: a stack plan synthesized to its Terraform JSON, and
the smallest pipeline that loads (two jobs, one depending on the other)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from brickline.plan import StackPlan

TASK = "      - task_key: {key}\n        notebook_task: {{notebook_path: /x}}\n"
# Extract (one task, 3 retries) and Load (one task), Load depending on Extract
JOBS = ("jobs:\n  - name: Extract\n    tasks:\n" + TASK.format(key="pull")
        + "        max_retries: 3\n"
        "  - name: Load\n    depends_on: [Extract]\n    tasks:\n" + TASK.format(key="write"))


# tools/mutation.py sets this for modules that do not shape the synthesized JSON (the
# review, the runtime): a mutant then reuses the JSON a clean run synthesized.
CACHE = os.environ.get("BRICKLINE_TEST_SYNTH_CACHE")


def _cached(key: str) -> Path | None:
    return Path(CACHE) / hashlib.sha256(key.encode()).hexdigest() if CACHE else None


def synth_json(stack_plan: StackPlan) -> dict[str, Any]:
    """The stack's cdk.tf.json as cdktf writes it (Testing.synth: sorted keys, no metadata)."""
    cached = _cached(repr(stack_plan))
    if cached is not None and cached.exists():
        return dict(json.loads(cached.read_text(encoding="utf-8")))
    from brickline.constructs import tf
    from brickline.constructs.stack import PipelineStack

    text = tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack_plan))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(text, encoding="utf-8")
    return dict(json.loads(text))


def pipeline_files(jobs: str = JOBS, settings: str | None = None) -> dict[str, str]:
    """The files of a minimal pipeline folder: j.yml with `jobs`, pipeline.yml if given."""
    return {"j.yml": jobs, **({"pipeline.yml": settings} if settings is not None else {})}


def write_pipeline(folder: Path, jobs: str = JOBS, settings: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in pipeline_files(jobs, settings).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def synth_dir(pipelines: Path, outdir: Path) -> Path:
    """`brickline synth` of a pipelines folder into outdir (stacks/<stack>/cdk.tf.json)."""
    files = sorted((str(p.relative_to(pipelines)), p.read_text(encoding="utf-8"))
                   for p in pipelines.rglob("*.yml"))
    cached = _cached(repr(files))
    if cached is not None and cached.exists():
        shutil.copytree(cached, outdir, dirs_exist_ok=True)
        return outdir
    from brickline.app import build

    build([str(pipelines)], str(outdir)).synth()
    if cached is not None:
        shutil.copytree(outdir, cached, dirs_exist_ok=True)
    return outdir


def as_cdktf(config: dict[str, Any]) -> dict[str, Any]:
    """A stack's Terraform JSON with what the engine writes put back as cdktf 0.21 writes it:
    on cdktn 0.24, its version in the metadata (if any) and the provider version its
    bindings pin (1.138.0). The rest is the same on both engines (tests/test_engines.py
    pins that byte for byte), so the cdktf snapshots hold for both."""
    from brickline import engine

    chosen = engine.current()
    if chosen is engine.CDKTF:
        return config
    out = json.loads(json.dumps(config))
    if "//" in out:  # Testing.synth writes no metadata
        out["//"]["metadata"]["version"] = "0.21.0"
    pinned = out["terraform"]["required_providers"]["databricks"]
    assert pinned["version"] == chosen.provider_version
    pinned["version"] = engine.CDKTF.provider_version
    return out
