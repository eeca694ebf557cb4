# The two commands of the README:
#   make synth   set up (Python venv + pinned cdktf CLI) and synthesize pipelines/ via `cdktf synth`
#   make test    set up and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# jsii (under cdktf) prints a banner per run on an end-of-life Node; cdktf and terraform
# must not phone home from CI.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20,18
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export CHECKPOINT_DISABLE := 1
export DISABLE_VERSION_CHECK := 1

.PHONY: setup test-setup synth test test-runtime-py39 lint bench clean

setup: $(VENV)/.installed node_modules/.installed
test-setup: setup $(VENV)/.test-installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# the tests' own packages (pytest, pyspark, mypy, ...): only `make test` needs them
$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: setup
	npx cdktf synth

test: test-setup
	$(BIN)/python -m pytest
	$(MAKE) test-runtime-py39

# The status notebook runs unchanged from Python 3.9 / Spark 3.3 (Databricks Runtime 11.3
# LTS) on: its tests run again there, in a venv of their own. Without a Python 3.9 the step
# says so and passes, unless REQUIRE_PY39=1 (CI sets it).
PYTHON39 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.9*/bin/python) \
                        $(shell command -v python3.9 2>/dev/null))
VENV39 := .venv39

$(VENV39)/.installed: requirements-py39.lock
	$(PYTHON39) -m venv $(VENV39)
	$(VENV39)/bin/pip install --quiet --disable-pip-version-check -r requirements-py39.lock
	touch $@

test-runtime-py39:
	@if [ -z "$(PYTHON39)" ]; then \
	  echo "test-runtime-py39: SKIPPED, no Python 3.9 found (set PYTHON39=/path/to/python3.9)"; \
	  if [ -n "$(REQUIRE_PY39)" ]; then exit 1; fi; \
	else \
	  $(MAKE) $(VENV39)/.installed && \
	  PYTHONPATH=constructs $(VENV39)/bin/python -m pytest --noconftest -p no:cacheprovider \
	    tests/test_runtime_eval.py tests/test_runtime_spark.py; \
	fi

lint: test-setup
	$(BIN)/ruff check constructs tests tools main.py
	$(BIN)/mypy

bench: setup
	$(BIN)/python tools/bench.py

clean:
	rm -rf cdktf.out .pytest_cache
