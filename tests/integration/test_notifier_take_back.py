"""A worker restarting after a crash takes back its dead run's rows at once; a record the
database refused for a passing reason is tried again rather than the message sent twice."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import RowMapping, select
from sqlalchemy import exc as sa

from services.notifier.database import runtime
from services.notifier.delivery import claims, inline, recorder
from services.notifier.delivery.ledger import delivery
from services.notifier.delivery.sending import send_deliveries
from shared.columns import utcnow
from shared.events import Recipient, RegistrationConfirmed
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

NODE = "notifier-worker@host-a"


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with in_process_sink() as server:
        yield server


@pytest.fixture()
def educator() -> Iterator[Recipient]:
    someone = person()
    yield someone
    forget_deliveries(someone.email)


def _held_by(educator: Recipient, token: str) -> RowMapping:
    """An invite written `sending` under `token`, its lease far from over, never sent."""
    claim = inline.SenderClaim(token=token, lease_until=utcnow() + timedelta(hours=1), limit=10)
    event = RegistrationConfirmed(
        registration_id=new_id(), educator=educator, cohort=cohort(weekly_meetings(1))
    )
    apply(event, on_session=lambda session: inline.take(session, claim))
    return _row(educator)


def _row(educator: Recipient) -> RowMapping:
    with runtime.engine().connect() as connection:
        query = select(delivery).where(delivery.c.recipient == educator.email.lower())
        return connection.execute(query).mappings().one()


def test_a_claim_token_names_its_worker_and_stays_uuid_sized() -> None:
    saved = claims._sender[0]
    try:
        claims.name_sender(NODE)
        token = claims.new_token()
    finally:
        claims._sender[0] = saved
    assert token.startswith(f"{claims.sender_tag(NODE)}-")
    assert len(token) == 36
    assert claims.sender_tag(NODE) != claims.sender_tag("notifier-worker@host-b")


def test_a_restarted_worker_frees_only_what_its_dead_run_held(sink: SmtpSink) -> None:
    mine, theirs = person(), person()
    try:
        held = _held_by(mine, claims.sender_tag(NODE) + claims.new_token()[8:])
        other = _held_by(theirs, claims.sender_tag("notifier-worker@host-b") + "-x")
        with runtime.engine().connect() as connection:
            freed, _ = claims.take_back(connection, NODE)
        assert freed == 1
        assert _row(theirs)["lease_until"] == other["lease_until"]
        assert _row(mine)["dispatched_at"] is None  # the next sweep enqueues it
        assert send_deliveries(runtime.engine(), [held["id"]], drain=False).sent == 1
        assert len(addressed_to(sink.messages, mine.email)) == 1
        assert send_deliveries(runtime.engine(), [other["id"]], drain=False).sent == 0
    finally:
        forget_deliveries(mine.email)
        forget_deliveries(theirs.email)


def test_a_record_refused_while_the_database_restarts_is_tried_again(
    sink: SmtpSink, educator: Recipient, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusals = [sa.OperationalError("UPDATE", None, Exception("the database is shutting down"))]

    def record_once_it_is_back(*args: Any) -> None:
        if refusals:
            raise refusals.pop()
        claims.record_sent(*args)

    monkeypatch.setattr(recorder, "record_sent", record_once_it_is_back)
    monkeypatch.setattr(recorder, "RETRY_FIRST", 0.01)
    row = _held_by(educator, claims.new_token())
    claims_token = str(row["claim"])
    rows = [
        claims.ClaimedRow(row["id"], educator.email, "invite", None, 0, 1, None, row["message"])
    ]
    sent = recorder.SentRecorder(runtime.engine())
    sent.record(claims_token, rows)
    sent.flush()
    assert refusals == []
    assert _row(educator)["status"] == "sent"
