"""The person's registrations as My trainings lists them: each with its offering, upcoming or
past, and what can still be done with it."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from services.portal import dates, registry
from services.portal.catalogue import cards


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


STATUS_NAMES = {
    "confirmed": _("Registered"),
    "waitlisted": _("On the waitlist"),
    "cancelled": _("Cancelled"),
}


@dataclass(frozen=True)
class Entry:
    """One registration as the person reads it."""

    id: int
    offering_id: int
    title: str
    first_day: str | None
    status: str
    status_name: str
    waitlist_position: int | None
    past: bool

    @property
    def can_cancel(self) -> bool:
        """Tell whether the person may still cancel it."""
        return not self.past and self.status != "cancelled"


def ended(offering: dict[str, Any], now: datetime) -> bool:
    """Tell whether the offering's last meeting is over."""
    ends = [dates.instant(m["ends_at_utc"]) for m in offering.get("meetings") or []]
    return bool(ends) and max(ends) < now


def entry_of(
    registration: dict[str, Any], offering: dict[str, Any] | None, language: str, now: datetime
) -> Entry:
    """The entry of one registration (its offering may no longer be shown by the registry)."""
    status = registration["status"]
    return Entry(
        id=registration["id"],
        offering_id=registration["offering_id"],
        title=offering["title"] if offering else "",
        first_day=cards.first_day(offering, language) if offering else None,
        status=status,
        status_name=STATUS_NAMES.get(status, status),
        waitlist_position=registration.get("waitlist_position"),
        past=ended(offering, now) if offering else True,
    )


async def entries(
    client: httpx.AsyncClient, registrations: list[dict[str, Any]], language: str, token: str
) -> list[Entry]:
    """Every registration with its offering, read from the registry side by side (with the
    person's token: an offering of a program not listed publicly is theirs to see)."""
    wanted = sorted({r["offering_id"] for r in registrations})
    found = await asyncio.gather(
        *(
            registry.read_offering(client, offering_id=offering_id, token=token)
            for offering_id in wanted
        )
    )
    offerings = dict(zip(wanted, found, strict=True))
    now = datetime.now(UTC)
    return [entry_of(r, offerings[r["offering_id"]], language, now) for r in registrations]
