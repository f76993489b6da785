"""Offerings of the catalogue as plain values, straight from joined rows (no ORM objects)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row

from services.registry.models import Affiliate, Program
from services.registry.models_offering import Offering
from shared.auth import Principal
from shared.columns import as_utc

_O = Offering.__table__  # type: ignore[attr-defined]
_A = Affiliate.__table__  # type: ignore[attr-defined]
_P = Program.__table__  # type: ignore[attr-defined]
COLUMNS = (
    *(
        _O.c[name]
        for name in (
            "id",
            "title",
            "description",
            "format",
            "timezone",
            "join_url",
            "capacity",
            "max_cohorts",
            "status",
            "affiliate_id",
            "venue_name",
            "venue_address",
            "venue_city",
            "venue_state",
            "registration_closes_at_utc",
            "first_starts_at_utc",
            "cancel_reason",
            "version",
            "created_at",
            "updated_at",
        )
    ),
    _A.c.name.label("affiliate_name"),
    _A.c.state.label("affiliate_state"),
    _P.c.code.label("program_code"),
    _P.c.title.label("program_title"),
    _P.c.sensitive,
    _P.c.facilitators_required,
    _P.c.pd_hours,
    _P.c.completion_percent,
)
Meetings = dict[int, list[tuple[int, datetime, datetime]]]


def owns(viewer: Principal | None, affiliate_id: int) -> bool:
    """Tell whether the viewer is the operator or a member of the affiliate running an offering."""
    return viewer is not None and (viewer.is_operator or viewer.member_of(affiliate_id))


def meetings_by_offering(rows: Iterable[Any]) -> Meetings:
    """Meeting rows (offering id, id, start, end) grouped by offering, in the order given."""
    grouped: Meetings = {}
    for offering_id, meeting_id, starts, ends in rows:
        grouped.setdefault(offering_id, []).append((meeting_id, as_utc(starts), as_utc(ends)))
    return grouped


def _meeting(meeting: tuple[int, datetime, datetime], zone: ZoneInfo) -> dict[str, Any]:
    meeting_id, starts, ends = meeting
    return {
        "id": meeting_id,
        "starts_at": starts.astimezone(zone),
        "starts_at_utc": starts,
        "ends_at": ends.astimezone(zone),
        "ends_at_utc": ends,
        "timezone": zone.key,
    }


def _venue(row: Row[Any]) -> dict[str, str] | None:
    if row.venue_name is None:
        return None
    return {
        "name": row.venue_name,
        "address": row.venue_address or "",
        "city": row.venue_city or "",
        "state": row.venue_state or "",
    }


def offering_item(
    row: Row[Any], meetings: list[tuple[int, datetime, datetime]], *, owns_it: bool
) -> dict[str, Any]:
    """One offering as GET /offerings shows it (the join link only to its owner)."""
    zone = ZoneInfo(row.timezone)
    closes = row.registration_closes_at_utc
    closes_utc = as_utc(closes) if closes is not None else None
    return {
        "title": row.title,
        "description": row.description,
        "format": row.format,
        "timezone": row.timezone,
        "join_url": row.join_url if owns_it else None,
        "capacity": row.capacity,
        "max_cohorts": row.max_cohorts,
        "id": row.id,
        "status": row.status,
        "affiliate_id": row.affiliate_id,
        "affiliate_name": row.affiliate_name,
        "affiliate_state": row.affiliate_state,
        "program_code": row.program_code,
        "program_title": row.program_title,
        "sensitive": row.sensitive,
        "facilitators_required": row.facilitators_required,
        "pd_hours": row.pd_hours,
        "completion_percent": row.completion_percent,
        "venue": _venue(row),
        "registration_closes_at": closes_utc.astimezone(zone) if closes_utc else None,
        "registration_closes_at_utc": closes_utc,
        "meetings": [_meeting(meeting, zone) for meeting in meetings],
        "cancel_reason": row.cancel_reason,
        "version": row.version,
        "created_at": as_utc(row.created_at),
        "updated_at": as_utc(row.updated_at),
    }
