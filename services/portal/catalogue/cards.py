"""An offering as the catalogue and its page show it: who runs it, when, where."""

from dataclasses import dataclass
from typing import Any

from services.portal import dates
from services.portal.scheduler import Seats


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


FORMAT_NAMES = {
    "in_person": _("In person"),
    "virtual": _("Online"),
    "hybrid": _("In person and online"),
}


@dataclass(frozen=True)
class Card:
    """One offering in the catalogue."""

    id: int
    title: str
    program: str
    affiliate: str
    first_day: str | None
    format: str
    seats: Seats | None = None


def first_day(offering: dict[str, Any], language: str) -> str | None:
    """The day of the offering's first meeting, in its own zone."""
    zone = dates.zone_of(offering["timezone"])
    meetings = offering.get("meetings") or []
    if zone is None or not meetings:
        return None
    return dates.day_in(meetings[0]["starts_at"], zone, language)


def card_of(offering: dict[str, Any], language: str, seats: Seats | None = None) -> Card:
    """The card of one offering from the registry's answer."""
    return Card(
        id=offering["id"],
        title=offering["title"],
        program=offering.get("program_title") or offering.get("program_code", ""),
        affiliate=offering.get("affiliate_name", ""),
        first_day=first_day(offering, language),
        format=FORMAT_NAMES.get(offering["format"], offering["format"]),
        seats=seats,
    )
