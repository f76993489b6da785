"""Use cases of people: educators and facilitators sign up; facilitators see their cohorts."""

from collections import defaultdict

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.locks import lock_facilitator_pool
from services.scheduler.models import Assignment, Cohort, Educator, Facilitator, Meeting, Offering
from services.scheduler.people.schemas import (
    AssignmentPublic,
    AssignmentsPublic,
    EducatorCreate,
    EducatorCreated,
    FacilitatorCreate,
    FacilitatorCreated,
    FacilitatorPublic,
    FacilitatorsPublic,
    MeetingPublic,
)
from services.scheduler.snapshots import meeting_snapshot
from shared import events
from shared.auth import Principal, Role, issue_token
from shared.errors import Conflict, NotFound
from shared.validation import storable_id


def create_educator(*, session: Session, data: EducatorCreate) -> EducatorCreated:
    """Sign up an educator and issue their token (409 when the email is already known)."""
    educator = Educator(**data.model_dump(), email_key=domain.email_key(data.email))
    _insert_unique(session, educator, "an educator with this email already exists")
    assert educator.id is not None
    token = issue_token(role=Role.EDUCATOR, subject_id=educator.id)
    return EducatorCreated(**data.model_dump(), id=educator.id, token=token)


def create_facilitator(
    *, session: Session, data: FacilitatorCreate, principal: Principal
) -> FacilitatorCreated:
    """Add a facilitator to the pool and issue their token (409 when the email is known)."""
    affiliate_id = principal.subject_id if principal.role is Role.AFFILIATE else None
    try:
        facilitator = run_in_transaction(
            session, lambda: _add_facilitator(session, data, affiliate_id)
        )
    except IntegrityError as exc:
        raise Conflict("a facilitator with this email already exists") from exc
    token = issue_token(role=Role.FACILITATOR, subject_id=facilitator.id or 0)
    return FacilitatorCreated(**facilitator_public(facilitator).model_dump(), token=token)


def _add_facilitator(
    session: Session, data: FacilitatorCreate, affiliate_id: int | None
) -> Facilitator:
    lock_facilitator_pool(session, exclusive=True)
    facilitator = Facilitator(
        **data.model_dump(),
        email_key=domain.email_key(data.email),
        affiliate_id=affiliate_id,
    )
    session.add(facilitator)
    session.flush()
    pool_changed(session, facilitator)
    return facilitator


def pool_changed(session: Session, facilitator: Facilitator) -> None:
    """Have the scheduler's worker staff waiting cohorts for this facilitator after the commit."""
    runtime.outbox.record(session, events.FacilitatorChanged(facilitator_id=facilitator.id or 0))


def _insert_unique(session: Session, row: Educator, conflict: str) -> None:
    session.add(row)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(conflict) from exc


def facilitator_public(row: Facilitator) -> FacilitatorPublic:
    """A facilitator as the API shows it."""
    return FacilitatorPublic.model_validate(row, from_attributes=True)


def list_facilitators(*, session: Session, limit: int, offset: int) -> FacilitatorsPublic:
    """A page of the facilitator pool, by id."""
    total = session.exec(select(func.count()).select_from(Facilitator)).one()
    rows = session.exec(
        select(Facilitator).order_by(col(Facilitator.id)).offset(offset).limit(limit)
    ).all()
    return FacilitatorsPublic(items=[facilitator_public(r) for r in rows], total=int(total))


def facilitator_assignments(
    *, session: Session, facilitator_id: int, principal: Principal, limit: int, offset: int
) -> AssignmentsPublic:
    """The cohorts a facilitator leads now, with their meetings (that facilitator, operator)."""
    mine = principal.role is Role.FACILITATOR and principal.subject_id == facilitator_id
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
