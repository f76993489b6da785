"""Which processes a test started, read from /proc: by an environment marker and by descent."""

import contextlib
import os
import signal
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Stat:
    """The fields of /proc/<pid>/stat a test needs."""

    pid: int
    state: str
    ppid: int
    pgrp: int
    started: int


def _stat(pid: int) -> Stat | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return Stat(pid, fields[0], int(fields[1]), int(fields[2]), int(fields[19]))


def processes() -> dict[int, Stat]:
    """Every process there is now."""
    table = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            table[stat.pid] = stat
    return table


def marked(marker: str) -> set[int]:
    """Processes whose environment holds `marker` (NAME=value) and that are not zombies."""
    needle = marker.encode() + b"\0"
    found = set()
    for pid, stat in processes().items():
        with contextlib.suppress(OSError):
            if stat.state != "Z" and needle in (PROC / str(pid) / "environ").read_bytes():
                found.add(pid)
    return found


def parent(pid: int) -> int | None:
    """The parent of a process (None once it is gone)."""
    stat = _stat(pid)
    return stat.ppid if stat else None


def command(pid: int) -> str:
    """The command line of a process ('' once it is gone)."""
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def family(root: int, marker: str) -> dict[int, int]:
    """The root, its descendants, their process groups and every marked process: pid → start."""
    table = processes()
    pids = {root} | marked(marker)
    grown = True
    while grown:
        more = {s.pid for s in table.values() if s.ppid in pids or s.pgrp in pids} - pids
        grown = bool(more)
        pids |= more
    return {pid: table[pid].started for pid in pids if pid in table}


def survivors(known: dict[int, int], marker: str) -> list[str]:
    """Processes of `known` still running (same pid and start), and any marked one: 'pid cmd'."""
    table = processes()
    alive = {
        pid
        for pid, started in known.items()
        if pid in table and table[pid].started == started and table[pid].state != "Z"
    }
    alive |= marked(marker)
    return sorted(f"{pid} {command(pid)[:120]}" for pid in alive)


def kill_all(known: dict[int, int], marker: str) -> None:
    """SIGKILL whatever of `known` or marked still runs, so a failed test leaves nothing."""
    for line in survivors(known, marker):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(line.split()[0]), signal.SIGKILL)
