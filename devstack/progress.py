"""Progress lines for long command-line work."""

import sys
import time


class Progress:
    """Prints numbered steps with the time since start."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def step(self, message: str) -> None:
        """Report one finished step."""
        self.done += 1
        elapsed = time.monotonic() - self.started
        sys.stdout.write(f"[{self.done:>2}/{self.total}] {elapsed:6.1f}s  {message}\n")
        sys.stdout.flush()

    def note(self, message: str) -> None:
        """Report something without counting a step."""
        sys.stdout.write(f"        {message}\n")
        sys.stdout.flush()
