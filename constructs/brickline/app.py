"""The cdktf app: every pipeline under the given paths, one stack each.

`cdktf synth` / `cdktf deploy` run main.py, which calls `main()` here (see cdktf.json);
`brickline synth` and `brickline diff` call `synth()`.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from brickline.engine import EngineError
from brickline.plan import StackPlan, plans
from brickline.spec.diagnostics import SpecError, render
from brickline.spec.load import load_pipelines, no_cycle_collection

if TYPE_CHECKING:
    from brickline.constructs.core import App

# where the pipelines are when no path is given; BRICKLINE_PIPELINES for `cdktf synth`
DEFAULT_PATHS = ("pipelines",)
# a synth function: (pipeline paths, output folder) -> the cdk.tf.json files written
Synth = Callable[[Sequence[str], Path], list[Path]]


class Progress:
    """On a terminal, a run that takes longer than about two seconds says what it is doing
    (which stack, how many of how many) on one line of stderr, cleared at the end;
    elsewhere (a pipe, CI, BRICKLINE_PROGRESS=0) it is silent."""

    def __init__(self, what: str, *, after: float = 2.0, live: bool | None = None) -> None:
        self.what = what
        self.message = what
        self.shown = False
        self.live = (sys.stderr.isatty() and os.environ.get("BRICKLINE_PROGRESS") != "0"
                     if live is None else live)
        self._lock = threading.Lock()
        # a timer, not a check between steps: a step (one big stack) may take the time
        self._timer = threading.Timer(after, self._show) if self.live else None
        if self._timer:
            self._timer.daemon = True
            self._timer.start()

    def step(self, doing: str) -> None:
        with self._lock:
            self.message = f"{self.what}: {doing}"
            if self.shown:
                self._write()

    def _show(self) -> None:
        with self._lock:
            self.shown = True
            self._write()

    def _write(self) -> None:
        sys.stderr.write(f"\r\033[K{self.message}")
        sys.stderr.flush()

    def end(self) -> None:
        if self._timer:
            self._timer.cancel()
        with self._lock:
            if self.shown:
                sys.stderr.write("\r\033[K")
                sys.stderr.flush()
            self.shown = False


def stacks_of(paths: Sequence[str]) -> list[StackPlan]:
    """Validate everything first (raises SpecError): the stacks' plans, by name.

    Meanwhile a thread imports cdktf: that starts jsii's Node process and loads cdktf's
    assembly into it, which is Node's work while Python reads the YAML (the thread waits
    on a pipe, holding no lock). Each of the import's many file reads and pipe waits ends
    with the thread asking for the GIL back, which the busy main thread hands over only
    every switch interval (5 ms by default): at that pace the import would outlast a large
    pipeline's reading (0.5 s later for 10,000 tasks). A shorter interval while both run
    lets it finish alongside."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    starting = threading.Thread(target=_start_cdktf)
    starting.start()
    try:
        pipelines = load_pipelines(paths)
        return sorted((stack for p in pipelines for stack in plans(p)), key=lambda s: s.name)
    finally:
        starting.join()
        sys.setswitchinterval(interval)


SWITCH_INTERVAL = 0.0005  # seconds; 10,000 tasks synthesize in 1.45 s instead of 1.9 s


def _start_cdktf() -> None:
    with contextlib.suppress(Exception):  # the import where it is used reports the failure
        importlib.import_module("brickline.constructs.core")


def build(paths: Sequence[str], outdir: str | None = None, *,
          progress: Progress | None = None) -> App:
    """The app with one stack per pipeline and target; nothing is written unless every
    pipeline is valid (raises SpecError with every mistake)."""
    return assemble(stacks_of(paths), outdir, progress=progress)


def assemble(stacks: Sequence[StackPlan], outdir: str | None = None, *,
             progress: Progress | None = None) -> App:
    """The app of already planned stacks."""
    from brickline.constructs.core import App
    from brickline.constructs.stack import PipelineStack

    app = App(outdir=outdir) if outdir else App()
    with no_cycle_collection():
        for i, stack_plan in enumerate(stacks, 1):
            PipelineStack(app, plan=stack_plan)
            if progress:
                progress.step(f"stack {stack_plan.name} ({i}/{len(stacks)})")
    return app


def synthesize(app: App) -> None:
    """app.synth() as brickline's own app does it (pipeline.synthesize: the same files,
    fewer calls between Python and Node)."""
    from brickline.constructs import pipeline

    pipeline.synthesize(app)


