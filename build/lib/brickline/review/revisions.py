"""Synthesize a git revision of the repository without touching the working tree: the
revision is checked out into a temporary `git worktree`, its pipelines are synthesized with
the installed brickline, and the worktree is removed again."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from brickline.app import build


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


def synth_tree(root: Path, relative: Sequence[str], outdir: Path) -> None:
    """Synthesize the pipelines under `root` (those of `relative` that exist there)."""
    present = [str(root / r) for r in relative if (root / r).exists()]
    outdir.mkdir(parents=True, exist_ok=True)
    if present:
        build(present, str(outdir)).synth()  # type: ignore[attr-defined]
