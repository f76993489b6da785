"""Erasing a person (`person.erased`): what their name and email become, and how stored events
(outbox rows, sent or not, and parked dead events) are rewritten. Pure: no database here.

An event names a person as a recipient object (`{"kind", "id", "name", "email", ...}`) or by
address (`sign_in.requested`); a facilitator's assignment explanation names them as
"<name> (id <id>)". Those are rewritten; everything else in the payload stays as it was.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

ERASED_NAME = "Erased person"


def erased_email(person_id: int) -> str:
    """The address that stands in for an erased person's (unique per person, never deliverable)."""
    return f"erased-{person_id}@invalid"


def is_erased_email(address: str) -> bool:
    """Tell whether an address is an erased person's stand-in."""
    return address.strip().lower().startswith("erased-") and address.lower().endswith("@invalid")


@dataclass
class Person:
    """What identifies one person in stored text: their id, and the names and addresses known."""

    person_id: int
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def learn(self, emails: Iterable[str | None], names: Iterable[str | None]) -> None:
        """Add names and addresses (not the erased stand-ins) to what identifies the person."""
        self.emails |= {e.strip().lower() for e in emails if e and not is_erased_email(e)}
        self.names |= {n for n in names if n and n != ERASED_NAME}


def _is_them(value: dict[str, Any], person: Person) -> bool:
    email = value.get("email")
    if isinstance(email, str) and email.strip().lower() in person.emails:
        return True
    return value.get("id") == person.person_id and "email" in value


def _collect(value: Any, person: Person) -> None:
    """Learn the names and addresses the payload gives the person."""
    if isinstance(value, dict):
        if _is_them(value, person):
            person.learn([value.get("email")], [value.get("name")])
        for item in value.values():
            _collect(item, person)
    elif isinstance(value, list):
        for item in value:
            _collect(item, person)


def _rewrite(value: Any, person: Person) -> Any:
    if isinstance(value, dict):
        rewritten = {key: _rewrite(item, person) for key, item in value.items()}
        if _is_them(value, person):
            rewritten["email"] = erased_email(person.person_id)
            if "name" in value:
                rewritten["name"] = ERASED_NAME
        return rewritten
    if isinstance(value, list):
        return [_rewrite(item, person) for item in value]
    if isinstance(value, str):
        return scrub_text(value, person)
    return value


def scrub_text(text: str, person: Person) -> str:
    """Free text with the person's addresses, and their name where it is followed by their id,
    replaced by the stand-ins."""
    if text.strip().lower() in person.emails:
        return erased_email(person.person_id)
    for name in person.names:
        text = text.replace(
            f"{name} (id {person.person_id})", f"{ERASED_NAME} (id {person.person_id})"
        )
    return text


def scrub(value: Any, person: Person) -> Any:
    """A JSON value with every mention of the person rewritten to the stand-ins."""
    _collect(value, person)
    return _rewrite(value, person)


def mentions(person: Person) -> list[str]:
    """Lower-case text any stored payload naming the person contains (a superset: a match
    is read and rewritten only if it really names them)."""
    ids = [f'"id":{person.person_id}', f'"id": {person.person_id}']
    return sorted(person.emails) + ids
