"""Hard constraints, no-fit reasons and the incremental pick of facilitators for one cohort."""

from datetime import UTC, datetime, time, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from services.scheduler.assignments.engine import (
    Booking,
    CohortNeed,
    FacilitatorProfile,
    MeetingSlot,
    NoFit,
    Pick,
    Window,
    hard_violations,
    pick_facilitators,
)

WEEKDAYS = tuple(range(5))
_ids = count(1)


def at(zone: str, year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A local wall time in `zone`, as an aware UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def slot(zone: str, day: tuple[int, int, int], start: int, hours: float = 2) -> MeetingSlot:
    begins = at(zone, *day, start)
    return MeetingSlot(next(_ids), begins, begins + timedelta(hours=hours))


def person(
    fid: int,
    *,
    zone: str = "America/Chicago",
    certs: tuple[str, ...] = ("implicit-bias",),
    home: str = "IL",
    cap: int = 8,
    days: tuple[int, ...] = WEEKDAYS,
    hours: tuple[int, int] = (8, 18),
    name: str | None = None,
) -> FacilitatorProfile:
    windows = tuple(Window(d, time(hours[0]), time(hours[1])) for d in days)
    return FacilitatorProfile(
        fid, name or f"Facilitator {fid}", zone, frozenset(certs), home, cap, windows
    )


def cohort(
    *meetings: MeetingSlot,
    cid: int = 100,
    program: str = "implicit-bias",
    fmt: str = "in_person",
    city: str | None = "Chicago",
    state: str | None = "IL",
    required: int = 1,
) -> CohortNeed:
    return CohortNeed(cid, program, fmt, city, state, required, tuple(meetings))


def booked(
    fid: int, start: datetime, hours: float = 2, *, city: str | None = "Chicago", cid: int = 900
) -> Booking:
    return Booking(fid, cid, start, start + timedelta(hours=hours), city is not None, city)


TUESDAY = (2027, 2, 9)


def test_certification_is_required() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10))
    assert hard_violations(need, person(1, certs=("literacy",)), []) == [
        "not certified for implicit-bias"
    ]
    assert hard_violations(need, person(2), []) == []


def test_availability_is_read_in_the_facilitator_zone() -> None:
    chicago_nine_to_five = person(1, days=(1,), hours=(9, 17))
    fits = cohort(slot("America/New_York", TUESDAY, 10))  # 09:00 in Chicago
    early = cohort(slot("America/New_York", TUESDAY, 9))  # 08:00 in Chicago
    assert hard_violations(fits, chicago_nine_to_five, []) == []
    [problem] = hard_violations(early, chicago_nine_to_five, [])
    assert "Tue 2027-02-09 08:00-10:00 America/Chicago" in problem
    assert "outside their availability" in problem


def test_a_meeting_must_fit_on_the_weekday_it_starts_without_crossing_midnight() -> None:
    late = person(1, days=(1,), hours=(0, 23))
    assert hard_violations(cohort(slot("America/Chicago", TUESDAY, 22, hours=1)), late, []) == []
    crossing = cohort(slot("America/Chicago", TUESDAY, 23, hours=2))
    assert hard_violations(crossing, late, [])
    wednesday = cohort(slot("America/Chicago", (2027, 2, 10), 10))
    assert hard_violations(wednesday, late, [])


def test_dst_change_moves_a_denver_meeting_out_of_a_phoenix_window() -> None:
    phoenix = person(1, zone="America/Phoenix", days=(0,), hours=(9, 17), home="AZ")
    before = slot("America/Denver", (2027, 3, 8), 9)  # MST = Phoenix time: 09:00
    after = slot("America/Denver", (2027, 3, 15), 9)  # MDT: 08:00 in Phoenix
    assert hard_violations(cohort(before, city="Denver", state="CO"), phoenix, []) == []
    problems = hard_violations(cohort(before, after, city="Denver", state="CO"), phoenix, [])
    assert len(problems) == 1
    assert "Mon 2027-03-15 08:00-10:00 America/Phoenix" in problems[0]


