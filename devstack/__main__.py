"""`make run`: the whole stack on SQLite, the local Redis and a dev mail sink, in the foreground."""

import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import redis

from devstack.processes import BIN, STACK, Service
from devstack.supervisor import Supervisor, wait_healthy
from shared.settings import get_settings

RUN_DIR = Path(".run")


def _listening(host: str, port: int) -> bool:
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


def ensure_mail_sink(supervisor: Supervisor, host: str, port: int) -> str:
    """Start the dev mail sink unless something already listens on the SMTP port."""
    if _listening(host, port):
        return f"an SMTP server already listening on {host}:{port}"
    folder = RUN_DIR / "mail"
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
    return f"the dev mail sink on {host}:{port}; messages land in {folder}/ as .eml files"


def dev_environment() -> dict[str, str]:
    """The environment every process of the dev stack gets."""
    env = dict(os.environ)
    env.setdefault("COHORT_ENV", "dev")
    env.setdefault("COHORT_LOG_JSON", "false")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Start everything, print where it is, and stop it all on Ctrl-C."""
    RUN_DIR.mkdir(exist_ok=True)
    settings = get_settings()
    supervisor = Supervisor()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        ensure_redis(supervisor, settings.cohort_redis_url)
        mail = ensure_mail_sink(supervisor, settings.cohort_smtp_host, settings.cohort_smtp_port)
        env = dev_environment()
        started = {
            svc.name: supervisor.start(svc.name, svc.argv, env) for svc in STACK if svc.exists()
        }
        for svc in STACK:
            child = started.get(svc.name)
            if svc.port and child and not wait_healthy(svc.health_url, child):
                raise SystemExit(f"{svc.name} did not become healthy; see its output above")
        _print_banner([s for s in STACK if s.name in started], mail)
        while (dead := supervisor.first_exited()) is None:
            time.sleep(0.5)
        print(f"{dead.name} exited with code {dead.popen.returncode}; stopping the stack")
    except KeyboardInterrupt:
        print("\nstopping the stack ...")
    finally:
        supervisor.stop()


def _print_banner(services: list[Service], mail: str) -> None:
    lines = ["", "Cohort is running:"]
    for svc in services:
        if svc.port:
            lines.append(
                f"  {svc.name:<16} http://127.0.0.1:{svc.port}   docs: http://127.0.0.1:{svc.port}/docs"
            )
        else:
            lines.append(f"  {svc.name:<16} running")
    lines += [f"  mail             {mail}", "Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
