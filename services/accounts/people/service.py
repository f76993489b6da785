"""People: found by their proven address, created the first time it is proven."""

from sqlmodel import Session, select

from services.accounts.models import Person
from services.accounts.people.schemas import PersonPublic

EDUCATOR = {"role": "educator"}


def normalise_email(email: str) -> str:
    """The address as people are keyed by it: trimmed and lower-case."""
    return email.strip().lower()


def find_person(*, session: Session, email: str) -> Person | None:
    """The person who proved this address, if anyone has."""
    return session.exec(select(Person).where(Person.email == normalise_email(email))).first()


def ensure_person(
    *, session: Session, email: str, name: str | None, timezone: str | None, locale: str
) -> Person:
    """The person with this (now proven) address, created when new with this name, zone and
    language; flushed, not committed."""
    person = find_person(session=session, email=email)
    if person is None:
        person = Person(email=normalise_email(email), name=name, timezone=timezone, locale=locale)
        session.add(person)
        session.flush()
    return person


def roles_of(person: Person) -> list[dict[str, object]]:
    """What a person may act as. Everyone who signed in is an educator; memberships come later."""
    return [dict(EDUCATOR)]


def describe(person: Person) -> PersonPublic:
    """A person as the API shows them."""
    return PersonPublic.model_validate(
        {
            "id": person.id,
            "name": person.name,
            "email": person.email,
            "timezone": person.timezone,
            "locale": person.locale,
            "roles": roles_of(person),
        }
    )
