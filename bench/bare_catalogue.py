"""The bare baseline of the catalogue: the same listing as hand-written SQL, alone and over HTTP.

`list_offerings` runs the count, the page (offerings joined to affiliate and program) and the
page's meetings with psycopg and builds plain dicts; `app` serves it as GET /offerings with the
registry's filters, nothing else (no auth, no validation models, no ORM).

    uvicorn bench.bare_catalogue:app     (BARE_DATABASE_URL = the registry's database)
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from fastapi import FastAPI

DATABASE_URL = os.environ.get("BARE_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres")
FILTERS = {
    "program": "p.code = %(program)s",
    "state": "a.state = %(state)s",
    "format": "o.format = %(format)s",
    "starts_after": "o.first_starts_at_utc >= %(starts_after)s",
    "starts_before": "o.first_starts_at_utc < %(starts_before)s",
}
FROM = (
    " FROM offerings o JOIN affiliates a ON a.id = o.affiliate_id"
    " JOIN programs p ON p.id = o.program_id"
)
COLUMNS = (
    "o.id, o.title, o.description, o.format, o.timezone, o.join_url, o.capacity,"
    " o.max_cohorts, o.status, o.affiliate_id, a.name, a.state, p.code, p.title, p.sensitive,"
    " p.facilitators_required, p.pd_hours, o.venue_name, o.venue_address, o.venue_city,"
    " o.venue_state, o.registration_closes_at_utc, o.cancel_reason, o.created_at, o.updated_at"
)
NAMES = [c.strip().replace(".", "_") for c in COLUMNS.split(",")]


def list_offerings(
    connection: psycopg.Connection[Any], filters: dict[str, Any], limit: int, offset: int
) -> dict[str, Any]:
    """A page of published offerings by first meeting, with meetings, and the total."""
    where = " WHERE o.status = 'published'" + "".join(
        f" AND {FILTERS[name]}" for name, value in filters.items() if value is not None
    )
    params = {**filters, "limit": limit, "offset": offset}
    total = connection.execute("SELECT count(*)" + FROM + where, params).fetchone()
    page = connection.execute(
        f"SELECT {COLUMNS}{FROM}{where}"
        " ORDER BY o.first_starts_at_utc, o.id LIMIT %(limit)s OFFSET %(offset)s",
        params,
    ).fetchall()
    items = [dict(zip(NAMES, row, strict=True)) for row in page]
    meetings: dict[int, list[dict[str, Any]]] = {}
    rows = connection.execute(
        "SELECT offering_id, id, starts_at_utc, ends_at_utc FROM meetings"
        " WHERE offering_id = ANY(%s) ORDER BY starts_at_utc, id",
        ([item["o_id"] for item in items],),
    )
    for offering_id, meeting_id, starts, ends in rows:
        meetings.setdefault(offering_id, []).append(
            {"id": meeting_id, "starts_at_utc": starts, "ends_at_utc": ends}
        )
    for item in items:
        zone = ZoneInfo(item["o_timezone"])
        item["meetings"] = [
            {
                **m,
                "starts_at": m["starts_at_utc"].astimezone(zone),
                "ends_at": m["ends_at_utc"].astimezone(zone),
            }
            for m in meetings.get(item["o_id"], [])
        ]
    return {"items": items, "total": total[0] if total else 0}


_local = threading.local()


def _connection() -> psycopg.Connection[Any]:
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = psycopg.connect(DATABASE_URL, autocommit=True)
        _local.connection = connection
    return connection


app = FastAPI(title="bare catalogue")


@app.get("/readyz")
def ready() -> dict[str, str]:
    """Answer once started."""
    return {"status": "ok"}


@app.get("/offerings")
def offerings(
    program: str | None = None,
    state: str | None = None,
    format: str | None = None,
    starts_after: datetime | None = None,
    starts_before: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The listing, as JSON (FastAPI's encoder turns datetimes into ISO strings)."""
    filters = {
        "program": program,
        "state": state,
        "format": format,
        "starts_after": starts_after,
        "starts_before": starts_before,
    }
    return list_offerings(_connection(), filters, limit, offset)
