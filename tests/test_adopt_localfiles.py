"""Relative code paths are uploaded by the stack and the task points at the upload; a
change of content changes the upload only; a missing file is a located error; absolute
/Workspace paths and paths in a git source are left alone."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from brickline.constructs import tf
from brickline.constructs.stack import PipelineStack
from brickline.plan import StackPlan, plans
from brickline.spec.diagnostics import render
from brickline.spec.load import collect, load_pipelines

JOBS = """jobs:
  - name: archive
    environments: [{environment_key: e, spec: {environment_version: "2"}}]
    tasks:
      - task_key: nb
        environment_key: e
        notebook_task: {notebook_path: ../src/archive.py}
      - task_key: py
        environment_key: e
        spark_python_task: {python_file: jobs/run.py}
        libraries: [{whl: dist/tool-1.0-py3-none-any.whl}, {requirements: requirements.txt}]
      - task_key: sql
        sql_task: {warehouse_id: w, file: {path: q.sql}}
      - task_key: jupyter
        environment_key: e
        notebook_task: {notebook_path: nb.ipynb}
      - task_key: each
        environment_key: e
        for_each_task:
          inputs: "[1, 2]"
          task:
            task_key: each_one
            environment_key: e
            notebook_task: {notebook_path: ../src/archive.py}
      - task_key: fixed
        environment_key: e
        notebook_task: {notebook_path: /Workspace/Shared/fixed}
  - name: from_git
    git_source: {git_url: "https://github.com/x/y", git_provider: gitHub, git_branch: main}
    tasks:
      - task_key: g
        existing_cluster_id: c
        notebook_task: {notebook_path: notebooks/in_repo}
