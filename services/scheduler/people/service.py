"""Use cases of people: educators and facilitators sign up; facilitators see their cohorts."""

from collections import defaultdict

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.locks import lock_facilitator_pool
from services.scheduler.models import Assignment, Cohort, Educator, Facilitator, Meeting, Offering
from services.scheduler.people.enrol import enrol_person
from services.scheduler.people.schemas import (
    AssignmentPublic,
    AssignmentsPublic,
    EducatorCreate,
    EducatorPublic,
    FacilitatorCreate,
    FacilitatorPublic,
    FacilitatorsPublic,
    MeetingPublic,
)
from services.scheduler.snapshots import meeting_snapshot
from shared import events
from shared.auth import MemberRole, Principal
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.validation import storable_id


def create_educator(
    *, session: Session, data: EducatorCreate, principal: Principal, bearer: str
) -> EducatorPublic:
    """Add an educator's profile for an address; accounts keeps the person, who signs in by
    link (409 when the profile exists)."""
    if not principal.is_operator and not principal.affiliates():
        raise Forbidden("only operators and affiliate members add educators")
    person_id, _proven = enrol_person(
        bearer=bearer, name=data.name, email=data.email, timezone=data.timezone, role="educator"
    )
    fields = data.model_dump()
    educator = Educator(**fields, id=person_id, email_key=domain.email_key(data.email))
    session.add(educator)
    details = {"affiliate_id": data.affiliate_id}
    runtime.audit_action(session, principal, "educator.add", f"educator {person_id}", details)
    _commit_unique(session, "this educator's profile already exists")
    return EducatorPublic(**fields, id=person_id)


def create_facilitator(
    *, session: Session, data: FacilitatorCreate, principal: Principal, bearer: str
) -> FacilitatorPublic:
    """Add a facilitator to the pool; accounts invites them by mail (409 when already in it)."""
    affiliate_id = _owning_affiliate(principal, data.affiliate_id)
    person_id, proven = enrol_person(
        bearer=bearer, name=data.name, email=data.email, timezone=data.timezone, role="facilitator"
    )
    facilitator = add_facilitator(
        session=session,
        data=data,
        person_id=person_id,
        affiliate_id=affiliate_id,
        verified=proven,
        actor=principal,
    )
    return facilitator_public(facilitator)


def add_facilitator(
    *,
    session: Session,
    data: FacilitatorCreate,
    person_id: int,
    affiliate_id: int | None,
    verified: bool = True,
    actor: Principal | None = None,
) -> Facilitator:
    """Put a person in the facilitator pool (409 when they are in it already); booked only
    once `verified` (they proved their address); audited as `actor`'s when given."""

    def add() -> Facilitator:
        facilitator = _add_facilitator(session, data, person_id, affiliate_id, verified)
        if actor is not None:
            details = {"affiliate_id": affiliate_id, "certifications": data.certifications}
            subject = f"facilitator {person_id}"
            runtime.audit_action(session, actor, "facilitator.add", subject, details)
        return facilitator

    try:
        return run_in_transaction(session, add)
    except IntegrityError as exc:
        raise Conflict("this facilitator is already in the pool") from exc


def _owning_affiliate(principal: Principal, asked: int | None) -> int | None:
    """The affiliate a new facilitator belongs to: none when an operator adds them (the shared
    pool), else the admin's affiliate (the one asked, or their only one)."""
    if principal.is_operator and asked is None:
        return None
    admin_of = principal.affiliates(MemberRole.ADMIN)
    if asked is not None and (asked in admin_of or principal.is_operator):
        return asked
    if asked is None and len(admin_of) == 1:
        return admin_of[0]
    if not admin_of:
        raise Forbidden("only operators and affiliate admins add facilitators")
    raise InvalidInput(("affiliate_id",), "say which of your affiliates this facilitator is for")


def _add_facilitator(
    session: Session,
    data: FacilitatorCreate,
    person_id: int,
    affiliate_id: int | None,
    verified: bool,
) -> Facilitator:
    lock_facilitator_pool(session, exclusive=True)
    facilitator = Facilitator(
        **data.model_dump(exclude={"affiliate_id"}),
        id=person_id,
        email_key=domain.email_key(data.email),
        affiliate_id=affiliate_id,
        verified=verified,
    )
    session.add(facilitator)
    session.flush()
    pool_changed(session, facilitator)
    return facilitator


