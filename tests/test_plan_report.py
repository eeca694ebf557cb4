"""`brickline plan-report` over real `terraform show -json` output.

The plans come from the terraform binary and its built-in `terraform_data` resource, which
plans creates, updates, deletes and replaces with no provider download (the Databricks
provider cannot be downloaded here); they are recorded in tests/data/plans/ and made again
by the real terraform in one test (tests/plan_fixtures.py). Their shape is the shape of
any plan."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from brickline.cli import cli
from brickline.review import plan_report
from click.testing import CliRunner
from plan_fixtures import make_plans, recorded

TERRAFORM = shutil.which("terraform")
needs_terraform = pytest.mark.skipif(TERRAFORM is None,
                                     reason="terraform is not on the PATH (CI has 1.11)")


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The recorded real plans (tests/plan_fixtures.py), as files for the CLI."""
    folder = tmp_path_factory.mktemp("plans")
    for name, doc in recorded().items():
        (folder / f"{name}.json").write_text(json.dumps(doc))
    return {p.stem: p for p in folder.glob("*.json")}


def load(path: Path) -> Any:
    return json.loads(path.read_text())


@needs_terraform
def test_the_recorded_plans_are_what_terraform_makes(tmp_path: Path) -> None:
    """terraform makes the plans again; every report reads the same as from the recording."""
    live = make_plans(tmp_path)
    saved = recorded()
    assert sorted(live) == sorted(saved) == ["change", "create", "same", "secrets"]
    for name in live:
        assert plan_report.markdown(plan_report.report(live[name])) == \
            plan_report.markdown(plan_report.report(saved[name])), name


def test_counts_per_type_and_action(plans: dict[str, Path]) -> None:
    rep = plan_report.report(load(plans["change"]))
    counts = dict(rep.counts["terraform_data"])
    assert counts == {"create": 1, "update": 2, "delete": 1, "replace": 1}
    created = plan_report.report(load(plans["create"]))
    assert dict(created.counts["terraform_data"]) == {"create": 5}
    assert created.destroys == []


def test_destroys_and_replaces_are_loud_and_name_the_status_log(
        plans: dict[str, Path]) -> None:
    rep = plan_report.report(load(plans["change"]))
    by_address = {d.address: d for d in rep.destroys}
    assert set(by_address) == {"terraform_data.job_metadata", "terraform_data.old_job"}
    table = by_address["terraform_data.job_metadata"]
    assert table.action == "replace" and table.data_loss
    assert "because triggers_replace changes" in table.reason
    assert "this is the job_metadata status log: every row in it would be lost" in table.reason
    assert by_address["terraform_data.old_job"].action == "delete"
    md = plan_report.markdown(rep)
    assert "🛑 **2 resource(s) would be destroyed or replaced, 1 of them holding data.**" in md
    assert "> **REPLACE** `terraform_data.job_metadata`" in md


def test_updates_in_the_pipelines_words_and_no_secret_printed(plans: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["plan-report", str(plans["change"])])
    assert result.exit_code == 2
    out = result.output
    assert "- input.task[LoadTask].max_retries 3 → 1" in out
    assert "| terraform_data | 1 | 2 | 1 | 1 |" in out
    assert "SECRET" not in out and "hooks.slack.com" not in out
    assert "**terraform_data.hook**\n- input (sensitive value changes)\n" in out
    assert "- output (known after apply)" in out
    assert "**Created:** `terraform_data.new_job`" in out


