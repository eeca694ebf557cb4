"""Synthesize a git revision of the repository without touching the working tree: the
revision is checked out into a temporary `git worktree`, its pipelines are synthesized with
the synth function the caller gives (the installed brickline's), and the worktree is
removed again. Two revisions synthesize side by side where the machine has the cores."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from brickline.spec.diagnostics import Diagnostic, SpecError

# (pipeline paths, output folder) -> the files written; raises SpecError
Synth = Callable[[Sequence[str], Path], Any]


class RevisionError(Exception):
    """The repository or the revision cannot be used (a usage problem, not a bug)."""


def _git(cwd: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True,
                              check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    if done.returncode != 0:
        raise RevisionError(done.stderr.strip().splitlines()[-1] if done.stderr.strip()
                            else f"git {' '.join(args)} failed")
    return done.stdout.strip()


def toplevel(start: Path) -> Path:
    try:
        return Path(_git(start, "rev-parse", "--show-toplevel")).resolve()
    except RevisionError as exc:
        raise RevisionError(f"{exc}: run `brickline diff --base` inside the repository, or "
                            "compare two synth outputs with --base-dir and --head-dir") from None


def describe(repo: Path, ref: str) -> tuple[str, str]:
    """(full sha, label) of a revision, or RevisionError naming the bad ref."""
    try:
        sha = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"unknown revision '{ref}' (fetch it first, e.g. `git fetch "
                            f"origin {ref}`)") from None
    return sha, f"{ref} ({sha[:7]})"


@contextmanager
def checkout(repo: Path, sha: str) -> Iterator[Path]:
    """A detached worktree of `sha`, removed afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="brickline-base-"))
    tree = folder / "tree"
    _git(repo, "worktree", "add", "--detach", "--quiet", str(tree), sha)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(tree)],
                       capture_output=True, check=False)
        subprocess.run(["git", "-C", str(repo), "worktree", "prune"], capture_output=True,
                       check=False)
        shutil.rmtree(folder, ignore_errors=True)


def relative_paths(repo: Path, paths: Sequence[str]) -> list[str]:
    out = []
    for p in paths:
        try:
            out.append(str(Path(p).resolve().relative_to(repo)))
        except ValueError:
            raise RevisionError(f"{p} is outside the repository {repo}") from None
    return out


@dataclass(frozen=True)
class Side:
    """One revision to synthesize: its tree, where the output goes, how to name it."""

    root: Path
    outdir: Path
    label: str


class SideError(Exception):
    """The pipelines of one side have errors."""

    def __init__(self, label: str, diagnostics: list[Diagnostic]) -> None:
        super().__init__(label)
        self.label, self.diagnostics = label, diagnostics


def synth_tree(root: Path, relative: Sequence[str], outdir: Path, synth: Synth) -> None:
    """Synthesize the pipelines under `root` (those of `relative` that exist there)."""
    present = [str(root / r) for r in relative if (root / r).exists()]
    outdir.mkdir(parents=True, exist_ok=True)
    if present:
        synth(present, outdir)


def _synth_child(root: Path, relative: Sequence[str], outdir: Path, synth: Synth,
                 quiet: bool = False) -> list[Diagnostic]:
    """In a process of its own: the diagnostics, since a SpecError does not pickle."""
    if quiet:  # one progress line on the terminal, the one of this process
        os.environ["BRICKLINE_PROGRESS"] = "0"
    try:
        synth_tree(root, relative, outdir, synth)
    except SpecError as error:
        return error.diagnostics
    return []


def synth_sides(sides: Sequence[Side], relative: Sequence[str], synth: Synth) -> None:
    """Synthesize every side: with more than one core, all but the last each in a process
    of its own (spawned: jsii's Node runtime is one per process and not fork-safe) while
    this process does the last. Raises SideError for the first side with errors."""
    parallel = len(sides) > 1 and (os.cpu_count() or 1) > 1
    if not parallel:
        for side in sides:
            _check(side, _synth_child(side.root, relative, side.outdir, synth))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(sides) - 1, mp_context=context) as pool:
        futures: list[Future[list[Diagnostic]]] = [
            pool.submit(_synth_child, side.root, relative, side.outdir, synth, True)
            for side in sides[:-1]]
        last = _synth_child(sides[-1].root, relative, sides[-1].outdir, synth)
        for side, future in zip(sides[:-1], futures, strict=True):
            _check(side, future.result())
    _check(sides[-1], last)


def _check(side: Side, diagnostics: list[Diagnostic]) -> None:
    if any(d.severity == "error" for d in diagnostics):
        raise SideError(side.label, diagnostics)
