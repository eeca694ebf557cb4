"""`brickline diff`: two revisions compared in pipeline terms, destroys flagged.

The acceptance case runs the real command in a git repository with two commits; the finer
cases compare synthesized outputs directly (`--base-dir/--head-dir` and `compare`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from brickline.app import build
from brickline.cli import cli
from brickline.review.diff import Review, compare, load_stacks
from brickline.review.render import markdown, text
from click.testing import CliRunner
from conftest import PIPELINES, write

TASK = "      - task_key: {key}\n        notebook_task: {{notebook_path: /x}}\n"
JOBS = ("jobs:\n  - name: Extract\n    tasks:\n" + TASK.format(key="pull")
        + "        max_retries: 3\n"
        "  - name: Load\n    depends_on: [Extract]\n    tasks:\n" + TASK.format(key="write"))


def synth(folder: Path, files: dict[str, str]) -> Path:
    write(folder / "pipelines" / "p", files)
    out = folder / "out"
    build([str(folder / "pipelines")], str(out)).synth()
    return out


def review(tmp_path: Path, before: dict[str, str], after: dict[str, str]) -> Review:
    base, head = synth(tmp_path / "a", before), synth(tmp_path / "b", after)
    return compare(load_stacks(base), load_stacks(head))


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.email=ci@example.com",
                    "-c", "user.name=ci", *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:  # pragma: no cover - git is on every CI machine
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    shutil.copytree(PIPELINES, root / "pipelines")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    monkeypatch.chdir(root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_acceptance_rename_task_retries_and_a_table_move(repo: Path) -> None:
    seed = repo / "pipelines" / "seed_etl"
    edit(seed / "es_load_job.yml", "  - name: ES_Load_Job\n",
         "  - name: ES_Index_Job\n    renamed_from: ES_Load_Job\n")
    edit(seed / "data_load_job.yml", "job_name: ES_Load_Job", "job_name: ES_Index_Job")
    edit(seed / "data_load_job.yml", "        max_retries: 3\n", "        max_retries: 1\n")
    edit(seed / "data_extract_job.yml", "        timeout_seconds: 3600\n",
         "        timeout_seconds: 3600\n      - task_key: ValidateTask\n"
         "        depends_on: [{task_key: ExtractTask}]\n"
         "        notebook_task: {notebook_path: /Workspace/Pipeline/Validate}\n")
    git(repo, "commit", "-qam", "rename, task, retries")
    edit(seed / "pipeline.yml", "schema: pipeline_ops", "schema: ops_v2")  # uncommitted
    result = CliRunner().invoke(cli, ["diff", "--base", "HEAD~1", "--format", "text"])
    assert result.exit_code == 2, result.output
    out = result.output
    assert "1 resource(s) would be destroyed (1 losing data)" in out
    assert ("ERROR: databricks_sql_table.job_metadata: table main.pipeline_ops.job_metadata: "
            "changing schema_name makes Terraform drop and re-create the table") in out
    assert "ES_Load_Job → ES_Index_Job (moved es_load_job → es_index_job: updated in place)" \
        in out
    assert "- LoadTask: max_retries 3 → 1" in out
    assert "- task ValidateTask added" in out
    assert "Dependencies" not in out  # the rename kept the edge Data_Load_Job → ES_Index_Job
    # committed changes only: no destroy, exit 0
    committed = CliRunner().invoke(cli, ["diff", "--base", "HEAD~1", "--head", "HEAD"])
    assert committed.exit_code == 0, committed.output
    assert "✅ Nothing would be destroyed." in committed.output
    assert not list(repo.parent.glob("brickline-base-*"))
    worktrees = subprocess.run(["git", "-C", str(repo), "worktree", "list"], check=True,
                               capture_output=True, text=True).stdout.splitlines()
    assert len(worktrees) == 1  # the temporary worktrees are gone


def test_report_only_and_an_unknown_ref(repo: Path) -> None:
    edit(repo / "pipelines" / "seed_etl" / "pipeline.yml", "table: job_metadata",
         "table: job_log")
    assert CliRunner().invoke(cli, ["diff", "--base", "HEAD"]).exit_code == 2
    assert CliRunner().invoke(cli, ["diff", "--base", "HEAD", "--report-only"]).exit_code == 0
    bad = CliRunner().invoke(cli, ["diff", "--base", "no-such-branch"])
    assert bad.exit_code == 2 and "unknown revision 'no-such-branch'" in bad.output


def test_invalid_head_pipelines_exit_1_with_located_errors(repo: Path) -> None:
    edit(repo / "pipelines" / "seed_etl" / "data_load_job.yml", "max_retries: 3",
         "max_retries: three")
    result = CliRunner().invoke(cli, ["diff", "--base", "HEAD"])
    assert result.exit_code == 1
    assert "the pipelines of the working tree have errors" in result.output
    assert "data_load_job.yml:" in result.output and "max_retries" in result.output


def test_a_rename_without_key_is_a_destroy_with_the_fix(tmp_path: Path) -> None:
    after = JOBS.replace("name: Load\n", "name: Load2\n")
    result = review(tmp_path, {"j.yml": JOBS}, {"j.yml": after})
    (stack,) = result.stacks
    assert stack.renamed == ["Load → Load2 (address load → load2)"]
    (destroy,) = result.destroys
    assert destroy.address == "databricks_job.load" and not destroy.error
    assert "Keep the address with `key: load` on the job" in destroy.reason


def test_a_rename_with_key_is_in_place(tmp_path: Path) -> None:
    before = JOBS.replace("name: Load\n", "name: Load\n    key: load\n")
    after = JOBS.replace("name: Load\n", "name: Loader\n    key: load\n")
    result = review(tmp_path, {"j.yml": before}, {"j.yml": after})
    assert result.destroys == []
    assert result.stacks[0].renamed == ["Load → Loader (same address load: updated in place)"]


def test_jobs_and_edges_added_and_removed(tmp_path: Path) -> None:
    after = ("jobs:\n  - name: Extract\n    tasks:\n" + TASK.format(key="pull")
             + "        max_retries: 3\n"
             "  - name: Publish\n    depends_on: [Extract]\n    tasks:\n"
             + TASK.format(key="post"))
    result = review(tmp_path, {"j.yml": JOBS}, {"j.yml": after})
    (stack,) = result.stacks
    assert stack.jobs_added == ["Publish"] and stack.jobs_removed == ["Load"]
    assert stack.edges_added == [("Extract", "Publish")]
    assert stack.edges_removed == [("Extract", "Load")]
    assert [d.address for d in result.destroys] == ["databricks_job.load"]
    md = markdown(result)
    assert "j_Extract ==> j_Publish" in md  # the new edge is drawn bold in the graph
    assert "class j_Publish changed" in md


def test_removing_notifications_warns_about_suppress_diff(tmp_path: Path) -> None:
    before = JOBS.replace("  - name: Load\n", "  - name: Load\n    email_notifications: "
                          "{on_failure: [ops@example.com]}\n")
    result = review(tmp_path, {"j.yml": before}, {"j.yml": JOBS})
    lines = result.stacks[0].jobs_changed[0].lines
    assert lines[0] == 'email_notifications.on_failure removed (was ["ops@example.com"])'
    assert "suppress_diff" in lines[1]


def test_schedule_and_cluster_changes_in_the_users_words(tmp_path: Path) -> None:
    settings = ("pipeline:\n  orchestrator:\n    schedule: {quartz_cron_expression: "
                "'0 0 2 * * ?', timezone_id: UTC}\n")
    cluster = ("jobs:\n  - name: A\n    job_clusters:\n      - job_cluster_key: c\n"
               "        new_cluster: {spark_version: '15.4', node_type_id: x, "
               "num_workers: 2}\n    tasks:\n" + TASK.format(key="t"))
    result = review(tmp_path, {"pipeline.yml": settings, "j.yml": cluster},
                    {"pipeline.yml": settings.replace("0 0 2", "0 0 3"),
                     "j.yml": cluster.replace("num_workers: 2", "num_workers: 8")})
    changed = {c.name: c.lines for c in result.stacks[0].jobs_changed}
    assert changed["p_orchestrator"] == [
        "schedule.quartz_cron_expression 0 0 2 * * ? → 0 0 3 * * ?"]
    assert changed["A"] == ["job_cluster[c].new_cluster.num_workers 2 → 8"]
    assert result.destroys == []


def test_dropping_a_column_would_lose_data(tmp_path: Path) -> None:
    base = synth(tmp_path / "a", {"j.yml": JOBS})
    head = synth(tmp_path / "b", {"j.yml": JOBS})
    doc = head / "stacks" / "p" / "cdk.tf.json"
    import json

    data = json.loads(doc.read_text())
    columns = data["resource"]["databricks_sql_table"]["job_metadata"]["column"]
    columns[0], columns[1] = columns[1], columns[0]
    doc.write_text(json.dumps(data))
    result = CliRunner().invoke(cli, ["diff", "--base-dir", str(base), "--head-dir", str(head),
                                      "--format", "text"])
    assert result.exit_code == 2
    assert "columns are removed, reordered or retyped" in result.output


def test_folders_that_are_not_synth_outputs_are_usage_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["diff", "--base-dir", str(empty), "--head-dir",
                                      str(empty)])
    assert result.exit_code == 2 and "holds no stacks/ folder" in result.output
    broken = tmp_path / "broken" / "stacks" / "p"
    broken.mkdir(parents=True)
    (broken / "cdk.tf.json").write_text("{oops")
    result = CliRunner().invoke(cli, ["diff", "--base-dir", str(empty.parent / "broken"),
                                      "--head-dir", str(empty.parent / "broken")])
    assert result.exit_code == 2 and "not readable Terraform JSON" in result.output
    missing = CliRunner().invoke(cli, ["diff", "--base-dir", str(tmp_path / "nope"),
                                       "--head-dir", str(empty)])
    assert missing.exit_code == 2 and "does not exist" in missing.output


def test_outside_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["diff", "--base", "main"])
    assert result.exit_code == 2
    assert "run `brickline diff --base` inside the repository" in result.output


def test_nothing_changed(tmp_path: Path) -> None:
    result = review(tmp_path, {"j.yml": JOBS}, {"j.yml": JOBS})
    assert [s.status for s in result.stacks] == ["unchanged"]
    assert text(result).splitlines()[1:] == ["nothing would be destroyed", "", "p: unchanged"]


def test_a_new_and_a_removed_pipeline(tmp_path: Path) -> None:
    base = synth(tmp_path / "a", {"j.yml": JOBS})
    empty = tmp_path / "empty"
    (empty / "stacks").mkdir(parents=True)
    gone = compare(load_stacks(base), load_stacks(empty))
    assert gone.stacks[0].status == "removed" and gone.destroys == []
    assert "cdktf destroy p" in gone.stacks[0].notes[0]
    new = compare(load_stacks(empty), load_stacks(base))
    assert new.stacks[0].status == "added"
    assert new.stacks[0].jobs_added == ["Extract", "Load"]


def test_permission_and_destination_changes_in_the_users_words(tmp_path: Path) -> None:
    settings = ("pipeline:\n  permissions:\n    - {group_name: analysts, level: CAN_VIEW}\n"
                "    - {user_name: ann@example.com, level: CAN_MANAGE}\n")
    after = settings.replace("analysts, level: CAN_VIEW", "analysts, level: CAN_MANAGE_RUN")
    after += "    - {service_principal_name: sp-1, level: IS_OWNER}\n"
    result = review(tmp_path, {"pipeline.yml": settings, "j.yml": JOBS},
                    {"pipeline.yml": after, "j.yml": JOBS})
    other = result.stacks[0].other
    assert ("permissions of job extract: access_control[analysts].permission_level "
            "CAN_VIEW → CAN_MANAGE_RUN") in other
    assert ("permissions of job extract: access_control[sp-1].permission_level set to "
            "IS_OWNER") in other
    assert result.destroys == []


def test_a_renamed_job_s_permissions_move_with_it(tmp_path: Path) -> None:
    """renamed_from moves the job and its databricks_permissions (moved blocks): nothing
    is destroyed, so the job's access list is never reset in between."""
    settings = "pipeline:\n  permissions:\n    - {group_name: analysts, level: CAN_VIEW}\n"
    renamed = JOBS.replace("- name: Load\n", "- name: Loader\n    renamed_from: Load\n")
    assert renamed != JOBS
    result = review(tmp_path, {"pipeline.yml": settings, "j.yml": JOBS},
                    {"pipeline.yml": settings, "j.yml": renamed})
    assert result.destroys == []
    assert not any("permissions" in line for line in result.stacks[0].other)
