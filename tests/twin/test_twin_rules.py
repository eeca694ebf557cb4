"""The twin's own rules, each against the docs page it comes from, on hand-written jobs
(no Spark: only user tasks, conditions and run_job_tasks)."""

from __future__ import annotations

from typing import Any

import pytest

from twin import Scenario, Workspace


def doc(*jobs: tuple[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"resource": {"databricks_job": {
        name: {"name": name, "task": tasks,
               "parameter": [{"name": "p", "default": "{{job.start_time.iso_date}}"}]}
        for name, tasks in jobs}}}


def nb(key: str, **extra: Any) -> dict[str, Any]:
    return {"task_key": key, "notebook_task": {"notebook_path": f"/x/{key}"}, **extra}


def after(*keys: str) -> list[dict[str, str]]:
    return [{"task_key": k} for k in keys]


def states(ws: Workspace, run_id: int) -> dict[str, str]:
    return {t["task_key"]: t["state"]["result_state"] for t in ws.get_run(run_id)["tasks"]}


def test_run_if_rules_and_the_run_result_from_leaf_tasks() -> None:
    ws = Workspace(doc(("j", [
        nb("a"), nb("b", depends_on=after("a")),
        nb("cleanup", depends_on=after("b"), run_if="ALL_DONE"),
        nb("on_fail", depends_on=after("a"), run_if="AT_LEAST_ONE_FAILED"),
    ])), spark=None, scenario=Scenario({"a": ["failed"]}))
    run_id = ws.run_now(ws.job_id("j"))
    assert states(ws, run_id) == {"a": "FAILED", "b": "UPSTREAM_FAILED", "cleanup": "SUCCESS",
                                  "on_fail": "SUCCESS"}
    # docs "Configure task dependencies": the leaves (cleanup, on_fail) succeeded
    assert ws.get_run(run_id)["state"]["result_state"] == "SUCCESS_WITH_FAILURES"
    ok = Workspace(doc(("j", [nb("a"), nb("on_fail", depends_on=after("a"),
                                          run_if="AT_LEAST_ONE_FAILED")])), spark=None)
    run_id = ok.run_now(ok.job_id("j"))
    assert states(ok, run_id) == {"a": "SUCCESS", "on_fail": "EXCLUDED"}
    assert ok.get_run(run_id)["state"]["result_state"] == "SUCCESS"


def test_none_failed_needs_a_dependency_that_ran() -> None:
    """SDK RunIf: "NONE_FAILED: None of the dependencies have failed and at least one was
    executed": an excluded dependency beside one that ran is no failure; with a failed one
    the task does not run."""
    ws = Workspace(doc(("j", [
        {"task_key": "check", "condition_task": {"op": "EQUAL_TO", "left": "1", "right": "2"}},
        nb("skipped", depends_on=[{"task_key": "check", "outcome": "true"}]),
        nb("ran"), nb("bad"),
        nb("both", depends_on=after("ran", "skipped"), run_if="NONE_FAILED"),
        nb("after_bad", depends_on=after("bad", "skipped"), run_if="NONE_FAILED"),
    ])), spark=None, scenario=Scenario({"bad": ["failed"]}))
    found = states(ws, ws.run_now(ws.job_id("j")))
    assert (found["skipped"], found["both"], found["after_bad"]) == (
        "EXCLUDED", "SUCCESS", "UPSTREAM_FAILED")


def test_condition_outcomes_exclude_the_branch_not_taken_and_what_follows() -> None:
    ws = Workspace(doc(("j", [
        {"task_key": "check", "condition_task": {"op": "EQUAL_TO", "left": "{{job.parameters.p}}",
                                                 "right": "go"}},
        nb("yes", depends_on=[{"task_key": "check", "outcome": "true"}]),
        nb("after_yes", depends_on=after("yes")),
        nb("no", depends_on=[{"task_key": "check", "outcome": "false"}]),
    ])), spark=None)
    run_id = ws.run_now(ws.job_id("j"), {"p": "stop"})
    assert states(ws, run_id) == {"check": "SUCCESS", "no": "SUCCESS", "yes": "EXCLUDED",
                                  "after_yes": "EXCLUDED"}


def test_references_unknown_in_a_known_namespace_fail_others_stay_literal() -> None:
    ws = Workspace(doc(("j", [
        {"task_key": "bad", "condition_task": {"op": "EQUAL_TO", "left": "{{job.notebook_url}}",
                                               "right": "x"}},
        {"task_key": "literal", "condition_task": {"op": "EQUAL_TO", "left": "{{my.value}}",
                                                   "right": "{{my.value}}"}},
    ])), spark=None)
    run_id = ws.run_now(ws.job_id("j"))
    assert states(ws, run_id) == {"bad": "FAILED", "literal": "SUCCESS"}
    assert "invalid dynamic value reference {{job.notebook_url}}" in (
        ws.get_run(run_id)["tasks"][0]["state"]["state_message"])


def test_task_values_come_only_from_notebook_tasks() -> None:
    def reader(upstream: str) -> dict[str, Any]:
        return {"task_key": f"read_{upstream}", "depends_on": after(upstream),
                "condition_task": {"op": "EQUAL_TO", "right": "1",
                                   "left": f"{{{{tasks.{upstream}.values.n}}}}"}}

    ws = Workspace(doc(("j", [
        nb("notebook"), {"task_key": "script", "spark_python_task": {"python_file": "/x.py"}},
        reader("notebook"), reader("script"),
    ])), spark=None, scenario=Scenario(values={"notebook": {"n": 1}, "script": {"n": 1}}))
    run_id = ws.run_now(ws.job_id("j"))
    found = states(ws, run_id)
    assert (found["read_notebook"], found["read_script"]) == ("SUCCESS", "FAILED")


def test_task_outcome_references_are_lowercase_states() -> None:
    ws = Workspace(doc(("j", [
        nb("a", max_retries=2),
        {"task_key": "judge", "depends_on": after("a"), "run_if": "ALL_DONE",
         "condition_task": {"op": "EQUAL_TO", "right": "failed 3",
                            "left": "{{tasks.a.result_state}} {{tasks.a.execution_count}}"}},
        # docs "What is a dynamic value reference?": its table of task references lists no
        # error_code, and an invalid reference in a known namespace is an error
        {"task_key": "code", "depends_on": after("a"), "run_if": "ALL_DONE",
         "condition_task": {"op": "EQUAL_TO", "right": "x",
                            "left": "{{tasks.a.error_code}}"}},
    ])), spark=None, scenario=Scenario({"a": ["failed"] * 3}))
    run_id = ws.run_now(ws.job_id("j"))
    judge = ws.runs[run_id].latest("judge")
    assert judge is not None and judge.outcome == "true"
    assert [t["attempt_number"] for t in ws.get_run(run_id)["tasks"]
            if t["task_key"] == "a"] == [0, 1, 2]  # max_retries: 2 retries after the first
    assert states(ws, run_id)["code"] == "FAILED"


def test_run_job_task_pushes_parameters_down_and_a_repair_starts_a_new_child_run() -> None:
    ws = Workspace(doc(
        ("child", [nb("work")]),
        ("parent", [{"task_key": "run_child",
                     "run_job_task": {"job_id": "${databricks_job.child.id}",
                                      "job_parameters": {"p": "ignored",
                                                         "n": "{{job.repair_count}}"}}}]),
    ), spark=None, scenario=Scenario({"work": ["failed"]}))
    run_id = ws.run_now(ws.job_id("parent"), {"p": "from-parent"})
    assert ws.get_run(run_id)["state"]["result_state"] == "FAILED"
    ws.repair(run_id, rerun_all_failed_tasks=True)
    first, second = ws.child_runs(run_id, "run_child")
    assert first != second
    # docs "Run Job task for jobs": "Job parameters are pushed down"; "Configure job
    # parameters": a job parameter wins over a task parameter of the same key
    assert [ws.runs[r].parameters["p"] for r in (first, second)] == ["from-parent"] * 2
    assert [ws.runs[r].parameters["n"] for r in (first, second)] == ["0", "1"]
    # ... and on to the child's notebook task, as a widget
    assert ws.scenario.seen[0] == ("work", {"p": "from-parent", "n": "0"})
    assert ws.get_run(run_id)["state"]["result_state"] == "SUCCESS"
    with pytest.raises(ValueError, match="latest_repair_id"):
        ws.repair(run_id, rerun_all_failed_tasks=True)  # a second repair names the first


def strict(argv: list[str]) -> None:
    """A wheel entry point that parses its arguments strictly (argparse's parse_args exits
    with status 2 on an unknown argument)."""
    import argparse

    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--date")
    try:
        parser.parse_args(argv)
    except argparse.ArgumentError as exc:
        raise SystemExit(2) from exc
    if len(argv) != len({a.split("=")[0] for a in argv}):  # pragma: no cover
        raise SystemExit(2)


def wheel(key: str, **named: str) -> dict[str, Any]:
    return {"task_key": key, "python_wheel_task": {"package_name": "pkg", "entry_point": "run",
                                                   "named_parameters": named}}


def test_job_parameters_reach_a_keyword_wheel_task_and_fail_a_strict_entry_point() -> None:
    """docs "Configure task parameters": Python wheel (only when configured with keyword
    arguments) takes key-value parameters, and "Job parameters are automatically pushed down
    to tasks that support key-value parameters"; positional arguments get none."""
    jobs = doc(("j", [wheel("w", date="2026-11-26"),
                      {"task_key": "pos", "python_wheel_task": {
                          "package_name": "pkg", "entry_point": "run",
                          "parameters": ["--date=2026-11-26"]}}]))
    ws = Workspace(jobs, spark=None, scenario=Scenario(entry_points={"w": strict,
                                                                      "pos": strict}))
    run_id = ws.run_now(ws.job_id("j"))
    assert states(ws, run_id) == {"w": "FAILED", "pos": "SUCCESS"}
    assert dict(ws.scenario.seen)["w"][0] == "--date=2026-11-26"
    assert dict(ws.scenario.seen)["w"][1].startswith("--p=")  # the job parameter
    # the same job without job parameters: the strict entry point is satisfied
    del jobs["resource"]["databricks_job"]["j"]["parameter"]
    clean = Workspace(jobs, spark=None, scenario=Scenario(entry_points={"w": strict}))
    assert states(clean, clean.run_now(clean.job_id("j")))["w"] == "SUCCESS"


def test_a_cancelled_task_cancels_the_run_and_nothing_after_it_runs() -> None:
    """SDK RunResultState CANCELED "The run was canceled at user request"; no source says a
    task runs after a cancel, ALL_DONE ones included, so the twin runs none."""
    ws = Workspace(doc(("j", [nb("a"), nb("end", depends_on=after("a"), run_if="ALL_DONE")])),
                   spark=None, scenario=Scenario({"a": ["canceled"]}))
    run_id = ws.run_now(ws.job_id("j"))
    assert ws.get_run(run_id)["state"]["result_state"] == "CANCELED"
    assert states(ws, run_id) == {"a": "CANCELED"}
