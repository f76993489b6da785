"""What `make run` starts: one entry per process of ARCHITECTURE.md."""

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.ports import DEFAULT_PORTS

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Service:
    """A process of the stack: its name, command, and HTTP port if it serves one."""

    name: str
    module: str
    argv: tuple[str, ...]
    port: int | None = None

    @property
    def health_url(self) -> str:
        """Where the process answers when it is up."""
        return f"http://127.0.0.1:{self.port}/healthz"

    def exists(self) -> bool:
        """Tell whether the code this process runs is present."""
        return importlib.util.find_spec(self.module) is not None


def _api(name: str, module: str, port: int) -> Service:
    # uvicorn believes X-Forwarded-For from 127.0.0.1 only (its default): here that is the portal,
    # passing the browser's address on to accounts for the per-IP sign-in limit.
    argv = (str(BIN / "uvicorn"), f"{module}:app", "--host", "127.0.0.1", "--port", str(port))
    return Service(name, module, argv, port)


WORKER_FLAGS = ("--without-gossip", "--without-mingle", "--without-heartbeat")


def _worker(name: str, module: str, queues: str) -> Service:
    argv = (
        str(BIN / "celery"),
        "-A",
        f"{module}:celery_app",
        "worker",
        "-Q",
        queues,
        "-n",
        f"{name}@%h",
        "--concurrency=2",
        "--loglevel=INFO",
        # Gossip and mingle talk to other workers over the broker; when Redis restarts, stopping
        # gossip crashes the worker (AttributeError in kombu), and neither is needed here.
        *WORKER_FLAGS,
    )
    return Service(name, module, argv)


def architecture(
    ports: Mapping[str, int] = DEFAULT_PORTS, beat_schedule: str = ".run/celerybeat-schedule"
) -> tuple[Service, ...]:
    """Every process of ARCHITECTURE.md, the APIs on the given ports."""
    return (
        _api("accounts-api", "services.accounts.main", ports["accounts"]),
        _api("registry", "services.registry.main", ports["registry"]),
        _worker("registry-worker", "services.registry.tasks", "registry"),
        _api("scheduler-api", "services.scheduler.main", ports["scheduler"]),
        _worker("scheduler-worker", "services.scheduler.tasks", "scheduler"),
        _api("notifier-api", "services.notifier.main", ports["notifier"]),
        _worker("notifier-worker", "services.notifier.tasks", "notifier,mail"),
        Service(
            "beat",
            "services.notifier.tasks",
            (
                str(BIN / "celery"),
                "-A",
                "shared.beat:app",
                "beat",
                "--loglevel=INFO",
                "--schedule",
                beat_schedule,
            ),
        ),
        # Last: its health check asks the APIs, which are up by the time it is waited for.
        _api("portal", "services.portal.main", ports["portal"]),
    )
