"""Minting access tokens: short-lived EdDSA JWTs every service verifies with the JWKS."""

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from sqlmodel import Session

from services.accounts import keys
from shared.access_tokens import ALGORITHM, AUDIENCE, ISSUER
from shared.settings import get_settings

MAX_TTL_SECONDS = 900


@dataclass(frozen=True)
class AccessToken:
    """A signed access token and when it stops working."""

    token: str
    expires_at: datetime


def mint_access_token(
    *,
    session: Session,
    subject: str,
    roles: list[dict[str, Any]],
    session_id: str,
    profile: dict[str, Any] | None = None,
) -> AccessToken:
    """Sign a token for `subject` with the current key for COHORT_ACCESS_TOKEN_TTL (≤ 15 min);
    `profile` adds a person's claims (email, name, zoneinfo, locale)."""
    key = keys.ensure_signing_key(session=session)
    ttl = max(1, min(get_settings().cohort_access_token_ttl, MAX_TTL_SECONDS))
    issued = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "roles": roles,
        "sid": session_id,
        "iat": issued,
        "exp": issued + ttl,
        "jti": secrets.token_hex(8),
        "kid": key.kid,
        **(profile or {}),
    }
    token = jwt.encode(claims, keys.private_key(key), algorithm=ALGORITHM, headers={"kid": key.kid})
    return AccessToken(token=token, expires_at=datetime.fromtimestamp(issued + ttl, UTC))
