"""Use case of registering for an offering: a seat, or a place on the waitlist.

Guarantees, on PostgreSQL and SQLite alike: confirmed seats never exceed a cohort's capacity;
an educator holds at most one active registration per offering (a partial unique index backs
the lock); a replayed Idempotency-Key gets the first answer; the waitlist is strict FIFO.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from services.scheduler import snapshots
from services.scheduler.database import kept_since, run_in_transaction, runtime
from services.scheduler.locks import EducatorFacts, OfferingFacts, lock_parties
from services.scheduler.models import IdempotencyKey, Offering, Registration, utcnow
from services.scheduler.registrations import events as registration_events
from services.scheduler.registrations import roster, rules, seats, statements
from services.scheduler.registrations.schemas import RegistrationPublic
from services.scheduler.registrations.statements import seat_board
from shared import events
from shared.columns import as_utc
from shared.errors import Conflict, NotFound
from shared.validation import storable_id


@dataclass(frozen=True)
class Answer:
    """What the API answers: a status code and a JSON body (stored for key replays)."""

    status_code: int
    body: dict[str, Any]


class UnknownEducator(NotFound):
    """The educator has no profile here yet (their first request since signing in)."""


def register_educator(
    *,
    session: Session,
    educator_id: int,
    offering_id: int,
    idempotency_key: str | None = None,
) -> Answer:
    """Give the educator a seat in the offering, or a place on its waitlist."""
    # IntegrityError: a concurrent request (same educator, same key) committed first, so the
    # next attempt answers as it did. A deadlock victim simply runs again.
    return run_in_transaction(
        session,
        lambda: _register(session, educator_id, offering_id, idempotency_key),
        retry_integrity=True,
    )


def _register(session: Session, educator_id: int, offering_id: int, key: str | None) -> Answer:
    if not storable_id(offering_id):
        raise NotFound("offering not found")
    offering, educator = lock_parties(session, offering_id, educator_id)
    if offering is None:
        raise NotFound("offering not found")
    if key is not None:
        stored = _stored_answer(session, educator_id, key)
        if stored is not None:
            if stored.offering_id != offering_id:
                raise Conflict("Idempotency-Key was already used for another offering")
            return Answer(stored.status_code, stored.body)
    if educator is None:
        raise UnknownEducator("educator not found")
    board = seat_board(session, offering_id, educator_id)
    if board.existing_registration_id is not None:
        existing = session.get(Registration, board.existing_registration_id)
        assert existing is not None
        view = roster.registration_public(existing, roster.waitlist_position(session, existing))
        return _remember(session, educator_id, offering_id, key, Answer(200, _body(view)))
    _check_open(offering)
    # Only a seat held elsewhere can clash; most registrations skip the overlap query.
    if board.holds_seat_elsewhere:
        clash = seats.clashing_offering(session, educator_id=educator_id, offering_id=offering_id)
        if clash is not None:
            raise Conflict(
                f"meetings overlap offering {clash.id} ({clash.title}), where you hold a seat"
            )
    view = _take_seat_or_wait(session, offering, educator, board)
    return _remember(session, educator_id, offering_id, key, Answer(201, _body(view)))


def _check_open(offering: OfferingFacts) -> None:
    if offering.status == Offering.CANCELLED:
        raise Conflict("offering is cancelled")
    if offering.status != Offering.PUBLISHED:
        raise Conflict("offering is not published")
    if rules.registration_closed(offering.registration_closes_at_utc, utcnow()):
        raise Conflict("registration for this offering is closed")


def _take_seat_or_wait(
    session: Session, offering: OfferingFacts, educator: EducatorFacts, board: statements.SeatBoard
) -> RegistrationPublic:
    waitlisted, cohorts = board.waitlisted, board.cohorts
    cohort_id = rules.cohort_with_free_seat(cohorts, offering.capacity)
    if cohort_id is None and rules.may_open_cohort(cohorts, offering.max_cohorts):
        opened = _open_cohort_for_demand(session, offering, cohorts)
        if opened is not None:
            cohorts = opened
            cohort_id = rules.cohort_with_free_seat(cohorts, offering.capacity)
            waitlisted = seats.waitlist_length(session, offering.id)  # some were seated meanwhile
    registration = statements.insert_registration(
        session,
        offering_id=offering.id,
        educator_id=educator.id,
        cohort_id=cohort_id,
        waitlist_seq=None if cohort_id is not None else board.last_waitlist_seq + 1,
        now=utcnow(),
    )
    position = None if cohort_id is not None else waitlisted + 1
    view = snapshots.VIEWS.view(session, offering)
    runtime.outbox.record(
        session, _decision_event(offering, educator, registration, view, cohorts, position)
    )
    return RegistrationPublic(
        id=registration.id,
        offering_id=registration.offering_id,
        educator_id=registration.educator_id,
        status=Registration.CONFIRMED if position is None else Registration.WAITLISTED,
        cohort_id=registration.cohort_id,
        waitlist_position=position,
        created_at=registration.created_at,
    )


def _decision_event(
    offering: OfferingFacts,
    educator: EducatorFacts,
    registration: statements.NewRegistration,
    view: snapshots.OfferingView,
    cohorts: list[rules.CohortSeats],
    position: int | None,
) -> events.Event:
    """The event telling the educator where they wait, or which cohort they sit in."""
    if position is not None:
        return registration_events.waitlisted(
            offering=offering,
            meetings=view.meetings,
            registration_id=registration.id,
            educator=educator,
            position=position,
        )
    index = next(c.index for c in cohorts if c.cohort_id == registration.cohort_id)
    return registration_events.confirmed(
        registration_id=registration.id,
        educator=educator,
        cohort=view.cohort(registration.cohort_id or 0, index),
        promoted=False,
    )


def _open_cohort_for_demand(
    session: Session, facts: OfferingFacts, counts: list[rules.CohortSeats]
) -> list[rules.CohortSeats] | None:
    """Open the next cohort if facilitators are found and seat everyone waiting first; the
    offering's seats afterwards, or None when no cohort could open."""
    offering = session.get(Offering, facts.id)  # its row lock is already held
    assert offering is not None
    meetings = snapshots.offering_meetings(session, offering.id)
    if not seats.open_next_cohort(
        session=session, offering=offering, seats=counts, meetings=meetings, on_demand=True
    ):
        return None
    seats.fill_free_seats(session=session, offering=offering, meetings=meetings)
    return seats.seat_counts(session, offering.id)


def _stored_answer(session: Session, educator_id: int, key: str) -> IdempotencyKey | None:
    stored = session.get(IdempotencyKey, (educator_id, key))
    if stored is not None and as_utc(stored.created_at) < kept_since():
        # Expired but not yet swept: the key is free again, whenever the sweep runs.
        session.delete(stored)
        session.flush()
        return None
    return stored


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
