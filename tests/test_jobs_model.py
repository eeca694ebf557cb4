"""The generated Jobs API model matches the provider bindings of both engines: the fields
of the newest (cdktn-provider-databricks), each one the oldest (cdktf-cdktf-provider-
databricks) lacks marked with the provider version that brought it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from brickline import engine
from brickline.spec import jobs_api
from brickline.spec.since import introduced
from conftest import REPO


@pytest.mark.cdktn  # the generator reads both packages
def test_generated_model_is_current() -> None:
    result = subprocess.run([sys.executable, "tools/gen_jobs_model.py", "--check"], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.cdktn
def test_the_engines_pin_the_providers_their_bindings_wrap() -> None:
    """brickline.engine's provider versions are the bindings' own (their second line)."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        from gen_jobs_model import provider_version
    finally:
        sys.path.remove(str(REPO / "tools"))
    for chosen in engine.ENGINES.values():
        assert provider_version(chosen.bindings) == chosen.provider_version, chosen.name
    assert engine.CDKTF.provider_version == jobs_api.BASELINE
    assert engine.NEWEST.provider_version == max(
        (e.provider_version for e in engine.ENGINES.values()), key=engine.version_key)


def test_every_field_has_the_provider_version_that_introduced_it() -> None:
    assert introduced("Task", "python_operator_task") == "1.138.0"
    assert introduced("Task", "notebook_task") == jobs_api.BASELINE == "1.99.0"
    assert introduced("JobSettings", "triggers") == "1.138.0"
    # a block that came whole: its fields came with it
    assert introduced("TaskPythonOperatorTask", "main") == "1.138.0"
    # what the issue lists as new in databricks_job between the two providers
    task_fields = jobs_api.INTRODUCED["Task"]
    for field in ("alert_task", "python_operator_task", "ai_runtime_task", "compute"):
        assert task_fields[field] == "1.138.0", field
    for field in ("environment_variables", "triggers", "parent_path"):
        assert jobs_api.INTRODUCED["JobSettings"][field] == "1.138.0", field
    assert "sparse_checkout" in jobs_api.INTRODUCED["GitSource"]
    assert "maintenance_window" in jobs_api.INTRODUCED["Continuous"]
    assert "sql_condition" in jobs_api.INTRODUCED["Trigger"]


def test_every_newer_field_of_an_older_block_is_checked() -> None:
    """A newer field of a block the older provider has carries the check; the fields of a
    block that came whole do not need it (the block's own field is refused first)."""
    checked = 0
    for model_name, fields in jobs_api.INTRODUCED.items():
        model = getattr(jobs_api, model_name)
        if set(fields) == set(model.model_fields):
            continue  # came whole
        for field in fields:
            metadata = model.model_fields[field].metadata
            assert any(type(m).__name__ == "BeforeValidator" for m in metadata), \
                f"{model_name}.{field}"
            checked += 1
    assert checked > 20
