"""Property-based tests (hypothesis): random pipelines, valid and mutated.

- a valid pipeline loads, plans and synthesizes; the orchestrator's edges are exactly the
  declared job edges; every task list and depends_on list is sorted; every job is framed
  by its status tasks;
- a mutated pipeline either loads or yields diagnostics, each located inside the file;
  nothing else ever escapes (no exception of any other kind).

In CI the examples are derandomized (the same every run) and bounded in number.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from brickline.plan import plan
from brickline.spec.load import collect
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

CI = os.environ.get("CI") == "true"
FUZZ = settings(max_examples=30 if CI else 60, deadline=None, derandomize=CI,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

NAMES = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFXYZ_0123456789 -é"),
                min_size=1, max_size=12).map(lambda s: "J" + s.strip()).filter(
    lambda s: s.strip() == s)
KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789-", min_size=1,
               max_size=10).map(lambda s: "t" + s)


@st.composite
def pipelines(draw: st.DrawFn) -> dict[str, Any]:
    """A valid pipeline: jobs in a random DAG, each a random DAG of tasks."""
    names = draw(st.lists(NAMES, min_size=1, max_size=7, unique_by=lambda n: n.lower()))
    # distinct snake_case addresses, or the pipeline is (rightly) invalid
    from brickline.spec.model import address_from_name

    seen: dict[str, str] = {}
    names = [n for n in names if seen.setdefault(address_from_name(n), n) == n]
    # now and then no job runs from the orchestrator: each keeps a schedule of its own
    # (orchestrate: false, as a bundle file's scheduled jobs load), so no edges, no orchestrator
    alone = draw(st.integers(0, 4)) == 0
    jobs = []
    edges = set()
    for i, name in enumerate(names):
        keys = draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))
        tasks = []
        for k, key in enumerate(keys):
            task: dict[str, Any] = {"task_key": key,
                                    "notebook_task": {"notebook_path": f"/x/{key}"}}
            deps = draw(st.sets(st.sampled_from(keys[:k]), max_size=2)) if k else set()
            if deps:
                task["depends_on"] = [{"task_key": d} for d in sorted(deps, reverse=True)]
            if draw(st.booleans()):
                task["max_retries"] = draw(st.integers(-1, 5))
            if draw(st.booleans()):
                task["timeout_seconds"] = draw(st.integers(0, 7200))
            tasks.append(task)
        draw(st.randoms()).shuffle(tasks)
        job: dict[str, Any] = {"name": name, "tasks": tasks}
        if alone:
            job.update(orchestrate=False, schedule={
                "quartz_cron_expression": f"0 {draw(st.integers(0, 59))} 2 * * ?",
                "timezone_id": "UTC"})
        upstream = draw(st.sets(st.sampled_from(names[:i]), max_size=3)) if i and not alone \
            else set()
        written_down = draw(st.booleans())
        for up in sorted(upstream):
            edges.add((up, name))
        if upstream and written_down:
            job["depends_on"] = sorted(upstream)
        jobs.append(job)
    by_name = {j["name"]: j for j in jobs}
    for up, down in sorted(edges):  # the other edges: written on the upstream job
        if "depends_on" not in by_name[down]:
            trigger = by_name[up].setdefault("on_success", {"trigger_job": []})
            trigger["trigger_job"].append({"job_name": down})
    return {"jobs": jobs, "edges": sorted(edges), "orchestrated": not alone}


def write(folder: Path, data: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pipeline.yml").write_text("pipeline:\n  name: fuzz\n")
    # JSON is YAML: the generator needs no YAML writer of its own
    (folder / "jobs.yml").write_text(json.dumps({"jobs": data["jobs"]}, ensure_ascii=False,
                                                indent=1))
    return folder


@FUZZ
@given(pipelines())
def test_valid_pipelines_plan_and_keep_their_edges(tmp_path_factory: Any,
                                                   data: dict[str, Any]) -> None:
    folder = write(tmp_path_factory.mktemp("fuzz"), data)
    loaded, diagnostics = collect([str(folder)])
    assert diagnostics == [], [d.render() for d in diagnostics]
    (pipeline,) = loaded
    assert sorted(pipeline.edges()) == data["edges"]
    stack = plan(pipeline)
    names = {j.address: j.name for j in stack.jobs}
    assert (stack.orchestrator is not None) == data["orchestrated"]
    orchestrated = sorted((names[d["task_key"]], names[t["task_key"]])
                          for t in (stack.orchestrator.settings["task"]
                                    if stack.orchestrator else [])
                          for d in t.get("depends_on", [])
                          if d["task_key"] != "brickline_start")  # the start row's task
    assert orchestrated == data["edges"]
    for job in stack.all_jobs:
        keys = [t["task_key"] for t in job.settings["task"]]
        assert keys == sorted(keys)
        for task in job.settings["task"]:
            deps = [d["task_key"] for d in task.get("depends_on", [])]
            assert deps == sorted(deps)
    for job in stack.jobs:
        keys = {t["task_key"] for t in job.settings["task"]}
        assert {"brickline_start", "brickline_end"} <= keys


@settings(max_examples=8 if CI else 15, deadline=None, derandomize=CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(pipelines())
def test_valid_pipelines_synthesize(tmp_path_factory: Any, data: dict[str, Any]) -> None:
    from brickline.constructs import tf
    from brickline.constructs.stack import PipelineStack

    folder = write(tmp_path_factory.mktemp("synth"), data)
    (pipeline,), _ = collect([str(folder)])
    out = json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=plan(pipeline))))
    jobs = out["resource"]["databricks_job"]
    assert len(jobs) == len(data["jobs"]) + (1 if data["orchestrated"] else 0)
    assert ("orchestrator" in jobs) == data["orchestrated"]


MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 20)),
    st.tuples(st.just("insert"), st.integers(0, 10**6),
              st.text(alphabet=st.sampled_from(list(":-[]{}&*!|>'\"#%@`\t\n ,?xyz0")),
                      min_size=1, max_size=6)),
    st.tuples(st.just("swap_lines"), st.integers(0, 10**6), st.integers(0, 10**6)),
)


def mutate(text: str, mutation: tuple[str, int, Any]) -> str:
    kind, at, arg = mutation
    if kind == "delete":
        i = at % max(len(text), 1)
        return text[:i] + text[i + arg:]
    if kind == "insert":
        i = at % (len(text) + 1)
        return text[:i] + arg + text[i:]
    lines = text.splitlines(keepends=True)
    a, b = at % len(lines), arg % len(lines)
    lines[a], lines[b] = lines[b], lines[a]
    return "".join(lines)


@FUZZ
@given(pipelines(), st.lists(MUTATIONS, min_size=1, max_size=3), st.booleans())
def test_mutated_pipelines_fail_only_with_located_diagnostics(
        tmp_path_factory: Any, data: dict[str, Any], mutations: list[Any],
        as_yaml: bool) -> None:
    import yaml

    folder = tmp_path_factory.mktemp("mutant")
    text = (yaml.safe_dump({"jobs": data["jobs"]}, allow_unicode=True, sort_keys=False)
            if as_yaml else json.dumps({"jobs": data["jobs"]}, indent=1, ensure_ascii=False))
    for mutation in mutations:
        text = mutate(text, mutation)
    (folder / "jobs.yml").write_text(text, encoding="utf-8")
    lines = text.count("\n") + 2
    _, diagnostics = collect([str(folder)])  # must not raise
    for d in diagnostics:
        assert Path(d.location.file).name == "jobs.yml", d.render()
        assert 1 <= d.location.line <= lines and d.location.column >= 1, d.render()
        assert d.message and "\n" not in d.render().rstrip("\n"), d.render()


# --- hostile names: whatever validates must synthesize --------------------------------------

HOSTILE = st.one_of(
    st.text(min_size=0, max_size=12),  # any unicode, control characters included
    st.text(alphabet=st.sampled_from("aA_-. 0é$%{}\n\t/データ"), min_size=1, max_size=8),
    st.sampled_from(["orchestrator", "job_metadata", "job_status", "brickline_status",
                     "dashboard", "backend", "databricks", "warehouse_id", "count", "load",
                     "load_job_id", "Load Job ID", "perm_load", "dest_ops", "ops", "Load",
                     "LOAD", "load-", "${x}", "%{y}", "a\n", "x" * 120, "é" * 2100,
                     "grant_view_g", "metadata_schema"]),
)
CRONS = st.sampled_from(["0 0 2 * * ?", "0 2 * * *", "0 0 25 * * ?", "0 15 10 ? * MON-FRI"])
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "Europe/Berln", "GMT+05:30"])


@st.composite
def hostile_pipelines(draw: st.DrawFn) -> dict[str, Any]:
    """Pipelines whose every name is drawn from HOSTILE: most are invalid, some are not."""
    settings: dict[str, Any] = {"name": draw(st.one_of(st.just("fuzz"), HOSTILE))}
    if draw(st.booleans()):
        settings["variables"] = {v: {"default": "x"} for v in draw(st.lists(HOSTILE,
                                                                            max_size=3))}
    if draw(st.booleans()):
        settings["destinations"] = {d: {"email": {"addresses": ["a@b.c"]}}
                                    for d in draw(st.lists(HOSTILE, max_size=3))}
    if draw(st.booleans()):
        settings["permissions"] = [{"group_name": "g", "level": "CAN_VIEW"}]
    if draw(st.booleans()):
        settings["dashboard"] = {"warehouse_id": "w"}
    if draw(st.booleans()):
        settings["targets"] = {t: {} for t in draw(st.lists(HOSTILE, max_size=2))}
    if draw(st.booleans()):
        settings["metadata"] = {"table": draw(HOSTILE), "view": draw(HOSTILE)}
    jobs = []
    for _ in range(draw(st.integers(1, 4))):
        job: dict[str, Any] = {
            "name": draw(HOSTILE),
            "tasks": [{"task_key": draw(st.one_of(KEYS, HOSTILE)),
                       "notebook_task": {"notebook_path": "/x"}}],
        }
        if draw(st.booleans()):
            job["key"] = draw(HOSTILE)
        if draw(st.booleans()):
            job["renamed_from"] = draw(HOSTILE)
        if draw(st.booleans()):
            job["tags"] = {draw(HOSTILE): "v"}
        if draw(st.booleans()):
            job["schedule"] = {"quartz_cron_expression": draw(CRONS),
                               "timezone_id": draw(ZONES)}
            if draw(st.booleans()):  # its own schedule; all such: no orchestrator job
                job["orchestrate"] = False
        if draw(st.booleans()):
            job["parameters"] = [{"name": draw(HOSTILE), "default": "d"}]
        jobs.append(job)
    return {"pipeline": settings, "jobs": jobs}


@settings(max_examples=40 if CI else 80, deadline=None, derandomize=CI,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(hostile_pipelines())
def test_hostile_names_that_validate_also_synthesize(tmp_path_factory: Any,
                                                     data: dict[str, Any]) -> None:
    from brickline.constructs import tf
    from brickline.constructs.stack import PipelineStack
    from brickline.plan import plans
    from brickline.spec.diagnostics import errors_only

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "pipeline.yml").write_text(json.dumps({"pipeline": data["pipeline"]},
                                                    ensure_ascii=False), encoding="utf-8")
    (folder / "jobs.yml").write_text(json.dumps({"jobs": data["jobs"]}, ensure_ascii=False),
                                     encoding="utf-8")
    loaded, diagnostics = collect([str(folder)])  # never raises
    for d in diagnostics:
        assert "\n" not in d.render(), d.render()
    if errors_only(diagnostics):
        return
    (pipeline,) = loaded
    for stack_plan in plans(pipeline):
        doc = json.loads(tf.Testing.synth(PipelineStack(tf.Testing.app(), plan=stack_plan)))
        orchestrated = any(job.get("orchestrate", True) for job in data["jobs"])
        assert len(doc["resource"]["databricks_job"]) == len(data["jobs"]) + orchestrated
