"""The registry, scheduler and notifier as real uvicorn servers on the session's databases (with
the accounts server of tests/support/accounts.py), and their event workers, for portal tests."""

import secrets
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.infra import create_database, drop_database
from tests.support.processes import BIN, Process, celery_worker, free_port, wait_http
from tests.support.smtp import SmtpSink

SERVERS = ("registry", "scheduler", "notifier")
WORKERS = {"scheduler": "scheduler", "notifier": "notifier,mail"}


@dataclass(frozen=True)
class Apis:
    """Where each real API answers."""

    accounts: str
    registry: str
    scheduler: str
    notifier: str
    # Where the notifier's worker delivers mail.
    sink: SmtpSink
    workers: dict[str, Process]


def uvicorn(name: str, port: int | str, env: dict[str, str], log_dir: Path) -> Process:
    """A uvicorn process serving one service's app on 127.0.0.1:`port`."""
    argv = [str(BIN / "uvicorn"), f"services.{name}.main:app", "--host", "127.0.0.1"]
    return Process(name, [*argv, "--port", str(port)], env, log_dir)


def closed_port_url() -> str:
    """The URL of a port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


def stop_together(processes: list[Process]) -> None:
    """Ask every process to stop at once, then wait for each."""
    for process in processes:
        process.kill(signal.SIGTERM)
    for process in processes:
        process.stop()


def _workers(env: dict[str, str], log_dir: Path) -> list[Process]:
    return [
        celery_worker(f"portal-{name}", f"services.{name}.tasks:celery_app", queues, env, log_dir)
        for name, queues in WORKERS.items()
    ]


# The running services, closed right after the last test that uses them: their workers must not
# go on consuming the queues while later modules drive the services in-process.
_running: list[ExitStack] = []


@pytest.fixture(scope="session")
def apis(
    request: pytest.FixtureRequest,
    test_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Apis]:
    """Every API the portal calls, at the COHORT_*_URL addresses of the test environment (where
    the in-process portal looks for them), with the scheduler's and the notifier's workers so
    events cross from service to service as in production. Started once for the session."""
    log_dir = tmp_path_factory.mktemp("api-logs")
    with ExitStack() as stack:
        _running.append(stack)
        sink = stack.enter_context(SmtpSink())
        urls = [test_env[f"COHORT_{name.upper()}_URL"] for name in SERVERS]
        servers = [
            uvicorn(name, url.rsplit(":", 1)[1], test_env, log_dir)
            for name, url in zip(SERVERS, urls, strict=True)
        ]
        workers = _workers({**test_env, "COHORT_SMTP_PORT": str(sink.port)}, log_dir)
        stack.callback(stop_together, [*servers, *workers])
        for process in (*servers, *workers):
            process.start()
        accounts = request.getfixturevalue("accounts_server")
        for process, url in zip(servers, urls, strict=True):
            wait_http(f"{url}/readyz", timeout=60, process=process)
        for worker in workers:
            worker.wait_for_log("ready", timeout=60)
        registry, scheduler, notifier = urls
        processes = dict(zip(WORKERS, workers, strict=True))
        yield Apis(accounts, registry, scheduler, notifier, sink, processes)


@contextmanager
def paused(process: Process) -> Iterator[None]:
    """Freeze a process (its events wait in their queue) until the block ends."""
    process.kill(signal.SIGSTOP)
    try:
        yield
    finally:
        process.kill(signal.SIGCONT)


@contextmanager
def without_its_database(name: str, test_env: dict[str, str], log_dir: Path) -> Iterator[str]:
    """A service's server whose database is dropped once it is up: it answers, but every query
    fails (503); yields its URL."""
    database = f"cohort_gone_{name}_{secrets.token_hex(4)}"
    port = free_port()
    env = {**test_env, f"{name.upper()}_DATABASE_URL": create_database(database)}
    process = uvicorn(name, port, env, log_dir).start()
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", timeout=60, process=process)
        drop_database(database)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()
        drop_database(database)


def _uses_apis(item: pytest.Item | None) -> bool:
    return item is not None and "apis" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that use the services together (from where the first of them stands), so
    they start and stop once and no other module runs beside their workers."""
    users = [item for item in items if _uses_apis(item)]
    if not users:
        return
    first = items.index(users[0])
    chosen = {id(item) for item in users}
    others = [item for item in items[first:] if id(item) not in chosen]
    items[first:] = [*users, *others]


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the services once the next test does not use them (users run together, and
    deselection, by -k or -m, keeps that order)."""
    if _running and _uses_apis(item) and not _uses_apis(nextitem):
        _running.pop().close()


def eventually(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Wait until `check()` holds (events take a moment to cross between services)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.1)
