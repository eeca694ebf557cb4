"""A user's mistake as a plain record, and how a list of them is printed.

Validators collect diagnostics and return them; nothing raises one at a time, so one run
shows every mistake. The rendering is one line per mistake, editor-clickable:

    pipelines/x/load.yml:14:7: jobs[0].tasks[1].depends_on[0].task_key: unknown task
    'Extrct' (did you mean 'Extract'?)      <- one line when printed
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    key_path: str
    message: str
    # a note says what brickline decided (not a mistake; never counted)
    severity: Literal["error", "warning", "note"] = "error"

    def render(self) -> str:
        where = f"{self.key_path}: " if self.key_path else ""
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.location}: {where}{tag}{_one_line(self.message)}"


def _one_line(text: str) -> str:
    """A value quoted in a message may hold a newline or a control character: shown as an
    escape, so each diagnostic stays one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class SpecError(Exception):
    """Raised once, at the edge, carrying every diagnostic of the run."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(render(self.diagnostics))


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # a key holding a newline or a tab must not break the one-line rendering
            shown = part if part.isprintable() else json.dumps(part)
            out += f".{shown}" if out else shown
    return out


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity == "error"]


def render(diagnostics: Sequence[Diagnostic]) -> str:
    errors = len(errors_only(diagnostics))
    # a note says what brickline decided for a pipeline that holds; beside errors it is
    # noise about a pipeline that does not, so only warnings and errors show then
    ordered = sorted((d for d in diagnostics if d.severity != "note" or not errors),
                     key=lambda d: (d.location, d.key_path, d.message))
    lines = [d.render() for d in ordered]
    warnings = sum(d.severity == "warning" for d in diagnostics)
    counts = []
    if errors:
        counts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        counts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if counts:
        lines.append("Found " + " and ".join(counts))
    return "\n".join(lines)
