"""What several features share: email keys, clock times, in-person travel."""

import re
from datetime import datetime, time, timedelta

IN_PERSON_FORMATS = frozenset({"in_person", "hybrid"})


def email_key(email: str) -> str:
    """The form of an email address under which it must be unique (case-insensitive)."""
    return email.strip().lower()


def parse_clock(value: str) -> time:
    """Read "HH:MM" as a time of day (raises ValueError otherwise)."""
    if not re.fullmatch(r"[0-9]{2}:[0-9]{2}", value):
        raise ValueError("must be HH:MM")
    return time.fromisoformat(value)


def is_in_person(offering_format: str) -> bool:
    """Whether facilitators travel to this offering's venue (in-person and hybrid)."""
    return offering_format in IN_PERSON_FORMATS


def blocked_until(ends_at: datetime, *, in_person: bool, travel_buffer: timedelta) -> datetime:
    """Until when a meeting keeps its facilitator busy (travel after an in-person meeting)."""
    return ends_at + travel_buffer if in_person else ends_at
