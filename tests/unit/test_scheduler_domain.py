"""Pure scheduling rules: seats, waitlist order, meeting changes, clashes and input checks."""

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.scheduler import domain
from services.scheduler.offerings import rules as offering_rules
from services.scheduler.registrations import rules as seat_rules
from services.scheduler.registrations.rules import CohortSeats
from shared.columns import as_utc

T0 = datetime(2027, 3, 10, 14, tzinfo=UTC)


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_as_utc_reads_naive_values_as_utc_and_converts_aware_ones() -> None:
    assert as_utc(datetime(2027, 1, 1, 9)) == datetime(2027, 1, 1, 9, tzinfo=UTC)
    eastern = datetime.fromisoformat("2027-01-01T09:00:00-05:00")
    assert as_utc(eastern) == datetime(2027, 1, 1, 14, tzinfo=UTC)


def test_emails_compare_without_case() -> None:
    assert domain.email_key("  Ana.Ruiz@Example.ORG ") == "ana.ruiz@example.org"


def test_clock_times_are_hh_mm() -> None:
    assert domain.parse_clock("08:30") == time(8, 30)
    for bad in ("8:30", "25:00", "08:60", "0830", "08:30:00"):
        with pytest.raises(ValueError):
            domain.parse_clock(bad)


def test_travel_buffer_only_after_in_person_meetings() -> None:
    buffer = timedelta(minutes=60)
    assert domain.blocked_until(_at(3), in_person=True, travel_buffer=buffer) == _at(4)
    assert domain.blocked_until(_at(3), in_person=False, travel_buffer=buffer) == _at(3)
    assert domain.is_in_person("hybrid") and not domain.is_in_person("virtual")


def test_registration_closes_at_the_deadline() -> None:
    assert not seat_rules.registration_closed(None, T0)
    assert seat_rules.registration_closed(T0, T0)
    assert not seat_rules.registration_closed(_at(1), T0)
    assert seat_rules.registration_closed(datetime(2027, 3, 10, 13), T0)  # naive = UTC


def _stamp(version: int, at: datetime | None) -> offering_rules.Stamp:
    return offering_rules.Stamp(version, at)


def test_without_versions_only_states_older_by_the_clock_are_stale() -> None:
    stale = offering_rules.is_stale
    assert stale(_stamp(0, _at(0)), _stamp(0, _at(1)))
    assert not stale(_stamp(0, _at(1)), _stamp(0, _at(1)))
    assert not stale(_stamp(0, None), _stamp(0, _at(1)))
    assert not stale(_stamp(0, _at(0)), _stamp(0, None))


def test_with_both_versions_known_the_version_decides_not_the_clock() -> None:
    stale = offering_rules.is_stale
    # A later version from a replica whose clock runs behind is still newer.
    assert not stale(_stamp(4, _at(0)), _stamp(3, _at(1)))
    assert stale(_stamp(3, _at(2)), _stamp(3, _at(1)))  # the same version again
    assert stale(_stamp(2, _at(2)), _stamp(3, _at(1)))
    assert not stale(_stamp(4, None), _stamp(3, _at(1)))


def test_when_one_side_has_no_version_the_clock_decides() -> None:
    stale = offering_rules.is_stale
    assert stale(_stamp(0, _at(0)), _stamp(3, _at(1)))  # a message sent before versions
    assert not stale(_stamp(0, _at(2)), _stamp(3, _at(1)))
    assert stale(_stamp(5, _at(0)), _stamp(0, _at(1)))  # a row stored before versions
    assert not stale(_stamp(5, _at(1)), _stamp(0, _at(1)))


def test_a_seat_goes_to_the_lowest_index_cohort_with_room() -> None:
    cohorts = [
        CohortSeats(12, 2, "open", 3),
        CohortSeats(11, 1, "needs_facilitator", 5),
        CohortSeats(13, 3, "cancelled", 0),
    ]
    assert seat_rules.cohort_with_free_seat(cohorts, capacity=5) == 12
    assert seat_rules.cohort_with_free_seat(cohorts, capacity=6) == 11
    assert seat_rules.cohort_with_free_seat(cohorts, capacity=3) is None


def test_cohorts_open_up_to_the_maximum_and_number_on() -> None:
    live = [CohortSeats(1, 1, "open", 5), CohortSeats(2, 2, "cancelled", 0)]
    assert seat_rules.may_open_cohort(live, max_cohorts=2)
    assert not seat_rules.may_open_cohort(live, max_cohorts=1)
    assert seat_rules.next_cohort_index(live) == 3
    assert seat_rules.next_cohort_index([]) == 1


def test_a_cut_capacity_overflows_but_never_goes_negative() -> None:
    assert seat_rules.overflow(7, 5) == 2 and seat_rules.overflow(3, 5) == 0
    assert seat_rules.free_seats(7, 5) == 0 and seat_rules.free_seats(3, 5) == 2


def test_meeting_changes_by_id() -> None:
    old = {1: (_at(0), _at(1)), 2: (_at(24), _at(25)), 3: (_at(48), _at(49))}
    new = {1: (_at(0), _at(1)), 2: (_at(26), _at(27)), 4: (_at(72), _at(73))}
    changes = offering_rules.diff_meetings(old, new)
    assert (changes.added, changes.moved, changes.removed) == ((4,), (2,), (3,))
    assert changes.any and not offering_rules.diff_meetings(old, old).any


def test_visible_changes_name_fields_then_meetings() -> None:
    nothing = offering_rules.diff_meetings({}, {})
    moved = offering_rules.diff_meetings({1: (_at(0), _at(1))}, {1: (_at(1), _at(2))})
    before = {"title": "A", "venue": {"city": "Columbus"}, "join_url": None}
    after = {"title": "A", "venue": {"city": "Dayton"}, "join_url": "https://x"}
    assert offering_rules.visible_changes(before, after, moved) == ["venue", "join_url", "meetings"]
    assert offering_rules.visible_changes(before, before, nothing) == []


def test_cancel_reason_follows_who_cancelled() -> None:
    assert seat_rules.cancel_reason("educator") == "by_educator"
    assert seat_rules.cancel_reason("affiliate") == "by_affiliate"
    assert seat_rules.cancel_reason("operator") == "by_operator"


intervals = st.builds(
    lambda start, length: (_at(start), _at(start + length)),
    st.integers(0, 200),
    st.integers(1, 6),
)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.integers(1, 20), intervals), st.dictionaries(st.integers(1, 20), intervals)
)
def test_meeting_diff_accounts_for_every_id(
    old: dict[int, offering_rules.Interval], new: dict[int, offering_rules.Interval]
) -> None:
    changes = offering_rules.diff_meetings(old, new)
    unchanged = {i for i in set(old) & set(new) if old[i] == new[i]}
    assert set(changes.added) | set(changes.moved) | unchanged == set(new)
    assert set(changes.removed) | set(changes.moved) | unchanged == set(old)
    assert not set(changes.added) & set(changes.removed)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=6), st.integers(1, 30))
def test_a_free_seat_is_only_offered_where_there_is_room(
    confirmed: list[int], capacity: int
) -> None:
    cohorts = [CohortSeats(100 + i, i + 1, "open", n) for i, n in enumerate(confirmed)]
    chosen = seat_rules.cohort_with_free_seat(cohorts, capacity)
    with_room = [c for c in cohorts if c.confirmed < capacity]
    if chosen is None:
        assert not with_room
    else:
        assert chosen == min(with_room, key=lambda c: c.index).cohort_id