def pool_changed(session: Session, facilitator: Facilitator) -> None:
    """Have the scheduler's worker staff waiting cohorts for this facilitator after the commit."""
    runtime.outbox.record(session, events.FacilitatorChanged(facilitator_id=facilitator.id or 0))


def _commit_unique(session: Session, conflict: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(conflict) from exc


def facilitator_public(row: Facilitator) -> FacilitatorPublic:
    """A facilitator as the API shows it."""
    return FacilitatorPublic.model_validate(row, from_attributes=True)


def listed_affiliate(principal: Principal, asked: int | None) -> int | None:
    """Whose facilitators a caller lists: the operator any affiliate's (or the whole pool, None),
    an affiliate admin only their own affiliate's (the one asked, or their only one)."""
    if principal.is_operator:
        return asked
    admin_of = principal.affiliates(MemberRole.ADMIN)
    if not admin_of:
        raise Forbidden("only operators and affiliate admins list facilitators")
    if asked is None and len(admin_of) == 1:
        return admin_of[0]
    if asked is None:
        raise InvalidInput(("query", "affiliate_id"), "say which of your affiliates")
    if asked not in admin_of:
        raise NotFound("affiliate not found")
    return asked


def list_facilitators(
    *, session: Session, limit: int, offset: int, affiliate_id: int | None = None
) -> FacilitatorsPublic:
    """A page of the facilitator pool (or of one affiliate's own facilitators), by id."""
    query = select(Facilitator)
    counted = select(func.count()).select_from(Facilitator)
    if affiliate_id is not None:
        query = query.where(Facilitator.affiliate_id == affiliate_id)
        counted = counted.where(Facilitator.affiliate_id == affiliate_id)
    total = session.exec(counted).one()
    rows = session.exec(query.order_by(col(Facilitator.id)).offset(offset).limit(limit)).all()
    return FacilitatorsPublic(items=[facilitator_public(r) for r in rows], total=int(total))


def facilitator_assignments(
    *, session: Session, facilitator_id: int, principal: Principal, limit: int, offset: int
) -> AssignmentsPublic:
    """The cohorts a facilitator leads now, with their meetings (that facilitator, operator)."""
    mine = principal.facilitator_id == facilitator_id
    known = storable_id(facilitator_id) and session.get(Facilitator, facilitator_id) is not None
    if not (mine or principal.is_operator) or not known:
        raise NotFound("facilitator not found")
    where = (Assignment.facilitator_id == facilitator_id, Assignment.status == "active")
    total = session.exec(select(func.count()).select_from(Assignment).where(*where)).one()
    rows = session.exec(
        select(Assignment, Cohort, Offering)
        .join(Cohort, col(Cohort.id) == col(Assignment.cohort_id))
        .join(Offering, col(Offering.id) == col(Cohort.offering_id))
        .where(*where)
        .order_by(col(Assignment.id))
        .offset(offset)
        .limit(limit)
    ).all()
    meetings = _meetings_of({offering.id: offering.timezone for _, _, offering in rows}, session)
    items = [
        AssignmentPublic(
            assignment_id=assignment.id or 0,
            cohort_id=cohort.id or 0,
            cohort_index=cohort.index,
            cohort_status=cohort.status,
            offering_id=offering.id,
            title=offering.title,
            program_code=offering.program_code,
            format=offering.format,
            timezone=offering.timezone,
            venue=offering.venue,
            join_url=offering.join_url,
            role=assignment.role,
            status=assignment.status,
            explanation=assignment.explanation,
            meetings=meetings[offering.id],
        )
        for assignment, cohort, offering in rows
    ]
    return AssignmentsPublic(items=items, total=int(total))


def _meetings_of(zones: dict[int, str], session: Session) -> dict[int, list[MeetingPublic]]:
    found: dict[int, list[MeetingPublic]] = defaultdict(list)
    if not zones:
        return found
    rows = session.exec(
        select(Meeting)
        .where(col(Meeting.offering_id).in_(list(zones)))
        .order_by(col(Meeting.starts_at_utc))
    ).all()
    for meeting in rows:
        view = meeting_snapshot(meeting, zones[meeting.offering_id])
        found[meeting.offering_id].append(MeetingPublic.model_validate(view.model_dump()))
    return found
