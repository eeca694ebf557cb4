"""The edges between jobs (depends_on, on_success.trigger_job) and cycles among jobs or tasks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet

from brickline.spec.diagnostics import Diagnostic, did_you_mean
from brickline.spec.model import Pipeline
from brickline.spec.rules.context import job_at


def job_edges(p: Pipeline, known_broken: AbstractSet[str]) -> list[Diagnostic]:
    """depends_on and on_success.trigger_job name existing jobs and make no cycle."""
    out: list[Diagnostic] = []
    job_names = {j.name for j in p.jobs}
    everything = job_names | known_broken
    for job in p.jobs:
        for i, upstream in enumerate(job.depends_on or []):
            if upstream not in everything:
                out.append(job_at(job, ("depends_on", i), f"unknown job '{upstream}'"
                                                        f"{did_you_mean(upstream, job_names)}"))
        if job.on_success:
            for i, trigger in enumerate(job.on_success.trigger_job):
                if trigger.job_name not in everything:
                    out.append(job_at(job, ("on_success", "trigger_job", i, "job_name"),
                                   f"unknown job '{trigger.job_name}'"
                                   f"{did_you_mean(trigger.job_name, job_names)}"))
    edges = [(a, b) for a, b in p.edges() if a in job_names and b in job_names]
    cycle = find_cycle(sorted(job_names), edges)
    if cycle:
        upstream, downstream = cycle[-2], cycle[-1]
        out.append(_edge_at(p, upstream, downstream,
                            "jobs depend on each other in a cycle: " + " -> ".join(cycle)
                            + f"; this edge ({upstream} -> {downstream}) closes it"))
    return out


def _edge_at(p: Pipeline, upstream: str, downstream: str, message: str) -> Diagnostic:
    """At the YAML that wrote the edge: the downstream's depends_on entry, or the
    upstream's on_success.trigger_job entry."""
    down = p.job_named(downstream)
    assert down is not None
    for i, name in enumerate(down.depends_on or []):
        if name == upstream:
            return job_at(down, ("depends_on", i), message)
    up = p.job_named(upstream)
    assert up is not None and up.on_success is not None
    i = next(i for i, t in enumerate(up.on_success.trigger_job) if t.job_name == downstream)
    return job_at(up, ("on_success", "trigger_job", i, "job_name"), message)


def find_cycle(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """A cycle as [a, b, ..., a], or None. Deterministic: nodes in the given order."""
    graph: dict[str, list[str]] = {}
    for a, b in edges:
        graph.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for start in nodes:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph.get(start, []))))]
        trail = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                trail.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return [*trail[trail.index(child):], child]
            elif not state.get(child):
                state[child] = 1
                trail.append(child)
                stack.append((child, iter(sorted(graph.get(child, [])))))
    return None
