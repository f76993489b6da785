# Cohort's front door. Every target creates the virtualenv first if it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The API fuzzer lives in a virtualenv of its own, from exact pins (see requirements/fuzz.txt).
FUZZ_VENV  := .venv-fuzz
FUZZ_STAMP := $(FUZZ_VENV)/.installed

.PHONY: run demo test test-unit test-integration test-e2e test-repo fuzz lint format typecheck bench interop clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(FUZZ_STAMP): requirements/fuzz.txt
	@test -x $(FUZZ_VENV)/bin/python || $(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FUZZ_VENV)/bin/python -m pip install --quiet -r requirements/fuzz.txt
	@touch $(FUZZ_STAMP)

## run: the whole stack on SQLite + local Redis + a dev mail sink (Ctrl-C stops it)
run: $(STAMP)
	$(BIN)/python -m devstack

## demo: run the stack, seed realistic data and play a scenario through the HTTP API
demo: $(STAMP)
	$(BIN)/python -m devstack.demo

## interop: the node and libical tools the calendar interop tests use
interop:
	bash tests/interop/setup.sh

## test: lint, types and every test (PostgreSQL and Redis must answer; see .ci/run)
test: $(STAMP) $(FUZZ_STAMP) interop lint typecheck
	$(BIN)/python -m pytest -q -p no:cacheprovider

## test-unit: pure logic, no I/O (seconds)
test-unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

## test-integration: one service at a time against real PostgreSQL, Redis and SMTP
test-integration: $(STAMP) interop
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/integration

## test-e2e: the whole stack as real processes (the API fuzzing included)
test-e2e: $(STAMP) $(FUZZ_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e

## fuzz: schemathesis against every service's OpenAPI on a running stack (a few minutes at most)
fuzz: $(STAMP) $(FUZZ_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e/test_api_fuzz.py

## test-repo: README, compose file, API doc and bench report agree with the code
test-repo: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/repo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP)
	$(BIN)/mypy

## bench: every benchmark; figures go to docs/PERFORMANCE.md
bench: $(STAMP) interop
	$(BIN)/python -m bench

clean:
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
