"""People: keyed by address; proven by redeeming a sign-in code, or added unproven by those who
invite them."""

from typing import Literal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from services.accounts import roles
from services.accounts.database import runtime
from services.accounts.models import Person
from services.accounts.people.schemas import PersonPublic
from shared.columns import utcnow
from shared.events import PersonUpdated, PersonVerified

Status = Literal["invited", "active"]


def normalise_email(email: str) -> str:
    """The address as people are keyed by it: trimmed and lower-case."""
    return email.strip().lower()


def find_person(*, session: Session, email: str) -> Person | None:
    """The person with this address, proven or not."""
    return session.exec(select(Person).where(Person.email == normalise_email(email))).first()


def prove_person(
    *, session: Session, email: str, name: str | None, timezone: str | None, locale: str
) -> Person:
    """The person whose address a redeemed code just proved, created when new with this name,
    zone and language, and marked proven; flushed, not committed."""
    person = find_person(session=session, email=email)
    if person is None:
        person = Person(email=normalise_email(email), name=name, timezone=timezone, locale=locale)
    newly_proven = person.verified_at is None
    if newly_proven:
        person.verified_at = utcnow()
    session.add(person)
    session.flush()
    if newly_proven:
        assert person.id is not None and person.verified_at is not None
        event = PersonVerified(person_id=person.id, verified_at=person.verified_at)
        runtime.outbox.record(session, event)
    return person


def add_person(
    *, session: Session, email: str, name: str, timezone: str | None, locale: str
) -> tuple[Person, bool]:
    """The person with this address, added unproven when there is none; whether it was added.
    A known person keeps their own name, zone and language. Flushed, not committed."""
    person = find_person(session=session, email=email)
    if person is not None:
        return person, False
    person = Person(email=normalise_email(email), name=name, timezone=timezone, locale=locale)
    try:
        with session.begin_nested():
            session.add(person)
    except IntegrityError:
        # Someone added (or proved) the address at the same moment: theirs is the person.
        found = find_person(session=session, email=email)
        assert found is not None
        return found, False
    return person, True


def status_of(person: Person) -> Status:
    """`active` once the person has proven their address, `invited` until then."""
    return "active" if person.verified_at is not None else "invited"


def roles_of(*, session: Session, person: Person) -> list[dict[str, object]]:
    """What a person may act as (see `roles.roles_of`)."""
    return roles.roles_of(session=session, person=person)


def describe(*, session: Session, person: Person) -> PersonPublic:
    """A person as the API shows them."""
    return PersonPublic.model_validate(
        {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "timezone": person.timezone,
            "locale": person.locale,
            "status": status_of(person),
            "roles": roles_of(session=session, person=person),
        }
    )


def update_person(*, session: Session, person: Person, changes: dict[str, object]) -> Person:
    """Apply the given name, zone or language to the person (committed); a real change is
    announced (`person.updated`) in the same transaction, so profiles elsewhere follow."""
    changed = False
    for field in ("name", "timezone", "locale"):
        if field in changes and getattr(person, field) != changes[field]:
            setattr(person, field, changes[field])
            changed = True
    session.add(person)
    if changed and person.id is not None:
        runtime.outbox.record(session, _updated(person))
    session.commit()
    session.refresh(person)
    return person


def find_people(
    *, session: Session, email: str | None, limit: int, offset: int
) -> tuple[list[Person], int]:
    """A page of people (oldest first), only the one with `email` when given, and the total."""
    where = [] if email is None else [col(Person.email) == normalise_email(email)]
    query = select(Person).where(*where).order_by(col(Person.id)).offset(offset).limit(limit)
    total = session.exec(select(func.count()).select_from(Person).where(*where)).one()
    return list(session.exec(query).all()), int(total)


def _updated(person: Person) -> PersonUpdated:
    return PersonUpdated(
        person_id=person.id or 0,
        name=person.name or "",
        timezone=person.timezone,
        locale=person.locale,
        updated_at=utcnow(),
    )
