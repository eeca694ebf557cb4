"""How `brickline diff --base` synthesizes: the working tree's own synth output is reused
when it is current (and only then), base and head synthesize side by side, and the errors
of a side synthesized in another process are still every located diagnostic."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from brickline import app
from brickline.cli import cli
from brickline.review import revisions
from click.testing import CliRunner
from test_review_diff import edit, repo  # noqa: F401  (the fixture)

# runs on both engines (`make test-cdktn`)
pytestmark = pytest.mark.engine

ROOTS: list[Path] = []


def recording(paths: Sequence[str], outdir: Path) -> Any:
    """app.synth, noting the trees it synthesizes in this process (a spawned process
    imports this module afresh, and its notes stay there)."""
    ROOTS.extend(Path(p).parent for p in paths)
    return REAL_SYNTH(paths, outdir)


REAL_SYNTH = app.synth


@pytest.fixture
def synthesized(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    monkeypatch.setattr(app, "synth", recording)
    ROOTS.clear()
    return ROOTS


def test_a_current_synth_output_is_the_head(repo: Path, synthesized: list[Path]) -> None:  # noqa: F811
    edit(repo / "pipelines/seed_etl/data_load_job.yml", "max_retries: 3", "max_retries: 4")
    assert CliRunner().invoke(cli, ["synth"]).exit_code == 0
    assert (repo / "cdktf.out" / app.FINGERPRINT).is_file()
    synthesized.clear()
    result = CliRunner().invoke(cli, ["diff", "--base", "HEAD", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "- LoadTask: max_retries 3 → 4" in result.output
    assert repo not in synthesized  # the head came from cdktf.out


def test_a_stale_synth_output_is_synthesized_again(repo: Path,  # noqa: F811
                                                   synthesized: list[Path]) -> None:
    assert CliRunner().invoke(cli, ["synth"]).exit_code == 0
    edit(repo / "pipelines/seed_etl/data_load_job.yml", "max_retries: 3", "max_retries: 5")
    synthesized.clear()
    result = CliRunner().invoke(cli, ["diff", "--base", "HEAD", "--format", "text"])
    assert result.exit_code == 0, result.output
    assert "- LoadTask: max_retries 3 → 5" in result.output
    assert repo in synthesized


def test_fingerprints_follow_the_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "j.yml").write_text("jobs: []\n")
    first = app.fingerprint([str(folder)])
    assert app.fingerprint([str(folder)]) == first
    (folder / "j.yml").write_text("jobs: [] \n")
    assert app.fingerprint([str(folder)]) != first
    (folder / "other.yml").write_text("")
    assert app.current_output([str(folder)], tmp_path / "nothing") is None


def test_errors_of_a_side_in_another_process_are_every_diagnostic(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    (good / "pipelines").mkdir(parents=True)
    (good / "pipelines" / "j.yml").write_text(
        "jobs:\n  - name: A\n    tasks:\n      - task_key: t\n"
        "        notebook_task: {notebook_path: /x}\n")
    (bad / "pipelines").mkdir(parents=True)
    (bad / "pipelines" / "j.yml").write_text(
        "jobs:\n  - name: A\n    tasks: []\n  - name: B\n    tasks: []\n")
    sides = [revisions.Side(bad, tmp_path / "out-bad", "base x"),
             revisions.Side(good, tmp_path / "out-good", "working tree")]
    with pytest.raises(revisions.SideError) as raised:
        revisions.synth_sides(sides, ["pipelines"], app.synth)
    assert raised.value.label == "base x"
    assert [(d.location.line, d.key_path) for d in raised.value.diagnostics] == [
        (3, "jobs[0].tasks"), (5, "jobs[1].tasks")]
    assert (tmp_path / "out-good" / "stacks").is_dir()


def test_progress_shows_only_after_a_while_and_clears(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    quick = app.Progress("brickline synth", after=60, live=True)
    quick.step("stack a (1/2)")
    quick.end()
    assert capsys.readouterr().err == ""
    slow = app.Progress("brickline synth", after=0, live=True)
    import time

    time.sleep(0.2)  # the timer fires
    slow.step("stack b (2/2)")
    slow.end()
    err = capsys.readouterr().err
    assert "brickline synth: stack b (2/2)" in err and err.endswith("\r\033[K")
    silent = app.Progress("brickline synth", after=0, live=False)
    silent.step("x")
    silent.end()
    assert capsys.readouterr().err == ""
