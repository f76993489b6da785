"""Certificates on the real notifier: `completion.earned` from the bus becomes one mail through
aiosmtpd carrying the PDF (its text and QR code read back), verification follows `credit.revoked`,
and the PDF and transcript routes answer only their holder and operators."""

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from services.notifier.main import app
from shared.events import CompletionEarned, CreditRevoked, PersonErased, Recipient
from shared.settings import get_settings
from tests.support.certificates import pdf_qr_codes, pdf_text
from tests.support.notifier import (
    addressed_to,
    apply,
    cohort,
    forget_deliveries,
    new_id,
    notifier_worker,
    person,
    publish,
    started,
    weekly_meetings,
    worker_env,
)
from tests.support.processes import Process
from tests.support.smtp import SmtpSink
from tests.support.tokens import bearer, educator_token, operator_token, sign_with_another_key

pytestmark = pytest.mark.timeout(180)
CONTACT = "training@ohea.example.org"


@pytest.fixture(scope="module")
def sink() -> Iterator[SmtpSink]:
    with SmtpSink() as server:
        yield server


@pytest.fixture(scope="module")
def worker(sink: SmtpSink, test_env: dict[str, str], tmp_path_factory) -> Iterator[Process]:
    log_dir = tmp_path_factory.mktemp("notifier-certificates")
    with started(notifier_worker(worker_env(test_env, sink), log_dir)) as process:
        yield process


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture()
def educator() -> Iterator[Recipient]:
    someone = person(name="Dana Teacher")
    yield someone
    forget_deliveries(someone.email)


def earned(educator: Recipient, **changes: object) -> CompletionEarned:
    taken = cohort(weekly_meetings(2), pd_hours=6, affiliate_contact_email=CONTACT, **changes)
    return CompletionEarned(
        credit_id=new_id(),
        certificate_id=f"crt_{secrets.token_urlsafe(12)}",
        educator=educator,
        cohort=taken,
        hours=6,
        completed_on=date(2026, 11, 3),
        attended_percent=100,
        facilitator_names=["Fay Leader"],
    )


def mails(sink: SmtpSink, email: str, count: int = 1) -> list[EmailMessage]:
    sink.wait_for(lambda messages: len(addressed_to(messages, email)) >= count, timeout=30)
    return [m.parsed() for m in addressed_to(sink.messages, email)]


def attached_pdf(message: EmailMessage) -> bytes:
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "certificate.pdf"
    data = attachment.get_content()
    assert isinstance(data, bytes)
    return data


def until(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def ledger_kinds(email: str) -> list[str]:
    with runtime.engine().connect() as connection:
        query = select(delivery.c.kind).where(delivery.c.recipient == email.lower())
        return list(connection.execute(query).scalars())


def verify_url(certificate_id: str) -> str:
    return f"{get_settings().cohort_portal_url.rstrip('/')}/verify/{certificate_id}"


def test_completion_mails_the_certificate_once_and_verify_follows_revocation(
    sink: SmtpSink, worker: Process, client: TestClient, educator: Recipient, tmp_path: Path
) -> None:
    event = earned(educator)
    publish(event)
    (message,) = mails(sink, educator.email)
    assert message["X-Cohort-Kind"] == "certificate"
    assert message["Subject"] == "Your certificate: Classroom Management"
    assert message["Reply-To"] == CONTACT
    pdf = attached_pdf(message)
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Dana Teacher",
        "Classroom Management",
        "6 PD hours",
        verify_url(event.certificate_id),
    ):
        assert expected in text, expected
    assert pdf_qr_codes(pdf, tmp_path) == [verify_url(event.certificate_id)]

    verified = client.get(f"/verify/{event.certificate_id}")
    assert verified.status_code == 200
    assert verified.json() == {
        "status": "valid",
        "educator_name": "Dana Teacher",
        "program_title": "Classroom Management",
        "hours": 6.0,
        "completed_on": "2026-11-03",
        "affiliate_name": "Ohio Education Association",
    }

    publish(event)  # redelivered: no second mail
    revoked = CreditRevoked(
        credit_id=event.credit_id,
        certificate_id=event.certificate_id,
        educator_id=educator.id,
        reason="attendance entered by mistake",
    )
    publish(revoked)
    until(lambda: client.get(f"/verify/{event.certificate_id}").json()["status"] == "revoked")
    time.sleep(1)  # the redelivery, consumed before or alongside the revocation, has had its turn
    assert len(mails(sink, educator.email)) == 1
    assert ledger_kinds(educator.email) == ["certificate"]


def test_a_sensitive_programs_certificate_mail_has_a_neutral_subject(
    sink: SmtpSink, worker: Process, educator: Recipient, tmp_path: Path
) -> None:
    event = earned(educator, sensitive=True, program_title="Grief support")
    publish(event)
    (message,) = mails(sink, educator.email)
    assert message["Subject"] == "Your certificate"
    assert "Grief support" in pdf_text(attached_pdf(message), tmp_path)


