"""Synthesis depends on the pipelines only: not on the order the file system lists files in,
nor on where the pipelines are, nor (test_e2e) on PYTHONHASHSEED or the working directory.
Across machines, the committed snapshots (test_constructs) are the check: CI compares the
JSON made on its machine with the JSON made on the developer's, byte for byte."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import plan
from brickline.spec.load import load_pipelines
from conftest import PIPELINES


def synth_all(root: Path) -> dict[str, str]:
    return {p.name: tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=plan(p)))
            for p in load_pipelines([str(root)])}


def test_file_listing_order_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = synth_all(PIPELINES)
    real_iterdir, real_walk = Path.iterdir, os.walk

    def reversed_iterdir(self: Path) -> Iterator[Path]:
        return iter(sorted(real_iterdir(self), reverse=True))

    def reversed_walk(top: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for folder, dirs, files in real_walk(top, *args, **kwargs):
            dirs.reverse()
            yield folder, dirs, list(reversed(files))

    monkeypatch.setattr(Path, "iterdir", reversed_iterdir)
    monkeypatch.setattr(os, "walk", reversed_walk)
    assert synth_all(PIPELINES) == expected


def test_where_the_pipelines_are_does_not_matter(tmp_path: Path) -> None:
    elsewhere = tmp_path / "some" / "other checkout" / "pipelines"
    shutil.copytree(PIPELINES, elsewhere)
    moved = synth_all(elsewhere)
    assert moved == synth_all(PIPELINES)
    for text in moved.values():
        assert str(tmp_path) not in text and str(PIPELINES) not in text
        json.loads(text)
