"""A Review as Markdown (a pull-request comment) or plain text (a terminal)."""

from __future__ import annotations

import re

from brickline.review.diff import Review, StackReview

MARKER = "<!-- brickline-diff -->"  # the workflow finds and updates its one comment by it


def _node(name: str) -> str:
    return "j_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _mermaid(stack: StackReview) -> list[str]:
    graph = stack.graph
    if not graph.get("jobs"):
        return []
    lines = ["```mermaid", "flowchart LR"]
    for name in sorted(graph["jobs"].values()):
        label = name.replace('"', "#quot;")
        lines.append(f'  {_node(name)}["{label}"]')
    added = {tuple(e) for e in graph["added_edges"]}
    for up, down in graph["edges"]:
        arrow = "==>" if (up, down) in added else "-->"
        lines.append(f"  {_node(up)} {arrow} {_node(down)}")
    for up, down in stack.edges_removed:
        if up in graph["jobs"].values() and down in graph["jobs"].values():
            lines.append(f"  {_node(up)} -. removed .-> {_node(down)}")
    if graph["changed"]:
        lines.append("  classDef changed fill:#fff3b0,stroke:#b58900,stroke-width:2px")
        lines.append("  class " + ",".join(_node(n) for n in graph["changed"]) + " changed")
    lines.append("```")
    return lines


def _sections(stack: StackReview, md: bool) -> list[str]:
    out: list[str] = []
    bullet = "- "

    def block(title: str, items: list[str]) -> None:
        if items:
            out.append(f"**{title}**" if md else f"{title}:")
            out.extend(f"{bullet}{i}" for i in items)
            out.append("")

    code = (lambda s: f"`{s}`") if md else (lambda s: s)
    if stack.destroys:
        sign = "🛑" if md else "!!"
        out.append(f"{sign} **Would destroy:**" if md else f"{sign} WOULD DESTROY:")
        for d in stack.destroys:
            level = "ERROR" if d.error else "destroy"
            out.append(f"{bullet}{level}: {code(d.address)}: {d.reason}")
        out.append("")
    block("Jobs added", stack.jobs_added)
    block("Jobs adopted (an import block: the existing job is updated in place, not created)",
          stack.jobs_adopted)
    block("Jobs removed", stack.jobs_removed)
    block("Jobs renamed", stack.renamed)
    for change in stack.jobs_changed:
        block(f"{change.name} changes", change.lines)
    block("Dependencies added", [f"{a} → {b}" for a, b in stack.edges_added])
    block("Dependencies removed", [f"{a} → {b}" for a, b in stack.edges_removed])
    block("Other resources", stack.other)
    block("Notes", stack.notes)
    return out


def markdown(review: Review) -> str:
    lines = [MARKER, f"## brickline diff: `{review.base_label}` → `{review.head_label}`", ""]
    errors = [d for d in review.destroys if d.error]
    if errors:
        lines += [f"🛑 **{len(errors)} change(s) would lose data.** Do not merge as it is.", ""]
    elif review.destroys:
        lines += [f"⚠️ **{len(review.destroys)} resource(s) would be destroyed.** "
                  "Check that this is intended.", ""]
    else:
        lines += ["✅ Nothing would be destroyed.", ""]
    unchanged = [s.name for s in review.stacks if s.status == "unchanged"]
    for stack in review.stacks:
        if stack.status == "unchanged":
            continue
        lines += [f"### {stack.name} ({stack.status})", ""]
        lines += _sections(stack, md=True)
        if (stack.jobs_added or stack.jobs_adopted or stack.jobs_changed or stack.edges_added
                or stack.edges_removed):
            lines += [*_mermaid(stack), ""]
    if unchanged:
        lines.append("Unchanged: " + ", ".join(unchanged))
    return "\n".join(lines).rstrip() + "\n"


def text(review: Review) -> str:
    lines = [f"brickline diff: {review.base_label} -> {review.head_label}"]
    if review.destroys:
        lines.append(f"{len(review.destroys)} resource(s) would be destroyed "
                     f"({sum(d.error for d in review.destroys)} losing data)")
    else:
        lines.append("nothing would be destroyed")
    for stack in review.stacks:
        if stack.status == "unchanged":
            lines.append(f"\n{stack.name}: unchanged")
            continue
        sections = _sections(stack, md=False)
        while sections and not sections[-1]:
            sections.pop()
        lines += ["", f"{stack.name} ({stack.status})", *("  " + s if s else s
                                                          for s in sections)]
    return "\n".join(lines).rstrip() + "\n"
