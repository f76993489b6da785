"""Exchanging a long-lived credential (a session, or the bootstrap operator token) for an
access token."""

import hmac

from sqlmodel import Session

from services.accounts.models import Person
from services.accounts.people import service as people
from services.accounts.tokens import issue, sessions
from shared.settings import get_settings

OPERATOR_SUBJECT = "operator"
BOOTSTRAP_SESSION = "bootstrap"


def exchange_credential(*, session: Session, credential: str) -> issue.AccessToken | None:
    """An access token for whoever holds `credential`, or None when it opens nothing."""
    admin_token = get_settings().cohort_admin_token
    if admin_token is not None and hmac.compare_digest(credential.encode(), admin_token.encode()):
        return issue.mint_access_token(
            session=session,
            subject=OPERATOR_SUBJECT,
            roles=[{"role": "operator"}],
            session_id=BOOTSTRAP_SESSION,
        )
    row = sessions.live_session(session=session, token=credential)
    if row is None:
        return None
    person = session.get(Person, row.person_id)
    if person is None or row.id is None:
        return None
    return issue.mint_access_token(
        session=session,
        subject=str(person.id),
        roles=people.roles_of(person),
        session_id=sessions.session_sid(row.id),
    )
