"""The consume task sends what its event queued; the `mail` queue keeps everything it does not."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import RowMapping, select

from services.notifier import tasks
from services.notifier.database import runtime
from services.notifier.delivery import inline
from services.notifier.delivery.claims import claim_rows, record_sent
from services.notifier.delivery.ledger import delivery
from services.notifier.delivery.sending import send_deliveries
from shared.columns import utcnow
from shared.events import Recipient, RegistrationConfirmed, wrap
from tests.support.notifier import (
    addressed_to,
    apply,
    cohort,
    forget_deliveries,
    in_process_sink,
    new_id,
    person,
    weekly_meetings,
)
from tests.support.smtp import SmtpSink


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with in_process_sink() as server:
        yield server


@pytest.fixture()
def educator() -> Iterator[Recipient]:
    someone = person()
    yield someone
    forget_deliveries(someone.email)


@pytest.fixture(autouse=True)
def not_paused() -> Iterator[None]:
    inline._paused_until[0] = 0.0
    yield
    inline._paused_until[0] = 0.0


def confirmed(educator: Recipient, meetings: int = 1) -> RegistrationConfirmed:
    return RegistrationConfirmed(
        registration_id=new_id(), educator=educator, cohort=cohort(weekly_meetings(meetings))
    )


def envelope(event: RegistrationConfirmed) -> dict[str, Any]:
    return wrap(event, producer="scheduler").model_dump(mode="json")


def consume(event: RegistrationConfirmed | dict[str, Any]) -> str:
    """Run the notifier's consume task in this process, as a worker serving both queues would."""
    payload = event if isinstance(event, dict) else envelope(event)
    return str(tasks.consume_event(payload))


def rows_for(email: str) -> list[RowMapping]:
    with runtime.engine().connect() as connection:
        query = select(delivery).where(delivery.c.recipient == email.lower())
        return list(connection.execute(query.order_by(delivery.c.id)).mappings().all())


def test_the_consume_task_sends_its_invites_before_it_returns(
    sink: SmtpSink, educator: Recipient
) -> None:
    event = envelope(confirmed(educator, meetings=2))
    assert consume(event) == "applied"
    assert len(addressed_to(sink.messages, educator.email)) == 2
    rows = rows_for(educator.email)
    assert [(r["status"], r["attempts"], r["claim"]) for r in rows] == [("sent", 1, None)] * 2
    assert consume(event) == "duplicate"
    assert len(addressed_to(sink.messages, educator.email)) == 2


def test_a_worker_without_the_mail_queue_leaves_sending_to_it(
    sink: SmtpSink, educator: Recipient
) -> None:
    queues = tasks.celery_app.amqp.queues
    assert tasks._serves_mail()
    queues.select(["notifier"])
    try:
        assert not tasks._serves_mail()
        assert consume(confirmed(educator)) == "applied"
    finally:
        queues.select(["notifier", "mail"])
    assert [r["status"] for r in rows_for(educator.email)] == ["queued"]
    assert addressed_to(sink.messages, educator.email) == []


def test_many_messages_for_one_event_go_through_the_mail_queue(
    sink: SmtpSink, educator: Recipient
) -> None:
    assert consume(confirmed(educator, meetings=inline.INLINE_LIMIT + 1)) == "applied"
    rows = rows_for(educator.email)
    assert len(rows) == inline.INLINE_LIMIT + 1
    assert {(r["status"], r["attempts"]) for r in rows} == {("queued", 0)}


def test_smtp_down_pauses_inline_sending_and_the_rows_retry(
    sink: SmtpSink, educator: Recipient
) -> None:
    sink.stop()
    try:
        assert consume(confirmed(educator)) == "applied"
    finally:
        sink.start()
    (row,) = rows_for(educator.email)
    assert row["status"] == "queued" and "SMTP unreachable" in row["error"]
    assert row["attempts"] == 1 and row["claim"] is None
    assert inline.paused()
    later = person()
    try:
        assert consume(confirmed(later)) == "applied"
        assert [r["status"] for r in rows_for(later.email)] == ["queued"]
    finally:
        forget_deliveries(later.email)


def test_rows_of_a_task_that_died_after_its_commit_are_sent_once_the_lease_runs_out(
    sink: SmtpSink, educator: Recipient
) -> None:
    # Taken under a lease that has already run out, then never sent: the task "died".
    claim = inline.SenderClaim(token="died", lease_until=utcnow() - timedelta(seconds=1), limit=10)
    apply(confirmed(educator), on_session=lambda session: inline.take(session, claim))
    (row,) = rows_for(educator.email)
    assert (row["status"], row["claim"], row["attempts"]) == ("sending", "died", 1)
    assert [taken.id for taken in claim.taken] == [row["id"]]
    report = send_deliveries(runtime.engine(), [row["id"]], drain=False)
    assert report.sent == 1
    (row,) = rows_for(educator.email)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert len(addressed_to(sink.messages, educator.email)) == 1


def test_one_update_records_many_claims_but_only_rows_still_held_under_them(
    sink: SmtpSink, educator: Recipient
) -> None:
    queues = tasks.celery_app.amqp.queues
    queues.select(["notifier"])
    try:
        assert consume(confirmed(educator, meetings=3)) == "applied"
    finally:
        queues.select(["notifier", "mail"])
    first, second, third = (r["id"] for r in rows_for(educator.email))
    with runtime.engine().connect() as connection:
        mine = claim_rows(connection, [first, second], limit=2, drain=False)
        other = claim_rows(connection, [third], limit=1, drain=False)
        # `second` was taken over by a later sender meanwhile: its old claim no longer counts.
        with connection.begin():
            connection.execute(
                delivery.update().where(delivery.c.id == second).values(claim="someone-else")
            )
        record_sent(connection, [(mine.token, [first, second]), (other.token, [third])])
    statuses = {r["id"]: (r["status"], r["claim"]) for r in rows_for(educator.email)}
    assert statuses == {
        first: ("sent", None),
        second: ("sending", "someone-else"),
        third: ("sent", None),
    }
