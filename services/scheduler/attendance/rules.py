"""When attendance may be marked, and what a mark may say. Pure: no database here."""

import hashlib
import secrets
from datetime import datetime, timedelta

OPENS_BEFORE_START = timedelta(minutes=30)
CLOSES_AFTER_END = timedelta(days=7)


def marking_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """From 30 minutes before the meeting starts until 7 days after it ends (both included)."""
    return starts_at - OPENS_BEFORE_START, ends_at + CLOSES_AFTER_END


def may_mark(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Tell whether attendance of this meeting may be marked now."""
    opens, closes = marking_window(starts_at, ends_at)
    return opens <= now <= closes


def meeting_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """How many minutes the meeting lasts."""
    return int((ends_at - starts_at).total_seconds() // 60)


def minutes_problem(status: str, minutes: int | None, longest: int) -> str | None:
    """Why these minutes do not fit the status and the meeting's length, or None when they do."""
    if status != "partial":
        return None if minutes is None else "only a partial attendance takes minutes"
    if minutes is None:
        return "a partial attendance needs the minutes attended"
    if not 0 < minutes < longest:
        return f"must be between 1 and {longest - 1} (the meeting lasts {longest} minutes)"
    return None


# Check-in codes are read off a screen and typed on a phone: no 0/O or 1/I to confuse.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def check_in_window(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """Educators check in from 30 minutes before the meeting starts until it ends."""
    return starts_at - OPENS_BEFORE_START, ends_at


def may_check_in(starts_at: datetime, ends_at: datetime, now: datetime) -> bool:
    """Tell whether an educator may check in to this meeting now."""
    opens, closes = check_in_window(starts_at, ends_at)
    return opens <= now <= closes


def new_check_in_code() -> str:
    """A fresh random code (40 bits), without the dash it is shown with."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_check_in_code(typed: str) -> str | None:
    """The code as stored, from what a person typed (any case, dashes and spaces ignored);
    None when it cannot be a code."""
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return code


def shown_check_in_code(code: str) -> str:
    """The code as people read it: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def check_in_code_hash(code: str) -> str:
    """What the database keeps of a code (never the code itself)."""
    return hashlib.sha256(code.encode()).hexdigest()
