"""Read-side use cases: registrations (one or a page) and an offering's roster."""

from sqlalchemy import ColumnElement, and_, false, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from services.scheduler.models import (
    Offering,
    Registration,
)
from services.scheduler.registrations.rules import may_see
from services.scheduler.registrations.schemas import (
    RegistrationPublic,
    RegistrationsPublic,
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
