"""Expand iCalendar files with libical (GObject introspection) for the calendar-form study.

Runs under the system Python that has python3-gi: `libical_expand.py FROM UNTIL FILE...` (epoch
seconds). For each file it prints, in one JSON object keyed by path, every instance that
libical's own recurrence walk (`foreach_recurrence`: RRULE, RDATE, EXDATE, and instances an
override replaces) yields plus the overrides, and what each VEVENT names (UID, RECURRENCE-ID,
DTSTART), all in epoch seconds. TZIDs resolve against the file's own VTIMEZONEs.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal  # noqa: E402

UTC = ICal.Timezone.get_utc_timezone()


def vevents(calendar):
    """The VEVENTs of a VCALENDAR."""
    child = calendar.get_first_component(ICal.ComponentKind.VEVENT_COMPONENT)
    while child is not None:
        yield child
        child = calendar.get_next_component(ICal.ComponentKind.VEVENT_COMPONENT)


def epoch(calendar, vevent, kind, value):
    """Epoch seconds of a DATE-TIME property, its TZID resolved in the file's own VTIMEZONEs."""
    if value.is_utc():
        return value.as_timet_with_zone(UTC)
    prop = vevent.get_first_property(kind)
    tzid = prop.get_first_parameter(ICal.ParameterKind.TZID_PARAMETER).get_tzid()
    return value.as_timet_with_zone(calendar.get_timezone(tzid))


def start(calendar, vevent):
    """DTSTART and DTEND in epoch seconds."""
    begin = epoch(calendar, vevent, ICal.PropertyKind.DTSTART_PROPERTY, vevent.get_dtstart())
    return begin, epoch(calendar, vevent, ICal.PropertyKind.DTEND_PROPERTY, vevent.get_dtend())


def recurrence_id(calendar, vevent):
    """RECURRENCE-ID in epoch seconds, or None for a master."""
    rid = vevent.get_recurrenceid()
    if rid.is_null_time():
        return None
    return epoch(calendar, vevent, ICal.PropertyKind.RECURRENCEID_PROPERTY, rid)


def expand(calendar, begin, until):
    """Every instance start/end in [begin, until]: the masters' walks less the instances an
    override replaces (libical leaves that to its callers, as Evolution does), plus overrides."""
    found, overrides, replaced = [], [], set()
    window = [ICal.Time.new_from_timet_with_zone(t, 0, UTC) for t in (begin, until)]

    def seen(_component, span, _data):
        found.append([span.get_start(), span.get_end()])

    for vevent in list(vevents(calendar)):
        rid = recurrence_id(calendar, vevent)
        if rid is None:
            vevent.foreach_recurrence(window[0], window[1], seen, None)
        else:
            replaced.add(rid)
            overrides.append(list(start(calendar, vevent)))
    return sorted([i for i in found if i[0] not in replaced] + overrides)


def named(calendar):
    """UID, RECURRENCE-ID and DTSTART of each VEVENT."""
    out = []
    for vevent in vevents(calendar):
        out.append([vevent.get_uid(), recurrence_id(calendar, vevent), start(calendar, vevent)[0]])
    return out


def main():
    """Print the JSON report of every file named on the command line."""
    begin, until = int(sys.argv[1]), int(sys.argv[2])
    report = {}
    for path in sys.argv[3:]:
        with open(path, encoding="utf-8", newline="") as handle:
            calendar = ICal.Component.new_from_string(handle.read())
        report[path] = {"instances": expand(calendar, begin, until), "named": named(calendar)}
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