def test_no_changes_exit_0(plans: dict[str, Path]) -> None:
    result = CliRunner().invoke(cli, ["plan-report", str(plans["same"]), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.output == "Plan: 0 to add, 0 to change, 0 to destroy, 0 to replace\n"


def test_report_only_and_stdin(plans: dict[str, Path]) -> None:
    text = plans["change"].read_text()
    result = CliRunner().invoke(cli, ["plan-report", "-", "--report-only"], input=text)
    assert result.exit_code == 0
    assert "REPLACE" in result.output


def test_not_a_plan(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"resources": []}')
    result = CliRunner().invoke(cli, ["plan-report", str(bad)])
    assert result.exit_code == 1
    assert "not a plan in JSON: make it with `terraform show -json PLANFILE`" in result.output
    bad.write_text("{oops")
    assert CliRunner().invoke(cli, ["plan-report", str(bad)]).exit_code == 1
    bad.write_text('{"format_version": "1.2", "resource_changes": [{"x": 1}]}')
    edited = CliRunner().invoke(cli, ["plan-report", str(bad)])
    assert edited.exit_code == 1
    assert "resource_changes is not the list `terraform show -json PLANFILE` writes" \
        in edited.output


# Every masking layer on its own, over the recorded plan `secrets` (tests/plan_fixtures.py):
# each secret changes, so an update would print it if its layer did not hide it.
def secret_updates() -> dict[str, list[str]]:
    rep = plan_report.report(recorded()["secrets"])
    return {label.removeprefix("terraform_data."): lines for label, lines in rep.updates}


def test_a_value_terraform_marks_sensitive_is_masked() -> None:
    assert secret_updates()["marked"] == ["input.token (sensitive value changes)",
                                          "output (known after apply)"]


def test_a_sensitive_number_is_masked_where_no_text_search_could() -> None:
    # numbers are not texts: only Terraform's mark hides them
    assert secret_updates()["number"] == ["input.pin (sensitive value changes)",
                                          "output (known after apply)"]


def test_a_text_derived_from_a_secret_and_not_marked_is_masked() -> None:
    # `nonsensitive()` in the text: Terraform marks nothing, the text layer hides it
    plan = recorded()["secrets"]
    rc = next(r for r in plan["resource_changes"] if r["name"] == "derived")
    assert rc["change"]["after_sensitive"] == {"input": {}, "output": {}}  # not marked
    assert "dapi-0123456789-SECOND" in rc["change"]["after"]["input"]["url"]
    assert secret_updates()["derived"] == ["input.url (sensitive value changes)",
                                           "output (known after apply)"]


def test_the_secret_of_a_sensitive_variable_is_looked_for_in_texts() -> None:
    # only_in_text marks no leaf anywhere: only the variable's value tells it is a secret;
    # its old value is in no plan, so the old text is hidden because the new one is
    assert secret_updates()["from_variable"] == ["input.header (sensitive value changes)",
                                                 "output (known after apply)"]


def test_a_marked_leaf_is_looked_for_in_texts() -> None:
    # local.leaf is sensitive() in the configuration, no variable holds it
    assert secret_updates()["from_leaf"] == ["input.value (sensitive value changes)",
                                             "output (known after apply)"]
    assert plan_report.secrets(recorded()["secrets"]) >= {"leafsecret-FIRST",
                                                          "leafsecret-SECOND"}


def test_a_secret_below_the_length_filter() -> None:
    """Decided and documented (plan_report.MIN_SECRET): a secret shorter than 4 characters
    is masked where Terraform marks it and where a text is exactly it; inside a longer
    unmarked text it shows, since hiding every text that holds "q7z" would hide most of a
    plan and a secret that short protects nothing."""
    updates = secret_updates()
    assert updates["short"] == ["input.code (sensitive value changes)",
                                "output (known after apply)"]
    assert updates["short_alone"] == ["input.code (sensitive value changes)",
                                      "output (known after apply)"]
    assert updates["short_in_text"] == ["input.text code q7z end → code q8z end",
                                        "output (known after apply)"]
    assert plan_report.MIN_SECRET == 4


def test_no_secret_of_at_least_four_characters_is_printed(plans: dict[str, Path]) -> None:
    for fmt in ("markdown", "text"):
        result = CliRunner().invoke(cli, ["plan-report", str(plans["secrets"]),
                                          "--format", fmt])
        assert result.exit_code == 0, result.output
        for secret in ("dapi-0123456789", "ghp_onlyintext", "leafsecret", "48291", "objsecret",
                       "listsecret", "mixedsecret"):
            assert secret not in result.output, (fmt, secret)
        assert "Plan: 0 to add, 20 to change" in result.output or "| 0 | 20 | 0 | 0 |" in \
            result.output


def test_sensitive_elements_of_lists_are_masked() -> None:
    # a marked number among plain ones, a marked text among plain ones, and a text in a list
    # that holds a secret nobody marked: each list says its secret changed, and no more
    updates = secret_updates()
    assert updates["in_list"] == ["input.items (sensitive value changes)",
                                  "input.names (sensitive value changes)",
                                  "output (known after apply)"]
    assert updates["text_in_list"] == ["input.urls (sensitive value changes)",
                                       "output (known after apply)"]


CHANGE_MARKDOWN = """<!-- brickline-plan-report -->
## Terraform plan

🛑 **2 resource(s) would be destroyed or replaced, 1 of them holding data.**

> **REPLACE** `terraform_data.job_metadata`: replaced (destroyed, then created again) \
because triggers_replace changes [replace_because_cannot_update]; this is the job_metadata \
status log: every row in it would be lost
>
> **DELETE** `terraform_data.old_job`: removed from the configuration \
[delete_because_no_resource_config]

| resource type | add | change | destroy | replace |
|---|--:|--:|--:|--:|
| terraform_data | 1 | 2 | 1 | 1 |

**terraform_data.data_load_job**
- input.task[LoadTask].max_retries 3 → 1
- output (known after apply)

**terraform_data.hook**
- input (sensitive value changes)

**Created:** `terraform_data.new_job`
"""

CHANGE_TEXT = """Plan: 1 to add, 2 to change, 1 to destroy, 1 to replace
!! REPLACE terraform_data.job_metadata: replaced (destroyed, then created again) because \
triggers_replace changes [replace_because_cannot_update]; this is the job_metadata status \
log: every row in it would be lost
!! DELETE terraform_data.old_job: removed from the configuration \
[delete_because_no_resource_config]
~ terraform_data.data_load_job
    input.task[LoadTask].max_retries 3 → 1
    output (known after apply)
~ terraform_data.hook
    input (sensitive value changes)
+ terraform_data.new_job
"""


def test_the_report_of_a_change_word_for_word() -> None:
    rep = plan_report.report(recorded()["change"])
    assert plan_report.markdown(rep) == CHANGE_MARKDOWN
    assert plan_report.text(rep) == CHANGE_TEXT


def test_the_report_of_no_change_word_for_word() -> None:
    rep = plan_report.report(recorded()["same"])
    assert plan_report.markdown(rep) == ("<!-- brickline-plan-report -->\n## Terraform plan\n\n"
                                         "✅ Nothing is destroyed or replaced.\n\nNo changes.\n")


def as_databricks(plan: dict[str, Any], kinds: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The recorded plan with some terraform_data resources given Databricks types and
    names: address -> (type, name). The shape stays Terraform's."""
    doc = json.loads(json.dumps(plan))
    for rc in doc["resource_changes"]:
        if rc["address"] in kinds:
            rc["type"], rc["name"] = kinds[rc["address"]]
            rc["address"] = ".".join(kinds[rc["address"]])
            for side in ("before", "after"):
                if isinstance(rc["change"].get(side), dict):
                    rc["change"][side] = {**rc["change"][side], **(rc["change"][side].get(
                        "input") if isinstance(rc["change"][side].get("input"), dict) else {})}
    return doc


def test_a_job_is_named_by_its_name() -> None:
    doc = as_databricks(recorded()["change"], {
        "terraform_data.data_load_job": ("databricks_job", "data_load_job"),
        "terraform_data.old_job": ("databricks_job", "old_job")})
    rep = plan_report.report(doc)
    assert rep.updates[0][0] == \
        "job Data_Load_Job (databricks_job.data_load_job)"
    (gone,) = [d for d in rep.destroys if d.action == "delete"]
    assert gone.address == "job Old_Job (databricks_job.old_job)"
    assert gone.reason.endswith("; the job's run history would be lost") and not gone.data_loss


def test_a_replaced_table_loses_its_rows_a_view_does_not() -> None:
    table = as_databricks(recorded()["change"], {
        "terraform_data.job_metadata": ("databricks_sql_table", "events")})
    (replaced,) = [d for d in plan_report.report(table).destroys if d.action == "replace"]
    assert replaced.data_loss and replaced.address == "databricks_sql_table.events"
    assert replaced.reason.endswith("; this is a table: every row in it would be lost")
    view = json.loads(json.dumps(table))
    for rc in view["resource_changes"]:
        if rc["name"] == "events":
            rc["change"]["before"]["table_type"] = "VIEW"
    (kept,) = [d for d in plan_report.report(view).destroys if d.action == "replace"]
    assert not kept.data_loss and "every row" not in kept.reason


def test_data_sources_and_no_ops_are_not_counted() -> None:
    doc = json.loads(json.dumps(recorded()["change"]))
    read = {**doc["resource_changes"][0], "mode": "data", "address": "data.x.y"}
    noop = {**doc["resource_changes"][0], "address": "terraform_data.noop",
            "change": {**doc["resource_changes"][0]["change"], "actions": ["no-op"]}}
    doc["resource_changes"] += [read, noop]
    assert dict(plan_report.report(doc).counts["terraform_data"]) == \
        {"create": 1, "update": 2, "delete": 1, "replace": 1}


@pytest.mark.parametrize("resource", ["from_object", "from_list", "from_mixed", "from_pin"])
def test_parts_of_marked_objects_lists_and_numbers_are_looked_for_in_texts(
        resource: str) -> None:
    # a whole object, a whole list, one element of a list, and a number, each marked; each
    # text holds one of them, unmarked
    assert secret_updates()[resource] == ["input.text (sensitive value changes)",
                                          "output (known after apply)"]


def test_a_secret_attribute_the_new_configuration_adds_or_drops() -> None:
    for resource in ("added_secret", "removed_secret"):
        assert secret_updates()[resource] == ["input.token (sensitive value changes)",
                                              "output (known after apply)"], resource


def test_a_plan_of_an_empty_configuration() -> None:
    # terraform leaves resource_changes out when there is nothing to manage
    rep = plan_report.report({"format_version": "1.2"})
    assert rep.counts == {} and plan_report.text(rep) == (
        "Plan: 0 to add, 0 to change, 0 to destroy, 0 to replace\n")


def test_marked_objects_and_lists_are_masked_whole() -> None:
    updates = secret_updates()
    for resource in ("whole_object", "whole_list", "mixed_list"):
        assert updates[resource] == ["input (sensitive value changes)",
                                     "output (known after apply)"], resource


def test_a_delete_that_holds_no_data_says_so_plainly() -> None:
    doc = json.loads(json.dumps(recorded()["change"]))
    doc["resource_changes"] = [rc for rc in doc["resource_changes"]
                               if rc["name"] != "job_metadata"]
    md = plan_report.markdown(plan_report.report(doc))
    assert "🛑 **1 resource(s) would be destroyed or replaced.**\n" in md
