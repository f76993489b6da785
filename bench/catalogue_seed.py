"""A realistic registry for the catalogue bench, written straight into its tables (seconds, not
minutes): affiliates in ten states, a dozen programs, 10,000 published offerings over two years
plus drafts and cancelled ones, one to four weekly meetings each."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.engine import Engine

from services.registry.models import Affiliate, Program
from services.registry.models_offering import Meeting, Offering

STATES = (
    ("IL", "America/Chicago"),
    ("OH", "America/New_York"),
    ("NY", "America/New_York"),
    ("CA", "America/Los_Angeles"),
    ("TX", "America/Chicago"),
    ("CO", "America/Denver"),
    ("AZ", "America/Phoenix"),
    ("WA", "America/Los_Angeles"),
    ("FL", "America/New_York"),
    ("MI", "America/Detroit"),
)
PROGRAMS = (
    "implicit-bias",
    "restorative-practice",
    "classroom-safety",
    "special-education-law",
    "literacy-coaching",
    "trauma-informed-teaching",
    "new-teacher-induction",
    "bargaining-basics",
    "stem-inquiry",
    "english-learners",
    "digital-citizenship",
    "assessment-literacy",
)
FORMATS = (("in_person", 0.5), ("virtual", 0.35), ("hybrid", 0.15))
BATCH = 2000


def _table(model: Any) -> Any:
    return model.__table__


def _insert(engine: Engine, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    table = _table(model)
    ids: list[int] = []
    with engine.begin() as connection:
        for i in range(0, len(rows), BATCH):
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids += [int(r[0]) for r in connection.execute(statement, rows[i : i + BATCH])]
    return ids


def _offering(
    rng: random.Random, affiliate: tuple[int, str, str], program_id: int, status: str, now: datetime
) -> tuple[dict[str, Any], list[tuple[datetime, datetime]]]:
    affiliate_id, state, zone = affiliate
    day = (now + timedelta(days=rng.randint(-90, 640))).astimezone(ZoneInfo(zone)).date()
    first = datetime(day.year, day.month, day.day, rng.choice((9, 13, 16)), tzinfo=ZoneInfo(zone))
    meetings = [
        (
            (first + timedelta(weeks=w)).astimezone(UTC),
            (first + timedelta(weeks=w, hours=3)).astimezone(UTC),
        )
        for w in range(rng.randint(1, 4))
    ]
    fmt = rng.choices([f for f, _ in FORMATS], [w for _, w in FORMATS])[0]
    venue = fmt != "virtual"
    row = {
        "title": f"{rng.choice(PROGRAMS).replace('-', ' ').title()} — cohort {rng.randint(1, 999)}",
        "description": "A professional-development training for educators. " * 3,
        "format": fmt,
        "timezone": zone,
        "join_url": None if fmt == "in_person" else "https://meet.example.org/j/1",
        "capacity": rng.choice((20, 25, 30)),
        "max_cohorts": rng.choice((1, 1, 2, 3)),
        "affiliate_id": affiliate_id,
        "program_id": program_id,
        "status": status,
        "venue_name": "Union Hall" if venue else None,
        "venue_address": "100 Main St" if venue else None,
        "venue_city": "Springfield" if venue else None,
        "venue_state": state if venue else None,
        "registration_closes_at_utc": None,
        "first_starts_at_utc": meetings[0][0],
        "last_ends_at_utc": meetings[-1][1],
        "cancel_reason": "venue closed" if status == "cancelled" else None,
        "created_at": now,
        "updated_at": now,
    }
    return row, meetings


def seed_catalogue(engine: Engine, *, published: int, seed: int = 7) -> dict[str, int]:
    """Write the catalogue; return how many offerings of each status were written."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    affiliate_rows = [
        {
            "name": f"{state} Education Association",
            "state": state,
            "timezone": zone,
            "created_at": now,
        }
        for state, zone in STATES
    ]
    affiliate_ids = _insert(engine, Affiliate, affiliate_rows)
    affiliates = [(i, s, z) for i, (s, z) in zip(affiliate_ids, STATES, strict=True)]
    program_rows = [
        {
            "code": code,
            "title": code.replace("-", " ").title(),
            "description": "",
            "facilitators_required": 1,
            "max_participants": 30,
            "pd_hours": 3.0,
            "sensitive": False,
            "created_at": now,
        }
        for code in PROGRAMS
    ]
    program_ids = _insert(engine, Program, program_rows)
    counts = {"published": published, "draft": published // 10, "cancelled": published // 20}
    offerings, meetings = [], []
    for status, count in counts.items():
        for _ in range(count):
            row, times = _offering(
                rng, rng.choice(affiliates), rng.choice(program_ids), status, now
            )
            offerings.append(row)
            meetings.append(times)
    offering_ids = _insert(engine, Offering, offerings)
    meeting_rows = [
        {"offering_id": offering_id, "starts_at_utc": starts, "ends_at_utc": ends}
        for offering_id, times in zip(offering_ids, meetings, strict=True)
        for starts, ends in times
    ]
    _insert(engine, Meeting, meeting_rows)
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return counts
