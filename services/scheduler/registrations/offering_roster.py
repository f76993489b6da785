"""Use case of an offering's roster: who leads and sits in each cohort, and who waits.

The owning affiliate's members and the operator see everything; a facilitator sees only the
cohorts they lead, and no waitlist.
"""

from collections import defaultdict

from sqlmodel import Session, col, select

from services.scheduler.models import (
    Assignment,
    Cohort,
    Educator,
    Facilitator,
    Offering,
    Registration,
)
from services.scheduler.registrations.rules import overflow
from services.scheduler.registrations.schemas import (
    RosterCohort,
    RosterFacilitator,
    RosterMember,
    RosterPublic,
    RosterWaitlisted,
)
from shared.auth import Principal
from shared.errors import NotFound
from shared.validation import storable_id


def offering_roster(*, session: Session, offering_id: int, principal: Principal) -> RosterPublic:
    """The roster as this caller may see it (owner, operator, the cohorts' facilitators)."""
    offering = session.get(Offering, offering_id) if storable_id(offering_id) else None
    if offering is None:
        raise NotFound("offering not found")
    staff = principal.is_operator or principal.member_of(offering.affiliate_id)
    leads = _leads(session, offering_id)
    cohorts = [
        cohort
        for cohort in session.exec(
            select(Cohort).where(Cohort.offering_id == offering_id).order_by(col(Cohort.index))
        ).all()
        if staff or _leads_it(principal, leads[cohort.id or 0])
    ]
    if not staff and not cohorts:
        raise NotFound("offering not found")
    members, waiting = _members_and_waiting(session, offering_id)
    return RosterPublic(
        offering_id=offering_id,
        cohorts=[
            _roster_cohort(
                cohort, leads[cohort.id or 0], members[cohort.id or 0], offering.capacity
            )
            for cohort in cohorts
        ],
        waitlist=waiting if staff else [],
    )


def _leads_it(principal: Principal, leads: list[RosterFacilitator]) -> bool:
    mine = principal.facilitator_id
    return mine is not None and any(lead.id == mine for lead in leads)


def _leads(session: Session, offering_id: int) -> dict[int, list[RosterFacilitator]]:
    leads: dict[int, list[RosterFacilitator]] = defaultdict(list)
    for assignment, facilitator in session.exec(
        select(Assignment, Facilitator)
        .join(Facilitator, col(Facilitator.id) == col(Assignment.facilitator_id))
        .join(Cohort, col(Cohort.id) == col(Assignment.cohort_id))
        .where(Cohort.offering_id == offering_id, Assignment.status == Assignment.ACTIVE)
        .order_by(col(Assignment.id))
    ).all():
        leads[assignment.cohort_id].append(
            RosterFacilitator(id=facilitator.id or 0, name=facilitator.name, role=assignment.role)
        )
    return leads


def _members_and_waiting(
    session: Session, offering_id: int
) -> tuple[dict[int, list[RosterMember]], list[RosterWaitlisted]]:
    members: dict[int, list[RosterMember]] = defaultdict(list)
    waiting: list[tuple[Registration, Educator]] = []
    for registration, educator in session.exec(
        select(Registration, Educator)
        .join(Educator, col(Educator.id) == col(Registration.educator_id))
        .where(
            Registration.offering_id == offering_id,
            col(Registration.status).in_((Registration.CONFIRMED, Registration.WAITLISTED)),
        )
        .order_by(col(Registration.id))
    ).all():
        if registration.status == Registration.WAITLISTED:
            waiting.append((registration, educator))
            continue
        members[registration.cohort_id or 0].append(
            RosterMember(
                registration_id=registration.id or 0,
                educator_id=educator.id or 0,
                name=educator.name,
                email=educator.email,
            )
        )
    waiting.sort(key=lambda pair: pair[0].waitlist_seq or 0)
    return members, [
        RosterWaitlisted(
            registration_id=registration.id or 0,
            educator_id=educator.id or 0,
            position=place,
            name=educator.name,
            email=educator.email,
        )
        for place, (registration, educator) in enumerate(waiting, start=1)
    ]


def _roster_cohort(
    cohort: Cohort, leads: list[RosterFacilitator], members: list[RosterMember], capacity: int
) -> RosterCohort:
    return RosterCohort(
        id=cohort.id or 0,
        index=cohort.index,
        status=cohort.status,
        facilitators=leads,
        members=members,
        needs_facilitator_reason=cohort.needs_facilitator_reason,
        needs_facilitator_detail=cohort.needs_facilitator_detail,
        overflow=overflow(len(members), capacity),
    )
