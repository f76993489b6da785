"""Cohorts still waiting for a facilitator, staffed again when the facilitator pool changes.

Adding a facilitator or changing their availability records `facilitator.changed` with the
change; the scheduler's own worker applies it after the commit (so a crash in between loses
nothing). It runs the publish-time pick (`service.staff_cohort`) on every waiting cohort of the
facilitator's programs that has not started, earliest first meeting first (then cohort id): a
cohort someone now fits is staffed and its facilitator.assigned leaves through the outbox; the
others keep a reason true of the pool as it is now. Bookings are read again for each cohort, so
the facilitator takes no more cohorts than they can lead without overlap, travel buffer or cap.
"""

import logging
from collections.abc import Collection, Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.scheduler.assignments.engine import NoFit
from services.scheduler.assignments.pool import load_profiles
from services.scheduler.assignments.service import staff_cohort
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators, lock_offerings
from services.scheduler.models import Cohort, Facilitator, Meeting, Offering, utcnow
from services.scheduler.snapshots import offering_meetings
from shared import events
from shared.db import after_commit

log = logging.getLogger(__name__)


def apply_facilitator_changed(session: Session, event: events.FacilitatorChanged) -> None:
    """Staff the waiting cohorts a new or changed facilitator may lead."""
    facilitator = session.get(Facilitator, event.facilitator_id)
    if facilitator is None:
        return
    staffed = staff_waiting_cohorts(session=session, programs=facilitator.certifications)
    if staffed:
        details = {"facilitator_id": event.facilitator_id, "cohort_ids": staffed}
        after_commit(session, lambda: log.info("waiting cohorts staffed", extra=details))


def staff_waiting_cohorts(*, session: Session, programs: Iterable[str]) -> list[int]:
    """Pick facilitators for the programs' waiting cohorts, first meeting first; those staffed."""
    codes = sorted(set(programs))
    found = waiting_cohorts(session, codes)
    if not found:
        return []
    offerings = lock_offerings(session, {cohort.offering_id for cohort in found})
    lock_facilitator_pool(session)
    pool = {p.id for code in codes for p in load_profiles(session, certified_for=code)}
    lock_facilitators(session, pool)
    staffed: list[int] = []
    # Read again under the locks: a cohort may have been staffed, cancelled or moved meanwhile.
    for cohort in waiting_cohorts(session, codes, offering_ids=offerings.keys()):
        offering = offerings[cohort.offering_id]
        meetings = offering_meetings(session, offering.id)
        added = staff_cohort(session, offering=offering, cohort=cohort, meetings=meetings)
        session.add(cohort)
        if not isinstance(added, NoFit) and added:
            staffed.append(cohort.id or 0)
    session.flush()
    return staffed


def waiting_cohorts(
    session: Session, programs: Collection[str], offering_ids: Collection[int] | None = None
) -> list[Cohort]:
    """Waiting cohorts of these programs' published offerings, not yet started, soonest first."""
    first = (
        select(Meeting.offering_id, func.min(Meeting.starts_at_utc).label("first_start"))
        .join(Offering, col(Offering.id) == col(Meeting.offering_id))
        .where(col(Offering.program_code).in_(list(programs)))
        .group_by(col(Meeting.offering_id))
        .subquery()
    )
    query = (
        select(Cohort)
        .join(Offering, col(Offering.id) == col(Cohort.offering_id))
        .join(first, first.c.offering_id == col(Cohort.offering_id))
        .where(
            Offering.status == Offering.PUBLISHED,
            Cohort.status == Cohort.NEEDS_FACILITATOR,
            first.c.first_start > utcnow(),
        )
        .order_by(first.c.first_start, col(Cohort.id))
        .execution_options(populate_existing=True)
    )
    if offering_ids is not None:
        query = query.where(col(Cohort.offering_id).in_(list(offering_ids)))
    return list(session.exec(query).all())
