"""Start the stack's processes, each in a process group of its own, and stop every one of them.

Children run in sessions of their own, so a signal meant for `make run` reaches only the
supervisor, which then stops the stack in order. Nothing outlives the supervisor: each child gets
SIGTERM from the kernel when the supervisor dies (PR_SET_PDEATHSIG), and a watchdog process stops
every child's whole group (worker pools included) once the supervisor is gone, however it went.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx

from devstack.procgroups import die_with_parent, live_groups, terminate_groups


class Stopped(Exception):
    """A stop was asked for (by a signal) while the stack was starting."""


def say(text: str) -> None:
    """Print to the terminal, which may be gone already (SIGHUP) while the stack stops."""
    with contextlib.suppress(OSError, ValueError):
        print(text, flush=True)


def describe(returncode: int) -> str:
    """'exit code 1' or 'signal SIGKILL', from a Popen return code."""
    if returncode < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-returncode).name}"
        return f"signal {-returncode}"
    return f"exit code {returncode}"


class Child:
    """One supervised process, leader of its own process group, its output in a log file."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log: Path) -> None:
        self.name = name
        self.log_path = log
        with log.open("w") as output:
            self.popen = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent(),
            )
        self.pgid = self.popen.pid

    def exit_status(self) -> str | None:
        """How the process ended, or None while it runs; an exited leader stays unreaped."""
        if self.popen.returncode is not None:
            return describe(self.popen.returncode)
        if not hasattr(os, "waitid"):
            code = self.popen.poll()
            return None if code is None else describe(code)
        # WNOWAIT keeps the exited leader a zombie, so its group id cannot be handed to a
        # stranger while its own children may still be running and we still signal the group.
        try:
            info = os.waitid(os.P_PID, self.popen.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return "exit status unknown"
        if info is None:
            return None
        if info.si_code == os.CLD_EXITED:
            return f"exit code {info.si_status}"
        return describe(-info.si_status)

    def running(self) -> bool:
        """Tell whether the process is still alive."""
        return self.exit_status() is None

    def log_tail(self, lines: int = 15) -> str:
        """The last lines the process printed."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Supervisor:
    """Owns every child; stopping it stops them all, gracefully first, and only once."""

    def __init__(self, log_dir: Path, grace: float = 6.0) -> None:
        self.children: list[Child] = []
        self.infrastructure: set[str] = set()
        self.log_dir = log_dir
        self.grace = grace
        self.signals: list[int] = []
        self._noticed = 0
        self._watchdog: subprocess.Popen[str] | None = None

    def request_stop(self, signum: int, _frame: object = None) -> None:
        """Signal handler: record the signal; the main loop stops the stack, once."""
        # Only a list append: anything taking a lock here could deadlock the interrupted code.
        self.signals.append(signum)

    @property
    def stop_requested(self) -> bool:
        """Tell whether a signal asked the stack to stop."""
        return bool(self.signals)

    def check(self) -> None:
        """Raise Stopped when a signal asked the stack to stop."""
        if self.signals:
            raise Stopped(signal.Signals(self.signals[0]).name)

    def start(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], infrastructure: bool = False
    ) -> Child:
        """Start a child process (infrastructure such as Redis is stopped after the rest)."""
        self.check()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._ensure_watchdog()
        child = Child(name, argv, env, self.log_dir / f"{name}.log")
        self.children.append(child)
        if infrastructure:
            self.infrastructure.add(name)
        self._tell(f"+{child.pgid}")
        return child

    def _ensure_watchdog(self) -> None:
        if self._watchdog is None:
            with (self.log_dir / "watchdog.log").open("w") as output:
                self._watchdog = subprocess.Popen(
                    [sys.executable, "-m", "devstack.watchdog"],
                    stdin=subprocess.PIPE,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    text=True,
                )

    def _tell(self, line: str) -> None:
        pipe = self._watchdog.stdin if self._watchdog is not None else None
        with contextlib.suppress(OSError, ValueError):
            if pipe is not None:
                pipe.write(line + "\n")
                pipe.flush()

    def stop(self) -> None:
        """Stop every child and its own children: SIGTERM, SIGKILL after the grace period."""
        self._noticed = len(self.signals)
        apps = [c.pgid for c in self.children if c.name not in self.infrastructure]
        infrastructure = [c.pgid for c in self.children if c.name in self.infrastructure]
        killed = terminate_groups(apps, self.grace, self._notice_signals)
        killed |= terminate_groups(infrastructure, 2.0, self._notice_signals)
        left = live_groups(c.pgid for c in self.children)
        for child in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.popen.wait(1)
            if child.pgid not in left:
                self._tell(f"-{child.pgid}")
        stubborn = [c.name for c in self.children if c.pgid in killed]
        if stubborn:
            say(f"{', '.join(stubborn)} did not stop within {self.grace:.0f}s and were killed")
        self._release_watchdog()

    def _release_watchdog(self) -> None:
        if self._watchdog is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if self._watchdog.stdin is not None:
                self._watchdog.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._watchdog.wait(2)

    def _notice_signals(self) -> None:
        # make forwards the SIGTERM it gets, so a repeat is routine; a second Ctrl-C is a person.
        fresh = self.signals[self._noticed :]
        self._noticed = len(self.signals)
        if signal.SIGINT in fresh:
            say("  still stopping; please wait a few seconds ...")

    def first_exited(self) -> Child | None:
        """The first child that has exited, if any."""
        return next((child for child in self.children if not child.running()), None)

    def wait_until(self, ready: Callable[[], bool], child: Child, timeout: float = 90.0) -> bool:
        """Wait until `ready()` holds (False if the child died or time ran out)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and child.running():
            self.check()
            if ready():
                return child.running()
            time.sleep(0.25)
        return False

    @staticmethod
    def answers(url: str) -> bool:
        """Tell whether `url` answers 200."""
        try:
            return httpx.get(url, timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False
