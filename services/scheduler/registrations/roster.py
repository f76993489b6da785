"""Read-side use cases: registrations (one or a page) and an offering's roster."""

from collections import defaultdict

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from services.scheduler.models import (
    Assignment,
    Cohort,
    Educator,
    Facilitator,
    Offering,
    Registration,
)
from services.scheduler.registrations.rules import may_see, overflow
from services.scheduler.registrations.schemas import (
    RegistrationPublic,
    RegistrationsPublic,
    RosterCohort,
    RosterFacilitator,
    RosterMember,
    RosterPublic,
    RosterWaitlisted,
)
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import NotFound
from shared.validation import storable_id


def registration_public(registration: Registration, position: int | None) -> RegistrationPublic:
    """A registration as the API shows it."""
    return RegistrationPublic(
        id=registration.id or 0,
        offering_id=registration.offering_id,
        educator_id=registration.educator_id,
        status=registration.status,
        cohort_id=registration.cohort_id,
        waitlist_position=position if registration.status == Registration.WAITLISTED else None,
        created_at=as_utc(registration.created_at),
    )


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """Rank of a waitlisted registration among those still waiting (1 = next)."""
    if registration.status != Registration.WAITLISTED:
        return None
    query = select(func.count()).where(
        Registration.offering_id == registration.offering_id,
        Registration.status == Registration.WAITLISTED,
        col(Registration.waitlist_seq) <= (registration.waitlist_seq or 0),
    )
    return int(session.exec(query).one())


def get_registration(
    *, session: Session, registration_id: int, principal: Principal
) -> RegistrationPublic:
    """One registration, if the caller may see it (owner, owning affiliate, operator)."""
    found = storable_id(registration_id)
    registration = session.get(Registration, registration_id) if found else None
    offering = session.get(Offering, registration.offering_id) if registration else None
    if registration is None or offering is None or not may_see(principal, registration, offering):
        raise NotFound("registration not found")
    return registration_public(registration, waitlist_position(session, registration))


def _visible_to(principal: Principal) -> ColumnElement[bool]:
    if principal.is_operator:
        return and_(True)
    mine = col(Registration.educator_id) == (principal.educator_id or 0)
    if not principal.affiliates():
        return mine
    owned = select(Offering.id).where(col(Offering.affiliate_id).in_(principal.affiliates()))
    return or_(mine, col(Registration.offering_id).in_(owned))


def list_registrations(
    *,
    session: Session,
    principal: Principal,
    offering_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> RegistrationsPublic:
    """A page of the registrations the caller may see, newest first."""
    filters = [_visible_to(principal)]
    if offering_id is not None:
        known = storable_id(offering_id)
        filters.append(col(Registration.offering_id) == offering_id if known else false())
    if status is not None:
        filters.append(col(Registration.status) == status)
    total = session.exec(select(func.count()).select_from(Registration).where(*filters)).one()
    ahead = aliased(Registration)
    position = (
        select(func.count())
        .where(
            ahead.offering_id == Registration.offering_id,
            ahead.status == Registration.WAITLISTED,
            col(ahead.waitlist_seq) <= col(Registration.waitlist_seq),
        )
        .correlate(Registration)
        .scalar_subquery()
    )
    rows = session.exec(
        select(Registration, position)
        .where(*filters)
        .order_by(col(Registration.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return RegistrationsPublic(items=[registration_public(r, p) for r, p in rows], total=int(total))


def offering_roster(*, session: Session, offering_id: int, principal: Principal) -> RosterPublic:
    """Who leads and sits in each cohort of an offering, and who waits (owner, operator)."""
    offering = session.get(Offering, offering_id) if storable_id(offering_id) else None
    if offering is None or not (
        principal.is_operator or principal.member_of(offering.affiliate_id)
    ):
        raise NotFound("offering not found")
    cohorts = session.exec(
        select(Cohort).where(Cohort.offering_id == offering_id).order_by(col(Cohort.index))
    ).all()
    leads = _leads(session, offering_id)
    members, waiting = _members_and_waiting(session, offering_id)
    return RosterPublic(
        offering_id=offering_id,
        cohorts=[
            _roster_cohort(
                cohort, leads[cohort.id or 0], members[cohort.id or 0], offering.capacity
            )
            for cohort in cohorts
        ],
        waitlist=[
            RosterWaitlisted(registration_id=r.id or 0, educator_id=r.educator_id, position=n)
            for n, r in enumerate(sorted(waiting, key=lambda r: r.waitlist_seq or 0), start=1)
        ],
    )


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
) -> tuple[dict[int, list[RosterMember]], list[Registration]]:
    members: dict[int, list[RosterMember]] = defaultdict(list)
    waiting: list[Registration] = []
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
            waiting.append(registration)
            continue
        members[registration.cohort_id or 0].append(
            RosterMember(
                registration_id=registration.id or 0,
                educator_id=educator.id or 0,
                name=educator.name,
                email=educator.email,
            )
        )
    return members, waiting


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
