"""Sessions: the opaque, long-lived credential a sign-in hands out, kept only as its hash."""

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, select

from services.accounts.database import runtime
from services.accounts.models import AccountSession, Person
from shared.columns import as_utc, utcnow
from shared.events import AccessRevoked

SESSION_LIFETIME = timedelta(days=30)
TOKEN_PREFIX = "cs1_"


def digest(secret: str) -> str:
    """The SHA-256 a credential is stored and looked up as."""
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(*, session: Session, person: Person) -> tuple[AccountSession, str]:
    """A new session for the person and its token (shown once); flushed, not committed."""
    assert person.id is not None
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AccountSession(
        token_hash=digest(token), person_id=person.id, expires_at=utcnow() + SESSION_LIFETIME
    )
    session.add(row)
    session.flush()
    return row, token


def session_sid(session_id: int) -> str:
    """The `sid` claim of access tokens minted from a session."""
    return f"session:{session_id}"


def close_session(*, session: Session, token: str) -> bool:
    """Revoke the session this token opens, and with `access.revoked` the access tokens minted
    from it (committed); False when it opens none."""
    row = live_session(session=session, token=token)
    if row is None:
        return False
    assert row.id is not None
    row.revoked_at = utcnow()
    session.add(row)
    revoked = AccessRevoked(
        key="sid:" + session_sid(row.id), revoked_at=row.revoked_at, reason="signed out"
    )
    runtime.outbox.record(session, revoked)
    session.commit()
    return True


def live_session(*, session: Session, token: str) -> AccountSession | None:
    """The session this token opens, unless it is unknown, revoked or expired."""
    row = session.exec(
        select(AccountSession).where(AccountSession.token_hash == digest(token))
    ).first()
    if row is None or row.revoked_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    return row
