"""The platform's rules as data (spec/rules/platform.py): every row that cites the SDK
quotes the field's docs as the pinned SDK has them, so an SDK upgrade that changes a rule
fails here; and every row kind is exercised on its edges (the limit, one past it)."""

from __future__ import annotations

import ast
import inspect
import re

import pytest
from brickline.spec.rules import platform

SDK_ROWS = [r for r in platform.ROWS if r.source.startswith("databricks-sdk-py")]
CITE = re.compile(r"databricks-sdk-py service/(jobs|compute)\.py (\w+)\.(\w+)")


def docstring(module: str, cls: str, field: str) -> str:
    from databricks.sdk.service import compute, jobs

    source = inspect.getsource(getattr({"jobs": jobs, "compute": compute}[module], cls))
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    for node, after in zip(body.body, body.body[1:], strict=False):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and \
                node.target.id == field and isinstance(after, ast.Expr) and \
                isinstance(after.value, ast.Constant):
            return " ".join(str(after.value.value).split())
    raise AssertionError(f"{cls}.{field} has no docstring in the SDK")


@pytest.mark.parametrize("row", SDK_ROWS, ids=lambda r: f"{r.subject}:{r.field}")
def test_an_sdk_row_quotes_the_sdk_as_pinned(row: platform.Row) -> None:
    found = CITE.match(row.source)
    assert found, row.source
    assert row.quote and " ".join(row.quote.split()) in docstring(*found.groups())


def test_every_row_cites_a_source_and_says_what_to_do() -> None:
    for row in platform.ROWS:
        assert row.source and row.severity in ("error", "warning")
        assert row.kind in ("max_items", "range", "conflicts", "requires", "exactly_one",
                            "at_most_one", "required", "pattern", "check")


def found(subject: platform.Subject, data: dict, job: dict | None = None,
          cluster: dict | None = None) -> list[str]:
    ctx = platform.Context(job or {}, cluster)
    return [message for _, message, _ in platform.check(subject, data, ctx)]


@pytest.mark.parametrize(("count", "refused"), [(10, False), (11, True)])
def test_max_items_at_its_limit(count: int, refused: bool) -> None:
    keys = [f"k{i}" for i in range(count)]
    assert bool(found("cluster", {"ssh_public_keys": keys})) is refused


@pytest.mark.parametrize(("value", "refused"), [(1, False), (100, False), (101, True),
                                                (0, True)])
def test_range_at_its_edges(value: int, refused: bool) -> None:
    task = {"for_each_task": {"concurrency": value, "inputs": "[]"}}
    assert bool(found("task", task)) is refused


def test_a_reference_is_checked_once_known_not_before() -> None:
    task = {"run_job_task": {"jar_params": ["a"], "notebook_params": "${var.p}"}}
    assert found("task", task) == []
    assert found("task", {"for_each_task": {"concurrency": "${var.n}"}}) == []


def test_ebs_size_depends_on_the_volume_type() -> None:
    ssd = {"aws_attributes": {"ebs_volume_type": "GENERAL_PURPOSE_SSD", "ebs_volume_size": 100}}
    hdd = {"aws_attributes": {"ebs_volume_type": "THROUGHPUT_OPTIMIZED_HDD",
                              "ebs_volume_size": 100}}
    unknown = {"aws_attributes": {"ebs_volume_size": 50}}
    assert found("cluster", ssd) == [] and found("cluster", unknown) == []
    assert "500 to 4096" in found("cluster", hdd)[0]


@pytest.mark.parametrize(("price", "refused"), [(-1, False), (0.5, False), (0, True),
                                                (-2, True)])
def test_azure_spot_bid(price: float, refused: bool) -> None:
    assert bool(found("cluster", {"azure_attributes": {"spot_bid_max_price": price}})) \
        is refused


@pytest.mark.parametrize(("version", "refused"), [("13.3.x-scala2.12", False),
                                                  ("14.3.x-scala2.12", True),
                                                  ("${var.runtime}", False)])
def test_eggs_by_runtime(version: str, refused: bool) -> None:
    assert bool(found("library", {"egg": "dbfs:/x.egg"},
                      cluster={"spark_version": version})) is refused


def test_a_single_node_cluster_written_whole_passes() -> None:
    whole = {"num_workers": 0, "spark_conf": {"spark.databricks.cluster.profile": "singleNode",
                                              "spark.master": "local[*]"},
             "custom_tags": {"ResourceClass": "SingleNode"}}
    assert found("cluster", whole) == []
    assert found("cluster", {"num_workers": 0}) and \
        found("cluster", {"num_workers": 0, "is_single_node": True, "kind": "CLASSIC_PREVIEW"}) \
        == []
