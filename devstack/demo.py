"""`make demo`: start the stack, seed data, play a scenario through the API, check the mail."""

import shutil
import signal
import socket
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from devstack.credentials import CredentialError
from devstack.demo_client import ACCOUNTS, NOTIFIER, REGISTRY, SCHEDULER, ApiError, CohortApi
from devstack.demo_scenario import Scenario
from devstack.mailbox import Mailbox, read_mailbox
from devstack.ports import StackError
from devstack.progress import Progress
from devstack.stack import RUN_DIR, dev_environment, start_stack
from devstack.supervisor import Stopped, Supervisor

DEMO_DIR = RUN_DIR / "demo"
ADMIN_TOKEN = "demo-admin-token"
SETTLE_TIMEOUT = 240.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_environment() -> dict[str, str]:
    """A stack of its own: fresh SQLite files, its own Redis DB index and mail sink port."""
    return dev_environment(
        COHORT_ADMIN_TOKEN=ADMIN_TOKEN,
        # Every demo educator signs in from 127.0.0.1: the shipped per-client limit (30/hour)
        # would refuse all but the first thirty of them.
        COHORT_SIGN_IN_LIMIT_PER_IP="10000/hour",
        ACCOUNTS_DATABASE_URL=f"sqlite:///{DEMO_DIR}/accounts.db",
        REGISTRY_DATABASE_URL=f"sqlite:///{DEMO_DIR}/registry.db",
        SCHEDULER_DATABASE_URL=f"sqlite:///{DEMO_DIR}/scheduler.db",
        NOTIFIER_DATABASE_URL=f"sqlite:///{DEMO_DIR}/notifier.db",
        COHORT_REDIS_URL="redis://127.0.0.1:6379/9",
        COHORT_SMTP_PORT=str(_free_port()),
        COHORT_LOG_LEVEL="WARNING",
    )


def wait_projected(scenario: Scenario, timeout: float = 60.0) -> None:
    """Wait until the scheduler has received every published offering."""
    deadline = time.monotonic() + timeout
    pending = list(scenario.world.offerings)
    while pending and time.monotonic() < deadline:
        pending = [o for o in pending if not _has_roster(scenario, o)]
        time.sleep(0.3)
    if pending:
        raise ApiError(f"{len(pending)} offerings never reached the scheduler")


def _has_roster(scenario: Scenario, offering: dict[str, Any]) -> bool:
    url = f"{SCHEDULER}/offerings/{offering['id']}/roster"
    headers = scenario.api.headers(offering["key"])
    return scenario.api.http.get(url, headers=headers).status_code == 200


def wait_settled(scenario: Scenario) -> list[dict[str, Any]]:
    """Wait until no message is queued or being sent; return every delivery."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    deliveries = scenario.deliveries()
    while time.monotonic() < deadline:
        busy = [d for d in deliveries if d["status"] in ("queued", "sending")]
        if deliveries and not busy:
            time.sleep(2)
            again = scenario.deliveries()
            if len(again) == len(deliveries):
                return again
            deliveries = again
            continue
        scenario.progress.note(
            f"{len(deliveries) - len(busy)}/{len(deliveries)} messages delivered ..."
        )
        time.sleep(3)
        deliveries = scenario.deliveries()
    return deliveries


def check(scenario: Scenario, deliveries: list[dict[str, Any]], mailbox: list[Any]) -> list[str]:
    """What is wrong: missing expected messages, failures, sink and ledger disagreeing."""
    problems = []
    sent = Counter((d["recipient"], d["kind"]) for d in deliveries if d["status"] == "sent")
    for (email, kind), minimum in scenario.world.expectations.minimum.items():
        if sent[(email, kind)] < minimum:
            problems.append(f"{email}: expected ≥{minimum} {kind}, got {sent[(email, kind)]}")
    failed = [d for d in deliveries if d["status"] != "sent"]
    if failed:
        problems.append(
            f"{len(failed)} deliveries not sent: {Counter(d['status'] for d in failed)}"
        )
    if len(mailbox) != sum(sent.values()):
        problems.append(
            f"mail sink holds {len(mailbox)} messages, ledger says {sum(sent.values())} sent"
        )
    return problems


def summary(scenario: Scenario, deliveries: list[dict[str, Any]], mail_folder: Path) -> None:
    """Print the per-offering table, messages by kind and where to look next."""
    print("\n offering                                   confirmed waitlisted cohorts facilitators")
    needing = []
    for offering in scenario.world.offerings:
        roster = scenario.roster(offering)
        cohorts = roster["cohorts"]
        confirmed = sum(len(c["members"]) for c in cohorts)
        facilitators = sum(len(c["facilitators"]) for c in cohorts)
        needing += [(offering["title"], c) for c in cohorts if c["status"] == "needs_facilitator"]
        print(
            f" {offering['title'][:42]:<42} {confirmed:>9} {len(roster['waitlist']):>10} "
            f"{len(cohorts):>7} {facilitators:>12}"
        )
    kinds = Counter(d["kind"] for d in deliveries)
    print("\n messages by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    for title, cohort in needing:
        print(
            f" needs a facilitator: {title} cohort {cohort['index']}: "
            f"{cohort.get('needs_facilitator_reason') or 'no reason given'}"
        )
    print(f"\n delivered messages: {mail_folder.resolve()}/*.eml")
    print(f" docs: {ACCOUNTS}/docs  {REGISTRY}/docs  {SCHEDULER}/docs  {NOTIFIER}/docs")


def stop_on_signals(supervisor: Supervisor) -> None:
    """The first Ctrl-C or SIGTERM interrupts the demo; later ones cannot cut its cleanup short."""

    def interrupt_once(signum: int, frame: object) -> None:
        supervisor.request_stop(signum, frame)
        if len(supervisor.signals) == 1:
            raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt_once)


def run(educators: int = 300) -> int:
    """Play the whole demo; 0 only if every expected message arrived."""
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir(parents=True)
    mail_folder = DEMO_DIR / "mail"
    supervisor = Supervisor(log_dir=DEMO_DIR / "logs")
    stop_on_signals(supervisor)
    progress = Progress(total=11)
    try:
        start_stack(supervisor, demo_environment(), home=DEMO_DIR, mail_viewer=False)
        progress.step("stack is up (SQLite + local Redis + dev mail sink)")
        scenario = Scenario(CohortApi(ADMIN_TOKEN), progress, Mailbox(mail_folder))
        scenario.seed(educators)
        scenario.publish()
        wait_projected(scenario)
        scenario.rush()
        scenario.cancellations()
        scenario.reschedule()
        scenario.cancel_offering()
        scenario.replan()
        deliveries = wait_settled(scenario)
        progress.step(f"{len(deliveries)} messages recorded by the notifier")
        problems = check(scenario, deliveries, read_mailbox(mail_folder))
        summary(scenario, deliveries, mail_folder)
    except (ApiError, CredentialError, StackError) as exc:
        print(f"\ndemo failed: {exc}\nprocess logs: {(DEMO_DIR / 'logs').resolve()}/")
        return 1
    except (KeyboardInterrupt, Stopped):
        print("\ndemo interrupted; stopping the stack ...")
        return 1
    finally:
        supervisor.stop()
    if problems:
        print("\nmissing or wrong:\n  " + "\n  ".join(problems[:20]))
        return 1
    print("\nevery message the scenario caused has arrived.")
    return 0


if __name__ == "__main__":
    sys.exit(run())
