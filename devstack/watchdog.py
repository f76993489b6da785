"""Stops the dev stack's process groups when `make run` dies without stopping them itself.

The supervisor starts this process in a session of its own and keeps the write end of its stdin.
It writes `+<pgid>` for every group it starts and `-<pgid>` for every group it has stopped. When
stdin ends, the supervisor is gone, however it went (even SIGKILL): every group still listed is
sent SIGTERM, then SIGKILL after a grace period, so no service, worker or worker pool outlives it.
"""

import signal
import sys
import time

from devstack.procgroups import terminate_groups

GRACE = 5.0


def read_groups() -> set[int]:
    """Follow the supervisor's `+pgid`/`-pgid` lines until its end of the pipe closes."""
    groups: set[int] = set()
    for line in sys.stdin:
        sign, number = line[:1], line[1:].strip()
        if not number.isdigit():
            continue
        if sign == "+":
            groups.add(int(number))
        elif sign == "-":
            groups.discard(int(number))
    return groups


def main() -> None:
    """Wait for the supervisor to go, then stop whatever it left behind."""
    # Only the end of the pipe ends this process: signals meant for the stack must not.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    groups = read_groups()
    if not groups:
        return
    started = time.monotonic()
    killed = terminate_groups(groups, GRACE, lambda: None)
    took = time.monotonic() - started
    print(f"watchdog: stopped {len(groups)} process groups left running ({took:.1f}s)", flush=True)
    if killed:
        print(f"watchdog: killed groups {sorted(killed)} after {GRACE:.0f}s", flush=True)


if __name__ == "__main__":
    main()
