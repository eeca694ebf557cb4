"""`brickline diff`: two revisions compared in pipeline terms, destroys flagged.

The acceptance case runs the real command in a git repository with two commits; the finer
cases compare synthesized outputs directly (`--base-dir/--head-dir` and `compare`)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from brickline.cli import cli
from brickline.plan import plans
from brickline.review.diff import Review, compare, load_stacks
from brickline.review.render import markdown, text
from brickline.spec.load import load_pipelines
from click.testing import CliRunner
from conftest import PIPELINES
from helpers import JOBS, TASK, synth_dir, synth_json

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine


def synth(folder: Path, files: dict[str, str]) -> Path:
    """Pipeline `p` of these files (name -> text; the minimal jobs as j.yml when no job file
    is given), synthesized."""
    pipelines = folder / "pipelines"
    given = dict(files)
    if all(name == "pipeline.yml" for name in given):
        given["j.yml"] = JOBS
    (pipelines / "p").mkdir(parents=True)
    for name, content in given.items():
        (pipelines / "p" / name).write_text(content, encoding="utf-8")
    return synth_dir(pipelines, folder / "out")


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


# Every attribute of the status table whose change costs its rows, flagged, on the synthesized
# example stacks edited the way a change would (catalog/resource_sql_table.go: the force_new
# tags of SqlTableInfo; `name` and `storage_location` are changed in place).
@pytest.fixture(scope="module")
def sales() -> dict[str, Any]:
    stacks = {s.name: s for s in plans(load_pipelines([str(PIPELINES / "sales_daily")])[0])}
    return synth_json(stacks["sales_daily-dev"])


def changed(doc: dict[str, Any], kind: str, address: str, **attrs: Any) -> Review:
    head = copy.deepcopy(doc)
    head["resource"][kind][address].update(attrs)
    return compare({"s": doc}, {"s": head})


@pytest.mark.parametrize(("attr", "value"), [
    ("catalog_name", "other_catalog"),
    ("schema_name", "other_schema"),
    ("table_type", "EXTERNAL"),
    ("data_source_format", "PARQUET"),
    ("partitions", ["job_name"]),
    ("options", {"x": "1"}),  # reported as options.x
    ("storage_credential_name", "cred"),
])
def test_each_attribute_that_recreates_the_status_table_is_an_error(
        sales: dict[str, Any], attr: str, value: Any) -> None:
    (destroy,) = changed(sales, "databricks_sql_table", "job_metadata", **{attr: value}).destroys
    assert destroy.error and destroy.address == "databricks_sql_table.job_metadata"
    assert f"changing {attr}" in destroy.reason
    assert "makes Terraform drop and re-create the table, and every row is lost " \
           "(prevent_destroy makes the plan fail instead)" in destroy.reason


def test_renaming_the_status_table_is_an_error_the_provider_renames_nothing(
        sales: dict[str, Any]) -> None:
    (destroy,) = changed(sales, "databricks_sql_table", "job_metadata",
                         name="job_log").destroys
    assert destroy.error
    assert "changing name: the provider renames nothing" in destroy.reason
    assert "the status program writes to a table that does not exist" in destroy.reason


def test_moving_the_status_table_is_an_error(sales: dict[str, Any]) -> None:
    (destroy,) = changed(sales, "databricks_sql_table", "job_metadata",
                         storage_location="s3://b/x").destroys
    assert destroy.error
    assert "changing storage_location: the provider points the table at the new location" \
        in destroy.reason


def test_a_change_of_case_in_a_table_name_is_no_change(sales: dict[str, Any]) -> None:
    # EqualFoldDiffSuppress on name, catalog_name and schema_name
    table = sales["resource"]["databricks_sql_table"]["job_metadata"]
    review_ = changed(sales, "databricks_sql_table", "job_metadata",
                      catalog_name=table["catalog_name"].upper(), name=table["name"].upper())
    assert review_.destroys == [] and review_.stacks[0].status == "unchanged"


def test_a_comment_change_of_the_status_table_is_no_destroy(sales: dict[str, Any]) -> None:
    review_ = changed(sales, "databricks_sql_table", "job_metadata", comment="new words")
    assert review_.destroys == [] and review_.stacks[0].notes == []
    (line,) = review_.stacks[0].other
    assert line.startswith("table main.sales_ops_dev.sales_job_metadata: comment Status log")
    assert line.endswith(" → new words")


def test_a_replaced_view_holds_no_data_a_note(sales: dict[str, Any]) -> None:
    review_ = changed(sales, "databricks_sql_table", "job_status", schema_name="other")
    assert review_.destroys == []
    (note,) = review_.stacks[0].notes
    assert note.startswith("view ") and note.endswith(
        " is replaced (changing schema_name); it holds no data")


def test_a_moved_status_notebook_is_replaced_a_note(sales: dict[str, Any]) -> None:
    review_ = changed(sales, "databricks_notebook", "brickline_status",
                      path="/Workspace/elsewhere/brickline_status")
    assert review_.destroys == []
    (note,) = review_.stacks[0].notes
    assert note == ("notebook /Shared/brickline/sales_daily-dev/brickline_status is replaced "
                    "(changing path); it holds no data")


def test_a_moved_workspace_file_is_replaced_a_note(sales: dict[str, Any]) -> None:
    base = copy.deepcopy(sales)
    base["resource"]["databricks_workspace_file"] = {"f": {"path": "/Shared/a.py",
                                                           "content_base64": "eA=="}}
    review_ = changed(base, "databricks_workspace_file", "f", path="/Shared/b.py")
    assert review_.destroys == []
    (note,) = review_.stacks[0].notes
    assert note == "workspace file /Shared/a.py is replaced (changing path); it holds no data"


def test_a_destination_of_another_kind_is_replaced_a_note(sales: dict[str, Any]) -> None:
    review_ = changed(sales, "databricks_notification_destination", "dest_sales_slack",
                      config={"microsoft_teams": {"url": "${var.slack_webhook}"}})
    assert review_.destroys == []
    (note,) = review_.stacks[0].notes
    assert note == ("destination sales_daily-dev sales_slack is replaced (changing "
                    "config.microsoft_teams.url, config.slack.url); it holds no data")


def test_a_destination_name_change_is_in_place(sales: dict[str, Any]) -> None:
    review_ = changed(sales, "databricks_notification_destination", "dest_sales_slack",
                      display_name="renamed")
    assert review_.stacks[0].notes == [] and review_.destroys == []


def test_a_catalog_change_in_the_yaml_is_flagged(tmp_path: Path) -> None:
    settings = "pipeline:\n  metadata: {catalog: main}\n"
    result = review(tmp_path, {"pipeline.yml": settings, "j.yml": JOBS},
                    {"pipeline.yml": settings.replace("main", "ops"), "j.yml": JOBS})
    (destroy,) = result.destroys
    assert destroy.error and "changing catalog_name makes Terraform drop" in destroy.reason


# `brickline diff` reads synthesized JSON, where a secret is only ever `${var.NAME}` of a
# sensitive variable (the spec refuses a literal secret and a sensitive default): its output
# names the variable, never a value.
def test_diff_names_secret_variables_never_values(sales: dict[str, Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TF_VAR_slack_webhook", "https://hooks.slack.com/services/T/B/SECRETX")
    review_ = changed(sales, "databricks_notification_destination", "dest_sales_slack",
                      config={"slack": {"url": "${var.other_hook}"}})
    out = text(review_) + markdown(review_)
    assert "SECRETX" not in out and "hooks.slack.com" not in out
    assert ("destination sales_daily-dev sales_slack: config.slack.url ${var.slack_webhook} → "
            "${var.other_hook}") in review_.stacks[0].other


def test_a_literal_secret_never_reaches_the_diff(repo: Path) -> None:
    pipeline = repo / "pipelines" / "seed_etl" / "pipeline.yml"
    pipeline.write_text(pipeline.read_text() + "  destinations:\n    hook:\n      slack: "
                        "{url: 'https://hooks.slack.com/services/T/B/SECRETX'}\n")
    result = CliRunner().invoke(cli, ["diff", "--base", "HEAD"])
    assert result.exit_code == 1, result.output
    assert "SECRETX" not in result.output.replace("pipeline.yml", "")


def status_tasks(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in doc["resource"]["databricks_job"]["ingest_orders"]["task"]
            if t["task_key"].startswith("brickline_")]


def as_command_lines(doc: dict[str, Any]) -> dict[str, Any]:
    """The stack as earlier brickline revisions wrote it: status tasks as spark_python_task
    command lines (a diff against such a revision compares these)."""
    out = copy.deepcopy(doc)
    for task in status_tasks(out):
        given = task.pop("notebook_task")["base_parameters"]
        task["spark_python_task"] = {"parameters": [
            given["brickline_phase"], "--table", given["brickline_table"], "--start-ms",
            given["brickline_start_ms"]]}
    return out


def with_status_args(doc: dict[str, Any], edit: Any) -> Review:
    """The stack with every status task's command line of job ingest_orders edited."""
    base = as_command_lines(doc)
    head = copy.deepcopy(base)
    for task in status_tasks(head):
        task["spark_python_task"]["parameters"] = edit(task["spark_python_task"]["parameters"])
    return compare({"s": base}, {"s": head})