@pytest.mark.parametrize(
    ("fmt", "city", "start", "buffer", "clashes"),
    [
        ("in_person", "Boulder", (11, 30), 60, True),  # other city, 30 min gap < 60
        ("in_person", "Boulder", (12, 0), 60, False),  # other city, exactly the buffer
        ("in_person", "Boulder", (11, 30), 30, False),  # a shorter buffer fits
        ("in_person", "denver ", (11, 0), 60, False),  # same city: back to back is fine
        ("hybrid", "Boulder", (11, 30), 60, True),  # hybrid meets in person
        ("virtual", None, (11, 0), 60, False),  # virtual: just no overlap
        ("virtual", None, (10, 30), 60, True),  # overlap is never fine
        ("in_person", "Denver", (10, 59), 60, True),
    ],
)
def test_travel_buffer_applies_between_in_person_meetings_in_different_cities(
    fmt: str, city: str | None, start: tuple[int, int], buffer: int, clashes: bool
) -> None:
    denver = "America/Denver"
    facilitator = person(1, zone=denver, home="CO")
    existing = booked(1, at(denver, *TUESDAY, 9), city="Denver")
    begins = at(denver, *TUESDAY, *start)
    need = cohort(MeetingSlot(1, begins, begins + timedelta(hours=2)), fmt=fmt, city=city)
    found = hard_violations(need, facilitator, [existing], travel_buffer=timedelta(minutes=buffer))
    assert bool(found) is clashes


def test_bookings_of_others_and_of_the_cohort_itself_do_not_count() -> None:
    facilitator = person(1)
    need = cohort(slot("America/Chicago", TUESDAY, 10))
    mine_on_this_cohort = booked(1, need.meetings[0].starts_at_utc, cid=need.cohort_id)
    someone_else = booked(2, need.meetings[0].starts_at_utc)
    assert hard_violations(need, facilitator, [mine_on_this_cohort, someone_else]) == []


def test_monthly_cap_counts_existing_and_new_sessions() -> None:
    facilitator = person(1, cap=3)
    march = [booked(1, at("America/Chicago", 2027, 3, d, 9)) for d in (1, 2)]
    one = cohort(slot("America/Chicago", (2027, 3, 9), 10))
    two = cohort(
        slot("America/Chicago", (2027, 3, 9), 10), slot("America/Chicago", (2027, 3, 16), 10)
    )
    assert hard_violations(one, facilitator, march) == []
    assert hard_violations(two, facilitator, march) == [
        "Mar 2027: 2 booked + 2 new sessions exceed the cap of 3"
    ]


def test_monthly_cap_uses_the_month_in_the_facilitator_zone() -> None:
    # 2027-04-01 05:00 UTC is Wed 31 March 22:00 in Los Angeles, Thu 1 April 01:00 in New York.
    begins = datetime(2027, 4, 1, 5, tzinfo=UTC)
    need = cohort(MeetingSlot(1, begins, begins + timedelta(hours=1)), fmt="virtual", city=None)
    west = person(1, zone="America/Los_Angeles", cap=2, days=(2,), hours=(18, 23))
    east = person(2, zone="America/New_York", cap=2, days=(3,), hours=(0, 3))
    march = [booked(f, datetime(2027, 3, d, 17, tzinfo=UTC)) for f in (1, 2) for d in (2, 3)]
    assert hard_violations(need, west, march) == [
        "Mar 2027: 2 booked + 1 new sessions exceed the cap of 2"
    ]
    assert hard_violations(need, east, march) == []


def test_two_required_facilitators_are_distinct_and_least_loaded() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10), required=2)
    pool = [person(1), person(2), person(3)]
    busy = [booked(2, at("America/Chicago", 2027, 2, 1, 9))]
    pick = pick_facilitators(need, pool, busy)
    assert isinstance(pick, Pick)
    assert pick.facilitator_ids == (1, 3)


def test_nobody_certified() -> None:
    result = pick_facilitators(
        cohort(slot("America/Chicago", TUESDAY, 10)), [person(1, certs=("x",))], []
    )
    assert result == NoFit(
        100, "nobody_certified", "none of 1 facilitators is certified for implicit-bias"
    )


def test_nobody_available_counts_why() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10))
    pool = [person(1, days=(0,)), person(2), person(3, certs=("x",))]
    result = pick_facilitators(need, pool, [booked(2, need.meetings[0].starts_at_utc)])
    assert isinstance(result, NoFit)
    assert result.reason == "nobody_available"
    assert result.detail == (
        "2 certified for implicit-bias, none free for all 1 meetings: 1 outside their "
        "availability, 1 blocked by overlapping or too-close bookings"
    )


