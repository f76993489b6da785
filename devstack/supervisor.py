"""Start child processes, prefix their output with their names, stop them all on Ctrl-C."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx


class Child:
    """One supervised process in its own process group."""

    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], log_dir: Path | None = None
    ) -> None:
        self.name = name
        output: int | IO[str] = subprocess.PIPE
        if log_dir is not None:
            log_dir.mkdir(parents=True, exist_ok=True)
            output = (log_dir / f"{name}.log").open("a")
        self.popen = subprocess.Popen(
            list(argv),
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            bufsize=1,
        )
        if log_dir is None:
            threading.Thread(target=self._echo, daemon=True).start()

    def _echo(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            sys.stdout.write(f"[{self.name:<16}] {line}")
            sys.stdout.flush()

    def running(self) -> bool:
        """Tell whether the process is still alive."""
        return self.popen.poll() is None

    def signal(self, sig: int) -> None:
        """Signal the whole process group (workers have children of their own)."""
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)


class Supervisor:
    """Owns every child; stopping it stops them all, gracefully first."""

    def __init__(self, log_dir: Path | None = None) -> None:
        self.children: list[Child] = []
        self.log_dir = log_dir

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> Child:
        """Start a child process."""
        child = Child(name, argv, env, log_dir=self.log_dir)
        self.children.append(child)
        return child

    def stop(self, grace: float = 10.0) -> None:
        """Stop every child: SIGTERM, wait up to `grace` seconds, then SIGKILL."""
        for child in reversed(self.children):
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for child in self.children:
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.popen.wait(remaining)
            except subprocess.TimeoutExpired:
                child.signal(signal.SIGKILL)
                child.popen.wait(5)

    def first_exited(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((child for child in self.children if not child.running()), None)


def wait_healthy(url: str, child: Child, timeout: float = 60.0) -> bool:
    """Wait until `url` answers 200 (False if the child died or time ran out)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.running():
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    return False
