"""Malformed pipelines: each gives exactly the diagnostics its corpus case expects.

The corpus is tests/corpus/*.case (see tests/malformed.py for the format): every case
asserts the exact set of rendered diagnostics (file, line, column, key path, message), so
a spurious extra error, a cascade, fails as surely as a missing one. Every case is also run
through the CLI in test_cli.py to prove exit 1 and no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

import malformed
import pytest
from brickline.spec.diagnostics import render
from brickline.spec.load import collect

TASK = """      - task_key: t
        notebook_task: {notebook_path: /x}
"""


def job(name: str = "A", extra: str = "", tasks: str = TASK) -> str:
    return f"  - name: {name}\n{extra}    tasks:\n{tasks}"


CORPUS = malformed.cases()
# (name, files, the first expected message): the shape test_cli.py's corpus test takes
CASES: list[tuple[str, dict[str, bytes], str]] = [
    (c.name, c.files, c.first_message) for c in CORPUS if c.expected]
UPDATE = os.environ.get("BRICKLINE_CORPUS_UPDATE") == "1"


def _write(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "pipe"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def diagnose(tmp_path: Path, case: malformed.Case) -> list[str]:
    folder = malformed.write(tmp_path / "pipe", case)
    _, diagnostics = collect([str(folder)])
    text = render(diagnostics).replace(f"{folder}/", "")
    return [line for line in text.split("\n") if line and not line.startswith("Found ")]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_malformed_pipeline_gives_exactly_its_diagnostics(tmp_path: Path,
                                                          case: malformed.Case) -> None:
    found = diagnose(tmp_path, case)
    if UPDATE:
        case.path.write_text(malformed.render(case, found), encoding="utf-8")
    assert found, "a malformed case must give at least one diagnostic"
    assert found == case.expected


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 200


def test_every_case_says_what_it_shows_and_cites_its_source() -> None:
    for case in CORPUS:
        assert case.comment and case.comment[0].startswith("# "), case.name
        assert any(line.startswith("# source: ") for line in case.comment), case.name


def _files(files: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode() for name, text in files.items()}


def test_errors_carry_key_paths(tmp_path: Path) -> None:
    folder = _write(tmp_path, _files(
        {"p.yml": "jobs:\n" + job(tasks=TASK + "        run_if: NO\n")}))
    _, diagnostics = collect([str(folder)])
    assert [d.key_path for d in diagnostics] == ["jobs[0].tasks[0].run_if"]
    assert diagnostics[0].location.column == 17


def test_every_mistake_in_one_run(tmp_path: Path) -> None:
    """A bad task does not hide the job's other mistakes, nor another file's."""
    folder = _write(tmp_path, _files({
        "a.yml": "jobs:\n" + job(extra="    depends_on: [Nope]\n",
                                 tasks=TASK + "        run_if: NO\n"
                                 "      - task_key: u\n"
                                 "        notebook_task: {notebook_path: /x}\n"
                                 "        job_cluster_key: missing\n"),
        "b.yml": "jobs:\n  - name: B\n    tasks: []\n",
    }))
    _, diagnostics = collect([str(folder)])
    messages = sorted(d.message.split(" (")[0].split(":")[0] for d in diagnostics)
    assert messages == [
        "a job needs at least one task",
        "bad value 'NO'",
        "unknown job 'Nope'",
        "unknown job cluster 'missing'",
    ]


def test_references_to_a_broken_task_are_not_called_unknown(tmp_path: Path) -> None:
    folder = _write(tmp_path, _files({"p.yml": "jobs:\n" + job(
        tasks="      - task_key: a\n        notebook_task: {notebook_path: 5}\n"
              "      - task_key: b\n        notebook_task: {notebook_path: /x}\n"
              "        depends_on: [{task_key: a}]\n")}))
    _, diagnostics = collect([str(folder)])
    assert [d.message for d in diagnostics] == [
        "expected a string, got the number 5 (quote it to make it a string)"]
