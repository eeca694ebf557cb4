"""The status notebook's judgement of a job run from what the Jobs service resolves into its
parameters: each work task's {{tasks.<key>.result_state}} (lowercase), error_code and run_id
(docs: "What is a dynamic value reference?"). Standard library only: runs on Python 3.9
(Databricks Runtime 11.3 LTS) as well as on the current Python."""

from __future__ import annotations

import json

import pytest
from brickline.runtime import status
from brickline.runtime.status import Outcome

START, END, GATE = status.START_TASK, status.END_TASK, status.GATE_TASK


def done(key: str, state: str, code: str = "", run_id: str = "") -> Outcome:
    """An outcome as the end task receives it: the resolved text, parsed."""
    return status.parse_outcome("\t".join([key, state, code, run_id]))


def test_all_succeeded() -> None:
    result = status.evaluate([done("a", "success"), done("b", "success")])
    assert result == status.Evaluation(status.SUCCESS)
    assert not result.failed


def test_one_failed_names_the_task_and_its_error_code() -> None:
    result = status.evaluate([done("a", "success"), done("b", "failed", "RUN_EXECUTION_ERROR")])
    assert result.status == status.FAILED and result.failed_tasks == ["b"]
    assert result.error_message == "b: FAILED [RUN_EXECUTION_ERROR]"


def test_error_text_is_an_optional_extra() -> None:
    work = [done("b", "failed", "RUN_EXECUTION_ERROR", "77")]
    result = status.evaluate(work, errors={"b": "ZeroDivisionError: division by zero"})
    assert result.error_message == (
        "b: FAILED [RUN_EXECUTION_ERROR]: ZeroDivisionError: division by zero")


@pytest.mark.parametrize("state", ["timedout", "canceled", "evicted",
                                   "maximum_concurrent_runs_reached", "some_new_state"])
def test_every_state_that_is_not_success_fails_the_job(state: str) -> None:
    result = status.evaluate([done("a", "success"), done("a2", state)])
    assert result.failed and result.failed_tasks == ["a2"]
    assert result.error_message == f"a2: {state.upper()}"


def test_upper_case_states_are_read_the_same() -> None:
    assert status.evaluate([done("a", "SUCCESS")]).status == status.SUCCESS
    assert status.evaluate([done("a", "Failed")]).failed_tasks == ["a"]


def test_upstream_failed_is_reported_but_not_blamed() -> None:
    result = status.evaluate([done("a", "failed"), done("b", "upstream_failed")])
    assert result.failed_tasks == ["a"]
    assert result.error_message == "a: FAILED\nb: UPSTREAM_FAILED (not run)"


def test_excluded_and_disabled_tasks_count_as_done() -> None:
    result = status.evaluate([done("check", "success"), done("branch", "excluded"),
                              done("off", "disabled")])
    assert result.status == status.SUCCESS


def test_every_work_task_excluded_by_the_gate_is_a_skip() -> None:
    work = [done("a", "excluded"), done("b", "excluded")]
    assert status.evaluate(work, skip_succeeded=True).status == status.SKIPPED
    # without skip_succeeded, excluded work is just done
    assert status.evaluate(work, skip_succeeded=False).status == status.SUCCESS
    # one task that ran: not a skip
    ran = [*work, done("c", "success")]
    assert status.evaluate(ran, skip_succeeded=True).status == status.SUCCESS


@pytest.mark.parametrize("state", ["", "   ", "{{tasks.a.result_state}}"])
def test_an_unresolved_or_empty_state_is_a_failure(state: str) -> None:
    result = status.evaluate([done("a", state)])
    assert result.failed and result.failed_tasks == ["a"]
    assert result.error_message is not None
    assert result.error_message.startswith("a: no result (")


def test_a_failed_start_task_is_named_in_the_row() -> None:
    start = done(START, "failed", "RUN_EXECUTION_ERROR")
    result = status.evaluate([done("a", "upstream_failed")], start=start)
    assert result.failed_tasks == [START]
    assert result.error_message == (
        "brickline_start: FAILED [RUN_EXECUTION_ERROR]: brickline's start task failed, so no "
        "work task ran\na: UPSTREAM_FAILED (not run)")
    assert not status.evaluate([done("a", "success")], start=done(START, "success")).failed


