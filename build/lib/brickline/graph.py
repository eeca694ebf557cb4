"""A pipeline as a picture: jobs (with their tasks) and the edges between jobs."""

from __future__ import annotations

import json

from brickline.plan import JobPlan, StackPlan
from brickline.runtime.status import END_TASK, START_TASK


def _tasks(job: JobPlan) -> list[tuple[str, list[str]]]:
    return [(t["task_key"], [d["task_key"] for d in t.get("depends_on", [])])
            for t in job.settings["task"]]


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def mermaid(plan: StackPlan) -> str:
    lines = ["flowchart LR"]
    for job in plan.jobs:
        lines.append(f'  subgraph {job.address}["{_label(job.name)}"]')
        lines.append("    direction TB")
        for key, deps in _tasks(job):
            lines.append(f'    {job.address}__{key}["{_label(key)}"]')
            lines.extend(f"    {job.address}__{d} --> {job.address}__{key}" for d in deps)
        lines.append("  end")
    for job in plan.jobs:
        lines.extend(f"  {up} --> {job.address}" for up in job.upstream)
    return "\n".join(lines) + "\n"


def dot(plan: StackPlan) -> str:
    q = json.dumps  # a DOT string is a JSON string for our purposes: quotes and backslashes
    lines = [f"digraph {q(plan.name)} {{", "  rankdir=LR;", "  compound=true;",
             "  node [shape=box];"]
    heads, tails = {}, {}
    for job in plan.jobs:
        lines.append(f"  subgraph {q('cluster_' + job.address)} {{")
        lines.append(f"    label={q(job.name)};")
        tasks = _tasks(job)
        keys = [k for k, _ in tasks]
        # a job edge goes from the upstream job's last task to the downstream job's first
        heads[job.address] = f"{job.address}/{START_TASK if START_TASK in keys else keys[0]}"
        tails[job.address] = f"{job.address}/{END_TASK if END_TASK in keys else keys[-1]}"
        for key, deps in tasks:
            lines.append(f"    {q(job.address + '/' + key)} [label={q(key)}];")
            lines.extend(f"    {q(job.address + '/' + d)} -> {q(job.address + '/' + key)};"
                         for d in deps)
        lines.append("  }")
    for job in plan.jobs:
        for up in job.upstream:
            lines.append(f"  {q(tails[up])} -> {q(heads[job.address])} "
                         f"[ltail={q('cluster_' + up)}, lhead={q('cluster_' + job.address)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
