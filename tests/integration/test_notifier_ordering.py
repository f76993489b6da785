"""Events late, early or twice: the bookings projection decides, so nothing is sent wrongly."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from shared.events import (
    Cohort,
    CohortCancelled,
    Recipient,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationWaitlisted,
)
from tests.support.notifier import apply, cohort, forget_deliveries, new_id, person, weekly_meetings


@pytest.fixture()
def educator() -> Iterator[Recipient]:
    runtime.migrate()
    someone = person()
    yield someone
    forget_deliveries(someone.email)


def sent_to(recipient: Recipient) -> list[tuple[str, int, int, str | None]]:
    """(kind, meeting id, sequence, uid) of every ledger row for the recipient, in order."""
    with runtime.engine().connect() as connection:
        query = (
            select(delivery.c.kind, delivery.c.meeting_id, delivery.c.sequence, delivery.c.uid)
            .where(delivery.c.recipient == recipient.email.lower())
            .order_by(delivery.c.id)
        )
        return [tuple(row) for row in connection.execute(query)]


def cancelled(recipient: Recipient, booked: Cohort, registration: int, reason: str = "by_educator"):
    return RegistrationCancelled(
        registration_id=registration,
        educator=recipient,
        offering_id=booked.offering_id,
        previous_status="confirmed",
        reason=reason,
        cohort=booked,
    )


def test_cohort_cancelled_then_offering_cancellation_sends_one_cancel(educator: Recipient) -> None:
    booked = cohort(weekly_meetings(2))
    registration = new_id()
    apply(RegistrationConfirmed(registration_id=registration, educator=educator, cohort=booked))
    apply(CohortCancelled(cohort=booked, reason="offering cancelled", recipients=[educator]))
    apply(cancelled(educator, booked, registration, "offering_cancelled"))
    kinds = [row[0] for row in sent_to(educator)]
    assert kinds == ["invite", "invite", "cancel", "cancel"]


def test_a_cancellation_arriving_first_stops_the_late_invite(educator: Recipient) -> None:
    booked = cohort(weekly_meetings(2))
    registration = new_id()
    apply(cancelled(educator, booked, registration))
    apply(RegistrationConfirmed(registration_id=registration, educator=educator, cohort=booked))
    assert sent_to(educator) == []


def test_a_late_waitlist_notice_is_dropped_once_the_seat_is_held(educator: Recipient) -> None:
    booked = cohort(weekly_meetings(1))
    registration = new_id()
    apply(
        RegistrationConfirmed(
            registration_id=registration,
            educator=educator,
            cohort=booked,
            promoted_from_waitlist=True,
        )
    )
    apply(
        RegistrationWaitlisted(
            registration_id=registration,
            educator=educator,
            offering_id=booked.offering_id,
            offering_title=booked.title,
            program_title=booked.program_title,
            sensitive=False,
            timezone=booked.timezone,
            position=1,
            meetings=booked.meetings,
        )
    )
    assert [row[0] for row in sent_to(educator)] == ["invite"]


def test_registering_again_reuses_the_uid_with_a_higher_sequence(educator: Recipient) -> None:
    booked = cohort(weekly_meetings(1))
    first, second = new_id(), new_id()
    apply(RegistrationConfirmed(registration_id=first, educator=educator, cohort=booked))
    apply(cancelled(educator, booked, first))
    apply(RegistrationConfirmed(registration_id=second, educator=educator, cohort=booked), times=2)
    # The first registration's cancellation, delivered again late, leaves the new one alone.
    apply(cancelled(educator, booked, first))
    rows = sent_to(educator)
    assert [(kind, sequence) for kind, _, sequence, _ in rows] == [
        ("invite", 0),
        ("cancel", 1),
        ("invite", 2),
    ]
    assert len({uid for *_, uid in rows}) == 1


def test_duplicates_of_every_event_change_nothing(educator: Recipient) -> None:
    booked = cohort(weekly_meetings(2))
    registration = new_id()
    apply(RegistrationConfirmed(registration_id=registration, educator=educator, cohort=booked), 3)
    apply(cancelled(educator, booked, registration), 3)
    apply(CohortCancelled(cohort=booked, reason="low enrolment", recipients=[educator]), 3)
    assert [row[0] for row in sent_to(educator)] == ["invite", "invite", "cancel", "cancel"]


def test_a_message_whose_sender_keeps_dying_ends_failed(educator: Recipient) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from services.notifier.delivery.ledger import retry_deliveries
    from shared.columns import utcnow
    from shared.settings import get_settings

    apply(
        RegistrationConfirmed(
            registration_id=new_id(), educator=educator, cohort=cohort(weekly_meetings(2))
        )
    )
    email = educator.email.lower()
    mine = select(delivery.c.id).where(delivery.c.recipient == email).order_by(delivery.c.id)
    stale = {"status": "sending", "lease_until": utcnow() - timedelta(seconds=1)}
    with runtime.engine().begin() as connection:
        ids = list(connection.execute(mine).scalars())
        # One died on its last allowed attempt, the other still has attempts left.
        most = get_settings().cohort_mail_max_attempts
        for row_id, attempts in zip(ids, (most, 1), strict=True):
            change = update(delivery).where(delivery.c.id == row_id)
            connection.execute(change.values(attempts=attempts, **stale))
    retry_deliveries(runtime.engine())
    with runtime.engine().connect() as connection:
        rows: dict[int, str] = dict(
            connection.execute(
                select(delivery.c.id, delivery.c.status).where(delivery.c.id.in_(ids))
            ).all()
        )
    assert rows == {ids[0]: "failed", ids[1]: "sending"}


def test_one_unusable_address_fails_alone_and_visibly(educator: Recipient) -> None:
    broken = person().model_copy(update={"email": "not an address"})
    booked = cohort(weekly_meetings(1))
    apply(RegistrationConfirmed(registration_id=new_id(), educator=broken, cohort=booked))
    apply(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    assert [row[0] for row in sent_to(educator)] == ["invite"]
    with runtime.engine().connect() as connection:
        status, error = connection.execute(
            select(delivery.c.status, delivery.c.error).where(
                delivery.c.recipient == "not an address"
            )
        ).one()
    assert status == "failed" and "cannot compose" in error
    forget_deliveries(broken.email)
