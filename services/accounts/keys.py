"""The Ed25519 keys access tokens are signed with: made on first start, published as a JWKS.

Each key has its own `kid`, so a new key can be added while the old one stays published until the
tokens it signed have expired (rotation is a later step; the newest unretired key signs).
"""

import base64
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import or_
from sqlmodel import Session, col, select

from services.accounts.models import SigningKey
from shared.columns import utcnow
from shared.settings import get_settings


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _passphrase() -> bytes:
    settings = get_settings()
    settings.require("cohort_secret_key")
    assert settings.cohort_secret_key is not None
    return settings.cohort_secret_key.encode()


def new_signing_key() -> SigningKey:
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
    )


def current_keys(*, session: Session) -> list[SigningKey]:
    """Every published key, newest first."""
    retired = col(SigningKey.retired_at)
    query = select(SigningKey).where(or_(retired.is_(None), retired > utcnow()))
    return list(session.exec(query.order_by(col(SigningKey.created_at).desc())).all())


def ensure_signing_key(*, session: Session) -> SigningKey:
    """The key that signs now, made (and committed) when there is none."""
    keys = current_keys(session=session)
    if keys:
        return keys[0]
    key = new_signing_key()
    session.add(key)
    session.commit()
    return key


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
