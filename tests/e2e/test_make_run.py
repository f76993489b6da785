"""`make run` as people and machines stop it: nothing outlives it, and failures say why.

Each case runs the real `make run` from the repository (so GNU make forwards SIGTERM as it does for
everyone) with its own ports, SQLite files, run folder and a redis-server the stack starts itself
on a free port. A marker in the environment (COHORT_RUN_ID) and the process tree under make tell
which processes belong to the run.
"""

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.processes import ROOT, inherited_environment
from tests.support.proctree import command, family, kill_all, marked, parent, survivors

pytestmark = pytest.mark.e2e

READY = "Cohort is running."
START_WITHIN = 120.0
STOP_WITHIN = 15.0
PORTS = ("accounts", "registry", "scheduler", "notifier", "portal", "mail_viewer", "smtp", "redis")
WORKERS = ("registry", "scheduler", "notifier")


def distinct_free_ports(count: int) -> list[int]:
    """`count` different ports nothing listens on right now."""
    with ExitStack() as stack:
        socks = [stack.enter_context(closing(socket.socket())) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]


def port_free(port: int) -> bool:
    """Tell whether `port` can be bound again."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class MakeRun:
    """One `make run` in a session of its own, its output in a file."""

    tmp: Path
    target: str = "run"
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    ports: dict[str, int] = field(default_factory=dict)
    known: dict[int, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    popen: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.env = self.environment()

    @property
    def marker(self) -> str:
        """The environment entry every process of this run carries."""
        return f"COHORT_RUN_ID={self.run_id}"

    def environment(self) -> dict[str, str]:
        """Own ports, run folder, SQLite files and Redis; no make state from an outer make."""
        self.ports = dict(zip(PORTS, distinct_free_ports(len(PORTS)), strict=True))
        env = {
            k: v
            for k, v in inherited_environment().items()
            if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
        }
        env |= {f"COHORT_{name.upper()}_PORT": str(self.ports[name]) for name in PORTS[:-1]}
        env |= {f"{s.upper()}_DATABASE_URL": f"sqlite:///{self.tmp}/{s}.db" for s in PORTS[:4]}
        return env | {
            "COHORT_RUN_ID": self.run_id,
            "COHORT_RUN_DIR": str(self.tmp / "run"),
            "COHORT_REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
        }

    def start(self) -> "MakeRun":
        """Start `make <target>` in a process group of its own, as a terminal or CI would."""
        with (self.tmp / "make.out").open("wb") as out:
            self.popen = subprocess.Popen(
                ["make", self.target],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        """make's pid, also its process group."""
        assert self.popen is not None
        return self.popen.pid

    def output(self) -> str:
        """What make and the stack printed so far."""
        return (self.tmp / "make.out").read_text(errors="replace")

    def logs(self) -> str:
        """The tail of every process log, for failure messages."""
        logs = sorted((self.tmp / "run" / "logs").glob("*.log"))
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs)

    def wait_ready(self) -> None:
        """Wait for the banner and the workers (pools forked); remember every process of the run."""
        deadline = time.monotonic() + START_WITHIN
        while not (READY in self.output() and self._workers_ready()):
            assert self.popen is not None and self.popen.poll() is None, self.output()
            assert time.monotonic() < deadline, f"not up:\n{self.output()}\n{self.logs()}"
            time.sleep(0.2)
        self.known = family(self.pid, self.marker)

    def _workers_ready(self) -> bool:
        logs = [self.tmp / "run" / "logs" / f"{w}-worker.log" for w in WORKERS]
        return all(log.exists() and " ready." in log.read_text(errors="replace") for log in logs)

    def wait_printed(self, text: str, timeout: float = 5.0) -> None:
        """Wait until the run prints `text`."""
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert time.monotonic() < deadline, f"never printed {text!r}:\n{self.output()}"
            time.sleep(0.02)

    def supervisor(self) -> int:
        """The pid of `python -m devstack` under make."""
        return next(p for p in self.known if command(p).endswith("-m devstack"))

    def wait_exit(self, timeout: float = STOP_WITHIN) -> int:
        """make's exit status; fails the test when make does not exit in time."""
        assert self.popen is not None
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make still running after {timeout}s:\n{self.output()}")

    def assert_nothing_left(self, since: float) -> None:
        """Within STOP_WITHIN of `since`, no process of the run is alive and every port is free."""
        while True:
            left = survivors(self.known, self.marker)
            busy = [name for name, port in self.ports.items() if not port_free(port)]
            if not left and not busy:
                return
            if time.monotonic() - since > STOP_WITHIN:
                pytest.fail(f"left running: {left}\nports held: {busy}\n{self.output()[-3000:]}")
            time.sleep(0.2)


