"""Each reader's view of a set of calendar files for the form study: the instances it expands
(RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) and what each VEVENT names.

icalendar has no recurrence walk of its own, so its reading walks the properties it parses with
dateutil, as a Python client would; vobject uses its own `getrruleset`; ical.js its `ICAL.Event`
iterator (tests/interop/icaljs_expand.mjs); libical its `foreach_recurrence`
(tests/interop/libical_expand.py, under the system Python).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import icalendar
import vobject
from dateutil.rrule import rrulestr

from tests.interop.itip_forms import WINDOW

INTEROP = Path(__file__).resolve().parent
Named = tuple[str, int | None, int]  # uid, recurrence-id, start


class Reading(dict[str, Any]):
    """path -> {"instances": [(start, end)...], "named": [(uid, rid, start)...]}."""


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _values(prop: Any) -> list[datetime]:
    props = prop if isinstance(prop, list) else [prop]
    return [value.dt for one in props for value in one.dts]


def _icalendar_master(vevent: Any) -> list[datetime]:
    start = vevent["DTSTART"].dt
    starts = {start, *_values(vevent.get("RDATE", []))}
    if "RRULE" in vevent:
        starts.update(rrulestr(vevent["RRULE"].to_ical().decode(), dtstart=start))
    return sorted(starts - set(_values(vevent.get("EXDATE", []))))


def icalendar_file(text: str) -> dict[str, list[Any]]:
    """icalendar's parse, walked with dateutil."""
    events: list[Any] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    overrides = {e["RECURRENCE-ID"].dt: e for e in events if "RECURRENCE-ID" in e}
    instances = []
    for vevent in events:
        length = vevent["DTEND"].dt - vevent["DTSTART"].dt
        starts = [vevent["DTSTART"].dt] if "RECURRENCE-ID" in vevent else _icalendar_master(vevent)
        for start in starts:
            if "RECURRENCE-ID" in vevent or start not in overrides:
                instances.append((_epoch(start), _epoch(start + length)))
    named = [
        (
            str(e["UID"]),
            _epoch(e["RECURRENCE-ID"].dt) if "RECURRENCE-ID" in e else None,
            _epoch(e["DTSTART"].dt),
        )
        for e in events
    ]
    return {"instances": sorted(instances), "named": named}


def vobject_file(text: str) -> dict[str, list[Any]]:
    """vobject's parse and recurrence set; overrides replace the instance they name."""
    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [tzid for tzid in registry if tzid != "UTC"]:
        del registry[tzid]  # a fresh reader per file: vobject keeps the first zone per TZID
    events: list[Any] = vobject.readOne(text).vevent_list
    overrides = {e.recurrence_id.value for e in events if hasattr(e, "recurrence_id")}
    instances = []
    for vevent in events:
        length = vevent.dtend.value - vevent.dtstart.value
        if hasattr(vevent, "recurrence_id"):
            starts = [vevent.dtstart.value]
        else:
            ruleset = vevent.getrruleset(addRDate=True) or [vevent.dtstart.value]
            starts = [s for s in ruleset if s not in overrides]
        instances += [(_epoch(s), _epoch(s + length)) for s in starts]
    named = [
        (
            e.uid.value,
            _epoch(e.recurrence_id.value) if hasattr(e, "recurrence_id") else None,
            _epoch(e.dtstart.value),
        )
        for e in events
    ]
    return {"instances": sorted(instances), "named": named}


def _in_python(read: Callable[[str], dict[str, list[Any]]]) -> Callable[[list[str]], Reading]:
    def reader(paths: list[str]) -> Reading:
        return Reading({p: read(Path(p).read_text(encoding="utf-8")) for p in paths})

    return reader


def _window() -> list[str]:
    return [str(_epoch(moment)) for moment in WINDOW]


def _run(argv: list[str]) -> Reading:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    return Reading(
        {
            path: {
                "instances": [tuple(i) for i in result["instances"]],
                "named": [tuple(n) for n in result["named"]],
            }
            for path, result in report.items()
        }
    )


def icaljs(paths: list[str]) -> Reading:
    """ical.js's expansion."""
    return _run(["node", str(INTEROP / "icaljs_expand.mjs"), *_window(), *paths])


def libical(python: str) -> Callable[[list[str]], Reading]:
    """libical's expansion, run by a Python that has its GObject bindings."""
    return lambda paths: _run([python, str(INTEROP / "libical_expand.py"), *_window(), *paths])


PYTHON_READERS = {"icalendar": _in_python(icalendar_file), "vobject": _in_python(vobject_file)}
