"""Erasing a person: their name and email leave accounts (and, by `person.erased`, every other
service); the row stays, so counts stay. Sessions and keys end, and every token naming them is
refused everywhere (`access.revoked`, `sub:`)."""

from functools import partial

from sqlalchemy import delete, update
from sqlmodel import Session, col

from services.accounts import revocation
from services.accounts.database import runtime
from services.accounts.models import AccountSession, ApiKey, Person, PersonRole, SignInCode
from shared import erasure, outbox
from shared.audit_log import Actor
from shared.columns import utcnow
from shared.events import PersonErased


def is_erased(person: Person) -> bool:
    """Tell whether the person has been erased already."""
    return erasure.is_erased_email(person.email)


def erase_person(*, session: Session, person: Person, by: Actor) -> None:
    """Erase the person in this transaction and commit, audited as `by`'s; a second call changes
    nothing."""
    if is_erased(person):
        return
    assert person.id is not None
    runtime.audit_action(session, by, "person.erase", f"person {person.id}")
    # What they did stays recorded, under their id only (their own erasure too).
    runtime.audit.forget_actor(session.connection(), person.id)
    known = erasure.Person(person.id)
    known.learn([person.email], [person.name])
    now = utcnow()
    _end_credentials(session, person.id, now)
    session.execute(delete(SignInCode).where(col(SignInCode.email) == person.email))
    session.execute(delete(PersonRole).where(col(PersonRole.person_id) == person.id))
    person.name, person.email, person.timezone = None, erasure.erased_email(person.id), None
    session.add(person)
    session.flush()
    outbox.rewrite_payloads(
        session.connection(),
        runtime.bus_tables,
        erasure.mentions(known),
        partial(erasure.scrub, person=known),
    )
    revocation.revoke_subject(session=session, person_id=person.id, revoked_at=now, reason="erased")
    runtime.outbox.record(session, PersonErased(person_id=person.id, erased_at=now))
    session.commit()


def _end_credentials(session: Session, person_id: int, now: object) -> None:
    session.execute(
        update(AccountSession)
        .where(col(AccountSession.person_id) == person_id, col(AccountSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(ApiKey)
        .where(col(ApiKey.person_id) == person_id, col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=now)
    )
