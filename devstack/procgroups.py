"""Process groups of the dev stack: which are alive, signalling them, dying with the parent."""

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

PROC = Path("/proc")
PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(sig: int = signal.SIGTERM) -> Callable[[], None]:
    """A preexec_fn: the child gets `sig` when the process that started it dies (Linux)."""
    parent = os.getpid()

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        # The parent may have died between fork and prctl; then no signal would ever come.
        if os.getppid() != parent:
            os._exit(1)

    return preexec


def _group_of(stat: str) -> tuple[str, int]:
    """State and process group from the text of /proc/<pid>/stat."""
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[2])


def live_groups(candidates: Iterable[int]) -> set[int]:
    """Those of `candidates` that still hold a process that is not a zombie."""
    wanted = set(candidates)
    if not wanted:
        return set()
    if not PROC.is_dir():
        return {pgid for pgid in wanted if _exists(pgid)}
    alive: set[int] = set()
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, pgid = _group_of((entry / "stat").read_text())
        except (OSError, IndexError, ValueError):
            continue
        # Zombies hold no port and no file; nothing reaps them when their parent was killed.
        if pgid in wanted and state != "Z":
            alive.add(pgid)
    return alive


def _exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_groups(pgids: Iterable[int], sig: int) -> None:
    """Send `sig` to every process of each group, ignoring groups already gone."""
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)


def wait_gone(pgids: Iterable[int], timeout: float, tick: Callable[[], None]) -> set[int]:
    """Wait until every group is gone or `timeout` passes; return the groups still alive."""
    remaining = live_groups(pgids)
    deadline = time.monotonic() + timeout
    while remaining and time.monotonic() < deadline:
        time.sleep(0.1)
        tick()
        remaining = live_groups(remaining)
    return remaining


def terminate_groups(pgids: Iterable[int], grace: float, tick: Callable[[], None]) -> set[int]:
    """SIGTERM every group, SIGKILL whatever is left after `grace`; return the groups killed."""
    groups = set(pgids)
    signal_groups(groups, signal.SIGTERM)
    stubborn = wait_gone(groups, grace, tick)
    signal_groups(stubborn, signal.SIGKILL)
    wait_gone(stubborn, 3.0, tick)
    return stubborn
