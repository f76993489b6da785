"""Every service's OpenAPI fuzzed by schemathesis with real tokens: no 5xx, nothing off-contract."""

import importlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.fuzz import (
    PASSES,
    Pass,
    Seeds,
    api_log,
    ensure_fuzz_venv,
    operations,
    reached,
    run_pass,
    seed,
)
from tests.e2e.harness import Stack, whole_stack

pytestmark = pytest.mark.e2e
# A run that sends fewer cases than this per operation has not fuzzed anything.
MIN_CASES_PER_OPERATION = 10


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: the fuzzer leaves data behind (a program coded as the docs' example,
    for one) that the other modules' fixed names would run into."""
    with whole_stack(tmp_path_factory.mktemp("fuzz-logs")) as running:
        yield running


@pytest.fixture(scope="module")
def seeds(stack: Stack) -> Seeds:
    """The fuzzer's virtualenv, and a little data its requests can reach."""
    ensure_fuzz_venv()
    return seed(stack)


@pytest.mark.parametrize("service", ["registry", "scheduler", "notifier"])
def test_the_runs_cover_every_operation_of_every_service(service: str) -> None:
    app = importlib.import_module(f"services.{service}.main").app
    runs = [run for run in PASSES if run.service == service]
    missed = [op for op in operations(app.openapi()) if not any(run.covers(op) for run in runs)]
    assert runs and missed == []


@pytest.mark.parametrize("run", PASSES, ids=lambda run: run.name)
def test_schemathesis_finds_no_failure(
    run: Pass, stack: Stack, seeds: Seeds, tmp_path: Path
) -> None:
    outcome = run_pass(run, stack, seeds, tmp_path)
    report = outcome.report
    failed = f"schemathesis ({run.name}):\n{outcome.output[-12000:]}\n--- {run.service} log\n"
    assert outcome.returncode == 0, failed + api_log(stack, run.service)
    assert report["errors"] == [], failed
    spec = httpx.get(f"{getattr(stack, run.service)}/openapi.json").json()
    expected = [op for op in operations(spec) if run.covers(op)]
    tested = report["operations"]
    assert tested["selected"] == tested["tested"] == len(expected) > 0, failed
    assert report["test_cases"]["generated"] >= MIN_CASES_PER_OPERATION * len(expected), failed
    # The token is a real one: no operation refused every request with 401 or 403, and most
    # answered some request with a 2xx.
    assert report["warnings"]["missing_auth"] == [], failed
    assert len(reached(report)) * 2 >= len(expected), failed
