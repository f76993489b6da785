"""The attendance form read into marks: one control per participant, minutes for a partial."""

from dataclasses import dataclass, field
from typing import Any


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


STATUSES = ("present", "absent", "partial")
STATUS_NAMES = {
    "present": _("Present"),
    "absent": _("Absent"),
    "partial": _("Part of the time"),
    "unmarked": _("Not marked yet"),
}
MINUTES_NEEDED = _("Enter the minutes attended, from 1 to %(most)d.")


@dataclass
class Marking:
    """What the form asks to change, the errors found and the form as sent (to show again)."""

    marks: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    sent: dict[int, dict[str, str]] = field(default_factory=dict)


def _minutes(text: str, most: int) -> int | None:
    text = text.strip()
    if not text.isdigit() or len(text) > 5:
        return None
    value = int(text)
    return value if 1 <= value <= most else None


def _read_one(form: dict[str, str], item: dict[str, Any], most: int, marking: Marking) -> None:
    registration = int(item["registration_id"])
    status = form.get(f"status-{registration}", "")
    minutes_text = form.get(f"minutes-{registration}", "")
    marking.sent[registration] = {"status": status, "minutes": minutes_text}
    if status not in STATUSES:
        return
    mark: dict[str, Any] = {"registration_id": registration, "status": status}
    if status == "partial":
        minutes = _minutes(minutes_text, most)
        if minutes is None:
            marking.errors[f"minutes-{registration}"] = (MINUTES_NEEDED, {"most": most})
            return
        mark["minutes"] = minutes
    if status != item.get("status") or mark.get("minutes") != item.get("minutes"):
        marking.marks.append(mark)


def read_marks(form: dict[str, str], items: list[dict[str, Any]], most: int) -> Marking:
    """The changed marks of the meeting's participants; `most` is the meeting's minutes."""
    marking = Marking()
    for item in items:
        _read_one(form, item, most, marking)
    return marking
