"""Pure rules of the notifier: what a recipient sees of a meeting, what changed, retry timing."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.notifier.rendering import content, zones
from services.notifier.rendering.outgoing import BookingView
from shared.events import Cohort, Meeting, Venue


def invite_kind(recipient_kind: str) -> str:
    """The kind of a first invite for an educator or a facilitator."""
    return content.FACILITATOR_INVITE if recipient_kind == "facilitator" else content.INVITE


def cancel_kind(recipient_kind: str) -> str:
    """The kind of a cancellation for an educator or a facilitator."""
    return content.FACILITATOR_CANCEL if recipient_kind == "facilitator" else content.CANCEL


def location_text(venue: Venue | None) -> str | None:
    """One line naming where an in-person meeting happens."""
    if venue is None:
        return None
    parts = [venue.name, venue.address, venue.city, venue.state]
    return ", ".join(part for part in parts if part)


@dataclass(frozen=True)
class MeetingPlan:
    """Everything a recipient can see of one meeting of a cohort."""

    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    title: str
    description: str
    program_title: str
    affiliate_name: str
    sensitive: bool
    location: str | None
    join_url: str | None
    pd_hours: float = 0.0
    reply_to: str | None = None


def plan_meeting(cohort: Cohort, meeting: Meeting) -> MeetingPlan:
    """A cohort's meeting as a recipient sees it (instants in UTC)."""
    return MeetingPlan(
        meeting_id=meeting.id,
        starts_at=zones.as_utc(meeting.starts_at_utc),
        ends_at=zones.as_utc(meeting.ends_at_utc),
        timezone=meeting.timezone or cohort.timezone,
        title=cohort.title,
        description=cohort.description,
        program_title=cohort.program_title,
        affiliate_name=cohort.affiliate_name,
        sensitive=cohort.sensitive,
        location=location_text(cohort.venue) if cohort.format != "virtual" else None,
        join_url=cohort.join_url if cohort.format != "in_person" else None,
        pd_hours=cohort.pd_hours,
        reply_to=cohort.affiliate_contact_email,
    )


def plan_cohort(cohort: Cohort) -> list[MeetingPlan]:
    """Every meeting of a cohort as a recipient sees it, in time order."""
    plans = [plan_meeting(cohort, meeting) for meeting in cohort.meetings]
    return sorted(plans, key=lambda plan: (plan.starts_at, plan.meeting_id))


VISIBLE_FIELDS = {
    "time": ("starts_at", "ends_at", "timezone"),
    "location": ("location",),
    "join_url": ("join_url",),
    "title": ("title", "description", "sensitive"),
}


def seen_before(booking: BookingView) -> content.Before:
    """What a recipient was last sent of a booked meeting (before an update overwrites it)."""
    return content.Before(
        starts_at=zones.as_utc(booking.starts_at),
        ends_at=zones.as_utc(booking.ends_at),
        location=booking.location,
        join_url=booking.join_url,
    )


def visible_changes(current: object, plan: MeetingPlan) -> tuple[str, ...]:
    """Names of what the recipient would see change ("time", "location", ...), if anything."""
    changed = []
    for name, fields in VISIBLE_FIELDS.items():
        for field_name in fields:
            old = getattr(current, field_name)
            new = getattr(plan, field_name)
            if isinstance(old, datetime):
                old = zones.as_utc(old)
            if old != new:
                changed.append(name)
                break
    return tuple(changed)


# --- delivery timing -----------------------------------------------------------------------


def retry_delay(
    attempts: int, *, base: float, cap: float = 3600.0, rng: random.Random | None = None
) -> timedelta:
    """Wait before the next try after `attempts` failures: doubling from `base`, capped, with
    jitter in [50 %, 100 %] so messages that failed together do not retry together."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    spread = (rng or random).uniform(0.5, 1.0)
    return timedelta(seconds=ceiling * spread)


def is_permanent(code: int | None) -> bool:
    """Tell whether an SMTP reply code means retrying cannot help (5xx)."""
    return code is not None and 500 <= code < 600


# --- reminders -----------------------------------------------------------------------------

_UNITS = {"m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class ReminderOffset:
    """How long before a meeting a reminder goes, and whether only the first meeting gets it."""

    label: str
    before: timedelta
    first_meeting_only: bool


def parse_offsets(text: str) -> tuple[ReminderOffset, ...]:
    """Read COHORT_REMINDER_OFFSETS ("168h,24h"): with several offsets the first is sent before
    the first meeting only and the others before every meeting; a lone offset applies to all."""
    labels = [part.strip().lower() for part in text.split(",") if part.strip()]
    offsets = []
    for index, label in enumerate(labels):
        unit = _UNITS.get(label[-1:])
        if unit is None or not label[:-1].isdigit():
            raise ValueError(f"reminder offset {label!r}: expected a number and m, h or d")
        before = timedelta(seconds=int(label[:-1]) * unit)
        offsets.append(ReminderOffset(label, before, index == 0 and len(labels) > 1))
    return tuple(offsets)


def reminder_offsets_for(
    offsets: Sequence[ReminderOffset], *, is_first_meeting: bool
) -> list[ReminderOffset]:
    """The offsets that apply to one meeting of a recipient's booking set."""
    return [offset for offset in offsets if is_first_meeting or not offset.first_meeting_only]