def test_brickline_tasks_are_never_judged_as_work() -> None:
    result = status.evaluate([done(GATE, "failed"), done("a", "success")])
    assert result.status == status.SUCCESS


def test_a_thousand_tasks() -> None:
    work = [done(f"t{i:04}", "success") for i in range(1000)]
    work[737] = done("t0737", "failed", "RUN_EXECUTION_ERROR")
    result = status.evaluate(work)
    assert result.failed_tasks == ["t0737"]


@pytest.mark.parametrize("key", ["ExtractTask", "load_2", "with-hyphen", "x" * 100])
def test_outcome_references_round_trip(key: str) -> None:
    ref = status.outcome_reference(key)
    escaped = f"`{key}`" if "-" in key else key
    # no {{tasks.<key>.error_code}}: not in the docs' table of references (issue 21, item 6)
    assert ref == (f"{key}\t{{{{tasks.{escaped}.result_state}}}}\t"
                   f"{{{{tasks.{escaped}.run_id}}}}")
    resolved = "\t".join([key, "failed", "123"])
    assert status.parse_outcome(resolved) == Outcome(key, "failed", "", "123")
    # the older four fields (key, state, error code, run id) still parse
    old = "\t".join([key, "failed", "RUN_EXECUTION_ERROR", "123"])
    assert status.parse_outcome(old) == Outcome(key, "failed", "RUN_EXECUTION_ERROR", "123")
    # unresolved code and run id are left empty, the state says "no result"
    assert status.parse_outcome(ref).error_code == status.parse_outcome(ref).run_id == ""


def test_a_thousand_task_end_task_fits_the_parameter_limit() -> None:
    """notebook_task.base_parameters: "The JSON representation of this field cannot exceed
    1MB" (Jobs API 2.2 NotebookTask; databricks-sdk-go service/jobs/model.go). The Jobs API
    allows 1,000 tasks per job and task keys of up to 100 characters: the end task's
    parameters for the largest such job, before and after resolution, stay under it."""
    keys = [f"{i:04}-" + "k" * 95 for i in range(1000)]
    params = {status.task_widget(i): status.outcome_reference(k) for i, k in enumerate(keys)}
    size = len(json.dumps(params).encode())
    assert size < 1_000_000, size
    resolved = {status.task_widget(i): "\t".join([k, "upstream_canceled", "X" * 40, "9" * 20])
                for i, k in enumerate(keys)}
    assert len(json.dumps(resolved).encode()) < 1_000_000


def test_long_messages_are_cut_at_the_documented_limit() -> None:
    text = "x" * (status.MAX_ERROR_CHARS + 5000)
    cut = status.cut(text)
    assert len(cut) == status.MAX_ERROR_CHARS
    kept = cut.index("\n...")
    assert cut.endswith(f"cut {len(text) - kept} more characters]")
    assert text.startswith(cut[: cut.index("\n...")])
    assert status.cut("short") == "short"


@pytest.mark.parametrize("name,quoted", [
    ("main.sales.orders", "`main`.`sales`.`orders`"),
    ("a.b`c.d", "`a`.`b``c`.`d`"),
])
def test_table_names_are_quoted(name: str, quoted: str) -> None:
    assert status.quote_table(name) == quoted
    assert status.restore_statement(name, 12) == (
        f"RESTORE TABLE {quoted} TO VERSION AS OF 12")
    assert status.version_statement(name) == f"DESCRIBE HISTORY {quoted} LIMIT 1"


def test_the_optional_error_text_never_holds_up_the_row() -> None:
    import threading

    never = threading.Event()

    def hangs() -> dict[str, str]:
        never.wait(30)
        return {"a": "late"}

    def raises() -> dict[str, str]:
        raise PermissionError("no credentials")

    assert status.within(0.2, hangs) == {}
    assert status.within(5, raises) == {}
    assert status.within(5, lambda: {"a": "text"}) == {"a": "text"}
    never.set()