def test_all_at_cap() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10))
    pool = [person(1, cap=1), person(2, cap=1)]
    full = [booked(f, at("America/Chicago", 2027, 2, 1, 9)) for f in (1, 2)]
    result = pick_facilitators(need, pool, full)
    assert isinstance(result, NoFit)
    assert result.reason == "all_at_cap"
    assert result.detail == "2 certified for implicit-bias, 2 available, all 2 at their monthly cap"


def test_not_enough_facilitators() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10), required=2)
    result = pick_facilitators(need, [person(1), person(2, cap=0)], [])
    assert isinstance(result, NoFit)
    assert result.reason == "not_enough_facilitators"
    assert result.detail == (
        "2 required but only 1 fit (2 certified for implicit-bias, 2 available, "
        "1 at their monthly cap)"
    )


def test_explanation_names_certification_window_cap_load_and_state() -> None:
    ana = person(4, name="Ana Diaz", days=(1,), hours=(9, 17))
    earlier = [booked(4, at("America/Chicago", 2027, 2, d, 9)) for d in (1, 2)]
    pick = pick_facilitators(cohort(slot("America/Chicago", TUESDAY, 10)), [ana], earlier)
    assert isinstance(pick, Pick)
    assert pick.explanation == (
        "Picked 1 of 1 who fit (lowest load, then kept or in-state, then id): "
        "Ana Diaz (id 4): certified for implicit-bias, available Tue 09:00-17:00 "
        "America/Chicago, 3/8 sessions in Feb 2027 with this cohort, "
        "2 sessions booked before, in-state"
    )


def test_explanation_lists_every_window_and_month_the_cohort_uses() -> None:
    tuesday, thursday = (
        slot("America/Chicago", (2027, 3, 30), 10),
        slot("America/Chicago", (2027, 4, 1), 10),
    )
    need = cohort(tuesday, thursday, fmt="hybrid", state="WI")
    pick = pick_facilitators(need, [person(2, name="Bo Li")], [], prefer_ids=(2,))
    assert isinstance(pick, Pick)
    assert pick.explanation.endswith(
        "Bo Li (id 2): certified for implicit-bias, available Tue 08:00-18:00, Thu 08:00-18:00 "
        "America/Chicago, 1/8 sessions in Mar 2027, 1/8 sessions in Apr 2027 with this cohort, "
        "0 sessions booked before, out-of-state (home IL), kept from the current assignment"
    )


def test_ties_go_to_lowest_load_then_in_state_then_id() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10))
    away, home_a, home_b = person(1, home="WI"), person(3, home="IL"), person(2, home="IL")
    assert _picked(need, [away, home_a, home_b], []) == (2,)
    some_load = [booked(2, at("America/Chicago", 2027, 2, 1, 9))]
    assert _picked(need, [away, home_a, home_b], some_load) == (3,)
    loads = [booked(f, at("America/Chicago", 2027, 2, 1, 9)) for f in (2, 3)]
    assert _picked(need, [away, home_a, home_b], loads) == (1,)


def test_kept_facilitator_wins_a_tie_but_not_against_lower_load() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10))
    pool = [person(1, home="WI"), person(2, home="IL")]
    assert _picked(need, pool, [], prefer=(1,)) == (1,)
    heavier = [booked(1, at("America/Chicago", 2027, 2, 1, 9))]
    assert _picked(need, pool, heavier, prefer=(1,)) == (2,)


def test_virtual_cohorts_ignore_home_state() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10), fmt="virtual", city=None)
    assert _picked(need, [person(2, home="IL"), person(1, home="WI")], []) == (1,)


def test_pick_is_deterministic_whatever_the_input_order() -> None:
    need = cohort(slot("America/Chicago", TUESDAY, 10), required=2)
    pool = [person(i, home="IL" if i % 2 else "WI") for i in range(1, 8)]
    loads = [booked(i, at("America/Chicago", 2027, 2, 1, 9)) for i in (1, 4, 5)]
    first = pick_facilitators(need, pool, loads)
    again = pick_facilitators(need, list(reversed(pool)), list(reversed(loads)))
    assert first == again
    assert isinstance(first, Pick) and first.facilitator_ids == (3, 7)


def _picked(
    need: CohortNeed,
    pool: list[FacilitatorProfile],
    bookings: list[Booking],
    prefer: tuple[int, ...] = (),
) -> tuple[int, ...]:
    result = pick_facilitators(need, pool, bookings, prefer_ids=prefer)
    assert isinstance(result, Pick), result
    return result.facilitator_ids
