"""Read-side use cases: registrations (one or a page) and an offering's roster."""

from collections import defaultdict

from sqlalchemy import ColumnElement, and_, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.models import (
    Assignment,
    Cohort,
    Educator,
    Facilitator,
    Offering,
    Registration,
)
from services.scheduler.schemas_registrations import (
    RegistrationPublic,
    RegistrationsPublic,
    RosterCohort,
    RosterFacilitator,
    RosterMember,
    RosterPublic,
    RosterWaitlisted,
)
from services.scheduler.service_cancellations import may_see
from services.scheduler.service_registrations import registration_public, waitlist_position
from shared.auth import Principal, Role
from shared.errors import NotFound


def get_registration(
    session: Session, *, registration_id: int, principal: Principal
) -> RegistrationPublic:
    """One registration, if the caller may see it (owner, owning affiliate, operator)."""
    registration = session.get(Registration, registration_id)
    offering = session.get(Offering, registration.offering_id) if registration else None
    if registration is None or offering is None or not may_see(principal, registration, offering):
        raise NotFound("registration not found")
    return registration_public(registration, waitlist_position(session, registration))


def _visible_to(principal: Principal) -> ColumnElement[bool]:
    if principal.role is Role.EDUCATOR:
        return col(Registration.educator_id) == principal.subject_id
    if principal.role is Role.AFFILIATE:
        owned = select(Offering.id).where(Offering.affiliate_id == principal.subject_id)
        return col(Registration.offering_id).in_(owned)
    return and_(True)


def list_registrations(
    session: Session,
    *,
    principal: Principal,
    offering_id: int | None,
    status: str | None,
    limit: int,
    offset: int,
) -> RegistrationsPublic:
    """A page of the registrations the caller may see, newest first."""
    filters = [_visible_to(principal)]
    if offering_id is not None:
        filters.append(col(Registration.offering_id) == offering_id)
    if status is not None:
        filters.append(col(Registration.status) == status)
    total = session.exec(select(func.count()).select_from(Registration).where(*filters)).one()
    ahead = aliased(Registration)
    position = (
        select(func.count())
        .where(
            ahead.offering_id == Registration.offering_id,
            ahead.status == "waitlisted",
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


def offering_roster(session: Session, *, offering_id: int, principal: Principal) -> RosterPublic:
    """Who leads and sits in each cohort of an offering, and who waits (owner, operator)."""
    offering = session.get(Offering, offering_id)
    owner = (
        principal.role is Role.AFFILIATE
        and offering
        and principal.subject_id == offering.affiliate_id
    )
    if offering is None or not (owner or principal.is_operator):
        raise NotFound("offering not found")
    cohorts = session.exec(
        select(Cohort).where(Cohort.offering_id == offering_id).order_by(col(Cohort.index))
    ).all()
    leads: dict[int, list[RosterFacilitator]] = defaultdict(list)
    for assignment, facilitator in session.exec(
        select(Assignment, Facilitator)
        .join(Facilitator, col(Facilitator.id) == col(Assignment.facilitator_id))
        .join(Cohort, col(Cohort.id) == col(Assignment.cohort_id))
        .where(Cohort.offering_id == offering_id, Assignment.status == "active")
        .order_by(col(Assignment.id))
    ).all():
        leads[assignment.cohort_id].append(
            RosterFacilitator(id=facilitator.id or 0, name=facilitator.name, role=assignment.role)
        )
    members: dict[int, list[RosterMember]] = defaultdict(list)
    waiting: list[Registration] = []
    for registration, educator in session.exec(
        select(Registration, Educator)
        .join(Educator, col(Educator.id) == col(Registration.educator_id))
        .where(
            Registration.offering_id == offering_id,
            col(Registration.status).in_(("confirmed", "waitlisted")),
        )
        .order_by(col(Registration.id))
    ).all():
        if registration.status == "waitlisted":
            waiting.append(registration)
        else:
            members[registration.cohort_id or 0].append(
                RosterMember(
                    registration_id=registration.id or 0,
                    educator_id=educator.id or 0,
                    name=educator.name,
                    email=educator.email,
                )
            )
    return RosterPublic(
        offering_id=offering_id,
        cohorts=[
            RosterCohort(
                id=cohort.id or 0,
                index=cohort.index,
                status=cohort.status,
                facilitators=leads[cohort.id or 0],
                members=members[cohort.id or 0],
                needs_facilitator_reason=cohort.needs_facilitator_reason,
                needs_facilitator_detail=cohort.needs_facilitator_detail,
                overflow=domain.overflow(len(members[cohort.id or 0]), offering.capacity),
            )
            for cohort in cohorts
        ],
        waitlist=[
            RosterWaitlisted(registration_id=r.id or 0, educator_id=r.educator_id, position=n)
            for n, r in enumerate(sorted(waiting, key=lambda r: r.waitlist_seq or 0), start=1)
        ],
    )
