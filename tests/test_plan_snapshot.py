"""The plan of every example as plain data, snapshotted: what each stack provisions, checked
without Node or jsii (the synthesized snapshots in test_constructs check the same through
cdktf). Cheap enough to run per mutant in tools/mutation.py, which is why it exists."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from brickline.plan import Ref, plans
from brickline.spec.load import load_pipelines
from conftest import PIPELINES
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension


def plain(value: Any) -> Any:
    """Dataclasses as dicts, references as their repr, sets sorted."""
    if isinstance(value, Ref):
        return f"<ref {value!r}>"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):  # the status program's text changes with the program
        return {str(k): "<the status program>" if k == "content_base64" else plain(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


@pytest.mark.parametrize("name", ["parallel_abcd", "sales_daily-dev", "sales_daily-prod",
                                  "seed_etl"])
def test_plan_snapshot(name: str, snapshot: SnapshotAssertion) -> None:
    # planned here, not by the session fixture: a mutation run sees which code each test
    # reaches only when the test itself runs it
    stacks = {s.name: s for p in load_pipelines([str(PIPELINES)]) for s in plans(p)}
    data = json.loads(json.dumps(plain(stacks[name]), sort_keys=True, default=repr))
    assert data == snapshot.use_extension(JSONSnapshotExtension)
