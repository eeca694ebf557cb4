"""Which engine synthesizes: cdktf 0.21 with the Databricks provider 1.99, or CDK Terrain
(cdktn) 0.24 with provider 1.138. The one module that decides; it imports neither.

cdktf 0.21.0 is cdktf's last release (HashiCorp archived it on 2025-12-10), and its last
prebuilt provider bindings, cdktf-cdktf-provider-databricks 15.16.1, pin provider 1.99.0.
CDK Terrain is its community continuation under new names (the `cdktn` Python package and
`cdktn-cli` on npm, the same API plus additions); cdktn-provider-databricks 18.11.0 pins
provider 1.138.0. The engine is chosen, the first of these that answers:

1. the environment: BRICKLINE_ENGINE=cdktf or cdktn (a CI job, a one-off run);
2. the project: `"context": {"brickline:engine": "cdktn"}` in the cdktf.json of the working
   directory, the file `cdktf synth`, `cdktn synth` and `brickline` all read;
3. what is installed: cdktn when its core and provider packages both are
   (`pip install 'brickline[cdktn]'`), else cdktf, the default.

brickline.constructs.core and .tf load the chosen engine's modules by the names given
here; the spec asks only for the provider version (a job field newer than it is an error).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ENV = "BRICKLINE_ENGINE"
CONTEXT_KEY = "brickline:engine"
CONFIG = "cdktf.json"


@dataclass(frozen=True)
class Engine:
    name: str  # what the settings say: cdktf, cdktn
    label: str  # for messages: "cdktf 0.21"
    core: str  # the Python module of the core library
    bindings: str  # the Python package of the Databricks provider bindings
    distributions: tuple[str, ...]  # the PyPI packages (pyproject.toml pins them)
    provider_version: str  # the provider the bindings pin (lib/provider/index.js)
    cli: str  # the npm CLI's command (package.json pins it)
    # how the engine writes an empty object or list into cdk.tf.json: cdktf 0.21 with
    # json-stable-stringify 1.3.0 over two lines ("{", newline, indent, "}"), cdktn 0.24
    # with safe-stable-stringify 2.5.0 as "{}" (lib/synthesize/synthesizer.js of each)
    compact_empty: bool


CDKTF = Engine(name="cdktf", label="cdktf 0.21", core="cdktf",
               bindings="cdktf_cdktf_provider_databricks",
               distributions=("cdktf", "cdktf-cdktf-provider-databricks"),
               provider_version="1.99.0", cli="cdktf", compact_empty=False)
CDKTN = Engine(name="cdktn", label="cdktn 0.24", core="cdktn",
               bindings="cdktn_provider_databricks",
               distributions=("cdktn", "cdktn-provider-databricks"),
               provider_version="1.138.0", cli="cdktn", compact_empty=True)
ENGINES = {e.name: e for e in (CDKTF, CDKTN)}
DEFAULT = CDKTF
# the engine whose provider is the newest: the jobs model is generated from its bindings
NEWEST = CDKTN


class EngineError(ValueError):
    """An engine setting names no engine, or one that is not installed."""


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def choose(environ: Mapping[str, str], config: Path | None,
           installed: Mapping[str, bool]) -> tuple[Engine, str]:
    """The engine and where the choice came from (for messages), from the environment,
    the project's cdktf.json (None: none) and which engines are installed."""
    setting = environ.get(ENV, "").strip()
    if setting:
        return _named(setting, f"{ENV}={setting}"), f"the environment ({ENV})"
    if config is not None and config.is_file():
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise EngineError(f"{config}: not JSON ({error})") from error
        context = data.get("context") if isinstance(data, dict) else None
        value = context.get(CONTEXT_KEY) if isinstance(context, dict) else None
        if value is not None:
            where = f"{config}: context.{CONTEXT_KEY}"
            return _named(str(value), f"{where} = {value!r}"), where
    if installed.get(CDKTN.name):
        return CDKTN, "what is installed (cdktn and cdktn-provider-databricks)"
    return DEFAULT, "the default"


def _named(name: str, where: str) -> Engine:
    engine = ENGINES.get(name.strip().lower())
    if engine is None:
        raise EngineError(f"{where}: no such engine; expected one of {', '.join(ENGINES)}")
    return engine


def is_installed(engine: Engine) -> bool:
    """Whether the engine's core and provider bindings can be imported (without importing
    them: find_spec reads no module)."""
    return all(importlib.util.find_spec(m) is not None for m in (engine.core, engine.bindings))


_override: list[Engine] = []


@functools.cache
def _chosen() -> tuple[Engine, str]:
    return choose(os.environ, Path.cwd() / CONFIG,
                  {name: is_installed(e) for name, e in ENGINES.items()})


def current() -> Engine:
    """The engine of this process (the choice is made once, on first use)."""
    return _override[-1] if _override else _chosen()[0]


def reason() -> str:
    """Where the current engine's choice came from."""
    return "an override" if _override else _chosen()[1]


def require(engine: Engine) -> None:
    """Before importing the engine: say how to install it when it is not."""
    if not is_installed(engine):
        extra = "" if engine is DEFAULT else f"[{engine.name}]"
        raise EngineError(
            f"brickline synthesizes with {engine.label} ({reason()}), but "
            f"{' and '.join(engine.distributions)} are not installed: "
            f"pip install 'brickline{extra}', or choose the other engine")


@contextlib.contextmanager
def override(name: str) -> Iterator[Engine]:
    """Tests of the spec's provider-version check: the spec sees `name`'s provider. The
    constructs keep the engine they loaded (a process runs one jsii runtime)."""
    _override.append(ENGINES[name])
    try:
        yield _override[-1]
    finally:
        _override.pop()


def newer_field(field: str, since: str, engine: Engine) -> str | None:
    """The message for a job field that `engine`'s provider does not have (it came with
    provider `since`), or None when it has it."""
    if version_key(since) <= version_key(engine.provider_version):
        return None
    newer = [e for e in ENGINES.values()
             if version_key(e.provider_version) >= version_key(since)]
    fix = newer[0] if newer else NEWEST
    return (f"'{field}' needs Databricks provider {since}; brickline's {engine.label} "
            f"engine synthesizes for provider {engine.provider_version}: switch to the "
            f"{fix.label} engine (provider {fix.provider_version}) with pip install "
            f"'brickline[{fix.name}]', or set \"{CONTEXT_KEY}\": \"{fix.name}\" in the "
            "context of cdktf.json (deployed jobs keep their state and addresses)")


def required_before(field: str, since: str, engine: Engine) -> str:
    """The message for a key that `engine`'s provider requires and provider `since` no
    longer does."""
    return (f"missing required key '{field}': brickline's {engine.label} engine synthesizes "
            f"for Databricks provider {engine.provider_version}, which requires it (provider "
            f"{since} does not)")
