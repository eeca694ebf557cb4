"""The status program's judgement of a job run, over `runs/get` payloads of the real shape
(Jobs API 2.2): which tasks failed, with what message, and whether the job failed."""

from __future__ import annotations

from typing import Any

import pytest
from brickline.runtime import status

START, END, GATE = status.START_TASK, status.END_TASK, status.GATE_TASK


def task(key: str, result: str | None, message: str = "", *, attempt: int = 0,
         life: str = "TERMINATED", start: int = 1_700_000_000_000) -> dict[str, Any]:
    state: dict[str, Any] = {"life_cycle_state": life, "state_message": message,
                             "user_cancelled_or_timedout": result in ("CANCELED", "TIMEDOUT")}
    if result is not None:
        state["result_state"] = result
    return {"task_key": key, "run_id": abs(hash((key, attempt))) % 10**12,
            "attempt_number": attempt, "start_time": start + attempt, "state": state}


def ours(end_life: str = "RUNNING") -> list[dict[str, Any]]:
    return [task(START, "SUCCESS"), task(END, None, life=end_life)]


def test_all_succeeded() -> None:
    result = status.evaluate([*ours(), task("a", "SUCCESS"), task("b", "SUCCESS")])
    assert result == status.Evaluation(status.SUCCESS)
    assert not result.failed


def test_one_failed_names_the_task_and_its_error() -> None:
    result = status.evaluate([*ours(), task("a", "SUCCESS"), task("b", "FAILED", "boom")],
                             errors={"b": "ZeroDivisionError: division by zero"})
    assert result.status == status.FAILED and result.failed_tasks == ["b"]
    assert result.error_message == "b: FAILED: ZeroDivisionError: division by zero"


def test_state_message_is_the_fallback_error() -> None:
    result = status.evaluate([task("b", "FAILED", "Task b failed with message: x")])
    assert result.error_message == "b: FAILED: Task b failed with message: x"


@pytest.mark.parametrize("state", ["TIMEDOUT", "CANCELED", "MAXIMUM_CONCURRENT_RUNS_REACHED"])
def test_timed_out_and_cancelled_fail_the_job(state: str) -> None:
    result = status.evaluate([*ours(), task("a", state, "stopped")])
    assert result.failed and result.failed_tasks == ["a"]
    assert result.error_message == f"a: {state}: stopped"


def test_upstream_failed_is_reported_but_not_blamed() -> None:
    result = status.evaluate([*ours(), task("a", "FAILED", "x"),
                              task("b", "UPSTREAM_FAILED", "upstream failed")])
    assert result.failed_tasks == ["a"]
    assert result.error_message == "a: FAILED: x\nb: UPSTREAM_FAILED (not run)"


def test_excluded_tasks_count_as_done() -> None:
    result = status.evaluate([*ours(), task("check", "SUCCESS"), task("branch", "EXCLUDED")])
    assert result.status == status.SUCCESS


def test_every_work_task_excluded_by_the_gate_is_a_skip() -> None:
    tasks = [*ours(), task(GATE, "SUCCESS"), task("a", "EXCLUDED"), task("b", "EXCLUDED")]
    assert status.evaluate(tasks, skipped=True).status == status.SKIPPED
    # without the start task saying so, excluded work is just done
    assert status.evaluate(tasks, skipped=False).status == status.SUCCESS


def test_a_retried_task_is_judged_by_its_last_attempt() -> None:
    tasks = [task("a", "FAILED", "flaky", attempt=0), task("a", "SUCCESS", attempt=1)]
    assert status.evaluate(tasks).status == status.SUCCESS
    tasks = [task("a", "SUCCESS", attempt=0), task("a", "FAILED", "again", attempt=1)]
    assert status.evaluate(tasks).failed_tasks == ["a"]


def test_a_task_without_a_result_is_a_failure() -> None:
    result = status.evaluate([task("a", None, life="INTERNAL_ERROR")])
    assert result.failed and result.error_message == (
        "a: no result (life cycle state INTERNAL_ERROR)")


def test_newer_status_object_without_state() -> None:
    ok = {"task_key": "a", "status": {"state": "TERMINATED",
                                      "termination_details": {"code": "SUCCESS"}}}
    bad = {"task_key": "b", "status": {"state": "TERMINATED",
                                       "termination_details": {"code": "RUN_EXECUTION_ERROR"}}}
    result = status.evaluate([ok, bad])
    assert result.failed_tasks == ["b"]


def test_more_than_a_page_of_tasks() -> None:
    tasks = [task(f"t{i:03}", "SUCCESS") for i in range(250)]
    tasks[137] = task("t137", "FAILED", "late failure")
    result = status.evaluate([*ours(), *tasks])
    assert result.failed_tasks == ["t137"]


def test_brickline_tasks_are_never_judged() -> None:
    # the end task is running while it judges; a failed start is reported through the
    # work tasks it held back (upstream failed)
    result = status.evaluate([task(START, "FAILED"), task(END, None, life="RUNNING"),
                              task("a", "UPSTREAM_FAILED")])
    assert result.failed_tasks == [] and result.failed
    assert result.error_message == "a: UPSTREAM_FAILED (not run)"


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
