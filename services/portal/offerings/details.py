"""An offering's page worked out before the template runs: its meetings in each zone that
matters to the reader, where it happens, and what a refused registration means."""

from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

from services.portal import dates
from services.portal.dates import Span


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


# The scheduler's 409 details (English, for developers) and what the page says instead.
CONFLICTS = (
    ("offering is cancelled", _("This training has been cancelled.")),
    ("registration for this offering is closed", _("Registration for this training has closed.")),
    ("meetings overlap", _("Its meetings overlap another training where you hold a seat.")),
)
NOT_OPEN = _("This training is not open for registration.")
NOT_AN_EDUCATOR = _("Only educators can register for trainings.")


@dataclass(frozen=True)
class Timetable:
    """The meetings as read in one zone."""

    zone: str
    meetings: list[Span]


def timetables(offering: dict[str, Any], viewer_zone: str | None, language: str) -> list[Timetable]:
    """The meetings in the offering's zone and, when the reader lives elsewhere, in theirs."""
    names = [offering["timezone"]]
    if viewer_zone and viewer_zone != offering["timezone"] and dates.zone_of(viewer_zone):
        names.append(viewer_zone)
    tables = []
    for name in names:
        zone = dates.zone_of(name)
        if zone is None:
            continue
        spans = [
            dates.span_in(m["starts_at"], m["ends_at"], zone, language)
            for m in offering.get("meetings") or []
        ]
        tables.append(Timetable(zone=dates.zone_name(zone, language), meetings=spans))
    return tables


def pd_hours(offering: dict[str, Any], language: str) -> str | None:
    """The PD hours the offering earns, written in `language`, when the registry gives them."""
    hours = offering.get("pd_hours")
    if not isinstance(hours, int | float) or hours <= 0:
        return None
    return format_decimal(hours, locale=language)


def conflict_message(detail: str) -> str:
    """Why the scheduler would not register the person, in the reader's words (a msgid)."""
    for start, message in CONFLICTS:
        if detail.startswith(start):
            return message
    return NOT_OPEN
