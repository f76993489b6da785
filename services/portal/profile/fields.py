"""The profile form: the time zones offered (US ones first), what was typed, what is wrong."""

from dataclasses import dataclass, field
from functools import cache
from zoneinfo import available_timezones

from services.portal import languages
from shared.validation import zone_name


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


# The zones most of the union's members live in, first in the list, east to west.
US_ZONES = {
    "America/New_York": _("Eastern time (New York)"),
    "America/Chicago": _("Central time (Chicago)"),
    "America/Denver": _("Mountain time (Denver)"),
    "America/Phoenix": _("Mountain time, no daylight saving (Phoenix)"),
    "America/Los_Angeles": _("Pacific time (Los Angeles)"),
    "America/Anchorage": _("Alaska time (Anchorage)"),
    "Pacific/Honolulu": _("Hawaii time (Honolulu)"),
    "America/Puerto_Rico": _("Atlantic time (Puerto Rico)"),
}
FIELDS = ("name", "timezone", "locale")
MAX_NAME = 200
PROBLEMS = {
    "name": _("Enter your name, on one line, in up to 200 characters."),
    "timezone": _("Choose a time zone from the list."),
    "locale": _("Choose English or Español."),
}


def _is_zone(name: str) -> bool:
    try:
        zone_name(name)
    except ValueError:
        return False
    return True


@cache
def other_zones() -> list[str]:
    """Every other zone accounts accepts, in alphabetical order."""
    return sorted(z for z in available_timezones() if z not in US_ZONES and _is_zone(z))


@dataclass
class ProfileForm:
    """The profile as typed (or as accounts has it) and what is wrong with each field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def changes(self) -> dict[str, str]:
        """The body of accounts' PATCH /me (a zone left unchosen stays as it is)."""
        return {name: value for name, value in self.values.items() if value or name == "name"}


def from_person(person: dict[str, object]) -> ProfileForm:
    """The form filled in with what accounts knows of the person."""
    return ProfileForm(
        {
            "name": str(person.get("name") or ""),
            "timezone": str(person.get("timezone") or ""),
            "locale": str(person.get("locale") or languages.DEFAULT),
        }
    )


def read_profile(form: dict[str, str]) -> ProfileForm:
    """The posted form, each field checked as accounts would."""
    values = {name: form.get(name, "").strip() for name in FIELDS}
    checked = ProfileForm(values)
    if not values["name"] or len(values["name"]) > MAX_NAME:
        checked.errors["name"] = PROBLEMS["name"]
    if values["timezone"] and not _is_zone(values["timezone"]):
        checked.errors["timezone"] = PROBLEMS["timezone"]
    if values["locale"] not in languages.LANGUAGES:
        checked.errors["locale"] = PROBLEMS["locale"]
    return checked


def refused(form: ProfileForm, fields: tuple[str, ...]) -> ProfileForm:
    """The form with accounts' refusals next to their fields."""
    for name in fields:
        form.errors[name] = PROBLEMS.get(name, PROBLEMS["name"])
    return form
