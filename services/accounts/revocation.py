"""Revoking access: the `access.revoked` event, recorded in the caller's transaction."""

from datetime import datetime

from sqlmodel import Session

from services.accounts.database import runtime
from shared.events import AccessRevoked


def session_sid(session_id: int) -> str:
    """The `sid` of tokens minted from a session."""
    return f"session:{session_id}"


def api_key_sid(key_id: int) -> str:
    """The `sid` of tokens minted from an API key."""
    return f"key:{key_id}"


def revoke_sid(*, session: Session, sid: str, revoked_at: datetime, reason: str) -> None:
    """Record that tokens minted from this credential stop working."""
    record_revoked(session=session, key=f"sid:{sid}", revoked_at=revoked_at, reason=reason)


def revoke_subject(*, session: Session, person_id: int, revoked_at: datetime, reason: str) -> None:
    """Record that every token naming this person stops working."""
    record_revoked(session=session, key=f"sub:{person_id}", revoked_at=revoked_at, reason=reason)


def record_revoked(*, session: Session, key: str, revoked_at: datetime, reason: str) -> None:
    """Record `access.revoked` for `key` (`sid:...` or `sub:...`); sent once the caller commits."""
    runtime.outbox.record(session, AccessRevoked(key=key, revoked_at=revoked_at, reason=reason))
