"""A target's job override: an item of a keyed list whose key the job lacks is added, and
says so (a warning); a near miss of an existing key is a typo (an error with the
did-you-mean, in tests/corpus/target_override_*.case)."""

from __future__ import annotations

from pathlib import Path

from brickline.cli import cli
from brickline.plan import plan
from brickline.spec import overrides
from brickline.spec.load import load_pipelines
from click.testing import CliRunner
from conftest import write

JOBS = """jobs:
  - name: Publish
    parameters: [{name: day, default: today}]
    tasks:
      - task_key: publish_to_bi
        notebook_task: {notebook_path: /x}
"""
OVERRIDE = """pipeline:
  targets:
    dev:
      jobs:
        Publish:
          parameters: [{name: sample, default: "true"}]
          tasks:
            - task_key: smoke_test
              notebook_task: {notebook_path: /smoke}
    prod: {metadata: {schema: prod_ops}}
"""


def test_adding_by_override_is_said_and_done(tmp_path: Path) -> None:
    folder = write(tmp_path / "p", {"jobs.yml": JOBS, "pipeline.yml": OVERRIDE})
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert "pipeline.targets.dev.jobs.Publish.tasks[0].task_key: warning: adds task " \
           "'smoke_test' to job 'Publish' in this target (no task of the job has this " \
           "task_key; its tasks: publish_to_bi)" in result.output
    assert "pipeline.targets.dev.jobs.Publish.parameters[0].name: warning: adds job " \
           "parameter 'sample' to job 'Publish' in this target" in result.output
    (pipeline,) = load_pipelines([str(folder)])
    dev = {t["task_key"] for t in plan(pipeline, "dev").jobs[0].settings["task"]}
    prod = {t["task_key"] for t in plan(pipeline, "prod").jobs[0].settings["task"]}
    assert dev - prod == {"smoke_test"}


def test_an_item_of_the_job_merges_without_a_word(tmp_path: Path) -> None:
    folder = write(tmp_path / "p", {"jobs.yml": JOBS, "pipeline.yml": OVERRIDE.replace(
        "smoke_test\n              notebook_task: {notebook_path: /smoke}",
        "publish_to_bi\n              notebook_task: {base_parameters: {a: b}}").replace(
        "name: sample", "name: day")})
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0 and "warning" not in result.output, result.output


def test_the_other_spelling_of_a_list_is_the_same_list() -> None:
    from brickline.spec.yamlsource import load

    source, _ = load("p.yml", "pipeline: {}\n")
    raw = {"task": [{"task_key": "publish_to_bi"}]}  # the provider's spelling
    found, usable = overrides.check_job(raw, {"tasks": [{"task_key": "publish_to_bi"}]},
                                        source, ("pipeline",), "Publish")
    assert found == [] and usable == {"tasks": [{"task_key": "publish_to_bi"}]}
    found, usable = overrides.check_job(raw, {"tasks": [{"task_key": "publish_to_b"}],
                                              "name": "x"}, source, ("pipeline",), "Publish")
    assert [d.severity for d in found] == ["error", "error"]
    assert usable == {"tasks": []}  # the typo and the fixed key are left out of the merge


def test_a_misnamed_key_gets_the_right_one_only_where_it_is_a_key() -> None:
    assert overrides.hint("schedule_paused", ["name_prefix", "paused"]) == \
        " (the key is 'paused')"
    assert overrides.hint("schedule_paused", ["tasks"]) == ""
    assert overrides.hint("whatever", ["paused"]) == ""
