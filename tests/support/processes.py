"""Start Cohort processes (uvicorn, celery worker, beat) as real OS processes for tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def inherited_environment() -> dict[str, str]:
    """This environment minus Cohort's settings: a child sees only what it is given."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COHORT_") and not key.endswith("_DATABASE_URL")
    }


class Process:
    """A child process with its output in a log file, killed with its process group."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log_dir: Path):
        self.name = name
        self.argv = argv
        self.env = {**inherited_environment(), **env}
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        """Start the process in its own process group."""
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send a signal to the whole process group."""
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10) -> None:
        """Stop gracefully, then hard."""
        if not self.popen or self.popen.poll() is not None:
            return
        self.kill(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.popen.wait(5)

    def log(self) -> str:
        """Everything the process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, needle: str, timeout: float = 30) -> None:
        """Wait until the process prints `needle`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log():
                return
            if self.popen and self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log()[-3000:]}")
            time.sleep(0.1)
        raise TimeoutError(f"{self.name} never printed {needle!r}:\n{self.log()[-3000:]}")


def celery_worker(
    name: str, app: str, queues: str, env: Mapping[str, str], log_dir: Path, concurrency: int = 1
) -> Process:
    """A real Celery worker process consuming the given queues."""
    argv = [
        str(BIN / "celery"),
        "-A",
        app,
        "worker",
        "-Q",
        queues,
        "-n",
        f"{name}@%h",
        f"--concurrency={concurrency}",
        "--pool=prefork",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    return Process(name, argv, env, log_dir)


def wait_http(url: str, timeout: float = 30, process: Process | None = None) -> None:
    """Wait until an HTTP endpoint answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if process and process.popen and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log()[-3000:]}")
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


@contextmanager
def running(*processes: Process) -> Iterator[tuple[Process, ...]]:
    """Start processes and stop them all afterwards, whatever happens."""
    try:
        for process in processes:
            process.start()
        yield processes
    finally:
        for process in reversed(processes):
            process.stop()
