"""Mutation score per module, with mutmut (pinned in requirements-mutation.lock;
`make mutation` installs it and runs this). A figure like the benchmark, not a CI step.

    .venv/bin/python tools/mutation.py [plan rules diff plan_report ops status] [--jobs N]

For each module: a scratch copy of the project with the package under src/ (the layout
mutmut imports mutants from), mutmut mutating that one file and running the module's own
tests (each mutant runs only the tests that reach the function it changed), then the score
(killed / all mutants that some test reaches) and every survivor with its diff, written to
tools/mutation/<module>.txt. Reasons for the survivors that stay are in
tools/mutation/SURVIVORS.md. It runs niced and, by default, one mutant at a time."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tools" / "mutation"
# module -> (file under constructs/, its tests, a pytest -k that leaves out the slow ones
# that re-run a whole tool per mutant: terraform, git worktrees + cdktf)
MODULES: dict[str, tuple[str, list[str], str]] = {
    # a package: every module in it
    "plan": ("brickline/plan/*.py", ["tests/test_plan.py", "tests/test_plan_snapshot.py",
                                      "tests/test_plan_features.py"], ""),
    "rules": ("brickline/spec/rules/*.py", ["tests/test_spec_errors.py",
                                          "tests/test_bad_input_limits.py",
                                          "tests/test_spec_load.py", "tests/test_scaling.py",
                                          "tests/test_rules_edges.py"], ""),
    "diff": ("brickline/review/diff.py", ["tests/test_review_diff.py"],
             "not acceptance and not report_only_and and not invalid_head "
             "and not literal_secret"),
    "plan_report": ("brickline/review/plan_report.py", ["tests/test_plan_report.py"],
                    "not what_terraform_makes"),
    # a package: connect, runs, log, watch
    "ops": ("brickline/ops/*.py", ["tests/test_contract_databricks.py",
                                    "tests/test_ops_commands.py"], ""),
    # the notebook test reads status.py's own text, which mutmut rewrites
    "status": ("brickline/runtime/status.py", ["tests/test_runtime_eval.py"],
               "not runs_on_python_3_9"),
}
# modules whose mutants cannot change the synthesized JSON: tests reuse it (tests/helpers.py)
SYNTH_UNCHANGED = ("diff", "plan_report", "status", "ops")
STATUS = re.compile(r"^\s+(\S+): (\S.*)$")


def scratch(module: str) -> Path:
    source, tests, deselect = MODULES[module]
    root = Path(tempfile.mkdtemp(prefix=f"brickline-mutation-{module}-"))
    shutil.copytree(REPO / "constructs" / "brickline", root / "src" / "brickline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "tests", root / "tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "pipelines", root / "pipelines")
    for name in ("cdktf.json", "main.py"):
        shutil.copy2(REPO / name, root / name)
    test_args = ", ".join(f'"{t}"' for t in [*tests, *(["-k", deselect] if deselect else [])])
    (root / "pyproject.toml").write_text(f"""
[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-p no:randomly -p no:cacheprovider -q --snapshot-warn-unused"
markers = ["e2e: runs the real cdktf CLI through npx"]

[tool.mutmut]
source_paths = ["src"]
only_mutate = ["src/{source}"]
also_copy = ["tests", "pipelines", "cdktf.json", "main.py"]
pytest_add_cli_args_test_selection = [{test_args}]
process_isolation = "forkserver"
forkserver_warmup = "import"
use_git_change_detection = false
""", encoding="utf-8")
    return root


def mutmut(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["nice", "-n", "10", sys.executable, "-m", "mutmut", *args],
                          cwd=root, env=env, capture_output=True, text=True, check=False)


def sample_of(root: Path, module: str, size: int) -> list[str]:
    """A fixed random sample (seed 0) of the module's mutant names."""
    metas = (root / "mutants" / "src").glob(f"{MODULES[module][0]}.meta")
    names = sorted(n for meta in metas for n in json.loads(meta.read_text())["exit_code_by_key"])
    return sorted(random.Random(0).sample(names, min(size, len(names))))


def run(module: str, jobs: int, sample: int) -> tuple[int, int, dict[str, str], float, int]:
    root = scratch(module)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CI")}
    if module in SYNTH_UNCHANGED:
        env["BRICKLINE_TEST_SYNTH_CACHE"] = str(root / "synth-cache")
    started = time.monotonic()
    total = 0
    try:
        names: list[str] = []
        if sample:  # generate the mutants and the test map only, then run the sample
            mutmut(root, env, "run", "--max-children", str(jobs), "no-such-mutant")
            names = sample_of(root, module, sample)
        done = mutmut(root, env, "run", "--max-children", str(jobs), *names)
        (OUT / f"{module}.log").write_text(done.stdout[-20000:] + done.stderr[-20000:])
        listed = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                                cwd=root, env=env, capture_output=True, text=True,
                                check=False).stdout
        status = {m.group(1): m.group(2) for m in map(STATUS.match, listed.splitlines()) if m}
        total = len(status)
        if names:
            status = {n: s for n, s in status.items() if n in names}
        survivors = [name for name, s in status.items() if s == "survived"]
        diffs = [subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=root,
                                env=env, capture_output=True, text=True,
                                check=False).stdout for name in survivors]
    finally:
        elapsed = time.monotonic() - started
        shutil.rmtree(root, ignore_errors=True)
    # "not checked": mutmut never ran it (its clean test run failed: see the log)
    reached = {n: s for n, s in status.items()
               if s not in ("no tests", "skipped", "not checked")}
    killed = sum(s in ("killed", "timeout") for s in reached.values())
    head = (f"# {module}: {killed}/{len(reached)} killed"
            + (f" (a sample of {len(status)} of {total} mutants)" if names else "")
            + "; statuses: " + ", ".join(f"{k} {list(status.values()).count(k)}"
                                         for k in sorted(set(status.values()))))
    (OUT / f"{module}.txt").write_text("\n".join([head, *diffs]) + "\n")
    return killed, len(reached), status, elapsed, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", default=list(MODULES), choices=list(MODULES))
    parser.add_argument("--jobs", type=int, default=1, help="mutants at a time")
    parser.add_argument("--sample", type=int, default=0,
                        help="run a fixed random sample of this many mutants per module")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rows = ["| module | mutants | run | reached by a test | killed | score | minutes |",
            "|---|--:|--:|--:|--:|--:|--:|"]
    for module in args.modules:
        killed, reached, status, elapsed, total = run(module, args.jobs, args.sample)
        score = f"{100 * killed / reached:.1f}%" if reached else "n/a"
        rows.append(f"| {MODULES[module][0]} | {total} | {len(status)} | {reached} | "
                    f"{killed} | {score} | {elapsed / 60:.1f} |")
        print(rows[-1], flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
