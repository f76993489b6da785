"""Adding people with a role: educators and facilitators for the scheduler, operators, and
affiliate members; and taking a membership away. Whoever gains a role they must act on is
mailed an invitation (a sign-in link); an educator added by someone else is mailed nothing."""

from typing import Any

from sqlmodel import Session

from services.accounts import access, revocation, roles
from services.accounts.database import runtime
from services.accounts.models import Person
from services.accounts.people import service
from services.accounts.people.schemas import PersonCreate
from services.accounts.sign_in import invitations
from shared.columns import utcnow


def _person(
    session: Session, *, name: str, email: str, timezone: str | None = None, locale: str = "en"
) -> tuple[Person, bool]:
    return service.add_person(
        session=session, email=email, name=name, timezone=timezone, locale=locale
    )


def add_person(
    *, session: Session, claims: access.Claims, body: PersonCreate
) -> tuple[Person, bool]:
    """The person with the address (added when new) and whether they were added; a facilitator
    gains the role and, when it is new to them, an invitation. Committed."""
    person, created = _person(
        session, name=body.name, email=body.email, timezone=body.timezone, locale=body.locale
    )
    granted = body.role == roles.FACILITATOR and roles.grant(
        session=session, person=person, role=roles.FACILITATOR
    )
    if granted:
        _invite(session, claims, person, "facilitator")
    if created or granted:
        _audit(session, claims, "person.add", person, {"role": body.role, "new": created})
    session.commit()
    return person, created


def add_operator(*, session: Session, claims: access.Claims, name: str, email: str) -> Person:
    """Make the person with the address (added when new) an operator and invite them. Committed."""
    person, _ = _person(session, name=name, email=email)
    if roles.grant(session=session, person=person, role=roles.OPERATOR):
        _invite(session, claims, person, "operator")
        _audit(session, claims, "operator.add", person, {})
    session.commit()
    return person


def add_member(
    *,
    session: Session,
    claims: access.Claims,
    affiliate_id: int,
    name: str,
    email: str,
    member_role: str,
) -> Person:
    """Make the person with the address (added when new) a member of the affiliate in
    `member_role` (changed when they already are one), inviting them on a change. Committed."""
    person, _ = _person(session, name=name, email=email)
    granted = roles.grant(
        session=session,
        person=person,
        role=roles.AFFILIATE,
        affiliate_id=affiliate_id,
        member_role=member_role,
    )
    if granted:
        _invite(session, claims, person, f"affiliate {member_role}")
        details = {"affiliate_id": affiliate_id, "member_role": member_role}
        _audit(session, claims, "member.add", person, details)
    session.commit()
    return person


def remove_member(
    *, session: Session, claims: access.Claims, affiliate_id: int, person_id: int
) -> bool:
    """Take the person's membership away and revoke their tokens (committed); False when they
    are no member of the affiliate."""
    row = roles.membership(session=session, affiliate_id=affiliate_id, person_id=person_id)
    if row is None:
        return False
    session.delete(row)
    details = {"affiliate_id": affiliate_id, "member_role": row.member_role}
    runtime.audit_action(
        session, access.actor(claims), "member.remove", f"person {person_id}", details
    )
    revocation.revoke_subject(
        session=session, person_id=person_id, revoked_at=utcnow(), reason="membership removed"
    )
    session.commit()
    return True


def _audit(
    session: Session, claims: access.Claims, action: str, person: Person, details: dict[str, Any]
) -> None:
    session.flush()
    subject = f"person {person.id}"
    runtime.audit_action(session, access.actor(claims), action, subject, details)


def _invite(session: Session, claims: access.Claims, person: Person, role_label: str) -> None:
    invitations.invite(
        session=session,
        person=person,
        role_label=role_label,
        invited_by=access.inviter_name(claims),
    )
