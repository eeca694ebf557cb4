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

.PHONY: setup test-setup synth test lint bench clean

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

lint: test-setup
	$(BIN)/ruff check constructs tests tools main.py
	$(BIN)/mypy

bench: setup
	$(BIN)/python tools/bench.py

clean:
	rm -rf cdktf.out .pytest_cache
