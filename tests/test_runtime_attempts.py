"""Which attempt of a task the status program judges, and the words of its verdict, in the
corners the mutation run found untested (tools/mutation.py)."""

from __future__ import annotations

from typing import Any

from brickline.runtime import status


def attempt(key: str, result: str, **fields: Any) -> dict[str, Any]:
    return {"task_key": key, "state": {"result_state": result}, **fields}


def results(tasks: list[dict[str, Any]]) -> dict[str, str]:
    return {t["task_key"]: t["state"]["result_state"] for t in status.latest_attempts(tasks)}


def test_a_first_attempt_without_a_number_is_attempt_zero() -> None:
    # the Jobs API leaves attempt_number out of the first attempt
    assert results([attempt("a", "FAILED"), attempt("a", "SUCCESS", attempt_number=1)]) == \
        {"a": "SUCCESS"}
    assert results([attempt("a", "SUCCESS", attempt_number=1), attempt("a", "FAILED")]) == \
        {"a": "SUCCESS"}


def test_the_same_attempt_number_is_decided_by_the_start_time() -> None:
    late = attempt("a", "SUCCESS", attempt_number=1, start_time=200)
    early = attempt("a", "FAILED", attempt_number=1, start_time=100)
    assert results([late, early]) == {"a": "SUCCESS"}
    assert results([early, late]) == {"a": "SUCCESS"}
    untimed = attempt("a", "FAILED", attempt_number=1)
    assert results([early, untimed]) == {"a": "FAILED"}  # equal rank: the later listed
    assert results([late, untimed]) == {"a": "SUCCESS"}


def test_one_entry_per_task_in_task_key_order() -> None:
    tasks = [attempt("b", "SUCCESS"), attempt("a", "SUCCESS"), attempt("b", "FAILED",
                                                                       attempt_number=1)]
    assert [t["task_key"] for t in status.latest_attempts(tasks)] == ["a", "b"]


def test_a_task_with_no_result_and_no_life_cycle_state() -> None:
    result = status.evaluate([{"task_key": "a", "state": {}}])
    assert result.error_message == "a: no result (life cycle state unknown)"


def test_a_failure_without_a_message_ends_at_its_state() -> None:
    result = status.evaluate([attempt("a", "FAILED")])
    assert result.error_message == "a: FAILED"
    ending = status.evaluate([{"task_key": "a", "state": {"result_state": "FAILED",
                                                            "state_message": "code X"}}])
    assert ending.error_message == "a: FAILED: code X"  # only the empty ": " goes
