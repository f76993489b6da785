"""The registry's refusals of an offering (its 422 `detail`), each put next to the form's field
it is about, in words the page translates."""

import re
from typing import Any

from services.portal.affiliate.offering_form import TEXT_FIELDS, OfferingForm, Problem


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


_MEETING_PARTS = {"starts_at": "start", "ends_at": "end", "id": "date"}
# The registry's reasons (English, for API callers) and what the form says instead.
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"does not exist in (?P<zone>\S+)"),
        _("This time does not exist in %(zone)s: the clocks skip it for daylight saving time."),
    ),
    (
        re.compile(r"happens twice in (?P<zone>\S+).*offset: (?P<offsets>.+)$"),
        _(
            "This time happens twice in %(zone)s as daylight saving time ends: add the offset "
            "of the one you mean (%(offsets)s), e.g. 01:30-05:00."
        ),
    ),
    (
        re.compile(r"offset (?P<given>\S+) is not valid .* use (?P<offsets>.+)$"),
        _("This offset is not valid for this time; use %(offsets)s."),
    ),
    (
        re.compile(r"max_participants \((?P<num>\d+)\)"),
        _("This program allows at most %(num)s seats per cohort."),
    ),
    (re.compile(r"must be after starts_at"), _("The meeting must end after it starts.")),
    (re.compile(r"at most 24 hours"), _("A meeting lasts at most 24 hours.")),
    (
        re.compile(r"overlaps meetings"),
        _("This meeting overlaps another meeting of this offering."),
    ),
    (
        re.compile(r"is in the past"),
        _("A published offering's meetings can only move to a future time."),
    ),
    (re.compile(r"is required for a"), _("This format needs it.")),
    (re.compile(r"must be empty for a"), _("Leave this empty for this format.")),
]


def reason(message: str) -> Problem:
    """The form's words for one of the registry's reasons (its own words when unknown)."""
    for pattern, wording in _REASONS:
        found = pattern.search(message)
        if found:
            return wording, {k: v.replace(" or ", " / ") for k, v in found.groupdict().items()}
    return "%(reason)s", {"reason": message}


def field_of(location: list[Any], sent_rows: list[int]) -> str | None:
    """The form field a refusal's `loc` names; None when it is about no field of the form."""
    path = location[1:] if location[:1] == ["body"] else location
    if not path:
        return None
    if path[0] == "meetings":
        if len(path) < 2 or not isinstance(path[1], int) or path[1] >= len(sent_rows):
            return f"meeting_{sent_rows[0] if sent_rows else 0}_date"
        part = _MEETING_PARTS.get(str(path[2]) if len(path) > 2 else "", "date")
        return f"meeting_{sent_rows[path[1]]}_{part}"
    if path[0] == "venue":
        return (
            f"venue_{path[1]}"
            if len(path) > 1 and f"venue_{path[1]}" in TEXT_FIELDS
            else "venue_name"
        )
    return str(path[0]) if str(path[0]) in TEXT_FIELDS else None


def refused(typed: OfferingForm, refusals: list[dict[str, Any]]) -> OfferingForm:
    """The form with each of the registry's refusals next to its field (or above the form)."""
    for refusal in refusals:
        problem = reason(str(refusal.get("msg", "")))
        name = field_of(list(refusal.get("loc") or []), typed.sent_rows)
        if name is None:
            typed.problems.append(problem)
        else:
            typed.errors.setdefault(name, problem)
    return typed
