"""Which function applies each event the registry consumes, all from accounts: `access.revoked`,
kept in the revocation list its API checks every token against (shared/revocations.py), and
`person.erased`, which takes the person's name out of the audit trails of what they did."""

from sqlalchemy import update
from sqlmodel import Session, col

from services.registry.database import revocations, runtime
from services.registry.models import AuditEntry
from shared.consumer import Handler
from shared.erasure import ERASED_NAME
from shared.events import AccessRevoked, Event, PersonErased


def forget_person(session: Session, event: Event) -> None:
    """Blank an erased person's name where the registry's audit names them (id and actions stay)."""
    assert isinstance(event, PersonErased)
    stand_in = f"{ERASED_NAME} (person {event.person_id})"
    session.execute(
        update(AuditEntry)
        .where(col(AuditEntry.actor_id) == event.person_id)
        .values(actor_name=stand_in)
    )
    runtime.audit.forget_actor(session.connection(), event.person_id)


HANDLERS: dict[str, Handler] = {
    AccessRevoked.TYPE: revocations.apply,
    PersonErased.TYPE: forget_person,
}
