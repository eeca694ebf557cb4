# The two commands of the README:
#   make synth   set up (Python venv + pinned cdktf CLI) and synthesize pipelines/ via `cdktf synth`
#   make test    set up and run the tests: on cdktf (the default engine) all of them, then on
#                cdktn those marked `engine` or `cdktn` (make test-cdktn, in .venv-cdktn)
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

.PHONY: setup test-setup setup-cdktn synth synth-cdktn test test-cdktn test-runtime-py39 lint \
	bench mutation clean

setup: $(VENV)/.installed node_modules/.installed
test-setup: setup $(VENV)/.test-installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	# an editable install compiles nothing of brickline; where PYTHONDONTWRITEBYTECODE is
	# set, every command would compile its modules again (a third of a `validate`)
	$(BIN)/python -m compileall -q constructs/brickline
	touch $@

# the tests' own packages (pytest, pyspark, mypy, ...): only `make test` needs them
$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock
	touch $@

# The second engine, CDK Terrain (brickline.engine): `pip install 'brickline[cdktn]'` in a
# venv of its own, from the locks (requirements-cdktn.lock adds cdktn and its provider
# bindings to requirements.lock), with the test packages. Installed, it is the engine there.
VENV_CDKTN := .venv-cdktn
setup-cdktn: $(VENV_CDKTN)/.installed node_modules/.installed

$(VENV_CDKTN)/.installed: pyproject.toml requirements.lock requirements-cdktn.lock requirements-test.lock
	$(PYTHON) -m venv $(VENV_CDKTN)
	$(VENV_CDKTN)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock \
	  -r requirements-cdktn.lock -r requirements-test.lock
	$(VENV_CDKTN)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# npm ci replaces node_modules, Node 22 included: it runs on the machine's own Node
node_modules/.installed: package.json package-lock.json
	PATH="$(SYSTEM_PATH)" npm ci --no-audit --no-fund --loglevel=error
	touch $@

synth: setup
	npx cdktf synth

# the same with the cdktn CLI (package.json pins it) running main.py on the cdktn engine
synth-cdktn: setup-cdktn
	npx cdktn synth --app "$(VENV_CDKTN)/bin/python main.py"

# the tests marked `cdktn` need both engines installed: they run in test-cdktn only
test: test-setup
	$(BIN)/python -m pytest -m "not cdktn"
	$(MAKE) test-cdktn
	$(MAKE) test-runtime-py39

# the second engine: equivalence, the examples, the review, the corpus (marked `engine`),
# and what needs both engines (marked `cdktn`: the cross-engine diff, the jobs model)
test-cdktn: setup-cdktn
	$(VENV_CDKTN)/bin/python -m pytest -m "engine or cdktn"

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