"""
NOTEBOOK = json.dumps({"cells": [], "metadata": {"kernelspec": {"language": "python"}},
                       "nbformat": 4, "nbformat_minor": 5})


def put(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # the project root: uploads are placed relative to it
    put(tmp_path / "pipelines", {
        "p/jobs.yml": JOBS, "p/pipeline.yml": "pipeline:\n  metadata: {warehouse_id: w}\n",
        "src/archive.py": "# Databricks notebook source\nprint('archive')\n",
        "p/jobs/run.py": "print('run')\n", "p/requirements.txt": "requests==2.32.3\n",
        "p/dist/tool-1.0-py3-none-any.whl": "wheel bytes", "p/q.sql": "select 1\n",
        "p/nb.ipynb": NOTEBOOK})
    return tmp_path


def stack_of(root: Path) -> StackPlan:
    (pipeline,) = load_pipelines([str(root / "pipelines" / "p")])
    (stack,) = plans(pipeline)
    return stack


def synth(stack: StackPlan) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack)))
    return doc["resource"]


def tasks(doc: dict[str, Any], job: str) -> dict[str, Any]:
    return {t["task_key"]: t for t in doc["databricks_job"][job]["task"]}


def test_relative_files_are_uploaded_and_referenced(project: Path) -> None:
    doc = synth(stack_of(project))
    folder = "/Shared/brickline/p/files/pipelines"
    notebook = doc["databricks_notebook"]["notebook_pipelines_src_archive_py"]
    # provider arguments: path, content_base64, language (workspace/resource_notebook.go)
    assert notebook["path"] == f"{folder}/src/archive"
    assert notebook["language"] == "PYTHON"
    assert base64.b64decode(notebook["content_base64"]).startswith(b"# Databricks notebook")
    jupyter = doc["databricks_notebook"]["notebook_pipelines_p_nb_ipynb"]
    assert (jupyter["path"], jupyter["format"], jupyter["language"]) == (
        f"{folder}/p/nb", "JUPYTER", "PYTHON")
    files = doc["databricks_workspace_file"]
    assert files["file_pipelines_p_jobs_run_py"]["path"] == f"{folder}/p/jobs/run.py"
    # brickline's own file: the SQL of the orchestrator's first task
    assert sorted(files) == ["brickline_pipeline_start",
                             "file_pipelines_p_dist_tool_1_0_py3_none_any_whl",
                             "file_pipelines_p_jobs_run_py", "file_pipelines_p_q_sql",
                             "file_pipelines_p_requirements_txt"]
    t = tasks(doc, "archive")
    assert t["nb"]["notebook_task"]["notebook_path"] == \
        "${databricks_notebook.notebook_pipelines_src_archive_py.path}"
    assert t["each"]["for_each_task"]["task"]["notebook_task"]["notebook_path"] == \
        "${databricks_notebook.notebook_pipelines_src_archive_py.path}"
    # a workspace file is referred to by its /Workspace/... path (workspace_path)
    assert t["py"]["spark_python_task"]["python_file"] == \
        "${databricks_workspace_file.file_pipelines_p_jobs_run_py.workspace_path}"
    assert t["py"]["library"] == [
        {"whl": "${databricks_workspace_file.file_pipelines_p_dist_tool_1_0_py3_none_any_whl"
                ".workspace_path}"},
        {"requirements": "${databricks_workspace_file.file_pipelines_p_requirements_txt"
                         ".workspace_path}"}]
    assert t["sql"]["sql_task"]["file"]["path"] == \
        "${databricks_workspace_file.file_pipelines_p_q_sql.workspace_path}"
    assert t["fixed"]["notebook_task"]["notebook_path"] == "/Workspace/Shared/fixed"
    # in a git source a relative path is the repository's: left alone
    assert tasks(doc, "from_git")["g"]["notebook_task"]["notebook_path"] == "notebooks/in_repo"


def test_a_change_of_content_changes_only_the_upload(project: Path) -> None:
    before = synth(stack_of(project))
    (project / "pipelines/src/archive.py").write_text("# Databricks notebook source\nprint(2)\n")
    after = synth(stack_of(project))
    changed = {(kind, name) for kind in after for name in after[kind]
               if after[kind][name] != before.get(kind, {}).get(name)}
    assert changed == {("databricks_notebook", "notebook_pipelines_src_archive_py")}


def test_a_missing_file_is_located(project: Path) -> None:
    (project / "pipelines/p/jobs/run.py").unlink()
    text = (project / "pipelines/p/jobs.yml").read_text()
    (project / "pipelines/p/jobs.yml").write_text(
        text.replace("../src/archive.py}\n      - task_key: py", "../src/archive}\n"
                     "      - task_key: py"))
    _, diagnostics = collect([str(project / "pipelines" / "p")])
    out = render(diagnostics)
    assert "jobs.yml:10:42: jobs[0].tasks[1].spark_python_task.python_file: no such file: " \
           "'jobs/run.py'" in out
    assert "jobs.yml:7:40: jobs[0].tasks[0].notebook_task.notebook_path: no such file: " \
           "'../src/archive'" in out and "did you mean '../src/archive.py'" in out


def test_bundle_job_files_name_files_relative_to_themselves(project: Path) -> None:
    put(project / "pipelines" / "p", {"jobs.yml": """resources:
  jobs:
    etl:
      tasks:
        - task_key: t
          existing_cluster_id: c
          spark_python_task: {python_file: ./jobs/run.py}
