"""Bring up the local stack: Redis if needed, the dev mail sink if needed, every Cohort process."""

import os
import shutil
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import redis
from pydantic import ValidationError

from devstack.ports import StackError, busy_message, busy_ports, configured_ports, in_use
from devstack.processes import BIN, Service, architecture
from devstack.supervisor import Child, Supervisor
from shared.settings import Settings

# The services with a database and an HTTP API of their own.
SERVICES = ("accounts", "registry", "scheduler", "notifier")
RUN_DIR = Path(os.environ.get("COHORT_RUN_DIR") or ".run")


@dataclass(frozen=True)
class Plan:
    """What the stack needs: settings, ports, and whether Redis and a mail sink must start."""

    settings: Settings
    ports: dict[str, int]
    start_redis: bool
    start_sink: bool
    mail_viewer: bool


@dataclass(frozen=True)
class RunningStack:
    """What was started and where to look."""

    services: tuple[Service, ...]
    mail: str
    viewer: str | None
    settings: Settings
    log_dir: Path
    mail_folder: Path | None = None


def listening(host: str, port: int) -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def api_locations(ports: Mapping[str, int]) -> dict[str, str]:
    """Where each API and the portal answer on this machine, as the processes read it."""
    # Every API fetches the accounts keys, the scheduler adds people there, the portal calls
    # them all, and mailed links point at the portal.
    urls = {f"COHORT_{name.upper()}_URL": f"http://127.0.0.1:{ports[name]}" for name in SERVICES}
    return {**urls, "COHORT_PORTAL_URL": f"http://127.0.0.1:{ports['portal']}"}


def dev_environment(**overrides: str) -> dict[str, str]:
    """The environment every process of the dev stack gets."""
    env = dict(os.environ)
    env.setdefault("COHORT_ENV", "dev")
    env.setdefault("COHORT_LOG_JSON", "false")
    env.setdefault("PYTHONUNBUFFERED", "1")
    for service in SERVICES:
        env.setdefault(f"{service.upper()}_DATABASE_URL", f"sqlite:///{RUN_DIR}/{service}.db")
    env.update(overrides)
    return env


def plan_stack(env: dict[str, str], mail_viewer: bool = True) -> Plan:
    """Read the settings and refuse, before anything starts, ports something else holds."""
    known: dict[str, Any] = {
        k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields
    }
    try:
        settings = Settings(**known)
    except ValidationError as invalid:
        raise StackError(f"the settings are not valid:\n{invalid}") from None
    ports = configured_ports(env)
    wanted = {name: ports[name] for name in (*SERVICES, "portal")}
    smtp_port = settings.cohort_smtp_port
    start_sink = not listening(settings.cohort_smtp_host, smtp_port)
    if start_sink and mail_viewer:
        wanted["mail viewer"] = ports["mail viewer"]
    problems = busy_ports(wanted)
    if start_sink and in_use(smtp_port):
        problems.append(busy_message(smtp_port, "mail sink", "COHORT_SMTP_PORT"))
    start_redis = not _redis_answers(settings.cohort_redis_url)
    redis_port = urlparse(settings.cohort_redis_url).port or 6379
    if start_redis and in_use(redis_port):
        problems.append(
            f"port {redis_port} (redis) is in use but does not answer as Redis at "
            f"{settings.cohort_redis_url} — stop what holds it or set COHORT_REDIS_URL"
        )
    if start_redis and shutil.which("redis-server") is None:
        problems.append(
            f"Redis does not answer at {settings.cohort_redis_url} and redis-server is not "
            "installed: install it (apt-get install redis-server / brew install redis) and retry"
        )
    if problems:
        raise StackError("\n".join(problems))
    return Plan(settings, ports, start_redis, start_sink, mail_viewer)


def _start_redis(supervisor: Supervisor, url: str, env: dict[str, str]) -> None:
    port = str(urlparse(url).port or 6379)
    server = str(shutil.which("redis-server"))
    argv = [server, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    child = supervisor.start("redis", argv, env, infrastructure=True)
    if not supervisor.wait_until(lambda: _redis_answers(url), child, timeout=10):
        raise StackError(_failed(child, f"did not answer on port {port}"))


def _start_mail_sink(
    supervisor: Supervisor, plan: Plan, folder: Path, env: dict[str, str]
) -> str | None:
    host, port = plan.settings.cohort_smtp_host, plan.settings.cohort_smtp_port
    argv = [str(BIN / "python"), "-m", "devstack.mailsink", "--host", host, "--port", str(port)]
    argv += ["--folder", str(folder)]
    viewer = None
    if plan.mail_viewer:
        argv += ["--viewer-port", str(plan.ports["mail viewer"])]
        viewer = f"http://{host}:{plan.ports['mail viewer']}/"
    child = supervisor.start("mail-sink", argv, env, infrastructure=True)
    if not supervisor.wait_until(lambda: listening(host, port), child, timeout=20):
        raise StackError(_failed(child, f"did not listen on port {port}"))
    return viewer


def _failed(child: Child, problem: str) -> str:
    status = child.exit_status()
    why = f"stopped ({status})" if status else problem
    return f"{child.name} {why}; its log is {child.log_path}:\n{child.log_tail()}"


def _wait_up(supervisor: Supervisor, svc: Service, child: Child) -> None:
    # Workers and beat need no wait: what they will do waits for them in Redis.
    if svc.port:
        url = svc.health_url
        if not supervisor.wait_until(lambda: supervisor.answers(url), child):
            raise StackError(_failed(child, f"did not answer at {url}"))


def start_stack(
    supervisor: Supervisor,
    env: dict[str, str],
    home: Path = RUN_DIR,
    mail_viewer: bool = True,
) -> RunningStack:
    """Start Redis/mail sink if needed, then every process whose code exists; wait until up."""
    plan = plan_stack(env, mail_viewer)
    for service in SERVICES:
        url = urlparse(getattr(plan.settings, f"{service}_database_url"))
        if url.scheme.startswith("sqlite") and url.path:
            Path(url.path.removeprefix("/")).parent.mkdir(parents=True, exist_ok=True)
    if plan.start_redis:
        _start_redis(supervisor, plan.settings.cohort_redis_url, env)
    folder = home / "mail"
    viewer = _start_mail_sink(supervisor, plan, folder, env) if plan.start_sink else None
    mail = f"stored in {folder}/" if plan.start_sink else "sent to the SMTP server already there"
    services = architecture(plan.ports, str(home / "celerybeat-schedule"))
    env = {**api_locations(plan.ports), **env}
    started = {s.name: supervisor.start(s.name, s.argv, env) for s in services if s.exists()}
    for svc in services:
        if svc.name in started:
            _wait_up(supervisor, svc, started[svc.name])
    running = tuple(svc for svc in services if svc.name in started)
    sink_folder = folder if plan.start_sink else None
    return RunningStack(running, mail, viewer, plan.settings, supervisor.log_dir, sink_folder)
