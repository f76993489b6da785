"""CPU time each part of a pipeline spends, read from /proc (Linux), per process group.

A group is a process with its children (uvicorn, a Celery worker and its pool) or the
PostgreSQL backends serving one database (found by the database name in their title). On a
machine shared with other work, CPU time per message stays meaningful where wall-clock
throughput does not: it says what each message costs, whoever else is running.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")
Pids = Callable[[], list[int]]


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of one process so far (0 if it is gone)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def _all_pids() -> list[int]:
    return [int(p.name) for p in PROC.iterdir() if p.name.isdigit()]


def tree(root: int) -> Pids:
    """A process and all its descendants, looked up afresh each time."""

    def pids() -> list[int]:
        parents: dict[int, int] = {}
        for pid in _all_pids():
            fields = _stat(pid)
            if fields:
                parents[pid] = int(fields[1])
        found, frontier = [root], [root]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            found += frontier
        return found

    return pids


def postgres_backends(database: str) -> Pids:
    """The PostgreSQL server processes currently connected to `database`."""
    needle = f" {database} ".encode()

    def pids() -> list[int]:
        found = []
        for pid in _all_pids():
            try:
                title = (PROC / str(pid) / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"postgres: ") and needle in title:
                found.append(pid)
        return found

    return pids


def named(name: str) -> Pids:
    """Processes whose command name is `name` (e.g. redis-server)."""

    def pids() -> list[int]:
        found = []
        for pid in _all_pids():
            try:
                if (PROC / str(pid) / "comm").read_text().strip() == name:
                    found.append(pid)
            except OSError:
                continue
        return found

    return pids


Snapshot = dict[str, dict[int, float]]


class CpuMeter:
    """Snapshots of CPU time per group; the difference of two is what a phase cost."""

    def __init__(self, groups: Mapping[str, Pids]) -> None:
        self.groups = dict(groups)

    def snapshot(self) -> Snapshot:
        """CPU seconds so far of every process of every group."""
        return {
            name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()
        }

    @staticmethod
    def spent(before: Snapshot, after: Snapshot) -> dict[str, float]:
        """CPU seconds per group between two snapshots (processes born in between count whole)."""
        return {
            name: sum(t - before.get(name, {}).get(pid, 0.0) for pid, t in times.items())
            for name, times in after.items()
        }
