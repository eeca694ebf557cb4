"""Following a run: poll until it is over, and show it, either as one line per change
(piped, CI, logs: plain text, no control characters) or as a table redrawn in place on a
terminal (rich)."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from brickline.ops.connect import Limits
from brickline.ops.runs import NOT_RUN, JobProgress, Snapshot

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?")


class View(Protocol):
    def show(self, snap: Snapshot) -> None: ...

    def close(self) -> None: ...


def pause(seconds: float) -> None:
    """The wait between two looks (a Ctrl-C lands here, most of the time)."""
    time.sleep(seconds)


def follow(poll: Callable[[], Snapshot], view: View, *, limits: Limits) -> Snapshot:
    """Show each look at the run until it is over; returns the last one."""
    pauses = limits.pauses()
    snap = poll()
    view.show(snap)
    while not snap.over:
        pause(next(pauses))
        snap = poll()
        view.show(snap)
    return snap


def clean(text: str) -> str:
    """One line of text with no terminal escapes or control characters."""
    text = _ANSI.sub("", text)
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def duration(start_ms: int | None, end_ms: int | None) -> str:
    if start_ms is None or end_ms is None or end_ms < start_ms:
        return ""
    seconds = int((end_ms - start_ms) / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02}m"
    return f"{minutes}m {seconds:02}s" if minutes else f"{seconds}s"


def heading(snap: Snapshot) -> str:
    return clean(snap.title + (f": {snap.url}" if snap.url else ""))


class Lines:
    """One line per job whenever its state or attempt changes; a duration once it ended."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self._echo = echo
        self._heading: str | None = None
        self._seen: dict[str, tuple[str, int]] = {}

    def show(self, snap: Snapshot) -> None:
        if heading(snap) != self._heading:
            self._heading = heading(snap)
            self._seen = {}
            self._echo(self._heading)
            if snap.apart:
                self._echo(apart_line(snap.apart))
        width = max((len(clean(j.name)) for j in snap.jobs), default=0)
        for job in snap.jobs:
            if self._seen.get(job.name) != (job.state, job.attempt):
                self._seen[job.name] = (job.state, job.attempt)
                self._echo(line(job, width))

    def close(self) -> None:
        pass


def apart_line(names: tuple[str, ...]) -> str:
    """The jobs with `orchestrate: false`: never part of a pipeline run, so never pending."""
    return clean(f"not in this run (orchestrate: false, each on its own schedule): "
                 f"{', '.join(names)}")


def line(job: JobProgress, width: int) -> str:
    took = duration(job.started_ms, job.ended_ms) if job.over else ""
    text = f"{clean(job.name):<{width}}  {clean(job.state):<15} attempt {job.attempt}"
    return f"{text}  {took}" if took else text


_STYLES = {"success": "green", "failed": "bold red", "timedout": "red", "canceled": "red",
           "internal_error": "red", "running": "yellow", "in-progress": "yellow"}


class LiveTable:
    """A compact table of the jobs, redrawn in place on a terminal (rich.live.Live)."""

    def __init__(self, console: Any, *, clock: Callable[[], float] = time.time,
                 auto_refresh: bool = True) -> None:
        from rich.live import Live

        self._clock = clock
        self._snap: Snapshot | None = None
        self._live = Live(console=console, get_renderable=self._render, transient=False,
                          auto_refresh=auto_refresh, refresh_per_second=2,
                          redirect_stdout=False, redirect_stderr=False)
        self._started = False

    def show(self, snap: Snapshot) -> None:
        self._snap = snap
        if not self._started:
            self._live.start()
            self._started = True
        self._live.refresh()

    def close(self) -> None:
        if self._started:
            self._started = False
            self._live.stop()

    def _render(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        snap = self._snap
        if snap is None:
            return Text("")
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        for column in ("job", "state", "attempt", "duration"):
            table.add_column(column, justify="right" if column == "attempt" else "left")
        now_ms = int(self._clock() * 1000)
        for job in snap.jobs:
            end = job.ended_ms if job.over else (now_ms if job.started_ms else None)
            table.add_row(clean(job.name), Text(clean(job.state),
                                                style=_STYLES.get(job.state, "")),
                          str(job.attempt), duration(job.started_ms, end))
        parts: list[Any] = [Text(heading(snap), style="bold"), table]
        if snap.apart:
            parts.append(Text(apart_line(snap.apart), style="dim"))
        return Group(*parts)


def summary(snap: Snapshot, errors: Mapping[str, str], next_command: str | None) -> list[str]:
    """The closing lines: the run's result, and for a failure what failed, why, and the
    command to run next."""
    took = duration(snap.started_ms, snap.ended_ms)
    if snap.ok:
        said = "succeeded" if snap.result in (None, "success") else snap.result
        return [clean(f"{snap.title}: {said}" + (f" in {took}" if took else ""))]
    why = f" ({snap.message})" if snap.message and not any(
        j.over and not j.ok for j in snap.jobs) else ""
    lines = [clean(f"{snap.title}: {snap.result or 'ended'}{why}" + (f" after {took}" if took
                                                                      else ""))]
    for job in snap.jobs:
        if job.ok:
            continue
        if not job.over or job.state.upper() in NOT_RUN:
            lines.append(clean(f"  {job.name} did not run ({job.state})"))
            continue
        lines.append(clean(f"  {job.name} {job.state}:"))
        text = errors.get(job.name) or job.error or ""
        shown = [t for t in (clean(x).strip() for x in text.splitlines()) if t]
        for part in shown[:5]:
            lines.append("    " + (part if len(part) <= 200 else part[:197] + "..."))
        if len(shown) > 5:
            lines.append(f"    ... ({len(shown) - 5} more lines)")
    if next_command and snap.result != "skipped":  # a skipped run ran nothing to repair
        lines.append(f"next: {next_command}")
    return lines
