"""Who is calling: the accounts service's access tokens, verified here with its public keys."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

import anyio
import jwt
from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared import access_tokens
from shared.keyring import keyring


class Role(StrEnum):
    """What a caller may act as."""

    OPERATOR = "operator"
    AFFILIATE = "affiliate"
    EDUCATOR = "educator"
    FACILITATOR = "facilitator"


class MemberRole(StrEnum):
    """A person's part in one affiliate."""

    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


EDITING = (MemberRole.ADMIN, MemberRole.EDITOR)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: the person (None for the bootstrap operator and affiliate keys),
    their roles, and the affiliates they belong to with their part in each."""

    person_id: int | None
    roles: frozenset[Role]
    memberships: tuple[tuple[int, MemberRole], ...] = ()
    session_id: str = ""
    subject: str = ""
    issued_at: int = 0
    email: str | None = None
    name: str | None = None
    timezone: str | None = None
    locale: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_operator(self) -> bool:
        """Tell whether the caller is an operator."""
        return Role.OPERATOR in self.roles

    def has(self, *roles: Role) -> bool:
        """Tell whether the caller holds any of these roles."""
        return any(role in self.roles for role in roles)

    def member_of(self, affiliate_id: int | None, *parts: MemberRole) -> bool:
        """Tell whether the caller belongs to the affiliate (in one of `parts`, when given)."""
        return any(
            aff == affiliate_id and (not parts or part in parts) for aff, part in self.memberships
        )

    def affiliates(self, *parts: MemberRole) -> list[int]:
        """The affiliates the caller belongs to (in one of `parts`, when given)."""
        return [aff for aff, part in self.memberships if not parts or part in parts]

    @property
    def educator_id(self) -> int | None:
        """The caller's educator id (their person id) when they are an educator."""
        return self.person_id if Role.EDUCATOR in self.roles else None

    @property
    def facilitator_id(self) -> int | None:
        """The caller's facilitator id (their person id) when they are a facilitator."""
        return self.person_id if Role.FACILITATOR in self.roles else None

    @property
    def audit_name(self) -> str:
        """Who acted, as an audit record names them."""
        if self.name:
            return f"{self.name} (person {self.person_id})"
        return f"person {self.person_id}" if self.person_id is not None else self.subject


RevocationCheck = Callable[[Principal], bool]


def refuse_when(app: FastAPI, check: RevocationCheck) -> None:
    """Have the app refuse the callers `check` says are revoked (its service's revocation list)."""
    app.state.revocation_checks = (*revocation_checks(app), check)


def revocation_checks(app: FastAPI) -> Sequence[RevocationCheck]:
    """The checks this app refuses revoked callers with (each app its own, even in one process)."""
    return getattr(app.state, "revocation_checks", ())


def principal_from(claims: access_tokens.Claims) -> Principal | None:
    """The caller verified claims describe, or None when they are malformed."""
    try:
        roles: set[Role] = set()
        memberships: list[tuple[int, MemberRole]] = []
        for entry in claims["roles"]:
            role = Role(entry["role"])
            roles.add(role)
            if role is Role.AFFILIATE:
                memberships.append(
                    (_positive(entry["affiliate_id"]), MemberRole(entry["member_role"]))
                )
        subject = str(claims["sub"])
        return Principal(
            person_id=int(subject) if subject.isdecimal() else None,
            roles=frozenset(roles),
            memberships=tuple(memberships),
            session_id=str(claims["sid"]),
            subject=subject,
            issued_at=int(claims["iat"]),
            email=_text(claims.get("email")),
            name=_text(claims.get("name")),
            timezone=_text(claims.get("zoneinfo")),
            locale=_text(claims.get("locale")),
            claims=claims,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _positive(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError("affiliate_id must be a positive integer")
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def verify_access_token(token: str, refused: Sequence[RevocationCheck] = ()) -> Principal | None:
    """The caller an access token names, or None when it is not a live token from accounts
    or one of the `refused` checks says it was revoked."""
    claims = access_tokens.verify(token, keyring.current())
    principal = principal_from(claims) if claims is not None else None
    if principal is None or any(check(principal) for check in refused):
        return None
    return principal


def _kid_of(token: str) -> object:
    try:
        return jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return None


async def verify_async(token: str, refused: Sequence[RevocationCheck] = ()) -> Principal | None:
    """`verify_access_token`, fetching the keys off the event loop when they must be fetched."""
    if keyring.stale():
        await anyio.to_thread.run_sync(keyring.refresh)
    principal = verify_access_token(token, refused)
    # Only a token that fails is worth a look at its kid: one from a key published since.
    if principal is None and keyring.needs_fetch(_kid_of(token)):
        await anyio.to_thread.run_sync(keyring.refresh)
        principal = verify_access_token(token, refused)
    return principal


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
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """Resolve the caller if a token was given; reject a token that does not verify."""
    if credentials is None:
        return None
    principal = await verify_async(credentials.credentials, revocation_checks(request.app))
    if principal is None:
        raise unauthorized("invalid, expired or revoked access token")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def bearer_credential(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The caller's bearer token as sent (to act on their behalf at another service)."""
    if credentials is None:
        raise unauthorized("missing bearer token")
    return credentials.credentials


BearerCredential = Annotated[str, Depends(bearer_credential)]


async def current_principal(principal: OptionalPrincipal) -> Principal:
    """Require an authenticated caller."""
    if principal is None:
        raise unauthorized("missing bearer token")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Any:
    """Build a dependency that admits callers holding any of the given roles (403 otherwise)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise forbidden()
        if principal.person_id is None and not principal.has(Role.OPERATOR, Role.AFFILIATE):
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