FINGERPRINT = "brickline-inputs.json"


def fingerprint(paths: Sequence[str]) -> dict[str, object]:
    """What a synth output depends on: the pipeline files under `paths`, brickline's own
    source, the engine and its package versions. Equal fingerprints, equal output."""
    from importlib.metadata import version

    import brickline
    from brickline import engine

    digest = hashlib.sha256()
    chosen = engine.current()
    digest.update(f"engine {chosen.name}\n".encode())
    for package in ("brickline", *chosen.distributions):
        digest.update(f"{package}=={version(package)}\n".encode())
    roots = [Path(brickline.__file__).parent, *(Path(p).resolve() for p in paths)]
    for root in roots:
        files = sorted(f for f in root.rglob("*") if f.is_file()) if root.is_dir() else \
            [root] if root.is_file() else []
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(f"{file.relative_to(root.parent)}\n".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return {"paths": [str(Path(p).resolve()) for p in paths], "sha256": digest.hexdigest()}


def record(paths: Sequence[str], outdir: Path, stacks: Sequence[str]) -> None:
    """Note beside a synth output what it was made from, so `brickline diff` can reuse it."""
    (outdir / FINGERPRINT).write_text(json.dumps(
        {**fingerprint(paths), "stacks": sorted(stacks)}, indent=1) + "\n", encoding="utf-8")


def current_output(paths: Sequence[str], outdir: Path) -> list[str] | None:
    """The stacks of `outdir` if it is the synth output of `paths` as they are now."""
    try:
        noted = json.loads((outdir / FINGERPRINT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(noted, dict) or {k: noted.get(k) for k in ("paths", "sha256")} != \
            fingerprint(paths):
        return None
    stacks = noted.get("stacks")
    if not isinstance(stacks, list) or not all(
            (outdir / "stacks" / str(s) / "cdk.tf.json").is_file() for s in stacks):
        return None
    return [str(s) for s in stacks]


def synth(paths: Sequence[str], outdir: Path) -> list[Path]:
    """Write stacks/<stack>/cdk.tf.json (and cdktf's manifest) of every pipeline under
    `paths` into `outdir`, as `cdktf synth` does; returns the cdk.tf.json files. Everything
    is synthesized into a scratch folder first: a mistake (SpecError) writes nothing."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    progress = Progress("brickline synth")
    progress.step("reading and planning the pipelines")
    try:
        # absolute: jsii's Node process keeps the working directory it started in
        with tempfile.TemporaryDirectory(dir=outdir.parent.resolve(),
                                         prefix=".brickline-synth-") as tmp:
            app = build(paths, tmp, progress=progress)
            progress.step("writing the Terraform JSON")
            synthesize(app)
            written = []
            for file in sorted(Path(tmp).rglob("*")):
                if file.is_file():
                    dest = outdir / file.relative_to(tmp)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(file, dest)
                    written.append(dest)
    finally:
        progress.end()
    json_files = [dest for dest in written if dest.name == "cdk.tf.json"]
    record(paths, outdir, [f.parent.name for f in json_files])
    return json_files


def main(paths: Sequence[str] | None = None) -> None:
    """main.py's body: `cdktf synth` runs it with CDKTF_OUTDIR set. Invalid pipelines print
    every mistake and exit 1, writing nothing."""
    chosen = paths or os.environ.get("BRICKLINE_PIPELINES", DEFAULT_PATHS[0]).split(os.pathsep)
    try:
        stacks = stacks_of(chosen)
        synthesize(assemble(stacks))
    except SpecError as error:
        print(render(error.diagnostics), file=sys.stderr)
        sys.exit(1)
    except EngineError as error:  # an engine setting that names none, or one not installed
        print(f"brickline: {error}", file=sys.stderr)
        sys.exit(1)
    outdir = os.environ.get("CDKTF_OUTDIR")
    if outdir:
        record(chosen, Path(outdir), [s.name for s in stacks])
    exiting()


def exiting() -> None:
    """The process ends next. What a synth made stays alive until then (jsii holds every
    Python object it handed to Node), and the interpreter's last cyclic collection would
    walk all of it: about 0.2 s of a 1000-job synth. Frozen objects are left out of that
    collection (gc.freeze); they are freed as usual."""
    gc.freeze()
