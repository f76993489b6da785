"""Builders of realistic event payloads for tests."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.events import Meeting, Offering, Venue

# The seven US zones, with and without DST, that the time tests walk through.
US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)


def meeting(meeting_id: int, local_start: datetime, hours: float, zone: str) -> Meeting:
    """A meeting starting at a local wall time in `zone`."""
    tz = ZoneInfo(zone)
    start = local_start.replace(tzinfo=tz)
    end = (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(tz)
    return Meeting(
        id=meeting_id,
        starts_at=start,
        ends_at=end,
        starts_at_utc=start.astimezone(UTC),
        ends_at_utc=end.astimezone(UTC),
        timezone=zone,
    )


def offering(
    offering_id: int, title: str = "Implicit bias in the classroom", **changes: object
) -> Offering:
    """A published in-person offering with two meetings in Columbus, Ohio."""
    zone = "America/New_York"
    base = Offering(
        id=offering_id,
        status="published",
        affiliate_id=1,
        affiliate_name="Ohio Education Association",
        affiliate_state="OH",
        program_code="implicit-bias",
        program_title="Implicit Bias",
        sensitive=False,
        facilitators_required=1,
        pd_hours=3.0,
        title=title,
        description="Recognising and interrupting implicit bias.",
        format="in_person",
        timezone=zone,
        venue=Venue(name="OEA Center", address="225 E Broad St", city="Columbus", state="OH"),
        join_url=None,
        capacity=25,
        max_cohorts=1,
        meetings=[
            meeting(offering_id * 10 + 1, datetime(2027, 3, 10, 9, 0), 3, zone),
            meeting(offering_id * 10 + 2, datetime(2027, 3, 17, 9, 0), 3, zone),
        ],
    )
    return base.model_copy(update=changes)
