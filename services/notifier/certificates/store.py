"""Certificates kept from the scheduler's events, and read back for their PDFs and verification.

`completion.earned` inserts the certificate (at most once: a redelivered event, or two workers
delivering it at once, find it there and send nothing) and queues its one mail in the same
transaction; `credit.revoked` marks it revoked. Someone erased keeps their certificates with a
blank name: verification then shows a neutral placeholder (`words.ERASED_NAME`).
"""

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.notifier import bookings
from services.notifier.certificates import document, mail
from services.notifier.certificates import words as wording
from services.notifier.delivery import inline
from services.notifier.models import Certificate, VerificationPublic
from services.notifier.people.erasure import person_key
from shared.columns import utcnow
from shared.db import is_sqlite
from shared.events import CompletionEarned, CreditRevoked, Event
from shared.settings import get_settings


def _row(event: CompletionEarned, *, erased: bool) -> dict[str, object]:
    cohort = event.cohort
    return {
        "id": event.certificate_id,
        "credit_id": event.credit_id,
        "person_id": event.educator.id,
        "educator_name": "" if erased else event.educator.name[:200],
        "locale": event.educator.locale[:8],
        "program_title": cohort.program_title,
        "offering_title": cohort.title,
        "affiliate_name": cohort.affiliate_name,
        "sensitive": cohort.sensitive,
        "hours": event.hours,
        "completed_on": event.completed_on,
        "facilitator_names": list(event.facilitator_names),
        "meeting_dates": sorted({m.starts_at.date().isoformat() for m in cohort.meetings}),
        "status": Certificate.VALID,
        "created_at": utcnow(),
    }


def view_of(row: Certificate) -> document.CertificateView:
    """What the PDF shows of a certificate row."""
    return document.CertificateView(
        id=row.id,
        educator_name=row.educator_name,
        program_title=row.program_title,
        hours=row.hours,
        completed_on=row.completed_on,
        affiliate_name=row.affiliate_name,
        locale=row.locale,
        offering_title=row.offering_title,
        facilitator_names=tuple(row.facilitator_names),
        meeting_dates=tuple(row.meeting_dates),
        status=row.status,
    )


def on_completion_earned(session: Session, event: Event) -> None:
    """Keep the certificate and queue its mail, once per certificate."""
    assert isinstance(event, CompletionEarned)
    erased = bookings.has_ended(session=session, keys=(person_key(event.educator.id),))
    dialect_insert = sqlite_insert if is_sqlite(session.get_bind()) else pg_insert  # type: ignore[arg-type]
    table = Certificate.__table__  # type: ignore[attr-defined]
    inserted = session.execute(
        dialect_insert(table)
        .values(**_row(event, erased=erased))
        .on_conflict_do_nothing()
        .returning(table.c.id)
    ).first()
    if inserted is None or erased:
        return  # known already (a redelivery), or for someone erased: no mail
    row = session.get(Certificate, event.certificate_id)
    assert row is not None
    pdf = document.certificate_pdf(view_of(row), portal_url=get_settings().cohort_portal_url)
    message = mail.certificate_message(
        to_name=event.educator.name,
        to_email=event.educator.email,
        person_id=event.educator.id,
        certificate_id=row.id,
        program_title=row.program_title,
        sensitive=row.sensitive,
        locale=row.locale,
        pdf=pdf,
        reply_to=event.cohort.affiliate_contact_email,
    )
    inline.queue_messages(session, [message])


def on_credit_revoked(session: Session, event: Event) -> None:
    """Mark the certificate revoked (the first revocation's time and reason stay)."""
    assert isinstance(event, CreditRevoked)
    session.execute(
        update(Certificate)
        .where(col(Certificate.id) == event.certificate_id, col(Certificate.status) == "valid")
        .values(status=Certificate.REVOKED, revoked_at=utcnow(), revoked_reason=event.reason)
    )


def find(session: Session, certificate_id: str) -> Certificate | None:
    """The certificate with this id, if any."""
    return session.get(Certificate, certificate_id)


def of_person(session: Session, person_id: int) -> list[Certificate]:
    """A person's certificates, newest first."""
    query = (
        select(Certificate)
        .where(Certificate.person_id == person_id)
        .order_by(col(Certificate.completed_on).desc(), col(Certificate.id))
    )
    return list(session.exec(query).all())


def verification(row: Certificate) -> VerificationPublic:
    """What anyone may read of a certificate."""
    return VerificationPublic(
        status=row.status,
        educator_name=wording.holder_name(row.educator_name, row.locale),
        program_title=row.program_title,
        hours=row.hours,
        completed_on=row.completed_on,
        affiliate_name=row.affiliate_name,
    )


def transcript(session: Session, person_id: int, locale: str | None = None) -> bytes:
    """The person's transcript PDF (in the language of their latest certificate)."""
    rows = of_person(session, person_id)
    name = next((row.educator_name for row in rows if row.educator_name), "")
    view = document.TranscriptView(
        educator_name=name,
        locale=locale or (rows[0].locale if rows else "en"),
        certificates=[view_of(row) for row in rows],
    )
    return document.transcript_pdf(view, portal_url=get_settings().cohort_portal_url)


def certificate_pdf(row: Certificate) -> bytes:
    """The certificate's PDF as it reads now (revoked ones say so)."""
    return document.certificate_pdf(view_of(row), portal_url=get_settings().cohort_portal_url)
