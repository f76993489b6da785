"""An offering cancelled with the affiliate's reason: the educators' CANCEL mail names it (a
sensitive program's stays neutral), through a real notifier worker into a real SMTP server."""

from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from shared.events import CohortCancelled, RegistrationConfirmed
from tests.support.notifier import (
    addressed_to,
    calendar_of,
    cohort,
    new_id,
    notifier_worker,
    person,
    plain_text,
    publish,
    started,
    weekly_meetings,
    worker_env,
)
from tests.support.processes import Process
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.timeout(120)
REASON = "The venue flooded; we will post new dates soon."


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def worker(sink: SmtpSink, test_env: dict[str, str], tmp_path_factory) -> Iterator[Process]:
    log_dir = tmp_path_factory.mktemp("notifier-cancel-reason")
    with started(notifier_worker(worker_env(test_env, sink), log_dir)) as process:
        yield process


def _cancel_mail(sink: SmtpSink, *, sensitive: bool, reason: str) -> EmailMessage:
    educator = person()
    booked = cohort(weekly_meetings(1), sensitive=sensitive)
    publish(RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked))
    sink.wait_for(lambda seen: len(addressed_to(seen, educator.email)) >= 1, timeout=20)
    publish(CohortCancelled(cohort=booked, reason=reason, recipients=[educator]))
    sink.wait_for(lambda seen: len(addressed_to(seen, educator.email)) >= 2, timeout=20)
    message = addressed_to(sink.messages, educator.email)[1].parsed()
    assert calendar_of(message)[0] == "CANCEL"
    return message


def test_the_cancellation_names_the_affiliates_reason(sink: SmtpSink, worker: Process) -> None:
    assert f"Reason: {REASON}" in plain_text(_cancel_mail(sink, sensitive=False, reason=REASON))


def test_no_reason_of_its_own_and_a_sensitive_program_say_none(
    sink: SmtpSink, worker: Process
) -> None:
    placeholder = _cancel_mail(sink, sensitive=False, reason="offering_cancelled")
    assert "Reason" not in plain_text(placeholder)
    assert REASON not in plain_text(_cancel_mail(sink, sensitive=True, reason=REASON))
