"""The README and the docs/ pages: every YAML example that holds a pipeline document
(`jobs:`, `pipeline:` or a bundle's `resources:`) validates with brickline, every example
that claims to be a file of pipelines/ is that file, an example output is what the command
prints, and every relative link leads to a page and heading that exist.

An example says what it is with an HTML comment on the line before its fence:

    <!-- example: pipelines/seed_etl/data_extract_job.yml -->          the file, byte for byte
    <!-- example: in place of pipelines/seed_etl/pipeline.yml -->      valid in that file's place
    <!-- example: under pipeline: of pipelines/seed_etl/pipeline.yml -->  valid merged under the
                                                                        file's `pipeline:` key
    <!-- example: run in tests/data/docs -->                           `$ brickline ...` lines
                                                                        run there; the rest is
                                                                        their output
    <!-- example: not checked: REASON -->                              a deliberately wrong or
                                                                        partial example

A YAML block with no comment that holds a pipeline document must be valid on its own, as
one file."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from brickline.cli import cli
from brickline.spec.load import collect
from click.testing import CliRunner
from conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<mark><!-- example: (?P<what>.*?) -->\n)?"
                   r"(?P<ticks>```+)(?P<lang>[a-z]*)\n(?P<body>.*?)^(?P=ticks)$",
                   re.S | re.M)
PIPELINE_KEYS = {"jobs", "pipeline", "resources"}


@dataclass(frozen=True)
class Example:
    page: Path
    line: int
    lang: str
    what: str  # the marker's text, "" without one
    body: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def examples() -> list[Example]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            line = text.count("\n", 0, m.start("ticks")) + 1
            found.append(Example(page, line, m["lang"], m["what"] or "", m["body"]))
    return found


def yaml_document(example: Example) -> Any:
    return yaml.safe_load(example.body) if example.lang == "yaml" else None


def is_pipeline_document(example: Example) -> bool:
    doc = yaml_document(example)
    return isinstance(doc, dict) and bool(PIPELINE_KEYS & set(doc))


ALL = examples()
MARKED = [e for e in ALL if e.what]
PIPELINE_DOCS = [e for e in ALL if is_pipeline_document(e)]


def errors_of(path: Path) -> list[str]:
    _, diagnostics = collect([str(path)])
    return [d.render() for d in diagnostics if d.severity == "error"]


def problems(example: Example, tmp_path: Path) -> list[str]:
    """What is wrong with one example: [] when it holds."""
    what = example.what
    if what.startswith("not checked: "):
        return []
    if what.startswith("pipelines/"):
        path = REPO / what
        if path.read_text(encoding="utf-8") != example.body:
            return [f"{example}: not the text of {what}"]
        return errors_of(path.parent)
    if what.startswith("in place of "):
        path = REPO / what.removeprefix("in place of ")
        folder = shutil.copytree(path.parent, tmp_path / path.parent.name)
        (folder / path.name).write_text(example.body, encoding="utf-8")
        return errors_of(folder)
    if what.startswith("under "):
        m = re.fullmatch(r"under (\w+): of (\S+)", what)
        if not m:
            return [f"{example}: write 'under KEY: of FILE'"]
        key, path = m[1], REPO / m[2]
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        fragment = yaml.safe_load(example.body)
        if set(fragment) & set(doc[key]):
            return [f"{example}: would replace keys the file sets"]
        doc[key].update(fragment)
        folder = shutil.copytree(path.parent, tmp_path / path.parent.name)
        (folder / path.name).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return errors_of(folder)
    if what.startswith("run in "):
        return _output_problems(example, REPO / what.removeprefix("run in "), tmp_path)
    if what:
        return [f"{example}: unknown marker {what!r}"]
    if is_pipeline_document(example):
        (tmp_path / "example.yml").write_text(example.body, encoding="utf-8")
        return errors_of(tmp_path / "example.yml")
    return []


def _output_problems(example: Example, source: Path, tmp_path: Path) -> list[str]:
    """`$ brickline ...` lines run in a copy of `source`; the lines after each are its output,
    `$ echo $?` its exit code."""
    folder = shutil.copytree(source, tmp_path / "run")
    expected: list[str] = []
    exit_code = 0
    cwd = Path.cwd()
    try:
        os.chdir(folder)
        for line in example.body.splitlines():
            if line == "$ echo $?":
                expected += [line, str(exit_code)]
            elif line.startswith("$ brickline "):
                result = CliRunner().invoke(cli, line.split()[2:])
                exit_code = result.exit_code
                expected += [line, *result.output.splitlines()]
            elif line.startswith("$ "):
                return [f"{example}: only `$ brickline ...` and `$ echo $?` can be run"]
    finally:
        os.chdir(cwd)
    return [] if example.body.splitlines() == expected else [
        f"{example}: the command prints:\n" + "\n".join(expected)]


CHECKED = [e for e in ALL if e.what or is_pipeline_document(e)]


def test_the_pages_hold_the_examples_this_file_checks() -> None:
    # the finder itself: a change of fence or marker syntax must not check nothing
    assert len(PIPELINE_DOCS) >= 3
    kinds = {re.sub(r"^(pipelines)/.*|^(\w+).*", r"\1\2", e.what) for e in MARKED}
    assert kinds >= {"pipelines", "in", "under", "run"}


@pytest.mark.parametrize("example", CHECKED, ids=str)
def test_every_example_holds(example: Example, tmp_path: Path) -> None:
    assert problems(example, tmp_path) == []


WRONG_JOB = "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n        notebok_task: {}\n"


@pytest.mark.parametrize(("what", "lang", "body"), [
    ("", "yaml", WRONG_JOB),
    ("pipelines/seed_etl/data_extract_job.yml", "yaml", "jobs: []\n"),
    ("in place of pipelines/seed_etl/pipeline.yml", "yaml", "pipeline: {nmae: x}\n"),
    ("under pipeline: of pipelines/seed_etl/pipeline.yml", "yaml",
     "targets: {dev: {pasued: true}}\n"),
    ("under pipeline: of pipelines/seed_etl/pipeline.yml", "yaml", "name: other\n"),
    ("run in tests/data/docs", "", "$ brickline validate pipelines/broken\nFound 3 errors\n"),
    ("run in tests/data/docs", "", "$ ls\n"),
    ("made up", "yaml", "x: 1\n"),
])
def test_a_wrong_example_is_caught(what: str, lang: str, body: str, tmp_path: Path) -> None:
    assert problems(Example(REPO / "docs" / "x.md", 1, lang, what, body), tmp_path) != []


def test_a_deliberately_wrong_example_can_say_so(tmp_path: Path) -> None:
    example = Example(REPO / "docs" / "x.md", 1, "yaml", "not checked: a typo", WRONG_JOB)
    assert problems(example, tmp_path) == []


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation but '-' and '_' dropped, spaces
    to '-' (github/cmark-gfm's and github-slugger's rule)."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"^(```+).*?^\1$", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    return {_slug(h) for h in re.findall(r"^#+ (.*)$", text, re.M)}


def broken_links(page: Path, text: str) -> list[str]:
    text = re.sub(r"^(```+).*?^\1$", "", text, flags=re.S | re.M)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        goal = (page.parent / file).resolve() if file else page
        if not goal.exists() or (anchor and goal.suffix == ".md"
                                 and anchor not in _anchors(goal)):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_leads_somewhere(page: Path) -> None:
    assert broken_links(page, page.read_text(encoding="utf-8")) == []


def test_a_broken_link_is_caught() -> None:
    text = ("[a](docs/format.md#jobs) [b](docs/nope.md) [c](docs/format.md#nope) "
            "[d](#quick-start) [e](https://example.com/x)")
    assert broken_links(REPO / "README.md", text) == ["docs/nope.md", "docs/format.md#nope"]


def test_the_readme_is_the_short_path() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 120
    for command in ("make synth", "make test", "brickline init"):
        assert command in readme
    for page in sorted((REPO / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in readme, f"the README does not lead to {page.name}"
