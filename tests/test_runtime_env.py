"""The old-runtime test environment (Python 3.9 + Spark 3.3, `make test-runtime-py39`) is
pinned exactly, and pyproject and its lock agree."""

from __future__ import annotations

import tomllib

from conftest import REPO


def _pins(path: str) -> dict[str, str]:
    pins = {}
    for line in (REPO / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


def test_the_py39_lock_pins_exactly_what_pyproject_names() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    lock = _pins("requirements-py39.lock")
    for spec in project["optional-dependencies"]["runtime-py39"]:
        name, version = spec.split("==")
        assert lock.get(name.lower()) == version, spec
    # Spark 3.3 is what Databricks Runtime 11.3 LTS ships, with its own py4j
    assert lock["pyspark"].startswith("3.3.") and lock["py4j"] == "0.10.9.5"


def test_make_test_runs_the_status_tests_on_python_3_9() -> None:
    makefile = (REPO / "Makefile").read_text()
    test_recipe = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    assert "$(MAKE) test-runtime-py39" in test_recipe
    assert "tests/test_runtime_eval.py tests/test_runtime_spark.py" in makefile
    assert "REQUIRE_PY39=1" in (REPO / ".ci" / "run").read_text()
