"""Signed bearer tokens with roles, verifiable by every service without a network call."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.settings import get_settings

TOKEN_PREFIX = "ck1"


class Role(StrEnum):
    """Who a caller is."""

    OPERATOR = "operator"
    AFFILIATE = "affiliate"
    EDUCATOR = "educator"
    FACILITATOR = "facilitator"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a role and, except for the operator, the id of its record."""

    role: Role
    subject_id: int | None = None

    @property
    def is_operator(self) -> bool:
        """Tell whether the caller is the operator."""
        return self.role is Role.OPERATOR


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(body: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest())


def issue_token(*, role: Role, subject_id: int, secret: str | None = None) -> str:
    """Sign a token naming a role and a record id."""
    key = secret or _signing_key()
    # The nonce makes every issued token unique, so a re-issued key never equals the old one.
    claims = {"r": role.value, "s": subject_id, "t": int(time.time()), "n": secrets.token_hex(6)}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{TOKEN_PREFIX}.{body}.{_signature(body, key)}"


def verify_token(token: str, *, secret: str | None = None) -> Principal | None:
    """Return the principal a token names, or None when it is not one of ours."""
    admin_token = get_settings().cohort_admin_token
    if admin_token is not None and hmac.compare_digest(token.encode(), admin_token.encode()):
        return Principal(Role.OPERATOR)
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    key = secret or _signing_key()
    if not hmac.compare_digest(parts[2].encode(), _signature(parts[1], key).encode()):
        return None
    try:
        claims = json.loads(_unb64(parts[1]))
        return Principal(Role(claims["r"]), int(claims["s"]))
    except (ValueError, KeyError, TypeError):
        return None


def _signing_key() -> str:
    settings = get_settings()
    settings.require("cohort_secret_key")
    assert settings.cohort_secret_key is not None
    return settings.cohort_secret_key


def hash_key(token: str) -> str:
    """Hash an issued key for storage (the key itself is shown once and never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


_bearer = HTTPBearer(auto_error=False)

# The dependencies below are coroutines on purpose: checking a signed token is pure computation,
# and FastAPI runs every plain `def` dependency in the worker-thread pool, a round trip each.


def unauthorized(reason: str) -> HTTPException:
    """The 401 answer for a missing, invalid or revoked credential."""
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": "Bearer"}
    )


def forbidden() -> HTTPException:
    """The 403 answer for a caller whose role may not use a route."""
    return HTTPException(status.HTTP_403_FORBIDDEN, detail="not allowed for this role")


async def optional_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """Resolve the caller if a token was given; reject a token that does not verify."""
    if credentials is None:
        return None
    principal = verify_token(credentials.credentials)
    if principal is None:
        raise unauthorized("invalid token")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def current_principal(principal: OptionalPrincipal) -> Principal:
    """Require an authenticated caller."""
    if principal is None:
        raise unauthorized("missing bearer token")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Any:
    """Build a dependency that admits only the given roles (403 otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise forbidden()
        return principal

    return Depends(check)


Operator = Annotated[Principal, require_roles(Role.OPERATOR)]
AffiliateOrOperator = Annotated[Principal, require_roles(Role.AFFILIATE, Role.OPERATOR)]
Educator = Annotated[Principal, require_roles(Role.EDUCATOR)]
FacilitatorOrOperator = Annotated[Principal, require_roles(Role.FACILITATOR, Role.OPERATOR)]
RegistrationReader = Annotated[
    Principal, require_roles(Role.EDUCATOR, Role.AFFILIATE, Role.OPERATOR)
]
