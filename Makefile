# The two commands of the README:
#   make synth   set up (Python venv + pinned cdktf CLI) and synthesize pipelines/ via `cdktf synth`
#   make test    set up and run the tests
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

# Node 22 comes from npm (the `node` package pinned in package.json, node_modules/.bin/node)
# and runs cdktf and jsii for every target here: jsii calls Node 20 unsupported since
# 2026-10-30. (On a Node 20 machine that runs main.py by hand, brickline/constructs/tf.py
# still silences jsii's banner.) cdktf and terraform must not phone home from CI.
SYSTEM_PATH := $(PATH)
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
export CHECKPOINT_DISABLE := 1
export DISABLE_VERSION_CHECK := 1

.PHONY: setup test-setup synth test test-runtime-py39 lint bench mutation clean

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

# npm ci replaces node_modules, Node 22 included: it runs on the machine's own Node
node_modules/.installed: package.json package-lock.json
	PATH="$(SYSTEM_PATH)" npm ci --no-audit --no-fund --loglevel=error
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

# the mutation score per module (tools/mutation.py); slow: a figure, not a CI step
mutation: test-setup
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-mutation.lock
	$(BIN)/python tools/mutation.py

clean:
	rm -rf cdktf.out .pytest_cache