def test_a_spanish_certificate(sink: SmtpSink, worker: Process, tmp_path: Path) -> None:
    educator = person(name="Lucía Pérez").model_copy(update={"locale": "es"})
    publish(earned(educator))
    (message,) = mails(sink, educator.email)
    assert message["Subject"] == "Tu certificado: Classroom Management"
    text = pdf_text(attached_pdf(message), tmp_path)
    assert "Certificado de finalización" in text and "3 de noviembre de 2026" in text
    assert "6 horas de desarrollo profesional" in text
    forget_deliveries(educator.email)


def test_the_pdf_answers_its_holder_and_operators_only(
    client: TestClient, educator: Recipient, tmp_path: Path
) -> None:
    event = earned(educator)
    apply(event, times=2)
    path = f"/certificates/{event.certificate_id}.pdf"
    mine = client.get(path, headers=bearer(educator_token(educator.id, educator.email)))
    assert mine.status_code == 200 and mine.headers["content-type"] == "application/pdf"
    assert "Dana Teacher" in pdf_text(mine.content, tmp_path)
    assert client.get(path, headers=bearer(operator_token())).status_code == 200
    stranger = bearer(educator_token(new_id(), "someone@schools.example.org"))
    assert client.get(path, headers=stranger).status_code == 404
    assert client.get(path).status_code == 401
    unknown = f"/certificates/crt_{secrets.token_urlsafe(12)}.pdf"
    assert client.get(unknown, headers=bearer(operator_token())).status_code == 404


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has%20space", "semi;colon1", "ünïcode123"])
def test_malformed_certificate_ids_are_refused_cleanly(client: TestClient, bad: str) -> None:
    assert client.get(f"/verify/{bad}").status_code in (404, 422)
    operator = bearer(operator_token())
    assert client.get(f"/certificates/{bad}.pdf", headers=operator).status_code in (404, 422)


def test_verify_needs_no_token_but_refuses_a_bad_one(
    client: TestClient, educator: Recipient
) -> None:
    event = earned(educator)
    apply(event)
    path = f"/verify/{event.certificate_id}"
    assert client.get(path).status_code == 200
    forged = sign_with_another_key([{"role": "operator"}])
    assert client.get(path, headers=bearer(forged)).status_code == 401
    assert client.get(f"/verify/crt_{secrets.token_urlsafe(12)}").status_code == 404


def test_transcripts_total_the_valid_hours(
    client: TestClient, educator: Recipient, tmp_path: Path
) -> None:
    first, second = earned(educator), earned(educator)
    apply(first)
    apply(second)
    apply(
        CreditRevoked(
            credit_id=second.credit_id,
            certificate_id=second.certificate_id,
            educator_id=educator.id,
            reason="duplicate",
        )
    )
    mine = client.get(
        "/transcripts/me.pdf", headers=bearer(educator_token(educator.id, educator.email))
    )
    assert mine.status_code == 200
    text = pdf_text(mine.content, tmp_path)
    assert "Total valid PD hours: 6 PD hours" in text and "revoked" in text
    by_operator = client.get(f"/transcripts/{educator.id}.pdf", headers=bearer(operator_token()))
    assert by_operator.status_code == 200
    assert (
        client.get(
            f"/transcripts/{educator.id}.pdf",
            headers=bearer(educator_token(educator.id, educator.email)),
        ).status_code
        == 403
    )


def test_erasure_keeps_the_certificate_without_the_name(
    client: TestClient, educator: Recipient
) -> None:
    event = earned(educator)
    apply(event)
    apply(PersonErased(person_id=educator.id, erased_at=datetime.now(UTC)))
    shown = client.get(f"/verify/{event.certificate_id}").json()
    assert shown["status"] == "valid"
    assert shown["educator_name"] == "(name removed at the holder's request)"
    before = ledger_kinds(educator.email)
    later = earned(educator)
    apply(later)  # about someone erased: kept nameless, mailed to nobody
    assert client.get(f"/verify/{later.certificate_id}").json()["educator_name"].startswith("(")
    assert ledger_kinds(educator.email) == before


def test_two_workers_delivering_one_completion_at_once_mail_it_once(educator: Recipient) -> None:
    """The second insert waits on the first's uncommitted row, then finds it and sends nothing."""
    from sqlmodel import Session

    from services.notifier.handlers import HANDLERS

    runtime.migrate()
    event = earned(educator)
    errors: list[BaseException] = []
    first = Session(runtime.engine(), expire_on_commit=False)
    HANDLERS[event.TYPE](first, event)  # holds the certificate row, uncommitted

    def second() -> None:
        try:
            with Session(runtime.engine(), expire_on_commit=False) as session:
                HANDLERS[event.TYPE](session, event)
                session.commit()
        except BaseException as exc:
            errors.append(exc)

    racer = threading.Thread(target=second)
    racer.start()
    time.sleep(0.5)  # the racer is blocked on the unique key now
    first.commit()
    first.close()
    racer.join(timeout=30)
    assert errors == []
    assert ledger_kinds(educator.email) == ["certificate"]
