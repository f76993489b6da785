"""The catalogue's search form: what the visitor asked for, checked, as the registry's filters,
and the pages passed to reach the one shown."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from services.portal import dates

PAGE_SIZE = 10
FIELDS = ("q", "program", "state", "format", "from", "to")
FORMATS = ("in_person", "virtual", "hybrid")
MAX_TEXT = 200
MAX_OFFSET = 10_000
STATE = re.compile(r"[A-Za-z]{2}")
# The trail of pages passed (each page's cursor) rides in the address so that "Previous" works
# without JavaScript or a session; it is capped to keep the address short.
CURSOR = re.compile(r"[A-Za-z0-9_-]{1,200}")
MAX_TRAIL = 50


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


@dataclass
class Search:
    """The form as typed, what is wrong with each field, and the page asked for."""

    values: dict[str, str]
    offset: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    trail: tuple[str, ...] = ()

    def filters(self, zone: ZoneInfo) -> dict[str, str]:
        """The registry's query for this search (dates read in `zone`): published offerings only,
        the page after the trail's last cursor (or at `offset`, for old addresses)."""
        params = {"limit": str(PAGE_SIZE), "status": "published"}
        if self.trail:
            params["cursor"] = self.trail[-1]
        else:
            params["offset"] = str(self.offset)
        for name in ("q", "program", "format"):
            if self.values[name]:
                params[name] = self.values[name]
        if self.values["state"]:
            params["state"] = self.values["state"].upper()
        if self.values["from"]:
            params["starts_after"] = dates.start_of(date.fromisoformat(self.values["from"]), zone)
        if self.values["to"]:
            day_after = date.fromisoformat(self.values["to"]) + timedelta(days=1)
            params["starts_before"] = dates.start_of(day_after, zone)
        return params

    def first_page(self) -> "Search":
        """The same search from its first page (when the registry refused the trail)."""
        return Search(values=self.values, errors=self.errors)

    def _link(self, trail: tuple[str, ...], offset: int = 0) -> str:
        query = {name: value for name, value in self.values.items() if value}
        if trail:
            query["after"] = ".".join(trail[-MAX_TRAIL:])
        elif offset:
            query["offset"] = str(offset)
        return "/?" + urlencode(query)

    def next_link(self, next_cursor: str | None) -> str | None:
        """The address of the next page, if the registry gave a cursor for it."""
        if next_cursor is None or not CURSOR.fullmatch(next_cursor):
            return None
        return self._link((*self.trail, next_cursor))

    def previous_link(self) -> str | None:
        """The address of the previous page; None on the first."""
        if self.trail:
            return self._link(self.trail[:-1])
        if self.offset:
            return self._link((), max(self.offset - PAGE_SIZE, 0))
        return None


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _offset(value: str | None) -> int:
    if value is None or not value.isdigit():
        return 0
    return min(int(value), MAX_OFFSET)


def _check(values: dict[str, str]) -> dict[str, str]:
    errors = {}
    if values["state"] and not STATE.fullmatch(values["state"]):
        errors["state"] = _("Enter a state as two letters, for example OH.")
    if values["format"] and values["format"] not in FORMATS:
        errors["format"] = _("Choose a format from the list.")
    for name in ("from", "to"):
        if values[name] and _day(values[name]) is None:
            errors[name] = _("Enter a date in the form 2027-03-10.")
    first, last = _day(values["from"]), _day(values["to"])
    if first and last and last < first and "to" not in errors:
        errors["to"] = _("The last day comes before the first.")
    return errors


def _trail(value: str | None) -> tuple[str, ...]:
    cursors = tuple((value or "").split("."))[-MAX_TRAIL:]
    # An edited address that no longer holds cursors starts the search over.
    return cursors if all(CURSOR.fullmatch(cursor) for cursor in cursors) else ()


def read_search(query: Mapping[str, str]) -> Search:
    """The search in a catalogue address, each field checked."""
    values = {name: query.get(name, "").strip()[:MAX_TEXT] for name in FIELDS}
    return Search(
        values=values,
        offset=_offset(query.get("offset")),
        errors=_check(values),
        trail=_trail(query.get("after")),
    )
