"""The whole stack as real OS processes (uvicorn, celery worker and beat) for end-to-end tests."""

import os
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from devstack.processes import architecture
from devstack.stack import api_locations
from shared.settings import Settings
from tests.support.infra import fresh_databases, private_redis_db
from tests.support.processes import Process, free_port, wait_http
from tests.support.smtp import SmtpSink

ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef"
SECRET_KEY = "e2e-secret-key-0123456789abcdefghijklmn"


@dataclass(frozen=True)
class Stack:
    """Where the running stack answers, and its mail sink."""

    accounts: str
    registry: str
    scheduler: str
    notifier: str
    portal: str
    sink: SmtpSink
    processes: Mapping[str, Process]

    @property
    def admin(self) -> dict[str, str]:
        """The bootstrap operator's authorization header: an access token from accounts."""
        return {"Authorization": f"Bearer {access_token(self.accounts, ADMIN_TOKEN)}"}

    def logs(self) -> str:
        """The tail of every process's output, for failure messages."""
        return "\n".join(f"--- {name}\n{p.log()[-2500:]}" for name, p in self.processes.items())


_minted: dict[tuple[str, str], tuple[str, float]] = {}


def access_token(accounts: str, credential: str) -> str:
    """An access token for a credential (session, API key or bootstrap token) from accounts'
    POST /token, reused until a minute before it expires."""
    cached = _minted.get((accounts, credential))
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    response = httpx.post(f"{accounts}/token", headers={"Authorization": f"Bearer {credential}"})
    assert response.status_code == 200, response.text
    token = str(response.json()["access_token"])
    _minted[(accounts, credential)] = (token, time.monotonic() + 600)
    return token


def base_environment(
    databases: Mapping[str, str], redis_url: str, sink: SmtpSink
) -> dict[str, str]:
    """Environment of every process: own databases, Redis DB index and SMTP sink; fast sweeps."""
    return {
        "COHORT_ENV": "test",
        "COHORT_ADMIN_TOKEN": ADMIN_TOKEN,
        "COHORT_SECRET_KEY": SECRET_KEY,
        "COHORT_REDIS_URL": redis_url,
        "ACCOUNTS_DATABASE_URL": databases["accounts"],
        "REGISTRY_DATABASE_URL": databases["registry"],
        "SCHEDULER_DATABASE_URL": databases["scheduler"],
        "NOTIFIER_DATABASE_URL": databases["notifier"],
        "COHORT_SMTP_HOST": "127.0.0.1",
        "COHORT_SMTP_PORT": str(sink.port),
        "COHORT_REMINDER_SWEEP_SECONDS": "2",
        "COHORT_DELIVERY_SWEEP_SECONDS": "2",
        "COHORT_OUTBOX_RELAY_INTERVAL": "0.5",
        "COHORT_OUTBOX_RELAY_AGE": "1",
        "COHORT_VISIBILITY_TIMEOUT": "30",
        "COHORT_LOG_JSON": "true",
        # Tests may sign access tokens with the session's test key (trusted only in test).
        "COHORT_TEST_JWKS": os.environ["COHORT_TEST_JWKS"],
        "COHORT_TEST_SIGNING_KEY": os.environ["COHORT_TEST_SIGNING_KEY"],
    }


def shipped_defaults(*names: str) -> dict[str, str]:
    """These settings at their shipped defaults, undoing what `base_environment` shortens."""
    return {name: str(Settings.model_fields[name.lower()].default) for name in names}


def architecture_commands(ports: Mapping[str, int], beat_file: Path) -> dict[str, list[str]]:
    """Every process of ARCHITECTURE.md with the command `make run` gives it."""
    return {svc.name: list(svc.argv) for svc in architecture(ports, str(beat_file))}


@contextmanager
def infrastructure() -> Iterator[tuple[dict[str, str], str, SmtpSink]]:
    """Fresh PostgreSQL databases, a private Redis DB index and a running SMTP sink."""
    with ExitStack() as stack:
        databases = stack.enter_context(fresh_databases("e2e"))
        redis_url = stack.enter_context(private_redis_db())
        sink = stack.enter_context(SmtpSink())
        yield databases, redis_url, sink


@contextmanager
def run_stack(
    commands: Mapping[str, list[str]],
    env: Mapping[str, str],
    ports: Mapping[str, int],
    sink: SmtpSink,
    log_dir: Path,
    own_env: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[Stack]:
    """Start every command as a process (with `env`, plus its `own_env`), wait for the APIs,
    stop them all afterwards."""
    own_env = own_env or {}
    env = {**api_locations(ports), **env}
    processes = {
        name: Process(name, argv, {**env, **own_env.get(name, {})}, log_dir)
        for name, argv in commands.items()
    }
    try:
        for process in processes.values():
            process.start()
        for name, port in (
            ("accounts-api", ports["accounts"]),
            ("registry", ports["registry"]),
            ("scheduler-api", ports["scheduler"]),
            ("notifier-api", ports["notifier"]),
        ):
            wait_http(f"http://127.0.0.1:{port}/readyz", timeout=60, process=processes[name])
        if "portal" in processes:
            portal = processes["portal"]
            wait_http(f"http://127.0.0.1:{ports['portal']}/healthz", timeout=60, process=portal)
        for name in ("registry-worker", "scheduler-worker", "notifier-worker"):
            processes[name].wait_for_log("ready", timeout=60)
        yield Stack(
            accounts=f"http://127.0.0.1:{ports['accounts']}",
            registry=f"http://127.0.0.1:{ports['registry']}",
            scheduler=f"http://127.0.0.1:{ports['scheduler']}",
            notifier=f"http://127.0.0.1:{ports['notifier']}",
            portal=f"http://127.0.0.1:{ports['portal']}",
            sink=sink,
            processes=processes,
        )
    finally:
        for process in reversed(list(processes.values())):
            process.stop()


def worker_concurrency(argv: list[str]) -> int:
    """The pool size a Celery worker command asks for (`--concurrency=N`)."""
    for arg in argv:
        if arg.startswith("--concurrency="):
            return int(arg.split("=", 1)[1])
    raise AssertionError(f"no --concurrency in {argv}")


def restart(process: Process, ready: str, timeout: float = 60) -> None:
    """Run a stopped process's command again; wait until this run prints `ready` too."""
    seen = process.log().count(ready)
    process.start()
    deadline = time.monotonic() + timeout
    while process.log().count(ready) <= seen:
        if process.popen and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log()[-3000:]}")
        assert time.monotonic() < deadline, f"{process.name} did not come back"
        time.sleep(0.1)


def free_ports() -> dict[str, int]:
    """A free port for each API and the portal."""
    names = ("accounts", "registry", "scheduler", "notifier", "portal")
    return {name: free_port() for name in names}


# Every sign-in of every module comes from 127.0.0.1; the per-address limit is tested, not this.
SHARED_IP_LIMIT = "1000/hour"


@contextmanager
def whole_stack(log_dir: Path) -> Iterator[Stack]:
    """Every process of ARCHITECTURE.md against PostgreSQL, Redis and an aiosmtpd sink."""
    with infrastructure() as (databases, redis_url, sink):
        ports = free_ports()
        env = base_environment(databases, redis_url, sink)
        env["COHORT_SIGN_IN_LIMIT_PER_IP"] = SHARED_IP_LIMIT
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        with run_stack(commands, env, ports, sink, log_dir) as running:
            yield running