@contextmanager
def make_run(tmp_path: Path, target: str = "run") -> Iterator[MakeRun]:
    """A `make run` ready to start, and afterwards SIGKILL for anything of it still alive."""
    run = MakeRun(tmp_path, target)
    try:
        yield run
    finally:
        if run.popen is not None and run.popen.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
        kill_all(run.known, run.marker)


def _has_grandchildren(run: MakeRun) -> bool:
    """Tell whether the run holds processes (Celery pools) that the supervisor did not start."""
    supervisor = run.supervisor()
    return any(parent(p) not in (supervisor, run.pid, None) for p in run.known if p != supervisor)


def _run_printed(run: MakeRun, ending: str) -> dict[str, object]:
    """Run the printed `curl` command ending in `ending` as a person would; its JSON answer."""
    lines = [line.strip() for line in run.output().splitlines()]
    (command,) = [line for line in lines if line.startswith("curl") and line.endswith(ending)]
    done = subprocess.run(
        ["bash", "-c", command], env=run.env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_the_banner_prints_a_way_in_that_works(tmp_path: Path) -> None:
    with make_run(tmp_path) as run:
        run.start().wait_ready()
        registry = f"http://127.0.0.1:{run.ports['registry']}/dead-events"
        minted = _run_printed(run, "/token")
        operator = {"Authorization": f"Bearer {minted['access_token']}"}
        assert httpx.get(registry, headers=operator).status_code == 200
        assert httpx.get(registry).status_code == 401
        signed_in = _run_printed(run, "/sign-in/redeem")
        person = signed_in["person"]
        assert isinstance(person, dict) and person["email"] == "operator@cohort.localhost"
        assert "operator" in [role["role"] for role in person["roles"]], person
        session = {"Authorization": f"Bearer {signed_in['access_token']}"}
        assert httpx.get(registry, headers=session).status_code == 200


@pytest.mark.parametrize(
    ("sig", "times"),
    [(signal.SIGTERM, 1), (signal.SIGTERM, 2), (signal.SIGINT, 2)],
    ids=["one-sigterm", "two-sigterms", "two-ctrl-c"],
)
def test_signals_to_the_process_group_leave_nothing_running(
    tmp_path: Path, sig: signal.Signals, times: int
) -> None:
    with make_run(tmp_path) as run:
        run.start().wait_ready()
        assert _has_grandchildren(run), sorted(command(p) for p in run.known)
        sent = time.monotonic()
        os.killpg(run.pid, sig)
        if times == 2:
            # The second signal lands while the stack is stopping, where it used to cut in.
            run.wait_printed("stopping the stack")
            os.killpg(run.pid, sig)
        run.wait_exit()
        run.assert_nothing_left(sent)
        assert "stopped." in run.output()


def test_a_killed_supervisor_takes_the_stack_with_it(tmp_path: Path) -> None:
    with make_run(tmp_path) as run:
        run.start().wait_ready()
        sent = time.monotonic()
        os.kill(run.supervisor(), signal.SIGKILL)
        assert run.wait_exit() != 0
        run.assert_nothing_left(sent)


def test_a_dying_process_stops_the_stack_and_fails_naming_it(tmp_path: Path) -> None:
    with make_run(tmp_path) as run:
        run.start().wait_ready()
        supervisor = run.supervisor()
        worker = next(
            p for p in run.known if "scheduler-worker@" in command(p) and parent(p) == supervisor
        )
        sent = time.monotonic()
        os.kill(worker, signal.SIGKILL)
        assert run.wait_exit() != 0
        run.assert_nothing_left(sent)
        out = run.output()
        assert "scheduler-worker stopped unexpectedly (signal SIGKILL)" in out, out
        assert str(tmp_path / "run" / "logs" / "scheduler-worker.log") in out


@pytest.mark.parametrize(("target", "busy"), [("run", "scheduler"), ("demo", "registry")])
def test_a_busy_port_is_refused_before_anything_starts(
    tmp_path: Path, target: str, busy: str
) -> None:
    with make_run(tmp_path, target) as run, socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("127.0.0.1", run.ports[busy]))
        holder.listen()
        run.start()
        assert run.wait_exit(timeout=60) != 0
        out = run.output()
        port = run.ports[busy]
        expected = f"port {port} ({busy}) is in use — is another `make run` up? stop it or set"
        assert f"{expected} COHORT_{busy.upper()}_PORT" in out, out
        assert "401" not in out
        assert marked(run.marker) == set()
        assert list((tmp_path / "run").rglob("*.log")) == []