def status_lines(review_: Review) -> list[str]:
    (job,) = review_.stacks[0].jobs_changed
    assert job.name == "[dev] Ingest_Orders"
    return job.lines


def test_a_status_task_option_change_is_one_line_per_option(sales: dict[str, Any]) -> None:
    def edit(args: list[str]) -> list[str]:
        return [a.replace("sales_job_metadata", "job_log") for a in args]

    assert status_lines(with_status_args(sales, edit)) == [
        "brickline's status tasks: --table main.sales_ops_dev.sales_job_metadata → "
        "main.sales_ops_dev.job_log"]


def test_status_task_options_added_and_dropped(sales: dict[str, Any]) -> None:
    added = with_status_args(sales, lambda args: [*args, "--skip-succeeded"])
    assert status_lines(added) == ["brickline's status tasks: adds --skip-succeeded"]
    dropped = with_status_args(sales, lambda args: args[:-2])
    assert status_lines(dropped) == ["brickline's status tasks: drops --start-ms"]
    other = with_status_args(sales, lambda args: [*args, "x"])
    assert status_lines(other) == ["brickline's status tasks: arguments change"]
    text_ = status_lines(with_status_args(sales, lambda args: "start"))
    assert len(text_) == 2  # the start and the end task had different command lines
    assert all(line.startswith("brickline's status tasks: arguments [\"")
               and line.endswith(" → start") for line in text_)


