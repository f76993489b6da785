"""Use case of registering for an offering: a seat, or a place on the waitlist.

Guarantees, on PostgreSQL and SQLite alike: confirmed seats never exceed a cohort's capacity;
an educator holds at most one active registration per offering (a partial unique index backs
the lock); a replayed Idempotency-Key gets the first answer; the waitlist is strict FIFO.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from services.scheduler import domain
from services.scheduler.database import ATTEMPTS, is_retryable, runtime
from services.scheduler.domain import CohortSeats
from services.scheduler.models import (
    IdempotencyKey,
    Offering,
    Registration,
    utcnow,
)
from services.scheduler.offering_views import VIEWS, OfferingView
from services.scheduler.registration_parties import EducatorFacts, OfferingFacts, lock_parties
from services.scheduler.schemas_registrations import RegistrationPublic
from services.scheduler.seat_statements import (
    NewRegistration,
    SeatBoard,
    insert_registration,
    seat_board,
)
from services.scheduler.service_seats import (
    clashing_offering,
    fill_free_seats,
    open_next_cohort,
    seat_counts,
    waitlist_length,
)
from services.scheduler.snapshots import (
    educator_recipient,
    offering_meetings,
    waitlist_event,
)
from shared import events
from shared.errors import Conflict, NotFound


@dataclass(frozen=True)
class Answer:
    """What the API answers: a status code and a JSON body (stored for key replays)."""

    status_code: int
    body: dict[str, Any]


def registration_public(registration: Registration, position: int | None) -> RegistrationPublic:
    """A registration as the API shows it."""
    return RegistrationPublic(
        id=registration.id or 0,
        offering_id=registration.offering_id,
        educator_id=registration.educator_id,
        status=registration.status,
        cohort_id=registration.cohort_id,
        waitlist_position=position if registration.status == "waitlisted" else None,
        created_at=domain.as_utc(registration.created_at),
    )


def waitlist_position(session: Session, registration: Registration) -> int | None:
    """Rank of a waitlisted registration among those still waiting (1 = next)."""
    if registration.status != "waitlisted":
        return None
    query = select(func.count()).where(
        Registration.offering_id == registration.offering_id,
        Registration.status == "waitlisted",
        col(Registration.waitlist_seq) <= (registration.waitlist_seq or 0),
    )
    return int(session.exec(query).one())


def register_educator(
    session: Session, *, educator_id: int, offering_id: int, idempotency_key: str | None = None
) -> Answer:
    """Give the educator a seat in the offering, or a place on its waitlist."""
    for attempt in range(ATTEMPTS):
        try:
            answer = _register(session, educator_id, offering_id, idempotency_key)
            session.commit()
            return answer
        except DBAPIError as error:
            # IntegrityError: a concurrent request (same educator, same key) committed first,
            # so the next attempt answers as it did. A deadlock victim simply runs again.
            session.rollback()
            again = isinstance(error, IntegrityError) or is_retryable(error)
            if not again or attempt == ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")


def _register(session: Session, educator_id: int, offering_id: int, key: str | None) -> Answer:
    offering, educator = lock_parties(session, offering_id, educator_id)
    if offering is None:
        raise NotFound("offering not found")
    if key is not None:
        stored = session.get(IdempotencyKey, (educator_id, key))
        if stored is not None:
            if stored.offering_id != offering_id:
                raise Conflict("Idempotency-Key was already used for another offering")
            return Answer(stored.status_code, stored.body)
    if educator is None:
        raise NotFound("educator not found")
    board = seat_board(session, offering_id, educator_id)
    if board.existing_registration_id is not None:
        existing = session.get(Registration, board.existing_registration_id)
        assert existing is not None
        view = registration_public(existing, waitlist_position(session, existing))
        return _remember(session, educator_id, offering_id, key, Answer(200, _body(view)))
    _check_open(offering)
    # Only a seat held elsewhere can clash; most registrations skip the overlap query.
    if board.holds_seat_elsewhere:
        clash = clashing_offering(session, educator_id=educator_id, offering_id=offering_id)
        if clash is not None:
            raise Conflict(
                f"meetings overlap offering {clash.id} ({clash.title}), where you hold a seat"
            )
    view = _take_seat_or_wait(session, offering, educator, board)
    return _remember(session, educator_id, offering_id, key, Answer(201, _body(view)))


def _check_open(offering: OfferingFacts) -> None:
    if offering.status == "cancelled":
        raise Conflict("offering is cancelled")
    if offering.status != "published":
        raise Conflict("offering is not published")
    if domain.registration_closed(offering.registration_closes_at_utc, utcnow()):
        raise Conflict("registration for this offering is closed")


def _take_seat_or_wait(
    session: Session, offering: OfferingFacts, educator: EducatorFacts, board: SeatBoard
) -> RegistrationPublic:
    waitlisted, cohorts = board.waitlisted, board.cohorts
    cohort_id = domain.cohort_with_free_seat(cohorts, offering.capacity)
    if cohort_id is None and domain.may_open_cohort(cohorts, offering.max_cohorts):
        opened = _open_cohort_for_demand(session, offering, cohorts)
        if opened is not None:
            cohorts = opened
            cohort_id = domain.cohort_with_free_seat(cohorts, offering.capacity)
            waitlisted = waitlist_length(session, offering.id)  # some were seated meanwhile
    registration = insert_registration(
        session,
        offering_id=offering.id,
        educator_id=educator.id,
        cohort_id=cohort_id,
        waitlist_seq=None if cohort_id is not None else board.last_waitlist_seq + 1,
        now=utcnow(),
    )
    position = None if cohort_id is not None else waitlisted + 1
    view = VIEWS.view(session, offering)
    runtime.outbox.record(
        session, _decision_event(offering, educator, registration, view, cohorts, position)
    )
    return RegistrationPublic(
        id=registration.id,
        offering_id=registration.offering_id,
        educator_id=registration.educator_id,
        status="confirmed" if position is None else "waitlisted",
        cohort_id=registration.cohort_id,
        waitlist_position=position,
        created_at=registration.created_at,
    )


def _decision_event(
    offering: OfferingFacts,
    educator: EducatorFacts,
    registration: NewRegistration,
    view: OfferingView,
    cohorts: list[CohortSeats],
    position: int | None,
) -> events.Event:
    """The event telling the educator where they wait, or which cohort they sit in."""
    if position is not None:
        return waitlist_event(offering, view.meetings, registration.id, educator, position)
    index = next(c.index for c in cohorts if c.cohort_id == registration.cohort_id)
    return events.RegistrationConfirmed(
        registration_id=registration.id,
        educator=educator_recipient(educator),
        cohort=view.cohort(registration.cohort_id or 0, index),
        promoted_from_waitlist=False,
    )


def _open_cohort_for_demand(
    session: Session, facts: OfferingFacts, seats: list[CohortSeats]
) -> list[CohortSeats] | None:
    """Open the next cohort if facilitators are found and seat everyone waiting first; the
    offering's seats afterwards, or None when no cohort could open."""
    offering = session.get(Offering, facts.id)  # its row lock is already held
    assert offering is not None
    meetings = offering_meetings(session, offering.id)
    if not open_next_cohort(
        session, offering=offering, seats=seats, meetings=meetings, on_demand=True
    ):
        return None
    fill_free_seats(session, offering=offering, meetings=meetings)
    return seat_counts(session, offering.id)


def _body(view: RegistrationPublic) -> dict[str, Any]:
    return view.model_dump(mode="json")


def _remember(
    session: Session, educator_id: int, offering_id: int, key: str | None, answer: Answer
) -> Answer:
    if key is not None:
        session.add(
            IdempotencyKey(
                educator_id=educator_id,
                key=key,
                offering_id=offering_id,
                status_code=answer.status_code,
                body=answer.body,
            )
        )
        session.flush()
    return answer
