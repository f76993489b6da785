"""The week-after sweep: cohorts whose last meeting ended 7 days ago become final by themselves.

It runs on a daemon thread of the scheduler API (as the outbox relay does), so no long ETA
ever sits in a queue; each cohort is finalised in its own transaction, as the route would.
"""

import logging
import threading
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.scheduler.credits import finalise, rules
from services.scheduler.database import runtime
from services.scheduler.models import Cohort, Meeting, utcnow
from shared.settings import get_settings

log = logging.getLogger(__name__)


def due_cohorts(session: Session, now: datetime) -> list[int]:
    """Cohorts not yet final (nor cancelled) whose last meeting ended at least 7 days ago."""
    last_end = (
        select(Meeting.offering_id, func.max(Meeting.ends_at_utc).label("last_end"))
        .group_by(col(Meeting.offering_id))
        .subquery()
    )
    query = (
        select(Cohort.id)
        .join(last_end, last_end.c.offering_id == col(Cohort.offering_id))
        .where(
            col(Cohort.finalised_at).is_(None),
            Cohort.status != Cohort.CANCELLED,
            last_end.c.last_end <= now - rules.FINAL_AFTER,
        )
        .order_by(col(Cohort.id))
    )
    return [cohort_id for cohort_id in session.exec(query).all() if cohort_id is not None]


def finalise_due(now: datetime | None = None) -> int:
    """Finalise every cohort that is due; how many were."""
    moment = now or utcnow()
    with Session(runtime.engine()) as session:
        due = due_cohorts(session, moment)
    for cohort_id in due:
        with Session(runtime.engine()) as session:
            finalise.finalise_cohort(
                session=session, cohort_id=cohort_id, principal=None, now=moment
            )
    return len(due)


class FinaliseSweep:
    """Runs `finalise_due` every `COHORT_FINALISE_SWEEP_SECONDS` on a daemon thread."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start sweeping in the background."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="finalise-sweep", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to stop and wait briefly for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(get_settings().cohort_finalise_sweep_seconds):
            try:
                done = finalise_due()
                if done:
                    log.info("finalised the attendance of %d cohorts a week after", done)
            except Exception:  # the next pass tries again; the API keeps serving
                log.exception("the finalise sweep failed")


SWEEP = FinaliseSweep()
