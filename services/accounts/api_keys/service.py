"""API keys: opaque random credentials kept as their SHA-256, shown once, exchanged at /token."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import ColumnElement, false, or_
from sqlmodel import Session, col, func, select

from services.accounts import access, revocation
from services.accounts.database import runtime
from services.accounts.models import ApiKey
from shared.columns import as_utc, utcnow

KEY_PREFIX = "cak_"
DEFAULT_MEMBER_ROLE = "editor"


def create_key(
    *,
    session: Session,
    claims: access.Claims,
    name: str,
    expires_in_days: int | None,
    affiliate_id: int | None,
    member_role: str | None,
) -> tuple[ApiKey, str]:
    """A new key and its secret (committed): an affiliate key when `affiliate_id` is given, else
    one acting as the caller (the caller's right to make it is checked before)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    expires_at = None if expires_in_days is None else utcnow() + timedelta(days=expires_in_days)
    row = ApiKey(
        key_hash=_digest(secret),
        name=name,
        person_id=None if affiliate_id is not None else access.person_id(claims),
        affiliate_id=affiliate_id,
        member_role=(member_role or DEFAULT_MEMBER_ROLE) if affiliate_id is not None else None,
        created_by=str(claims["sub"])[:32],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    details = {"affiliate_id": affiliate_id, "member_role": row.member_role}
    runtime.audit_action(session, access.actor(claims), "api_key.add", f"API key {row.id}", details)
    session.commit()
    session.refresh(row)
    return row, secret


def live_key(*, session: Session, key: str) -> ApiKey | None:
    """The key this secret is, unless it is unknown, revoked or expired."""
    row = session.exec(select(ApiKey).where(ApiKey.key_hash == _digest(key))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and as_utc(row.expires_at) <= utcnow():
        return None
    return row


def _visible(claims: access.Claims) -> ColumnElement[bool]:
    """The keys the caller may see and revoke: all for the operator; else their own personal keys
    and the keys of the affiliates they administer."""
    if access.is_operator(claims):
        return col(ApiKey.id).is_not(None)
    person_id = access.person_id(claims)
    administered = [a for a, role in access.member_roles(claims).items() if role == "admin"]
    own = col(ApiKey.person_id) == person_id if person_id is not None else false()
    return or_(own, col(ApiKey.affiliate_id).in_(administered))


def visible_keys(
    *, session: Session, claims: access.Claims, limit: int, offset: int
) -> tuple[list[ApiKey], int]:
    """A page of the unrevoked keys the caller may see (oldest first), and how many there are."""
    where = (_visible(claims), col(ApiKey.revoked_at).is_(None))
    query = select(ApiKey).where(*where).order_by(col(ApiKey.id)).offset(offset).limit(limit)
    total = session.exec(select(func.count()).select_from(ApiKey).where(*where)).one()
    return list(session.exec(query).all()), int(total)


def find_visible(*, session: Session, claims: access.Claims, key_id: int) -> ApiKey | None:
    """The unrevoked key with this id, when the caller may see it."""
    query = select(ApiKey).where(
        col(ApiKey.id) == key_id, col(ApiKey.revoked_at).is_(None), _visible(claims)
    )
    return session.exec(query.with_for_update()).first()


def revoke_key(*, session: Session, claims: access.Claims, key: ApiKey) -> None:
    """Revoke the key and record `access.revoked` for the tokens minted from it (committed)."""
    assert key.id is not None
    details = {"affiliate_id": key.affiliate_id}
    runtime.audit_action(
        session, access.actor(claims), "api_key.revoke", f"API key {key.id}", details
    )
    key.revoked_at = utcnow()
    session.add(key)
    revocation.revoke_sid(
        session=session,
        sid=revocation.api_key_sid(key.id),
        revoked_at=key.revoked_at,
        reason="api key revoked",
    )
    session.commit()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
