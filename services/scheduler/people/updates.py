"""A person changed their name, zone or language in accounts (`person.updated`): their
educator and facilitator profiles follow, so the next event about them carries the new values."""

from sqlmodel import Session

from services.scheduler.models import Educator, Facilitator
from shared.columns import as_utc
from shared.events import Event, PersonUpdated


def apply_person_updated(session: Session, event: Event) -> None:
    """Copy the new values onto the person's profiles, unless a newer change is already there."""
    assert isinstance(event, PersonUpdated)
    profiles: list[Educator | Facilitator | None] = [
        session.get(Educator, event.person_id, with_for_update=True),
        session.get(Facilitator, event.person_id, with_for_update=True),
    ]
    for profile in profiles:
        if profile is not None and _is_newer(event, profile):
            _apply(profile, event)
            session.add(profile)
    session.flush()


def _is_newer(event: PersonUpdated, profile: Educator | Facilitator) -> bool:
    seen = profile.person_updated_at
    return seen is None or as_utc(seen) < as_utc(event.updated_at)


def _apply(profile: Educator | Facilitator, event: PersonUpdated) -> None:
    if event.name.strip():
        profile.name = event.name
    if event.timezone:  # an unset zone in accounts keeps the one held (staffing needs it)
        profile.timezone = event.timezone
    profile.locale = event.locale
    profile.person_updated_at = event.updated_at
