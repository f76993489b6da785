"""Every service's schema migrations from the command line: upgrade, check, or write a revision.

    python -m services.migrate upgrade [SERVICE ...]   # bring each database to the newest schema
    python -m services.migrate check [SERVICE ...]     # exit 1 when models and migrations disagree
    python -m services.migrate revision SERVICE "what changed"   # write the next revision

Databases are those named by ACCOUNTS_DATABASE_URL, REGISTRY_DATABASE_URL, SCHEDULER_DATABASE_URL,
NOTIFIER_DATABASE_URL.
"""

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.engine import make_url

from services.accounts.database import runtime as accounts
from services.notifier.database import runtime as notifier
from services.registry.database import runtime as registry
from services.scheduler.database import runtime as scheduler
from shared.runtime import ServiceRuntime

RUNTIMES: dict[str, ServiceRuntime] = {
    r.service: r for r in (accounts, registry, scheduler, notifier)
}


def _where(runtime: ServiceRuntime) -> str:
    return make_url(runtime.database_url).render_as_string(hide_password=True)


def upgrade(names: Sequence[str]) -> int:
    """Upgrade each named service's database to head, saying what moved."""
    for name in names:
        runtime = RUNTIMES[name]
        print(f"{name}: upgrading {_where(runtime)} ...", flush=True)
        before, after = runtime.migrations.upgrade(runtime.engine())
        moved = "already at" if before == after else f"{before or 'empty'} →"
        print(f"{name}: {moved} {after}", flush=True)
    return 0


def check(names: Sequence[str]) -> int:
    """Exit status 1 when a database is behind its scripts or its models need a new revision."""
    failed = 0
    for name in names:
        runtime = RUNTIMES[name]
        current, head = runtime.migrations.current(runtime.engine()), runtime.migrations.head()
        if current != head:
            print(
                f"{name}: database at {current or 'nothing'}, scripts at {head}: run make migrate"
            )
            failed = 1
            continue
        drift = runtime.migrations.drift(runtime.engine())
        for change in drift:
            print(f"{name}: models differ from the migrations: {change}")
        print(f"{name}: {'needs a new revision' if drift else 'models and migrations agree'}")
        failed |= bool(drift)
    return failed


def revision(name: str, message: str) -> int:
    """Upgrade the service's database, then write the next revision from what the models add."""
    runtime = RUNTIMES[name]
    runtime.migrations.upgrade(runtime.engine())
    next_id = f"{int(runtime.migrations.head() or 0) + 1:04d}"
    runtime.migrations.revision(runtime.engine(), message, next_id)
    print(f"{name}: wrote revision {next_id} under {runtime.migrations.location}; review it")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="python -m services.migrate", description=__doc__)
    parser.add_argument("command", choices=("upgrade", "check", "revision"))
    parser.add_argument("args", nargs="*", help="service names (revision: SERVICE MESSAGE)")
    options = parser.parse_args(argv)
    if options.command == "revision":
        if len(options.args) != 2 or options.args[0] not in RUNTIMES:
            parser.error(f"revision takes SERVICE MESSAGE; services: {', '.join(RUNTIMES)}")
        return revision(*options.args)
    unknown = [name for name in options.args if name not in RUNTIMES]
    if unknown:
        parser.error(f"unknown service {unknown[0]!r}; services: {', '.join(RUNTIMES)}")
    names = options.args or list(RUNTIMES)
    return upgrade(names) if options.command == "upgrade" else check(names)


if __name__ == "__main__":
    sys.exit(main())
