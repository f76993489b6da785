// Expands each iCalendar file named on the command line with Mozilla's ical.js, as calendar
// clients built on it do (ICAL.Event, exceptions related to their master), and prints one JSON
// object keyed by path: every instance's UTC start/end, and what each VEVENT names (UID,
// RECURRENCE-ID, DTSTART) in epoch seconds. TZIDs resolve against the file's own VTIMEZONEs.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [from, until] = [process.argv[2], process.argv[3]].map(Number);

function expand(calendar) {
  const vevents = calendar.getAllSubcomponents("vevent");
  const masters = vevents.filter((v) => !v.hasProperty("recurrence-id")).map((v) => new ICAL.Event(v));
  for (const vevent of vevents.filter((v) => v.hasProperty("recurrence-id"))) {
    const master = masters.find((m) => m.uid === vevent.getFirstPropertyValue("uid"));
    if (master) master.relateException(new ICAL.Event(vevent));
  }
  const instances = [];
  for (const master of masters) {
    const iterator = master.iterator();
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (next.toUnixTime() > until) break;
      const details = master.getOccurrenceDetails(next);
      const start = details.startDate.toUnixTime();
      if (start >= from) instances.push([start, details.endDate.toUnixTime()]);
    }
  }
  return instances.sort((a, b) => a[0] - b[0]);
}

const out = {};
for (const path of process.argv.slice(4)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  const named = calendar.getAllSubcomponents("vevent").map((v) => {
    const rid = v.getFirstPropertyValue("recurrence-id");
    return [v.getFirstPropertyValue("uid"), rid ? rid.toUnixTime() : null, v.getFirstPropertyValue("dtstart").toUnixTime()];
  });
  out[path] = { instances: expand(calendar), named };
}
process.stdout.write(JSON.stringify(out));
