"""The new-program form read and checked: each wrong field gets its own error, and the
registry's refusals are put next to the field they name."""

import re
from dataclasses import dataclass, field
from typing import Any


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TEXT_FIELDS = ("code", "title", "description")
# Each number field: its lowest and highest value and whether it may have decimals.
NUMBER_FIELDS = {
    "pd_hours": (0, 500, True),
    "max_participants": (1, 1000, False),
    "facilitators_required": (1, 10, False),
    "completion_percent": (1, 100, False),
}
DEFAULTS = {
    "pd_hours": "3",
    "max_participants": "30",
    "facilitators_required": "1",
    "completion_percent": "100",
}
NEEDED = _("Fill this in.")
NOT_A_CODE = _("Use lower-case letters, digits and single hyphens, like implicit-bias.")
OUT_OF_RANGE = _("Enter a number from %(low)s to %(high)s.")
CODE_TAKEN = _("Another program already has this code.")
Problem = tuple[str, dict[str, Any]]


def blank() -> dict[str, str]:
    """The new-program form before anything is typed: listed publicly, not discreet."""
    return {**dict.fromkeys(TEXT_FIELDS, ""), **DEFAULTS, "sensitive": "", "listed_publicly": "yes"}


@dataclass
class ProgramForm:
    """The form as typed, the body it makes and the errors found."""

    typed: dict[str, str] = field(default_factory=blank)
    body: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Problem] = field(default_factory=dict)


def _number(text: str, low: int, high: int, decimals: bool) -> float | int | None:
    try:
        value = float(text) if decimals else int(text)
    except ValueError:
        return None
    return value if low <= value <= high else None


def read_program(form: dict[str, str]) -> ProgramForm:
    """The program the form describes, or the errors that stop it."""
    found = ProgramForm(
        typed={name: form.get(name, "").strip() for name in (*TEXT_FIELDS, *NUMBER_FIELDS)}
    )
    typed = found.typed
    if not SLUG.fullmatch(typed["code"]) or not 2 <= len(typed["code"]) <= 64:
        found.errors["code"] = (NOT_A_CODE if typed["code"] else NEEDED, {})
    if not typed["title"]:
        found.errors["title"] = (NEEDED, {})
    for name, (low, high, decimals) in NUMBER_FIELDS.items():
        value = _number(typed[name], low, high, decimals)
        if value is None:
            found.errors[name] = (OUT_OF_RANGE, {"low": low, "high": high})
        found.body[name] = value
    found.body |= {name: typed[name] for name in TEXT_FIELDS}
    found.body["sensitive"] = form.get("sensitive") == "yes"
    found.body["listed_publicly"] = form.get("listed_publicly") == "yes"
    typed["sensitive"], typed["listed_publicly"] = (
        "yes" if found.body["sensitive"] else "",
        "yes" if found.body["listed_publicly"] else "",
    )
    return found


def refused(found: ProgramForm, status: int, detail: Any) -> ProgramForm:
    """The form with the registry's refusal next to the field it names (the code when taken)."""
    if status == 409:
        found.errors["code"] = (CODE_TAKEN, {})
        return found
    for refusal in detail if isinstance(detail, list) else []:
        location = list(refusal.get("loc") or [])
        name = str(location[1]) if len(location) > 1 else "title"
        shown = name if name in (*TEXT_FIELDS, *NUMBER_FIELDS) else "title"
        found.errors.setdefault(shown, ("%(reason)s", {"reason": str(refusal.get("msg", ""))}))
    if not found.errors:
        found.errors["title"] = ("%(reason)s", {"reason": str(detail)})
    return found


CHANGEABLE = ("title", "description", "pd_hours", "completion_percent")


def typed_change(program: dict[str, Any]) -> dict[str, str]:
    """The edit form filled with the program as it is."""
    typed = {name: str(program[name]) for name in CHANGEABLE}
    return typed | {"sensitive": "yes" if program.get("sensitive") else ""}


def read_change(form: dict[str, str]) -> ProgramForm:
    """The change the edit form asks for (title, description, hours, rule, discretion), or its
    errors."""
    whole = read_program({**DEFAULTS, "code": "unchanged", **form})
    kept = (*CHANGEABLE, "sensitive")
    found = ProgramForm(typed={name: whole.typed[name] for name in kept})
    found.errors = {name: whole.errors[name] for name in CHANGEABLE if name in whole.errors}
    found.body = {name: whole.body[name] for name in kept}
    return found
