from __future__ import annotations

import os
from pathlib import Path

import pytest
from brickline.plan import StackPlan, plan, plans
from brickline.spec.load import load_pipelines

REPO = Path(__file__).resolve().parent.parent
PIPELINES = REPO / "pipelines"
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20,18")


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def plan_of(path: Path | str) -> StackPlan:
    (pipeline,) = load_pipelines([str(path)])
    return plan(pipeline)


@pytest.fixture(scope="session")
def examples() -> dict[str, StackPlan]:
    """Every stack of the examples, by stack name (sales_daily-dev, seed_etl, ...)."""
    return {s.name: s for p in load_pipelines([str(PIPELINES)]) for s in plans(p)}
