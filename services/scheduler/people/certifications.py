"""Use case of a facilitator's certifications (operator): replace them, give up the cohorts of
programs they are no longer certified for (each re-staffed at once when someone fits), then
staff waiting cohorts of the programs they now hold."""

from datetime import datetime

from sqlmodel import Session, col, select

from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.models import Assignment, Cohort, Meeting, Offering, utcnow
from services.scheduler.people.release import check_held, give_up, hold_for_change
from services.scheduler.people.schemas import (
    CertificationsChange,
    ChangedFacilitator,
    FacilitatorPublic,
)
from services.scheduler.people.service import facilitator_public, pool_changed
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import NotFound
from shared.validation import storable_id

GIVEN_UP = "certification_withdrawn"


def change_certifications(
    *, session: Session, facilitator_id: int, data: CertificationsChange, principal: Principal
) -> ChangedFacilitator:
    """Replace a facilitator's certifications (the operator's call)."""
    if not storable_id(facilitator_id):
        raise NotFound("facilitator not found")
    codes = list(data.certifications)
    return run_in_transaction(session, lambda: _change(session, facilitator_id, codes, principal))


def _change(
    session: Session, facilitator_id: int, codes: list[str], principal: Principal
) -> ChangedFacilitator:
    offerings, facilitator = hold_for_change(session, facilitator_id)
    before = list(facilitator.certifications)
    facilitator.certifications = codes
    session.add(facilitator)
    session.flush()
    withdrawn = _cohorts_of_other_programs(session, facilitator_id, codes)
    check_held(offerings, [cohort for cohort, _ in withdrawn])
    released = [
        give_up(
            session,
            offerings[cohort.offering_id],
            cohort,
            facilitator,
            starts=starts,
            reason=GIVEN_UP,
            detail=f"no longer certified for {offerings[cohort.offering_id].program_code}",
        )
        for cohort, starts in withdrawn
    ]
    pool_changed(session, facilitator)
    if before != codes:
        runtime.audit_action(
            session,
            principal,
            "facilitator.certify",
            f"facilitator {facilitator_id}",
            {"from": before, "to": codes, "given_up": [r.cohort_id for r in released]},
        )
    public: FacilitatorPublic = facilitator_public(facilitator)
    return ChangedFacilitator(**public.model_dump(), released=released)


def _cohorts_of_other_programs(
    session: Session, facilitator_id: int, codes: list[str]
) -> list[tuple[Cohort, datetime]]:
    """Live cohorts they lead with a meeting ahead, of a program not in `codes`, with that
    meeting's start; soonest first."""
    rows = session.exec(
        select(Cohort, Meeting.starts_at_utc)
        .join(Assignment, col(Assignment.cohort_id) == col(Cohort.id))
        .join(Offering, col(Offering.id) == col(Cohort.offering_id))
        .join(Meeting, col(Meeting.offering_id) == col(Cohort.offering_id))
        .where(
            Assignment.facilitator_id == facilitator_id,
            Assignment.status == Assignment.ACTIVE,
            Cohort.status != Cohort.CANCELLED,
            col(Offering.program_code).not_in(codes),
            col(Meeting.starts_at_utc) > utcnow(),
        )
        .order_by(col(Meeting.starts_at_utc), col(Cohort.id))
    ).all()
    soonest: dict[int, tuple[Cohort, datetime]] = {}
    for cohort, starts in rows:
        soonest.setdefault(cohort.id or 0, (cohort, as_utc(starts)))
    return list(soonest.values())
