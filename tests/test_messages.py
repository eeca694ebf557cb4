"""Messages a new user met (issue 22): `schema --check` of the team's own schema file,
`--profile` without a config file, `graph` on pipelines/ by default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from brickline.cli import cli
from brickline.spec import schema
from click.testing import CliRunner
from conftest import PIPELINES


def test_schema_check_checks_the_file_it_is_given(tmp_path: Path) -> None:
    team = tmp_path / ".vscode" / "brickline.schema.json"
    team.parent.mkdir()
    missing = CliRunner().invoke(cli, ["schema", "--check", "-o", str(team)])
    assert missing.exit_code == 1
    assert f"{team} does not exist: write it with `brickline schema -o {team}`" \
        in missing.output
    team.write_text(schema.text().replace('"description"', '"old_description"', 1))
    stale = CliRunner().invoke(cli, ["schema", "--check", "-o", str(team)])
    assert stale.exit_code == 1
    assert f"{team} is stale (this is brickline " in stale.output
    assert team.read_text() != schema.text()  # --check writes nothing
    assert CliRunner().invoke(cli, ["schema", "-o", str(team)]).exit_code == 0
    current = CliRunner().invoke(cli, ["schema", "--check", "-o", str(team)])
    assert current.exit_code == 0 and current.output == f"{team} is current\n"


def test_a_profile_without_a_config_file_says_the_file_is_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("DATABRICKS_", "ARM_", "GOOGLE_")):
            monkeypatch.delenv(name)
    config = tmp_path / "databrickscfg"
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    result = CliRunner().invoke(cli, ["run", "seed_etl", "--pipelines", str(PIPELINES),
                                      "--profile", "nosuch"])
    assert result.exit_code == 1
    assert result.output == (
        f"brickline: no profile 'nosuch': {config} does not exist (the profiles of "
        "`databricks configure` live there; DATABRICKS_CONFIG_FILE names another file); "
        "create it, or set DATABRICKS_HOST and DATABRICKS_TOKEN\n")


def test_graph_reads_pipelines_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PIPELINES.parent)
    result = CliRunner().invoke(cli, ["graph"])
    assert result.exit_code == 0, result.output
    for job in ("Data_Extract_Job", "Job_1_Task_A"):  # seed_etl's, parallel_abcd's
        assert f'["{job}"]' in result.output
    one = CliRunner().invoke(cli, ["graph", str(PIPELINES / "parallel_abcd")])
    assert one.exit_code == 0 and "Data_Extract_Job" not in one.output
