"""Loading: the design document's files unchanged, discovery, YAML features."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from brickline.spec.load import collect, load_pipelines
from conftest import PIPELINES, REPO, write

REFERENCE = REPO.parent / "shared/reference/000_38cc699dfd480a00.txt"
SEED_FILES = ["data_extract_job.yml", "data_load_job.yml", "es_load_job.yml"]


def test_examples_are_valid() -> None:
    pipelines, diagnostics = collect([str(PIPELINES)])
    assert diagnostics == []
    assert sorted(p.name for p in pipelines) == ["parallel_abcd", "sales_daily", "seed_etl"]


@pytest.mark.skipif(not REFERENCE.exists(), reason="the design document (shared/) is not "
                    "beside this checkout")
def test_seed_job_files_are_the_design_documents_own() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", REFERENCE.read_text(encoding="utf-8"), re.S)
    for name, block in zip(SEED_FILES, blocks, strict=True):
        assert (PIPELINES / "seed_etl" / name).read_text(encoding="utf-8") == block


def test_seed_jobs_keep_every_setting_of_the_document() -> None:
    (pipeline,) = load_pipelines([str(PIPELINES / "seed_etl")])
    extract = pipeline.job_named("Data_Extract_Job")
    assert extract is not None
    task = extract.tasks[0]
    assert (task.task_key, task.max_retries, task.retry_on_timeout, task.timeout_seconds) == (
        "ExtractTask", 3, True, 3600)
    assert extract.email_notifications is not None
    assert extract.email_notifications.on_failure == ["data_pipeline_admin@example.com"]
    assert pipeline.edges() == [("Data_Extract_Job", "Data_Load_Job"),
                                ("Data_Load_Job", "ES_Load_Job")]


def test_a_single_file_is_a_pipeline_named_after_it(tmp_path: Path) -> None:
    write(tmp_path, {"nightly.yaml": "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n"
                                     "        notebook_task: {notebook_path: /x}\n"})
    (pipeline,) = load_pipelines([str(tmp_path / "nightly.yaml")])
    assert pipeline.name == "nightly"


def test_discovery_of_a_collection(tmp_path: Path) -> None:
    job = "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n        notebook_task: " \
          "{notebook_path: /x}\n"
    write(tmp_path / "team" / "etl", {"a.yml": job, "b.yml": job.replace("A", "B"),
                                      "pipeline.yml": "pipeline: {metadata: {table: etl}}"})
    write(tmp_path / "team" / "with_settings", {
        "pipeline.yml": "pipeline: {name: ws, metadata: {table: ws}}\n", "j.yml": job})
    write(tmp_path / "team", {"solo.yml": job})
    write(tmp_path / "team" / "node_modules" / "x", {"ignored.yml": "nonsense: ["})
    names = sorted(p.name for p in load_pipelines([str(tmp_path / "team")]))
    assert names == ["etl", "solo", "ws"]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    _, diagnostics = collect([str(tmp_path / "nope")])
    assert [d.message for d in diagnostics] == ["no such file or folder"]


def test_anchors_and_merge_keys(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": """
x-retries: &retries {max_retries: 2, timeout_seconds: 60}
jobs:
  - name: A
    tasks:
      - <<: *retries
        task_key: t
        notebook_task: {notebook_path: /x}
        timeout_seconds: 5
"""})
    _, diagnostics = collect([str(tmp_path)])
    # unknown top-level key: anchors live under the jobs' own keys, not beside them
    assert [d.message for d in diagnostics] == ["unknown key 'x-retries'"]
    write(tmp_path, {"p.yml": """
jobs:
  - name: A
    tasks:
      - &base
        task_key: t
        notebook_task: {notebook_path: /x}
        max_retries: 2
        timeout_seconds: 60
      - <<: *base
        task_key: u
        timeout_seconds: 5
"""})
    (pipeline,) = load_pipelines([str(tmp_path)])
    task = pipeline.jobs[0].tasks[1]
    assert (task.task_key, task.max_retries, task.timeout_seconds) == ("u", 2, 5)


def test_yaml_12_booleans(tmp_path: Path) -> None:
    write(tmp_path, {"p.yml": "jobs:\n  - name: A\n    tags: {on: yes, off: 'no'}\n"
                              "    tasks:\n      - task_key: t\n        retry_on_timeout: True\n"
                              "        notebook_task: {notebook_path: /x}\n"})
    (pipeline,) = load_pipelines([str(tmp_path)])
    assert pipeline.jobs[0].tags == {"on": "yes", "off": "no"}
    assert pipeline.jobs[0].tasks[0].retry_on_timeout is True


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "p.yml").write_bytes("\ufeffjobs:\n  - name: A\n    tasks:\n      - task_key: t\n"
                                     "        notebook_task: {notebook_path: /x}\n"
                                     .encode("utf-8"))
    assert len(load_pipelines([str(tmp_path)])[0].jobs) == 1


def test_two_pipelines_may_not_share_a_name_or_a_table(tmp_path: Path) -> None:
    job = "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n        notebook_task: " \
          "{notebook_path: /x}\n"
    write(tmp_path / "a", {"pipeline.yml": "pipeline: {name: same}\n", "j.yml": job})
    write(tmp_path / "b", {"pipeline.yml": "pipeline: {name: same}\n", "j.yml": job})
    _, diagnostics = collect([str(tmp_path)])
    messages = sorted(d.message.split(" (")[0].split(";")[0] for d in diagnostics)
    assert messages == ["the metadata table main.pipeline_ops.job_metadata of pipeline 'same' "
                        "is also created by pipeline 'same'", "two pipelines are named 'same'"]


def test_targets_in_one_workspace_need_their_own_table(tmp_path: Path) -> None:
    job = "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n        notebook_task: " \
          "{notebook_path: /x}\n"
    settings = ("pipeline:\n  name: p\n  targets:\n    dev: {}\n    prod:\n"
                "      host: https://prod.cloud.databricks.com\n")
    write(tmp_path / "a", {"pipeline.yml": settings, "j.yml": job})
    assert collect([str(tmp_path)])[1] == []  # two workspaces: the same table name is fine
    write(tmp_path / "a", {"pipeline.yml": settings.replace(
        "      host: https://prod.cloud.databricks.com\n", "      tags: {x: y}\n")})
    _, diagnostics = collect([str(tmp_path)])
    # at both targets, each naming the other: which one changed, the YAML cannot say
    assert sorted((d.key_path, d.message.split(";")[0]) for d in diagnostics) == [
        ("pipeline.targets.dev.metadata", "the metadata table main.pipeline_ops.job_metadata "
         "of pipeline 'p', target 'dev' is also created by pipeline 'p', target 'prod'"),
        ("pipeline.targets.prod.metadata", "the metadata table main.pipeline_ops.job_metadata "
         "of pipeline 'p', target 'prod' is also created by pipeline 'p', target 'dev'")]



def test_an_unreadable_file_is_a_located_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(tmp_path / "p", {"j.yml": "jobs: []\n"})

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    _, diagnostics = collect([str(folder)])
    assert [d.render() for d in diagnostics] == [
        f"{folder / 'j.yml'}:1:1: cannot read the file: Permission denied"]
