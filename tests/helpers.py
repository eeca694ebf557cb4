"""What many tests need, in one place: a stack plan synthesized to its Terraform JSON, and
the smallest pipeline that loads (two jobs, one depending on the other)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from brickline.plan import StackPlan

TASK = "      - task_key: {key}\n        notebook_task: {{notebook_path: /x}}\n"
# Extract (one task, 3 retries) and Load (one task), Load depending on Extract
JOBS = ("jobs:\n  - name: Extract\n    tasks:\n" + TASK.format(key="pull")
        + "        max_retries: 3\n"
        "  - name: Load\n    depends_on: [Extract]\n    tasks:\n" + TASK.format(key="write"))


def synth_json(stack_plan: StackPlan) -> dict[str, Any]:
    """The stack's cdk.tf.json as cdktf writes it (Testing.synth: sorted keys, no metadata)."""
    from brickline.constructs import tf
    from brickline.constructs.stack import PipelineStack

    return dict(json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack_plan))))


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
    from brickline.app import build

    build([str(pipelines)], str(outdir)).synth()  # type: ignore[attr-defined]
    return outdir