"""})
    doc = synth(stack_of(project))
    assert tasks(doc, "etl")["t"]["spark_python_task"]["python_file"] == \
        "${databricks_workspace_file.file_pipelines_p_jobs_run_py.workspace_path}"


PROJECT = Path(__file__).parent / "data" / "bundle_project"


def test_a_bundle_project_job_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(PROJECT, tmp_path / "daily")
    monkeypatch.chdir(tmp_path)
    job_file = tmp_path / "daily/resources/daily.job.yml"
    out = render([d for d in collect(["daily/resources"])[1] if d.severity != "note"])
    # the one thing a bundle resolves that brickline cannot outside the bundle's root: a
    # reference into the bundle (its root, daily/, resolves it: test_bundle_root.py)
    assert out.splitlines()[0].startswith(
        "daily/resources/daily.job.yml:34:26: resources.jobs.daily_job.tasks[2]."
        "pipeline_task.pipeline_id: a bundle reference")
    assert out.endswith("Found 1 error")
    job_file.write_text(job_file.read_text().replace(
        "${resources.pipelines.daily_etl.id}", "${var.etl_pipeline_id}"))
    (pipeline,) = load_pipelines(["daily/resources"])
    (stack,) = plans(pipeline)
    doc = synth(stack)
    t = tasks(doc, "daily_job")
    assert t["notebook_task"]["notebook_task"]["notebook_path"] == \
        "${databricks_notebook.notebook_daily_src_daily_notebook_ipynb.path}"
    notebook = doc["databricks_notebook"]["notebook_daily_src_daily_notebook_ipynb"]
    assert notebook["format"] == "JUPYTER"
    assert notebook["path"] == "/Shared/brickline/daily/files/daily/src/daily_notebook"
    environment = doc["databricks_job"]["daily_job"]["environment"][0]
    assert environment["spec"]["dependencies"] == [
        "${databricks_workspace_file.file_daily_dist_daily_0_0_1_py3_none_any_whl"
        ".workspace_path}"]
    assert doc["databricks_job"]["daily_job"]["trigger"] == {
        "periodic": {"interval": 1, "unit": "DAYS"}}
    assert t["refresh_pipeline"]["pipeline_task"]["pipeline_id"] == "${var.etl_pipeline_id}"


def test_a_glob_must_name_one_file(project: Path) -> None:
    text = (project / "pipelines/p/jobs.yml").read_text()
    (project / "pipelines/p/jobs.yml").write_text(
        text.replace("whl: dist/tool-1.0-py3-none-any.whl", "whl: dist/*.whl")
        .replace("requirements: requirements.txt", "requirements: build/*.txt"))
    (project / "pipelines/p/dist/tool-2.0-py3-none-any.whl").write_text("newer")
    out = render(collect(["pipelines/p"])[1])
    assert "'dist/*.whl' matches 2 files (pipelines/p/dist/tool-1.0-py3-none-any.whl, " \
           "pipelines/p/dist/tool-2.0-py3-none-any.whl): name one" in out
    assert "'build/*.txt' matches no file: brickline uploads files, it does not build " \
           "them" in out


def test_files_a_target_names_are_checked_too(project: Path) -> None:
    put(project / "pipelines", {
        "p/dev.py": "print('dev')\n",
        "p/pipeline.yml": """pipeline:
  metadata: {warehouse_id: w}
  targets:
    dev:
      host: https://dev.example.com
      jobs:
        archive:
          tasks:
            - task_key: py
              spark_python_task: {python_file: jobs/missing.py}
    prod:
      host: https://prod.example.com
""",
        "q/jobs.yml": "jobs:\n  - name: per_target\n    tasks:\n      - task_key: t\n"
                      "        existing_cluster_id: c\n        spark_python_task:\n"
                      "          python_file: ../p/${bundle.target}.py\n",
        "q/pipeline.yml": "pipeline:\n  metadata: {warehouse_id: w}\n  targets:\n"
                          "    dev: {host: https://dev.example.com}\n"
                          "    prod: {host: https://prod.example.com}\n"})
    out = render(collect(["pipelines/p", "pipelines/q"])[1])
    assert "pipelines/p/pipeline.yml:7:9: pipeline.targets.dev.jobs.archive: after merging " \
           "the target's override: jobs[0].tasks[1].spark_python_task.python_file: no such " \
           "file: 'jobs/missing.py'" in out
    assert "pipelines/q/jobs.yml:2:5: jobs[0]: in target prod: " \
           "jobs[0].tasks[0].spark_python_task.python_file: no such file: '../p/prod.py'" in out
    assert "dev.py" not in out and "Found 2 errors" in out
