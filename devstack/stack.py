"""Bring up the local stack: Redis if needed, the dev mail sink if needed, every Cohort process."""

import os
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import redis

from devstack.processes import BIN, STACK, Service
from devstack.supervisor import Supervisor, wait_healthy
from shared.settings import Settings

RUN_DIR = Path(".run")


@dataclass(frozen=True)
class RunningStack:
    """What was started and where the mail goes."""

    services: tuple[Service, ...]
    mail: str


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


def ensure_redis(supervisor: Supervisor, url: str) -> None:
    """Use the Redis at `url`, or start a local redis-server there when nothing answers."""
    if _redis_answers(url):
        return
    server = shutil.which("redis-server")
    if server is None:
        sys.exit(
            f"Redis does not answer at {url} and redis-server is not installed: "
            "install it (apt-get install redis-server / brew install redis) and retry."
        )
    port = urlparse(url).port or 6379
    argv = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    supervisor.start("redis", argv, os.environ)
    for _ in range(50):
        if _redis_answers(url):
            return
        time.sleep(0.1)
    sys.exit(f"redis-server did not start on port {port}")


def ensure_mail_sink(supervisor: Supervisor, host: str, port: int, folder: Path) -> str:
    """Start the dev mail sink unless something already listens on the SMTP port."""
    if listening(host, port):
        return f"an SMTP server already listening on {host}:{port}"
    argv = [
        str(BIN / "python"),
        "-m",
        "devstack.mailsink",
        "--host",
        host,
        "--port",
        str(port),
        "--folder",
        str(folder),
    ]
    supervisor.start("mail-sink", argv, os.environ)
    for _ in range(50):
        if listening(host, port):
            break
        time.sleep(0.1)
    return f"the dev mail sink on {host}:{port}; messages land in {folder}/ as .eml files"


def dev_environment(**overrides: str) -> dict[str, str]:
    """The environment every process of the dev stack gets."""
    env = dict(os.environ)
    env.setdefault("COHORT_ENV", "dev")
    env.setdefault("COHORT_LOG_JSON", "false")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(overrides)
    return env


def start_stack(
    supervisor: Supervisor, env: dict[str, str], mail_folder: Path = RUN_DIR / "mail"
) -> RunningStack:
    """Start Redis/mail sink if needed, then every process whose code exists; wait until healthy."""
    known: dict[str, Any] = {
        k.lower(): v for k, v in env.items() if k.lower() in Settings.model_fields
    }
    settings = Settings(**known)
    for name in ("registry_database_url", "scheduler_database_url", "notifier_database_url"):
        path = urlparse(getattr(settings, name)).path.lstrip("/")
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    ensure_redis(supervisor, settings.cohort_redis_url)
    mail = ensure_mail_sink(
        supervisor, settings.cohort_smtp_host, settings.cohort_smtp_port, mail_folder
    )
    started = {svc.name: supervisor.start(svc.name, svc.argv, env) for svc in STACK if svc.exists()}
    for svc in STACK:
        child = started.get(svc.name)
        if svc.port and child and not wait_healthy(svc.health_url, child):
            raise SystemExit(f"{svc.name} did not become healthy; see its output above")
    return RunningStack(tuple(svc for svc in STACK if svc.name in started), mail)


def print_banner(stack: RunningStack) -> None:
    """Tell the user where everything is."""
    lines = ["", "Cohort is running:"]
    for svc in stack.services:
        if svc.port:
            url = f"http://127.0.0.1:{svc.port}"
            lines.append(f"  {svc.name:<16} {url}   docs: {url}/docs")
        else:
            lines.append(f"  {svc.name:<16} running")
    lines += [f"  mail             {stack.mail}", "Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)
