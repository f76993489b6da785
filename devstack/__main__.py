"""`make run`: the whole stack on SQLite, the local Redis and a dev mail sink, in the foreground."""

import signal
import time

from devstack.stack import RUN_DIR, dev_environment, print_banner, start_stack
from devstack.supervisor import Supervisor


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Start everything, print where it is, and stop it all on Ctrl-C."""
    RUN_DIR.mkdir(exist_ok=True)
    supervisor = Supervisor()
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        running = start_stack(supervisor, dev_environment())
        print_banner(running)
        while (dead := supervisor.first_exited()) is None:
            time.sleep(0.5)
        print(f"{dead.name} exited with code {dead.popen.returncode}; stopping the stack")
    except KeyboardInterrupt:
        print("\nstopping the stack ...")
    finally:
        supervisor.stop()


if __name__ == "__main__":
    main()
