"""`make run`: the whole stack on SQLite, the local Redis and a dev mail sink, in the foreground.

Exit status: 0 after a stop that was asked for (Ctrl-C, SIGTERM, SIGHUP), 1 when the stack could
not start (a port is busy, a process did not come up) or one of its processes died.
"""

import signal
import sys
import time

from devstack.banner import accounts_url, banner
from devstack.operator import sign_in_operator
from devstack.ports import StackError
from devstack.stack import RUN_DIR, RunningStack, dev_environment, start_stack
from devstack.supervisor import Stopped, Supervisor, say

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def watch(supervisor: Supervisor) -> int:
    """Wait for a stop signal (0) or for a process to die (1)."""
    while not supervisor.stop_requested:
        dead = supervisor.first_exited()
        if dead is not None:
            say(
                f"\n{dead.name} stopped unexpectedly ({dead.exit_status()}); stopping the stack."
                f"\nIts log is {dead.log_path}; its last lines:\n{dead.log_tail()}\n"
            )
            return 1
        time.sleep(0.2)
    return 0


def greeting(stack: RunningStack) -> str:
    """The banner, once the bootstrap operator exists and has been mailed a sign-in link."""
    settings = stack.settings
    token, email = str(settings.cohort_admin_token), settings.cohort_operator_email
    return banner(stack, sign_in_operator(accounts_url(stack), token, email, stack.mail_folder))


def main() -> int:
    """Start everything, print where it is, stop it all on a signal or when a process dies."""
    supervisor = Supervisor(log_dir=RUN_DIR / "logs")
    for sig in STOP_SIGNALS:
        signal.signal(sig, supervisor.request_stop)
    code = 1
    try:
        say(f"starting Cohort (logs in {supervisor.log_dir}/) ...")
        say(greeting(start_stack(supervisor, dev_environment())))
        code = watch(supervisor)
    except Stopped:
        code = 0
    except StackError as problem:
        say(f"\nCohort cannot start:\n{problem}")
    finally:
        if supervisor.children:
            say("stopping the stack ...")
        # Signals that arrive while stopping are recorded and ignored: make forwards the
        # SIGTERM it receives, and a second signal must not cut the shutdown short.
        supervisor.stop()
    if supervisor.children:
        say("stopped." if code == 0 else "stopped; `make run` failed.")
    return code


if __name__ == "__main__":
    sys.exit(main())
