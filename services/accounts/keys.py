"""The Ed25519 keys access tokens are signed with: made on first start, published as a JWKS.

Each key has its own `kid`. Rotation adds a key that is published at once but signs only from a
few seconds later (`created_at` is when it starts signing), so every verifier can fetch it first;
the old keys stay published until the last token they signed has expired, then retire.
"""

import base64
import secrets
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import or_
from sqlmodel import Session, col, select

from services.accounts.models import SigningKey
from shared.access_tokens import LEEWAY_SECONDS
from shared.columns import as_utc, utcnow
from shared.settings import get_settings

# Longer than a verifier waits before fetching the keys again for an unseen kid.
PUBLISH_AHEAD = timedelta(seconds=10)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _passphrase() -> bytes:
    settings = get_settings()
    settings.require("cohort_secret_key")
    assert settings.cohort_secret_key is not None
    return settings.cohort_secret_key.encode()


def new_signing_key(signs_from: datetime | None = None) -> SigningKey:
    """A fresh key pair, its private half encrypted with COHORT_SECRET_KEY."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    )
    return SigningKey(
        kid=f"ed25519-{secrets.token_hex(8)}",
        public_key=_b64url(public),
        private_key_pem=pem.decode(),
        created_at=signs_from or utcnow(),
    )


def current_keys(*, session: Session) -> list[SigningKey]:
    """Every published key, newest first."""
    retired = col(SigningKey.retired_at)
    query = select(SigningKey).where(or_(retired.is_(None), retired > utcnow()))
    return list(session.exec(query.order_by(col(SigningKey.created_at).desc())).all())


def ensure_signing_key(*, session: Session) -> SigningKey:
    """The key that signs now (the newest already signing), made and committed when none is."""
    now = utcnow()
    signing = [key for key in current_keys(session=session) if as_utc(key.created_at) <= now]
    if signing:
        return signing[0]
    key = new_signing_key()
    session.add(key)
    session.commit()
    return key


def rotate_signing_key(*, session: Session) -> tuple[SigningKey, datetime]:
    """Add a key that signs from PUBLISH_AHEAD on; retire the others once every token they
    signed has expired. The new key, and when the old ones leave the JWKS."""
    now = utcnow()
    ttl = timedelta(seconds=get_settings().cohort_access_token_ttl + LEEWAY_SECONDS)
    retire_at = now + PUBLISH_AHEAD + ttl
    for old in current_keys(session=session):
        if old.retired_at is None or as_utc(old.retired_at) > retire_at:
            old.retired_at = retire_at
            session.add(old)
    key = new_signing_key(signs_from=now + PUBLISH_AHEAD)
    session.add(key)
    session.commit()
    return key, retire_at


@lru_cache(maxsize=8)
def _private_key(kid: str, pem: str) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(pem.encode(), password=_passphrase())
    assert isinstance(loaded, Ed25519PrivateKey)
    return loaded


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    """The key's private half, decrypted once per process."""
    return _private_key(key.kid, key.private_key_pem)


def jwks(keys: list[SigningKey]) -> dict[str, list[dict[str, str]]]:
    """The public keys as a JSON Web Key Set."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": key.public_key,
                "kid": key.kid,
                "alg": "EdDSA",
                "use": "sig",
            }
            for key in keys
        ]
    }