class Output:
    def __init__(self, data: dict[str, str]) -> None:
        self.data = data

    def as_dict(self) -> dict[str, str]:
        return self.data


class Client:
    """The SDK client's jobs.get_run_output, answering per run id (an Exception is raised)."""

    def __init__(self, answers: dict[int, dict[str, str] | Exception]) -> None:
        self.asked: list[int] = []
        self.answers = answers
        self.jobs = self

    def get_run_output(self, run_id: int) -> Output:
        self.asked.append(run_id)
        answer = self.answers[run_id]
        if isinstance(answer, Exception):
            raise answer
        return Output(answer)


def test_error_texts_read_only_the_failed_tasks_outputs() -> None:
    client = Client({1: {"error": "ValueError: bad row", "error_trace": "Traceback"},
                     2: RuntimeError("403")})
    texts = status.error_texts(client, [done("a", "failed", "", "1"),
                                        done("b", "failed", "", "2"),
                                        done("c", "failed", "", "")])
    assert texts == {"a": "ValueError: bad row\nTraceback"}
    assert client.asked == [1, 2]


def test_a_refused_output_leaves_the_next_tasks_text() -> None:
    """One task's refusal never costs another task's text (a mutant that stopped at the
    first refusal survived before this test)."""
    client = Client({1: RuntimeError("403: no permission on this run"),
                     2: {"error": "ValueError: run 2"}, 3: {"error": "ValueError: run 3"}})
    texts = status.error_texts(client, [done("a", "failed", "", "1"),
                                        done("b", "failed", "", "2"),
                                        done("c", "failed", "", "3")])
    assert texts == {"b": "ValueError: run 2", "c": "ValueError: run 3"}


def test_the_program_is_a_python_notebook_that_runs_on_python_3_9() -> None:
    import ast
    from pathlib import Path

    source = Path(status.__file__).read_text(encoding="utf-8")
    assert source.startswith("# Databricks notebook source\n")
    assert "# COMMAND ----------" not in source  # one cell: the __future__ import covers all
    tree = ast.parse(source, feature_version=(3, 9))
    modules = {alias.name for node in tree.body if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)}
    # module level: the standard library only (pyspark and the SDK are imported where used)
    assert modules == {"__future__", "contextlib", "json", "threading", "collections.abc",
                       "dataclasses", "datetime", "typing"}


def test_dashboard_widgets_use_the_versions_that_render() -> None:
    """Table widgets at version 2, the bar chart at version 3 aggregating; every row of the
    6-column grid filled, no overlap (databricks-solutions/ai-dev-kit, databricks-skills/
    databricks-aibi-dashboards/SKILL.md)."""
    from brickline.runtime import views

    doc = json.loads(views.dashboard_json("m.s.t", "m.s.v", "p"))
    (page,) = doc["pages"]
    cells: set[tuple[int, int]] = set()
    for item in page["layout"]:
        widget, pos = item["widget"], item["position"]
        spec, query = widget["spec"], widget["queries"][0]["query"]
        if spec["widgetType"] == "table":
            assert spec["version"] == 2 and query["disaggregated"] is True
            names = [f["name"] for f in query["fields"]]
            assert [c["fieldName"] for c in spec["encodings"]["columns"]] == names
        else:
            assert (spec["widgetType"], spec["version"]) == ("bar", 3)
            assert query["disaggregated"] is False
            names = {f["name"] for f in query["fields"]}
            assert {spec["encodings"]["x"]["fieldName"],
                    spec["encodings"]["y"]["fieldName"]} == names
        assert pos["x"] >= 0 and pos["x"] + pos["width"] <= views.GRID_WIDTH
        mine = {(pos["x"] + dx, pos["y"] + dy) for dx in range(pos["width"])
                for dy in range(pos["height"])}
        assert not cells & mine
        cells |= mine
    rows = {y for _, y in cells}
    assert all({x for x, y in cells if y == row} == set(range(views.GRID_WIDTH))
               for row in rows)
