"""Input rules every service's request models share: ids, text, mail addresses, zones, states,
links and instants. Each type answers a bad value with a ValueError naming the reason, which
the APIs report as 422 on the field."""

import re
from datetime import datetime
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field

# --- ids ------------------------------------------------------------------------------------

MAX_ID = 2**63 - 1
# Rows are keyed by PostgreSQL `integer` columns: a larger id names no row, and binding one as an
# integer fails in the database, so lookups answer "not found" for it without asking.
MAX_ROW_ID = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An id that is stored as given (not only looked up) must fit its column.
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def storable_id(value: int) -> bool:
    """Tell whether an id fits the integer columns rows are keyed by (else it names nothing)."""
    return 1 <= value <= MAX_ROW_ID


# --- text -----------------------------------------------------------------------------------

# Control characters, lone surrogates (PostgreSQL cannot store them) and Unicode line breaks.
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
# The same, except the tabs and line breaks a longer text may hold.
_NOT_IN_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse(pattern: re.Pattern[str], value: str, what: str) -> str:
    found = pattern.search(value)
    if found is not None:
        raise ValueError(f"must not contain {what} (found U+{ord(found.group()):04X})")
    return value


def line_text(value: str) -> str:
    """One line of text: no control characters, line breaks or lone surrogates."""
    return _refuse(_NOT_IN_LINE, value, "control characters or line breaks")


def paragraph_text(value: str) -> str:
    """Text that may span lines: tabs and line breaks, but no other control characters."""
    return _refuse(_NOT_IN_PARAGRAPH, value, "control characters other than tabs and line breaks")


# Lengths stay on each field's Field(max_length=...), where table models also read them.
Line = Annotated[str, AfterValidator(line_text)]
Paragraph = Annotated[str, AfterValidator(paragraph_text)]

# --- mail addresses -------------------------------------------------------------------------

MAX_EMAIL = 254  # RFC 5321: the longest path an SMTP server must accept
MAX_LOCAL_PART = 64
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(\.{_ATOM})*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# What the notifier refuses in a To header or an iCalendar ATTENDEE (see notifier/rendering).
_NOT_IN_ADDRESS = re.compile(r'[\s<>()\[\],;:"\\]')


def mail_address(value: str) -> str:
    """A bare address the notifier can put in a To header and an SMTP envelope (surrounding
    spaces trimmed; raises ValueError otherwise)."""
    line_text(value)
    address = value.strip(" ")
    if len(address) > MAX_EMAIL:
        raise ValueError(f"must be at most {MAX_EMAIL} characters")
    if _NOT_IN_ADDRESS.search(address):
        raise ValueError(
            "must be a bare address such as ana@example.org: no spaces, quotes, angle "
            "brackets, commas, colons or semicolons"
        )
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ValueError("must look like name@example.org")
    if not address.isascii():
        raise ValueError("must be ASCII; write an international domain in its xn-- form")
    if len(local) > MAX_LOCAL_PART or not _LOCAL_PART.fullmatch(local):
        raise ValueError(
            f"has an invalid part before the @ (at most {MAX_LOCAL_PART} letters, digits, "
            "single dots or !#$%&'*+/=?^_`{|}~-)"
        )
    labels = domain.split(".")
    named = len(labels) >= 2 and all(_LABEL.fullmatch(label) for label in labels)
    if not named or labels[-1].isdigit():
        raise ValueError("has an invalid domain after the @ (a name such as example.org)")
    return address


Email = Annotated[str, AfterValidator(mail_address)]

# --- zones, states, links -------------------------------------------------------------------

MAX_ZONE = 64


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_name(name: str) -> str:
    """An IANA zone with an exact Region/City name, or UTC (raises ValueError otherwise)."""
    # Only names from the list are ever looked up: any other, a long one above all, would reach
    # the file system (OSError for a name too long).
    if len(name) > MAX_ZONE or name not in _zone_names():
        raise ValueError(
            f"{name[:MAX_ZONE]!r} is not an IANA time zone name such as 'America/New_York'"
        )
    # Legacy names such as EST or MST7MDT are IANA entries but hide daylight saving rules (EST
    # never observes it), and `localtime` is whatever the host says; Region/City avoids both.
    if "/" not in name and name != "UTC":
        raise ValueError(f"{name!r} is a legacy zone name; use a Region/City name instead")
    return name


Zone = Annotated[str, AfterValidator(zone_name)]

_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP"
)
US_STATES = frozenset(_STATE_CODES.split())


def us_state(code: str) -> str:
    """A two-letter US state (or DC/territory) code, upper-cased (raises ValueError otherwise)."""
    upper = code.strip().upper()
    if upper not in US_STATES:
        raise ValueError(f"{code[:8]!r} is not a two-letter US state code such as 'OH'")
    return upper


UsState = Annotated[str, AfterValidator(us_state)]

# Characters the notifier's calendar writer leaves a link out for (RFC 3986 never allows them).
_NOT_IN_LINK = re.compile(r'[\s"<>\\^`{|}\x00-\x1f\x7f-\x9f\ud800-\udfff]')


def web_link(url: str) -> str:
    """An absolute http(s) link that invites can carry (raises ValueError otherwise)."""
    link = url.strip()
    if _NOT_IN_LINK.search(link):
        raise ValueError('must not contain spaces, control characters or any of "<>\\^`{|}')
    try:
        parts = urlsplit(link)
        absolute = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        absolute = False
    if not absolute:
        raise ValueError("must be an absolute http:// or https:// link")
    return link


WebLink = Annotated[str, AfterValidator(web_link)]

# --- instants -------------------------------------------------------------------------------

FIRST_YEAR, LAST_YEAR = 2000, 2100


def within_years(moment: datetime) -> datetime:
    """A date and time in the years 2000 to 2100, as given (raises ValueError otherwise)."""
    # Checked on the value as written, before any conversion: year 1 at +14:00 has no UTC twin.
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return moment


Instant = Annotated[datetime, AfterValidator(within_years)]
