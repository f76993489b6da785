# Cohort's front door. Every target creates the virtualenv first if it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The API fuzzer lives in a virtualenv of its own, from exact pins (see requirements/fuzz.txt).
FUZZ_VENV  := .venv-fuzz
FUZZ_STAMP := $(FUZZ_VENV)/.installed

.PHONY: lock migrate migrations-check run demo test test-unit test-integration test-e2e test-repo fuzz lint format typecheck bench interop messages clean

LOCK     := requirements/dev.txt
APP_LOCK := requirements/app.txt
COMPILE   = $(BIN)/python -m uv pip compile --quiet --generate-hashes --universal --python-version 3.11

# Every dependency comes from the lock file, hash-checked; the project itself is then added on top.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

## lock: resolve pyproject.toml's ranges again into the hashed lock files (then commit them)
lock: $(STAMP)
	$(COMPILE) --upgrade pyproject.toml requirements/build.in --extra dev -o $(LOCK)
	$(COMPILE) pyproject.toml requirements/build.in -c $(LOCK) -o $(APP_LOCK)
	$(COMPILE) --upgrade requirements/fuzz.in -o requirements/fuzz.txt

## migrate: bring every service's database (the *_DATABASE_URL variables) to the newest schema
migrate: $(STAMP)
	$(BIN)/python -m services.migrate upgrade

## migrations-check: exit non-zero when a database is behind or the models need a new revision
migrations-check: $(STAMP)
	$(BIN)/python -m services.migrate check

$(FUZZ_STAMP): requirements/fuzz.txt
	@test -x $(FUZZ_VENV)/bin/python || $(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r requirements/fuzz.txt
	@touch $(FUZZ_STAMP)

## run: the whole stack on SQLite + local Redis + a dev mail sink (Ctrl-C stops it; logs in .run/logs/)
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

## messages: bring the portal's Spanish catalogue up to the strings its code and templates mark
# The .po is the only file kept: the portal compiles it in memory when it starts (no .mo to go stale).
messages: $(STAMP)
	@mkdir -p .run
	$(BIN)/pybabel -q extract -F services/portal/babel.cfg --no-location -k _ -k ngettext:1,2 -o .run/portal.pot .
	$(BIN)/pybabel -q update -i .run/portal.pot -d services/portal/locale -l es --no-fuzzy-matching --width 100

clean:
	rm -rf .run .pytest_cache .mypy_cache .ruff_cache
