"""The SMTP client against a real SMTP server: reuse, reconnect, refusals, AUTH."""

from collections.abc import Iterator

import pytest

from services.notifier.delivery.mailer import ConnectionLost, Mailer, Refused
from shared.settings import Settings
from tests.support.smtp import SmtpSink

MESSAGE = b"Subject: hello\r\nFrom: a@cohort.localhost\r\nTo: b@example.org\r\n\r\nHi.\r\n"


@pytest.fixture()
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


def mailer_for(sink: SmtpSink, **settings: object) -> Mailer:
    return Mailer(Settings(cohort_smtp_port=sink.port, cohort_smtp_timeout=3, **settings))  # type: ignore[arg-type]


def test_one_connection_serves_many_messages(sink: SmtpSink) -> None:
    mailer = mailer_for(sink)
    for index in range(5):
        mailer.send(f"reader{index}@example.org", MESSAGE)
    assert len(sink.messages) == 5
    assert sink.connections == 2  # the server's own readiness probe, then ours
    assert sink.messages[0].mail_from == "no-reply@cohort.localhost"
    mailer.close()


def test_a_server_restart_is_survived(sink: SmtpSink) -> None:
    mailer = mailer_for(sink)
    mailer.send("reader@example.org", MESSAGE)
    sink.stop()
    sink.start()
    mailer.send("reader@example.org", MESSAGE)
    assert len(sink.messages) == 2


def test_server_down_is_a_lost_connection(sink: SmtpSink) -> None:
    mailer = mailer_for(sink)
    sink.stop()
    with pytest.raises(ConnectionLost):
        mailer.send("reader@example.org", MESSAGE)


def test_refused_recipient_is_permanent_and_the_connection_stays(sink: SmtpSink) -> None:
    sink.refuse.add("gone@example.org")
    mailer = mailer_for(sink)
    with pytest.raises(Refused) as refused:
        mailer.send("gone@example.org", MESSAGE)
    assert refused.value.permanent and refused.value.code == 550
    mailer.send("reader@example.org", MESSAGE)
    assert len(sink.messages) == 1


def test_auth_when_configured() -> None:
    with SmtpSink(login=("cohort", "s3cret")) as sink:
        mailer_for(sink, cohort_smtp_user="cohort", cohort_smtp_password="s3cret").send(
            "reader@example.org", MESSAGE
        )
        assert len(sink.messages) == 1
