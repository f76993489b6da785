"""Roles granted to people: operator, facilitator and affiliate memberships (educator is implied
by a proven address)."""

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from services.accounts.models import Person, PersonRole

OPERATOR = "operator"
EDUCATOR = "educator"
FACILITATOR = "facilitator"
AFFILIATE = "affiliate"
# The order roles are listed in, in tokens and answers.
ORDER = {OPERATOR: 0, EDUCATOR: 1, FACILITATOR: 2, AFFILIATE: 3}


def rows_of(*, session: Session, person_id: int) -> list[PersonRole]:
    """The role rows of a person."""
    query = select(PersonRole).where(PersonRole.person_id == person_id)
    return list(session.exec(query).all())


def roles_of(*, session: Session, person: Person) -> list[dict[str, object]]:
    """What a person may act as, as tokens carry it: `{"role": ...}`, with `affiliate_id` and
    `member_role` for a membership. Everyone whose address is proven is an educator."""
    assert person.id is not None
    roles: list[dict[str, object]] = [{"role": EDUCATOR}] if person.verified_at else []
    for row in rows_of(session=session, person_id=person.id):
        if row.role == AFFILIATE:
            roles.append(
                {
                    "role": AFFILIATE,
                    "affiliate_id": row.affiliate_id,
                    "member_role": row.member_role,
                }
            )
        else:
            roles.append({"role": row.role})
    return sorted(roles, key=lambda r: (ORDER.get(str(r["role"]), 9), r.get("affiliate_id") or 0))


def grant(
    *,
    session: Session,
    person: Person,
    role: str,
    affiliate_id: int | None = None,
    member_role: str | None = None,
) -> bool:
    """Give the person this role (a membership's member role is set anew); flushed, not
    committed. True when something changed."""
    assert person.id is not None
    query = select(PersonRole).where(
        PersonRole.person_id == person.id,
        PersonRole.role == role,
        PersonRole.affiliate_id == affiliate_id,
    )
    row = session.exec(query.with_for_update()).first()
    if row is not None and row.member_role == member_role:
        return False
    row = row or PersonRole(person_id=person.id, role=role, affiliate_id=affiliate_id)
    row.member_role = member_role
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Granted by another request at the same moment: the role is theirs to have given.
        return False
    return True


def membership(*, session: Session, affiliate_id: int, person_id: int) -> PersonRole | None:
    """The person's membership of the affiliate, if they have one."""
    query = select(PersonRole).where(
        PersonRole.role == AFFILIATE,
        PersonRole.affiliate_id == affiliate_id,
        PersonRole.person_id == person_id,
    )
    return session.exec(query).first()


def members_of(
    *, session: Session, affiliate_id: int, limit: int, offset: int
) -> tuple[list[tuple[PersonRole, Person]], int]:
    """A page of the affiliate's members (oldest membership first) and how many there are."""
    where = (col(PersonRole.role) == AFFILIATE, col(PersonRole.affiliate_id) == affiliate_id)
    query = (
        select(PersonRole, Person)
        .join(Person, col(Person.id) == col(PersonRole.person_id))
        .where(*where)
        .order_by(col(PersonRole.id))
        .offset(offset)
        .limit(limit)
    )
    total = session.exec(select(func.count()).select_from(PersonRole).where(*where)).one()
    return [(row, person) for row, person in session.exec(query).all()], int(total)