def test_a_positional_status_argument_change(sales: dict[str, Any]) -> None:
    lines = status_lines(with_status_args(sales, lambda a: ["begin", *a[1:]]))
    assert lines == ["brickline's status tasks: end → begin", "brickline's status tasks: "
                     "start → begin"]


def test_a_status_notebook_parameter_change_is_one_line(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    for task in status_tasks(head):
        given = task["notebook_task"]["base_parameters"]
        given["brickline_table"] = given["brickline_table"].replace("sales_job_metadata",
                                                                    "job_log")
    lines = status_lines(compare({"s": sales}, {"s": head}))
    assert lines == ["brickline's status tasks: notebook_task.base_parameters.brickline_table "
                     "main.sales_ops_dev.sales_job_metadata → main.sales_ops_dev.job_log"]


def test_an_orchestrator_change_lists_no_tasks(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    orchestrator = head["resource"]["databricks_job"]["orchestrator"]
    orchestrator["task"] = orchestrator["task"][1:]
    orchestrator["max_concurrent_runs"] = 7
    (job,) = compare({"s": sales}, {"s": head}).stacks[0].jobs_changed
    assert job.address == "orchestrator"
    assert [line for line in job.lines if "task" in line] == []
    assert "max_concurrent_runs" in " ".join(job.lines)


def test_a_renamed_job_keeps_its_edges(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    head["resource"]["databricks_job"]["ingest_orders"]["name"] = "[dev] Orders"
    stack = compare({"s": sales}, {"s": head}).stacks[0]
    assert stack.renamed == ["[dev] Ingest_Orders → [dev] Orders (same address "
                             "ingest_orders: updated in place)"]
    assert stack.edges_added == [] and stack.edges_removed == []
    assert "[dev] Orders" in stack.graph["jobs"].values()
    # the job downstream of the others, renamed
    head["resource"]["databricks_job"]["build_sales_mart"]["name"] = "[dev] Mart"
    stack = compare({"s": sales}, {"s": head}).stacks[0]
    assert stack.edges_added == [] and stack.edges_removed == []


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


def test_a_removed_and_a_changed_task_of_a_job(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    job = head["resource"]["databricks_job"]["build_sales_mart"]
    work = [t for t in job["task"] if not t["task_key"].startswith("brickline_")]
    job["task"] = [t for t in job["task"] if t is not work[0]]
    work[-1]["max_retries"] = 9
    (change,) = compare({"s": sales}, {"s": head}).stacks[0].jobs_changed
    old = next(t for t in sales["resource"]["databricks_job"]["build_sales_mart"]["task"]
               if t["task_key"] == work[-1]["task_key"]).get("max_retries")
    assert f"task {work[0]['task_key']} removed" in change.lines
    assert f"{work[-1]['task_key']}: max_retries {old} → 9" in change.lines


def test_reordered_status_log_columns_are_an_error(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    columns = head["resource"]["databricks_sql_table"]["job_metadata"]["column"]
    columns[0], columns[1] = columns[1], columns[0]
    (destroy,) = compare({"s": sales}, {"s": head}).destroys
    assert destroy.error and destroy.address == "databricks_sql_table.job_metadata"
    assert destroy.reason.startswith("table main.sales_ops_dev.sales_job_metadata: columns "
                                     "are removed, reordered or retyped")


def test_removing_the_status_log_is_an_error(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    del head["resource"]["databricks_sql_table"]["job_metadata"]
    (destroy,) = compare({"s": sales}, {"s": head}).destroys
    assert destroy.error and destroy.reason.endswith(
        " is removed: every row of the status log would be deleted")


def test_removing_another_protected_table_is_an_error_a_view_is_not(
        sales: dict[str, Any]) -> None:
    base = copy.deepcopy(sales)
    tables = base["resource"]["databricks_sql_table"]
    tables["audit"] = {"catalog_name": "main", "schema_name": "ops", "name": "audit",
                       "table_type": "MANAGED", "lifecycle": {"prevent_destroy": True}}
    head = copy.deepcopy(base)
    del head["resource"]["databricks_sql_table"]["audit"]
    del head["resource"]["databricks_sql_table"]["job_status"]
    destroys = {d.address: d for d in compare({"s": base}, {"s": head}).destroys}
    assert destroys["databricks_sql_table.audit"].error
    assert not destroys["databricks_sql_table.job_status"].error


def test_new_status_program_text_is_one_line(sales: dict[str, Any]) -> None:
    review_ = changed(sales, "databricks_notebook", "brickline_status", content_base64="eA==")
    assert review_.stacks[0].other == [
        "notebook /Shared/brickline/sales_daily-dev/brickline_status: content changes "
        "(uploaded again)"]


def test_a_resource_of_another_kind_is_named_by_its_address(sales: dict[str, Any]) -> None:
    head = copy.deepcopy(sales)
    head["resource"]["databricks_secret_scope"] = {"scope": {"name": "x"}}
    assert compare({"s": sales}, {"s": head}).stacks[0].other == [
        "databricks_secret_scope.scope added"]
