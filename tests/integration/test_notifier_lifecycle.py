"""Property: whatever a booking goes through, a recipient's calendar ends up right.

Random sequences of confirm / reschedule / change venue / add or remove a meeting / cancel /
cancel the cohort go through the real handlers and ledger on PostgreSQL (each event in its own
transaction, some delivered twice). Then, per recipient: one UID per meeting, SEQUENCE strictly
increasing per UID, and the last message of each UID says what the final state is.
"""

from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from shared.events import (
    Cohort,
    CohortCancelled,
    CohortUpdated,
    Event,
    RegistrationCancelled,
    RegistrationConfirmed,
    Venue,
)
from tests.support.notifier import (
    apply,
    calendar_of,
    cohort,
    forget_deliveries,
    meeting_at,
    new_id,
    person,
    weekly_meetings,
)

OPERATIONS = st.lists(
    st.one_of(
        st.just(("confirm",)),
        st.tuples(st.just("reschedule"), st.integers(0, 5), st.integers(-3, 3)),
        st.tuples(st.just("venue"), st.sampled_from(["Room A", "Room B", "Salle Ç"])),
        st.just(("add",)),
        st.tuples(st.just("remove"), st.integers(0, 5)),
        st.just(("cancel",)),
        st.just(("cancel_cohort",)),
    ),
    min_size=1,
    max_size=8,
)


@pytest.fixture(scope="module", autouse=True)
def schema() -> None:
    runtime.migrate()


class Story:
    """The scheduler's side of one educator's booking, emitting the events it would."""

    def __init__(self) -> None:
        self.educator = person()
        self.cohort: Cohort = cohort(weekly_meetings(3))
        self.registration: int | None = None
        self.over = False

    def events(self, operation: tuple) -> list[Event]:
        if self.over:
            return []
        name = operation[0]
        if name == "confirm":
            if self.registration is not None:
                return []
            self.registration = new_id()
            return [
                RegistrationConfirmed(
                    registration_id=self.registration, educator=self.educator, cohort=self.cohort
                )
            ]
        if name == "cancel":
            if self.registration is None:
                return []
            event = RegistrationCancelled(
                registration_id=self.registration,
                educator=self.educator,
                offering_id=self.cohort.offering_id,
                previous_status="confirmed",
                reason="by_educator",
                cohort=self.cohort,
            )
            self.registration = None
            return [event]
        if name == "cancel_cohort":
            self.over = True
            recipients = [self.educator] if self.registration else []
            return [
                CohortCancelled(cohort=self.cohort, reason="low enrolment", recipients=recipients)
            ]
        return self._change(operation)

    def _change(self, operation: tuple) -> list[Event]:
        name, meetings = operation[0], list(self.cohort.meetings)
        removed = []
        if name == "reschedule" and meetings:
            index, days = operation[1] % len(meetings), operation[2] or 1
            shift = timedelta(days=days, hours=1)
            m = meetings[index]
            meetings[index] = m.model_copy(
                update={
                    key: getattr(m, key) + shift
                    for key in ("starts_at", "ends_at", "starts_at_utc", "ends_at_utc")
                }
            )
        elif name == "add":
            meetings.append(
                meeting_at(meetings[-1].starts_at_utc + timedelta(days=7))
                if meetings
                else weekly_meetings(1)[0]
            )
        elif name == "remove" and len(meetings) > 1:
            removed = [meetings.pop(operation[1] % len(meetings))]
        update: dict = {"meetings": meetings}
        if name == "venue":
            update["venue"] = Venue(
                name=operation[1], address="1 Main St", city="Dayton", state="OH"
            )
        self.cohort = self.cohort.model_copy(update=update)
        recipients = [self.educator] if self.registration else []
        return [
            CohortUpdated(
                cohort=self.cohort, changed=[name], meetings_removed=removed, recipients=recipients
            )
        ]

    def final_state(self) -> dict:
        """Meeting start by UID-less meeting id for what should be on the calendar now."""
        if self.over or self.registration is None:
            return {}
        return {m.id: m.starts_at_utc for m in self.cohort.meetings}


def calendar_messages(email: str) -> list[tuple[str, str, int, Any, int]]:
    """(method, uid, sequence, start) of every calendar message to `email`, in ledger order."""
    with runtime.engine().connect() as connection:
        rows = connection.execute(
            select(delivery.c.message, delivery.c.meeting_id)
            .where(delivery.c.recipient == email.lower(), delivery.c.method.is_not(None))
            .order_by(delivery.c.id)
        ).all()
    found = []
    for raw, meeting_id in rows:
        method, calendar = calendar_of(message_from_bytes(raw, policy=policy.default))
        (event,) = calendar.walk("VEVENT")
        assert method == str(calendar["METHOD"])
        found.append(
            (
                method,
                str(event["UID"]),
                int(event["SEQUENCE"]),
                event.decoded("DTSTART"),
                meeting_id,
            )
        )
    return found


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations=OPERATIONS, duplicates=st.lists(st.booleans(), min_size=8, max_size=8))
def test_calendar_converges_to_the_final_state(operations, duplicates) -> None:
    story = Story()
    for operation, twice in zip(operations, duplicates, strict=False):
        for event in story.events(operation):
            apply(event, 2 if twice else 1)
    messages = calendar_messages(story.educator.email)
    try:
        uid_by_meeting: dict[int, str] = {}
        last: dict[str, tuple] = {}
        for method, uid, sequence, start, meeting_id in messages:
            assert uid_by_meeting.setdefault(meeting_id, uid) == uid, "one UID per meeting"
            if uid in last:
                assert sequence > last[uid][2], "SEQUENCE strictly increases"
            last[uid] = (method, uid, sequence, start, meeting_id)
        assert len(set(uid_by_meeting.values())) == len(uid_by_meeting)
        final = story.final_state()
        for method, _uid, _sequence, start, meeting_id in last.values():
            if meeting_id in final:
                assert method == "REQUEST" and start == final[meeting_id]
            else:
                assert method == "CANCEL"
        assert set(final) <= set(uid_by_meeting), "every booked meeting was announced"
    finally:
        forget_deliveries(story.educator.email)
