// Reads each iCalendar file named on the command line with Mozilla's ical.js and prints, as one
// JSON object keyed by path, every VEVENT's UID, METHOD, STATUS and UTC start/end (epoch seconds).
// TZIDs resolve against the VTIMEZONEs inside each file, as calendar clients built on ical.js do.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const out = {};
for (const path of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  out[path] = calendar.getAllSubcomponents("vevent").map((vevent) => ({
    uid: vevent.getFirstPropertyValue("uid"),
    method: calendar.getFirstPropertyValue("method"),
    status: vevent.getFirstPropertyValue("status"),
    summary: vevent.getFirstPropertyValue("summary"),
    attendees: vevent.getAllProperties("attendee").length,
    start: vevent.getFirstPropertyValue("dtstart").toUnixTime(),
    end: vevent.getFirstPropertyValue("dtend").toUnixTime(),
  }));
}
process.stdout.write(JSON.stringify(out));
