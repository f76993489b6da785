"""Read iCalendar files with libical (through GObject introspection) for the interop tests.

Runs under the system Python that has python3-gi. For each file named on the command line it
prints, in one JSON object keyed by path, libical's parse and RFC 5546 restriction errors
(X-LIC-ERROR) and every VEVENT's UID and UTC start/end in epoch seconds. A TZID resolves only
against the VTIMEZONE inside the file, never against libical's built-in zones.
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal  # noqa: E402


def children(component, kind):
    """The direct subcomponents of one kind."""
    child = component.get_first_component(kind)
    while child is not None:
        yield child
        child = component.get_next_component(kind)


def properties(component, kind):
    """The properties of one kind."""
    prop = component.get_first_property(kind)
    while prop is not None:
        yield prop
        prop = component.get_next_property(kind)


def errors(component):
    """Every X-LIC-ERROR in the component tree."""
    found = [
        p.get_value_as_string() for p in properties(component, ICal.PropertyKind.XLICERROR_PROPERTY)
    ]
    for child in children(component, ICal.ComponentKind.ANY_COMPONENT):
        found.extend(errors(child))
    return found


def instant(calendar, prop, value):
    """Epoch seconds of a DATE-TIME property, its TZID resolved in the file's own VTIMEZONEs."""
    if value.is_utc():
        return value.as_timet_with_zone(ICal.Timezone.get_utc_timezone())
    parameter = prop.get_first_parameter(ICal.ParameterKind.TZID_PARAMETER)
    if parameter is None:
        raise ValueError("floating time")
    zone = calendar.get_timezone(parameter.get_tzid())
    if zone is None:
        raise ValueError(f"no VTIMEZONE for {parameter.get_tzid()}")
    return value.as_timet_with_zone(zone)


def read(text):
    """Errors and event instants of one VCALENDAR."""
    calendar = ICal.Component.new_from_string(text)
    ICal.restriction_check(calendar)
    events = []
    for vevent in children(calendar, ICal.ComponentKind.VEVENT_COMPONENT):
        start = vevent.get_first_property(ICal.PropertyKind.DTSTART_PROPERTY)
        end = vevent.get_first_property(ICal.PropertyKind.DTEND_PROPERTY)
        events.append(
            {
                "uid": vevent.get_uid(),
                "start": instant(calendar, start, start.get_dtstart()),
                "end": instant(calendar, end, end.get_dtend()),
            }
        )
    return {"errors": sorted(set(errors(calendar))), "events": events}


def main():
    """Print the JSON report of every file named on the command line."""
    report = {}
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8", newline="") as handle:
            report[path] = read(handle.read())
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
