"""The weekly availability grid: three windows a day, more where a day already has more, read
from the form and checked."""

import re
from dataclasses import dataclass, field
from typing import Any


def _(message: str) -> str:
    """Mark a message for the catalogue; the page translates it in the visitor's language."""
    return message


WINDOWS_A_DAY = 3
# The scheduler keeps up to 100 windows; a grid wider than this would be unusable.
MOST_WINDOWS_A_DAY = 8
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
BOTH_NEEDED = _("Enter both the start and the end of this window, or neither.")
NOT_A_TIME = _("Enter a time like 09:00.")
END_FIRST = _("The end must be after the start.")


@dataclass
class Grid:
    """The grid's cells as shown (`start-0-1` → "09:00"), the windows they make and the errors."""

    cells: dict[str, str] = field(default_factory=dict)
    windows: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    slots: int = WINDOWS_A_DAY


def grid_of(availability: list[dict[str, Any]]) -> Grid:
    """The grid showing a facilitator's windows, with as many rows as the fullest day needs."""
    grid = Grid()
    used: dict[int, int] = {}
    for window in sorted(availability, key=lambda w: (w["weekday"], w["start"])):
        day = int(window["weekday"])
        slot = used.get(day, 0)
        used[day] = slot + 1
        if slot < MOST_WINDOWS_A_DAY:
            grid.cells[f"start-{day}-{slot}"] = str(window["start"])
            grid.cells[f"end-{day}-{slot}"] = str(window["end"])
            grid.windows.append(window)
    grid.slots = max([WINDOWS_A_DAY, *(min(n, MOST_WINDOWS_A_DAY) for n in used.values())])
    return grid


def _cell(form: dict[str, str], name: str) -> str:
    return form.get(name, "").strip()[:5]


def _read_window(form: dict[str, str], day: int, slot: int, grid: Grid) -> None:
    start_name, end_name = f"start-{day}-{slot}", f"end-{day}-{slot}"
    start, end = _cell(form, start_name), _cell(form, end_name)
    if not start and not end:
        return
    grid.cells[start_name], grid.cells[end_name] = start, end
    grid.slots = max(grid.slots, slot + 1)
    if not start or not end:
        grid.errors[start_name if not start else end_name] = BOTH_NEEDED
    elif not CLOCK.fullmatch(start):
        grid.errors[start_name] = NOT_A_TIME
    elif not CLOCK.fullmatch(end):
        grid.errors[end_name] = NOT_A_TIME
    elif end <= start:
        grid.errors[end_name] = END_FIRST
    else:
        grid.windows.append({"weekday": day, "start": start, "end": end})


def read_grid(form: dict[str, str]) -> Grid:
    """The windows the posted grid holds, with an error per wrong cell."""
    grid = Grid()
    for day in range(7):
        for slot in range(MOST_WINDOWS_A_DAY):
            _read_window(form, day, slot, grid)
    return grid
