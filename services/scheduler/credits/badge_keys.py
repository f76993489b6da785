"""The Ed25519 key Open Badges credentials are signed with: made on first use, kept in the
scheduler's own database, its public half published as a JWKS for anyone verifying a badge.

The private half is stored as it is: whoever can write this database can already write credits,
and the scheduler is given no secret of its own to wrap it with.
"""

import base64
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlmodel import Session, col, select

from services.scheduler.models import BadgeKey
from shared.columns import utcnow


def b64url(data: bytes) -> str:
    """Base64url without padding, as JOSE writes it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_key() -> BadgeKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return BadgeKey(
        kid=f"badge-{secrets.token_hex(8)}",
        public_key=b64url(public),
        private_key_pem=pem.decode(),
        created_at=utcnow(),
    )


def published_keys(*, session: Session) -> list[BadgeKey]:
    """Every issuer key, oldest first."""
    query = select(BadgeKey).order_by(col(BadgeKey.created_at), col(BadgeKey.kid))
    return list(session.exec(query).all())


def signing_key(*, session: Session) -> BadgeKey:
    """The key that signs: the oldest, made and committed when there is none yet."""
    found = published_keys(session=session)
    if found:
        return found[0]
    key = _new_key()
    session.add(key)
    session.commit()
    # Two processes making the first key at once both keep theirs; each is published.
    return published_keys(session=session)[0]


@lru_cache(maxsize=8)
def _private(kid: str, pem: str) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    return loaded


def private_key(key: BadgeKey) -> Ed25519PrivateKey:
    """The key's private half, loaded once per process."""
    return _private(key.kid, key.private_key_pem)


def jwks(keys: list[BadgeKey]) -> dict[str, list[dict[str, str]]]:
    """The issuer's public keys as a JSON Web Key Set."""
    return {
        "keys": [
            {"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": key.kid}
            | {"alg": "EdDSA", "use": "sig"}
            for key in keys
        ]
    }
