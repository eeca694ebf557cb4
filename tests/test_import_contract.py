"""The layering, made executable (read from the source, so a lazy import counts too):

- spec (and brickline.names) import no cdktf and nothing of plan, constructs or review;
- runtime imports only the standard library and itself (status.py runs alone on
  Databricks), and pyspark and the Databricks SDK (which Databricks provides, or the plan
  installs for the status tasks) only inside a function;
- plan (a package) imports no cdktf and nothing of constructs, review, cli or ops, and its
  modules import one way: model <- status_tasks, status_log, deployment <- job <-
  orchestrator <- __init__;
- an engine (cdktf or cdktn), its provider bindings, jsii and the `constructs` library are
  imported in two modules: brickline/constructs/tf.py, and core.py (the engine's core
  alone, for the fast path, which must not load the provider bindings); they load the
  modules that brickline.engine names, which itself imports only the standard library.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "constructs" / "brickline"
CDKTF = ("cdktf", "cdktf_cdktf_provider_databricks", "cdktn", "cdktn_provider_databricks",
         "constructs", "jsii")
ENGINE_MODULE = PACKAGE / "engine.py"
TF_MODULE = PACKAGE / "constructs" / "tf.py"
CORE_MODULE = PACKAGE / "constructs" / "core.py"
LAZY = ("pyspark", "databricks")


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at top level) for every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.append((module, id(node) in top))
    return found


def modules(*parts: str) -> list[Path]:
    return sorted(PACKAGE.joinpath(*parts).rglob("*.py"))


def _is(module: str, *names: str) -> bool:
    return any(module == n or module.startswith(n + ".") for n in names)


@pytest.mark.parametrize("path", [*modules("spec"), PACKAGE / "names.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_spec_imports_no_cdktf_and_no_later_layer(path: Path) -> None:
    bad = [m for m, _ in imports(path)
           if _is(m, *CDKTF, "brickline.plan", "brickline.constructs", "brickline.review",
                  "brickline.cli", "brickline.ops")]
    assert bad == [], f"{path.name} imports {bad}"


# each module of brickline/plan and the plan modules it may import (its layers below)
PLAN_LAYERS = {
    "model": set(),
    "status_tasks": {"model"},
    "status_log": {"model"},
    "deployment": {"model"},
    "job": {"model", "status_tasks", "deployment"},
    "orchestrator": {"model", "deployment", "job"},
    "bundle": {"model"},  # a bundle's data sources, pipelines, schemas, volumes, synced files
    "__init__": {"model", "status_tasks", "status_log", "deployment", "job", "orchestrator",
                 "bundle"},
}


def test_the_plan_modules_are_the_layers() -> None:
    assert {p.stem for p in modules("plan")} == set(PLAN_LAYERS)


@pytest.mark.parametrize("path", modules("plan"), ids=lambda p: p.name)
def test_plan_imports_one_way_and_no_later_layer(path: Path) -> None:
    found = [m for m, _ in imports(path)]
    assert [m for m in found if _is(m, *CDKTF, "brickline.constructs", "brickline.review",
                                     "brickline.cli", "brickline.ops", "brickline.app")] == []
    inside = {m.removeprefix("brickline.plan.").split(".")[0] for m in found
              if _is(m, "brickline.plan")}
    assert inside <= PLAN_LAYERS[path.stem], f"{path.name} imports plan modules {inside}"


def test_names_is_pure() -> None:
    bad = [m for m, _ in imports(PACKAGE / "names.py")
           if m.split(".")[0] not in sys.stdlib_module_names and m != "__future__"]
    assert bad == []


@pytest.mark.parametrize("path", modules("runtime"), ids=lambda p: p.name)
def test_runtime_imports_only_the_standard_library(path: Path) -> None:
    for module, at_top in imports(path):
        root = module.split(".")[0]
        if root in sys.stdlib_module_names or module == "__future__" or _is(
                module, "brickline.runtime"):
            continue
        assert root in LAZY and not at_top, f"{path.name} imports {module}"


def test_the_status_program_runs_alone() -> None:
    """status.py is uploaded as one file: it imports nothing of brickline."""
    bad = [m for m, _ in imports(PACKAGE / "runtime" / "status.py") if _is(m, "brickline")]
    assert bad == []


def test_cdktf_is_imported_in_one_module() -> None:
    """Statically (core.py: jsii, constructs, and cdktf's types for mypy), and by the names
    brickline.engine gives (importlib, in core.py and tf.py only)."""
    users = sorted({str(p.relative_to(PACKAGE)) for p in modules()
                    for m, _ in imports(p) if _is(m, *CDKTF)})
    assert users == [str(CORE_MODULE.relative_to(PACKAGE))]
    loaders = sorted(str(p.relative_to(PACKAGE)) for p in modules()
                     if "import_module(ENGINE." in p.read_text(encoding="utf-8")
                     or "import_module(f\"{ENGINE." in p.read_text(encoding="utf-8"))
    assert loaders == sorted(str(m.relative_to(PACKAGE)) for m in (CORE_MODULE, TF_MODULE))
    # core.py: the engine's core only, never the provider bindings
    assert "bindings" not in "".join(
        line for line in CORE_MODULE.read_text(encoding="utf-8").splitlines()
        if "import" in line)


def test_the_engine_is_chosen_in_one_pure_module() -> None:
    bad = [m for m, _ in imports(ENGINE_MODULE)
           if m.split(".")[0] not in sys.stdlib_module_names and m != "__future__"]
    assert bad == []
    # the Python names of either engine's packages are in no other module's code (a
    # string that could be imported by name; docstrings aside)
    names = ("cdktf", "cdktn", "cdktf_cdktf_provider_databricks", "cdktn_provider_databricks")
    for path in modules():
        if path == ENGINE_MODULE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.value) for node in ast.walk(tree)
                      if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)}
        strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                   and isinstance(node.value, str) and id(node) not in docstrings]
        assert not [t for t in strings if t in names or t.startswith(
            tuple(f"{n}." for n in names if n != "cdktf"))], path.name


def test_the_contract_sees_lazy_imports() -> None:
    """The reader finds an import inside a function, which a sys.modules check would not."""
    sample = PACKAGE / "spec" / "rules" / "terraform.py"
    assert ("brickline.spec.targets", False) in imports(sample)
