"""A seeded, realistic facilitator-assignment instance: cohorts and facilitators over a quarter."""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.scheduler.assignments.engine import (
    CohortNeed,
    FacilitatorProfile,
    MeetingSlot,
    Window,
)

PLACES = {
    "America/New_York": ("NY", ("New York", "Buffalo", "Albany")),
    "America/Chicago": ("IL", ("Chicago", "Springfield", "Peoria")),
    "America/Denver": ("CO", ("Denver", "Boulder", "Pueblo")),
    "America/Phoenix": ("AZ", ("Phoenix", "Tucson", "Mesa")),
    "America/Los_Angeles": ("CA", ("Los Angeles", "San Diego", "Fresno")),
}
PROGRAMS = (
    "implicit-bias",
    "restorative-practice",
    "classroom-safety",
    "special-education-law",
    "literacy-coaching",
)
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Iris", "Jon")
LAST_NAMES = ("Diaz", "Okafor", "Nguyen", "Smith", "Kowalski", "Haddad", "Reyes", "Chen")
QUARTER_START = date(2027, 1, 4)  # a Monday; the quarter spans the March DST change
WEEKS = 13


@dataclass(frozen=True)
class Instance:
    """Cohorts needing facilitators and the facilitator pool."""

    needs: tuple[CohortNeed, ...]
    pool: tuple[FacilitatorProfile, ...]


@dataclass(frozen=True)
class _Template:
    timezone: str
    certifications: frozenset[str]
    availability: tuple[Window, ...]


def _template(rng: random.Random) -> _Template:
    days = sorted(rng.sample(range(5), rng.randint(3, 5)))
    start, end = time(rng.choice((7, 8, 9))), time(rng.choice((16, 17, 18)))
    return _Template(
        timezone=rng.choice(sorted(PLACES)),
        certifications=frozenset(rng.sample(PROGRAMS, rng.randint(2, 3))),
        availability=tuple(Window(d, start, end) for d in days),
    )


def _facilitators(rng: random.Random, count: int, templates: int) -> tuple[FacilitatorProfile, ...]:
    shapes = [_template(rng) for _ in range(templates)]
    pool = []
    for i in range(1, count + 1):
        shape = shapes[(i - 1) % templates]
        home_zone = shape.timezone if rng.random() < 0.7 else rng.choice(sorted(PLACES))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        pool.append(
            FacilitatorProfile(
                id=i,
                name=name,
                timezone=shape.timezone,
                certifications=shape.certifications,
                home_state=PLACES[home_zone][0],
                max_sessions_per_month=rng.randint(6, 12),
                availability=shape.availability,
            )
        )
    return tuple(pool)


def _meetings(rng: random.Random, timezone: str, first_id: int) -> tuple[MeetingSlot, ...]:
    count = rng.randint(1, 3)
    hours = rng.choice((2.0, 2.5, 3.0, 3.5, 4.0))
    start_hour = rng.choice([h / 2 for h in range(16, int((18 - hours) * 2) + 1)])
    last_week = WEEKS - 1 - (count - 1)
    day = QUARTER_START + timedelta(weeks=rng.randint(0, last_week), days=rng.randint(0, 4))
    zone = ZoneInfo(timezone)
    slots = []
    for n in range(count):
        local = datetime.combine(day + timedelta(weeks=n), time(0), zone)
        start = local + timedelta(hours=start_hour)
        starts_utc = start.astimezone(UTC)
        ends_utc = (start + timedelta(hours=hours)).astimezone(UTC)
        slots.append(MeetingSlot(first_id + n, starts_utc, ends_utc))
    return tuple(slots)


def _cohorts(rng: random.Random, count: int) -> tuple[CohortNeed, ...]:
    needs = []
    for i in range(1, count + 1):
        timezone = rng.choice(sorted(PLACES))
        state, cities = PLACES[timezone]
        fmt = rng.choices(("in_person", "virtual", "hybrid"), weights=(5, 3, 2))[0]
        needs.append(
            CohortNeed(
                cohort_id=i,
                program_code=rng.choice(PROGRAMS),
                format=fmt,
                city=rng.choice(cities) if fmt != "virtual" else None,
                state=state,
                facilitators_required=2 if rng.random() < 0.2 else 1,
                meetings=_meetings(rng, timezone, first_id=i * 10),
            )
        )
    return tuple(needs)


def make_instance(
    seed: int = 7, cohorts: int = 200, facilitators: int = 50, templates: int = 14
) -> Instance:
    """A seeded instance: facilitators share availability/certification templates."""
    rng = random.Random(seed)
    pool = _facilitators(rng, facilitators, templates)
    return Instance(needs=_cohorts(rng, cohorts), pool=pool)
