"""What the token routes answer."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


# An access token for `Authorization: Bearer` on every service, until `expires_at`.
class TokenPublic(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


# One public key of the JWKS (Ed25519, RFC 8037).
class JwkPublic(BaseModel):
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


# The public keys access tokens are signed with.
class JwksPublic(BaseModel):
    keys: list[JwkPublic]
