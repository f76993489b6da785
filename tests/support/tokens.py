"""Access tokens for tests, signed with a test key that services trust only when COHORT_ENV=test."""

import itertools
import json
import os
import secrets
import time
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.access_tokens import ALGORITHM, AUDIENCE, ISSUER

KID = "test-key"
PRIVATE_ENV = "COHORT_TEST_SIGNING_KEY"
_person_ids = itertools.count(10**9 + secrets.randbelow(10**6) * 1000)


def test_key_env() -> dict[str, str]:
    """A fresh test key: the public JWKS services read and the private half tests sign with."""
    key = Ed25519PrivateKey.generate()
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    jwks = {"keys": [public | {"kid": KID, "use": "sig", "alg": ALGORITHM}]}
    return {"COHORT_TEST_JWKS": json.dumps(jwks), PRIVATE_ENV: pem.decode()}


@lru_cache(maxsize=1)
def _private_key() -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(os.environ[PRIVATE_ENV].encode(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)
    return loaded


def next_person_id() -> int:
    """A person id no other test of this session uses."""
    return next(_person_ids)


def sign(claims: dict[str, Any], *, key: Any = None, kid: str = KID, ttl: int = 900) -> str:
    """A token with these claims (issuer, audience and times filled in) signed with the test key."""
    now = int(time.time())
    full = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + ttl,
        "jti": secrets.token_hex(8),
    }
    full |= claims
    return jwt.encode(full, key or _private_key(), algorithm=ALGORITHM, headers={"kid": kid})


def person_token(person_id: int, roles: list[dict[str, Any]], **claims: Any) -> str:
    """A token for a person holding `roles`."""
    body = {"sub": str(person_id), "sid": f"session:test-{secrets.token_hex(4)}", "roles": roles}
    return sign(body | claims)


def operator_token() -> str:
    """A token for a named operator."""
    return person_token(next_person_id(), [{"role": "operator"}], name="Olga Operator")


def educator_token(person_id: int, email: str, name: str = "Edu", **claims: Any) -> str:
    """A token for a signed-in educator."""
    return person_token(person_id, [{"role": "educator"}], email=email, name=name, **claims)


def facilitator_token(person_id: int, **claims: Any) -> str:
    """A token for a facilitator (also an educator, as every signed-in person is)."""
    roles = [{"role": "educator"}, {"role": "facilitator"}]
    return person_token(person_id, roles, **claims)


def member_token(
    affiliate_id: int, member_role: str = "editor", person_id: int | None = None
) -> str:
    """A token for a member of an affiliate."""
    roles: list[dict[str, Any]] = [
        {"role": "educator"},
        {"role": "affiliate", "affiliate_id": affiliate_id, "member_role": member_role},
    ]
    someone = person_id or next_person_id()
    email = f"member-{someone}@affiliates.example.org"
    return person_token(someone, roles, name=f"Member of {affiliate_id}", email=email)


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def sign_with_another_key(roles: list[dict[str, Any]] | None = None) -> str:
    """A well-formed token for a person, signed by a key nobody trusts (under the test kid)."""
    claims = {"sub": str(next_person_id()), "sid": "session:forged"}
    return sign(
        claims | {"roles": roles or [{"role": "educator"}]}, key=Ed25519PrivateKey.generate()
    )
