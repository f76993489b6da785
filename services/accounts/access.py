"""What the claims of an access token let its holder do here: pure reads of `sub` and `roles`."""

from typing import Any, Literal

from shared.audit_log import Actor
from shared.auth import forbidden

Claims = dict[str, Any]
MemberRole = Literal["admin", "editor", "viewer"]
BOOTSTRAP = "bootstrap"
# The member roles that may add people (educators, facilitators) for the scheduler.
CREATORS = ("admin", "editor")


def is_operator(claims: Claims) -> bool:
    """Tell whether the holder acts as an operator."""
    return any(role.get("role") == "operator" for role in claims["roles"])


def member_roles(claims: Claims) -> dict[int, str]:
    """The holder's member role in each affiliate they belong to."""
    return {
        int(role["affiliate_id"]): str(role["member_role"])
        for role in claims["roles"]
        if role.get("role") == "affiliate"
    }


def person_id(claims: Claims) -> int | None:
    """The id of the person the token names (None: the bootstrap operator, an affiliate key)."""
    subject = str(claims["sub"])
    return int(subject) if subject.isdigit() else None


def is_bootstrap(claims: Claims) -> bool:
    """Tell whether the token was bought with COHORT_ADMIN_TOKEN (or a key made with it)."""
    return claims["sub"] == BOOTSTRAP


def may_run_affiliate(claims: Claims, affiliate_id: int) -> bool:
    """Tell whether the holder is the operator or an admin of this affiliate."""
    return is_operator(claims) or member_roles(claims).get(affiliate_id) == "admin"


def require_operator(claims: Claims) -> None:
    """403 unless the holder is an operator."""
    if not is_operator(claims):
        raise forbidden()


def require_affiliate_admin(claims: Claims, affiliate_id: int) -> None:
    """403 unless the holder is the operator or an admin of this affiliate."""
    if not may_run_affiliate(claims, affiliate_id):
        raise forbidden()


def require_person_creator(claims: Claims) -> None:
    """403 unless the holder is an operator or an admin or editor of some affiliate."""
    if not is_operator(claims) and not set(member_roles(claims).values()) & set(CREATORS):
        raise forbidden()


def inviter_name(claims: Claims) -> str | None:
    """The name the invitation mail gives as who invited (the person's, when the token has it)."""
    name = claims.get("name")
    return str(name) if name else None


def actor(claims: Claims) -> Actor:
    """Who the holder is in the audit log: their name and person id (as other services name
    them), or the bootstrap operator or the affiliate key."""
    who = person_id(claims)
    name = claims.get("name")
    if who is None:
        return Actor(None, str(claims["sub"]))
    return Actor(who, f"{name} (person {who})" if name else f"person {who}")
