"""The add-a-facilitator form read and checked; they set their own weekly availability once they
have accepted the invitation accounts mails them."""

import re
from dataclasses import dataclass, field
from typing import Any


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


FIELDS = ("name", "email", "timezone", "home_state", "max_sessions_per_month")
STATE = re.compile(r"[A-Z]{2}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PROBLEMS = {
    "name": _("Enter the facilitator's name."),
    "email": _("Enter an email address like name@example.org."),
    "timezone": _("Choose a time zone from the list."),
    "home_state": _("Enter the two-letter state code, like OH."),
    "max_sessions_per_month": _("Enter a whole number from 0 to 200."),
}
MOST_SESSIONS = 200


@dataclass
class FacilitatorForm:
    """The form as typed, the body it makes and the error of each wrong field."""

    typed: dict[str, Any] = field(
        default_factory=lambda: {
            **dict.fromkeys(FIELDS, ""),
            "max_sessions_per_month": "8",
            "programs": [],
        }
    )
    body: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _sessions(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) <= MOST_SESSIONS else None


def read_facilitator(fields: list[tuple[str, str]]) -> FacilitatorForm:
    """The facilitator the posted form describes (certifications repeat `program`)."""
    first = {name: value.strip() for name, value in reversed(fields)}
    codes = sorted({value for name, value in fields if name == "program"})
    typed: dict[str, Any] = {name: first.get(name, "") for name in FIELDS}
    typed["home_state"] = typed["home_state"].upper()
    typed["programs"] = codes
    found = FacilitatorForm(typed=typed)
    for name in ("name", "timezone"):
        if not typed[name]:
            found.errors[name] = PROBLEMS[name]
    if not EMAIL.fullmatch(typed["email"]):
        found.errors["email"] = PROBLEMS["email"]
    if not STATE.fullmatch(typed["home_state"]):
        found.errors["home_state"] = PROBLEMS["home_state"]
    sessions = _sessions(typed["max_sessions_per_month"])
    if sessions is None:
        found.errors["max_sessions_per_month"] = PROBLEMS["max_sessions_per_month"]
    found.body = {
        "name": typed["name"],
        "email": typed["email"],
        "timezone": typed["timezone"],
        "home_state": typed["home_state"],
        "max_sessions_per_month": sessions,
        "certifications": codes,
        "availability": [],
    }
    return found


def refused(found: FacilitatorForm, detail: Any) -> FacilitatorForm:
    """The form with the scheduler's refusals next to the fields they name."""
    for refusal in detail if isinstance(detail, list) else []:
        location = list(refusal.get("loc") or [])
        name = str(location[1]) if len(location) > 1 else "name"
        found.errors.setdefault(name if name in FIELDS else "name", str(refusal.get("msg", "")))
    if not found.errors:
        found.errors["email"] = str(detail)
    return found
