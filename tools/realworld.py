"""Run `brickline validate` (and synth) over a folder of real bundle roots and print what
happened to each: a figure for the README, not a test (the roots are other people's files,
fetched for the run and never committed).

    .venv/bin/python tools/realworld.py /path/to/roots [--synth] [--only NAME] [--verdicts F]

Each sub-folder holding databricks.yml (or bundle.yml) is one root. With --verdicts, a JSON
list of {"dir": ..., "verdict": "accept"|"reject"|...} says what the Databricks CLI does
with each root, and the table compares. A root whose resources are other types than jobs,
pipelines, schemas and volumes is expected to get one located message naming the type.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT_FILES = ("databricks.yml", "databricks.yaml", "bundle.yml", "bundle.yaml")
PROVISIONED = {"jobs", "pipelines", "schemas", "volumes"}


def roots(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and any((p / n).is_file() for n in ROOT_FILES))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--synth", action="store_true")
    parser.add_argument("--only")
    parser.add_argument("--verdicts", type=Path)
    parser.add_argument("--show", action="store_true", help="print every diagnostic")
    args = parser.parse_args(argv)
    from brickline.spec.diagnostics import errors_only
    from brickline.spec.load import collect

    verdicts: dict[str, dict[str, object]] = {}
    if args.verdicts:
        verdicts = {x["dir"]: x for x in json.loads(args.verdicts.read_text())}
    rows = []
    tally: Counter[str] = Counter()
    for root in roots(args.folder):
        if args.only and args.only not in root.name:
            continue
        started = time.perf_counter()
        try:  # a crash is what this tool looks for
            _, diagnostics = collect([str(root)])
            crash = ""
        except Exception:
            diagnostics, crash = [], traceback.format_exc(limit=3)
        seconds = time.perf_counter() - started
        errors = errors_only(diagnostics)
        outcome = "crash" if crash else ("refused" if errors else "ok")
        if outcome == "ok" and args.synth:
            outcome = _synth(root) or outcome
        info = verdicts.get(root.name, {})
        expected = str(info.get("verdict", ""))
        types = set(info.get("resource_types", []) or [])
        other = sorted(types - PROVISIONED)
        tally[outcome] += 1
        rows.append((root.name, outcome, expected, len(errors), f"{seconds:.2f}",
                     ",".join(other)))
        if args.show or crash:
            print(f"== {root.name}: {outcome}")
            print(crash or "\n".join(d.render() for d in diagnostics))
    width = max((len(r[0]) for r in rows), default=10)
    for row in rows:
        print(f"{row[0]:<{width}}  {row[1]:<8} cli={row[2]:<22} errors={row[3]:<3} "
              f"{row[4]}s {row[5]}")
    print(dict(tally))
    return 0


def _synth(root: Path) -> str:
    from brickline.app import synth

    with tempfile.TemporaryDirectory() as out:
        cwd = os.getcwd()
        try:
            synth([str(root)], Path(out))
        except Exception:
            traceback.print_exc(limit=3)
            return "synth-crash"
        finally:
            os.chdir(cwd)
    return ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
