"""The editor schema: generated from the model, committed, current, and right about the
examples (accepted) and about typos (refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from brickline.cli import cli
from brickline.spec import schema
from click.testing import CliRunner
from conftest import PIPELINES, REPO
from jsonschema import Draft202012Validator

MODELINE = "# yaml-language-server: $schema=../../constructs/brickline/spec/pipeline.schema.json"
VERBATIM = {"data_extract_job.yml", "data_load_job.yml", "es_load_job.yml"}  # the document's


def validator() -> Draft202012Validator:
    return Draft202012Validator(schema.json_schema())


def test_committed_schema_is_current() -> None:
    assert schema.SCHEMA_FILE.read_text(encoding="utf-8") == schema.text()
    result = CliRunner().invoke(cli, ["schema", "--check"])
    assert result.exit_code == 0


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    printed = CliRunner().invoke(cli, ["schema"])
    assert printed.exit_code == 0 and printed.output == schema.text()
    target = tmp_path / "s.json"
    assert CliRunner().invoke(cli, ["schema", "-o", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == schema.text()


def test_an_unwritable_output_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "-o", str(tmp_path / "no" / "such" / "s.json")])
    assert result.exit_code == 1
    assert result.output.startswith("brickline: cannot write ")


@pytest.mark.parametrize("path", sorted(PIPELINES.glob("*/*.yml")), ids=lambda p: p.name)
def test_examples_are_valid_and_carry_the_modeline(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    errors = [e.message for e in validator().iter_errors(yaml.safe_load(text))]
    assert errors == []
    if path.name not in VERBATIM:
        assert text.splitlines()[0] == MODELINE
        assert (path.parent / MODELINE.split("=", 1)[1]).resolve() == schema.SCHEMA_FILE


def test_design_document_form_of_trigger_job_is_accepted() -> None:
    doc = {"jobs": [{"name": "A", "tasks": [{"task_key": "t", "notebook_task": {
        "notebook_path": "/x"}}], "on_success": {"trigger_job": {"job_name": "B"}}}]}
    assert list(validator().iter_errors(doc)) == []


@pytest.mark.parametrize("doc", [
    {"jobs": [{"name": "A", "taks": [], "tasks": []}]},
    {"jobs": [{"name": "A", "tasks": [{"task_key": "t", "run_if": "ALWAYS"}]}]},
    {"pipeline": {"metadata": {"schema": 5}}},
    {"pipeline": {"recovery": {"skip_succeded": True}}},
    {"jobs": [{"name": "A", "tasks": [{"task_key": "t", "max_retries": 1.5}]}]},
    {"job": []},
])
def test_mistakes_are_refused(doc: dict[str, object]) -> None:
    assert list(validator().iter_errors(doc))


def test_editors_map_every_pipeline_file_to_the_schema() -> None:
    import json

    settings = json.loads((REPO / ".vscode" / "settings.json").read_text())
    assert settings["yaml.schemas"] == {
        "./constructs/brickline/spec/pipeline.schema.json": "pipelines/**/*.yml"}
