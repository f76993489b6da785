"""Invitations: a sign-in link mailed, unasked, to someone given a role (they are not throttled:
only those who may add people send them)."""

from datetime import timedelta

from sqlmodel import Session

from services.accounts.models import Person
from services.accounts.sign_in import codes, events

# An invitation is read when its addressee gets to it, not within minutes as a requested link is.
INVITATION_LIFETIME = timedelta(days=7)


def invite(*, session: Session, person: Person, role_label: str, invited_by: str | None) -> None:
    """Record the invitation mail (kind `invitation`) with a new sign-in code; not committed."""
    codes.issue_code(
        session=session,
        email=person.email,
        name=person.name,
        timezone=person.timezone,
        locale=person.locale,
        ttl=INVITATION_LIFETIME,
        invitation=events.Invitation(invited_by=invited_by, role_label=role_label),
    )
