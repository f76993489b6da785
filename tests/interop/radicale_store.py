"""A real CalDAV server (Radicale, from PyPI) on a free loopback port, for the form study.

`running_radicale()` starts it as a subprocess with a temporary storage folder and no
authentication; `put_calendar` and `expanded_instances` speak CalDAV over httpx: each held
object is PUT as one resource, and a calendar-query REPORT asks the server to expand every
recurrence in a window (RFC 4791 section 9.6.5), as a CalDAV client showing a week would.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import icalendar

DAV, CALDAV = "DAV:", "urn:ietf:params:xml:ns:caldav"
QUERY = """<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><C:calendar-data><C:expand start="{start}" end="{end}"/></C:calendar-data></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="{start}" end="{end}"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_radicale(folder: Path) -> Iterator[str]:
    """Radicale serving `folder` on loopback; yields its base URL and stops it afterwards."""
    port = _free_port()
    config = folder / "config"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n[auth]\ntype = none\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    argv = [sys.executable, "-m", "radicale", "--config", str(config)]
    server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"radicale exited: {server.stderr.read().decode() if server.stderr else ''}"
            )
        try:
            httpx.get(f"{base}/.web/", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("radicale did not start within 20 s")


def new_calendar(base: str, name: str) -> str:
    """MKCALENDAR a fresh collection; returns its URL."""
    url = f"{base}/zoe/{name}/"
    answer = httpx.request("MKCALENDAR", url, auth=("zoe", "x"), timeout=10)
    assert answer.status_code == 201, (answer.status_code, answer.text)
    return url


def put_calendar(collection: str, texts: list[str]) -> None:
    """Replace the collection's objects by these (one resource per UID, as clients store them)."""
    listing = httpx.request("PROPFIND", collection, headers={"Depth": "1"}, auth=("zoe", "x"))
    for href in ElementTree.fromstring(listing.content).iter(f"{{{DAV}}}href"):
        if href.text and href.text.endswith(".ics"):
            httpx.delete(f"{collection.split('/zoe/')[0]}{href.text}", auth=("zoe", "x"))
    for number, text in enumerate(texts):
        # A stored object carries no METHOD (RFC 4791 section 4.1): the client strips it.
        stored = text.replace("METHOD:REQUEST\r\n", "")
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        url = f"{collection}object-{number}.ics"
        answer = httpx.put(url, content=stored.encode(), headers=headers, auth=("zoe", "x"))
        assert answer.status_code in (201, 204), (answer.status_code, answer.text)


def expanded_instances(collection: str, start: datetime, end: datetime) -> list[tuple[int, int]]:
    """Every instance the server expands in [start, end), as epoch seconds, sorted."""
    body = QUERY.format(start=_stamp(start), end=_stamp(end))
    headers = {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"}
    answer = httpx.request(
        "REPORT", collection, content=body.encode(), headers=headers, auth=("zoe", "x")
    )
    assert answer.status_code == 207, (answer.status_code, answer.text)
    found = []
    for data in ElementTree.fromstring(answer.content).iter(f"{{{CALDAV}}}calendar-data"):
        vevents: list[Any] = icalendar.Calendar.from_ical(data.text or "").walk("VEVENT")
        for vevent in vevents:
            starts, ends = vevent["DTSTART"].dt, vevent["DTEND"].dt
            found.append((int(starts.timestamp()), int(ends.timestamp())))
    return sorted(found)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")
