"""Pure rules of the notifier: retry timing, reminder offsets, what a recipient sees change."""

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.domain import (
    is_permanent,
    parse_offsets,
    plan_cohort,
    reminder_offsets_for,
    retry_delay,
    visible_changes,
)
from services.notifier.rendering.mime import mail_domain
from services.notifier.rendering.zones import as_utc
from shared.events import Cohort, Meeting, Venue


def meeting(meeting_id: int, start: datetime) -> Meeting:
    return Meeting(
        id=meeting_id,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        starts_at_utc=start.astimezone(UTC),
        ends_at_utc=(start + timedelta(hours=2)).astimezone(UTC),
        timezone="America/New_York",
    )


def cohort(fmt: str = "hybrid") -> Cohort:
    return Cohort(
        id=1,
        index=1,
        offering_id=2,
        affiliate_name="OEA",
        program_code="x",
        program_title="X",
        sensitive=False,
        title="Calm classrooms",
        format=fmt,
        timezone="America/New_York",
        venue=Venue(name="OEA Center", address="225 E Broad St", city="Columbus", state="OH"),
        join_url="https://meet.example.org/x",
        meetings=[
            meeting(11, datetime(2027, 3, 17, 14, tzinfo=UTC)),
            meeting(10, datetime(2027, 3, 10, 14, tzinfo=UTC)),
        ],
    )


def test_retry_delay_doubles_with_jitter_and_a_cap() -> None:
    rng = random.Random(7)
    for attempts, ceiling in [(1, 30), (2, 60), (3, 120), (4, 240), (20, 3600)]:
        delay = retry_delay(attempts, base=30, rng=rng).total_seconds()
        assert ceiling / 2 <= delay <= ceiling


def test_retry_delays_of_messages_failing_together_spread_out() -> None:
    rng = random.Random(1)
    delays = {retry_delay(3, base=30, rng=rng) for _ in range(20)}
    assert len(delays) == 20


def test_offsets_first_one_is_for_the_first_meeting_only() -> None:
    week, day = parse_offsets("168h, 24h")
    assert (week.label, week.before, week.first_meeting_only) == ("168h", timedelta(days=7), True)
    assert (day.before, day.first_meeting_only) == (timedelta(hours=24), False)
    assert reminder_offsets_for((week, day), is_first_meeting=True) == [week, day]
    assert reminder_offsets_for((week, day), is_first_meeting=False) == [day]


def test_a_lone_offset_applies_to_every_meeting() -> None:
    (only,) = parse_offsets("90m")
    assert only.before == timedelta(minutes=90) and not only.first_meeting_only


@pytest.mark.parametrize("text", ["24", "h", "1w", "-3h", "2.5h"])
def test_bad_offsets_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="reminder offset"):
        parse_offsets(text)


def test_cohort_plan_is_in_time_order_with_place_and_link_by_format() -> None:
    plans = plan_cohort(cohort())
    assert [p.meeting_id for p in plans] == [10, 11]
    assert plans[0].location == "OEA Center, 225 E Broad St, Columbus, OH"
    assert plans[0].join_url == "https://meet.example.org/x"
    assert plan_cohort(cohort("virtual"))[0].location is None
    assert plan_cohort(cohort("in_person"))[0].join_url is None


def test_visible_changes_name_what_moved() -> None:
    plan = plan_cohort(cohort())[0]
    assert visible_changes(plan, plan) == ()
    moved = replace(plan, starts_at=plan.starts_at + timedelta(hours=1))
    assert visible_changes(plan, moved) == ("time",)
    elsewhere = replace(plan, location="Room B", join_url=None)
    assert visible_changes(plan, elsewhere) == ("location", "join_url")


def test_naive_database_times_read_as_utc() -> None:
    naive = datetime(2027, 1, 1, 12)
    assert as_utc(naive) == datetime(2027, 1, 1, 12, tzinfo=UTC)


def test_smtp_codes_and_domains() -> None:
    assert is_permanent(550) and not is_permanent(451) and not is_permanent(None)
    assert mail_domain("Cohort <no-reply@cohort.example.org>") == "cohort.example.org"
    assert mail_domain("nobody") == "cohort.localhost"
