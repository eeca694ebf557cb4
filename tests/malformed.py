"""The malformed-input corpus (tests/corpus/*.case), golden-file style.

A case is one text file: comment lines (`#`, what the case shows and the source of the rule
it breaks), then the pipeline's files, each after a line `=== file: NAME`, then the exact
diagnostics after `=== expected`, one rendered line each (file names relative to the
pipeline's folder), in render order. A file written `=== file: NAME (escaped)` holds
Python escapes (\\xff, \\x00) for bytes a text file cannot show.

    BRICKLINE_CORPUS_UPDATE=1 .venv/bin/python -m pytest tests/test_spec_errors.py

rewrites every `=== expected` section from what validate says now: review the diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
FILE = "=== file: "
EXPECTED = "=== expected"
ESCAPED = " (escaped)"


@dataclass
class Case:
    name: str
    path: Path
    comment: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    raw_files: dict[str, str] = field(default_factory=dict)  # as written in the case
    expected: list[str] = field(default_factory=list)

    @property
    def first_message(self) -> str:
        """The message of the first expected diagnostic (for tests that check one)."""
        line = self.expected[0]
        return line.split(": ", 2)[-1] if line.count(": ") >= 2 else line.split(": ", 1)[-1]


def _bytes(text: str, escaped: bool) -> bytes:
    if escaped:
        return text.encode("ascii").decode("unicode_escape").encode("latin-1")
    return text.encode("utf-8")


def parse(path: Path) -> Case:
    case = Case(path.stem, path)
    current: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is None:
            return
        text = "\n".join(lines) + ("\n" if lines else "")
        if current == EXPECTED:
            case.expected = [line for line in lines if line.strip()]
        else:
            name = current.removesuffix(ESCAPED)
            case.raw_files[current] = text
            case.files[name] = _bytes(text, current.endswith(ESCAPED))

    for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
        if line.startswith(FILE) or line == EXPECTED:
            flush()
            current = line.removeprefix(FILE) if line.startswith(FILE) else EXPECTED
            lines = []
        elif current is None:
            case.comment.append(line)
        else:
            lines.append(line)
    flush()
    return case


def cases() -> list[Case]:
    return [parse(p) for p in sorted(CORPUS.glob("*.case"))]


def write(folder: Path, case: Case) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in case.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder


def render(case: Case, expected: list[str]) -> str:
    out = [*case.comment]
    for name, text in case.raw_files.items():
        out.append(FILE + name)
        out.extend(text.split("\n")[:-1] if text else [])
    out.append(EXPECTED)
    out.extend(expected)
    return "\n".join(out) + "\n"
