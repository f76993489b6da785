"""Next-page tokens of the catalogue: the last row's sort key, tied to the search that gave it."""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.errors import InvalidInput
from shared.validation import storable_id

VERSION = "1"
FIRST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(2101, 1, 1, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Position:
    """Where a page starts: after the offering with this first start and id."""

    first_starts_at_utc: datetime
    offering_id: int


def search_digest(search: str) -> str:
    """A short digest of the search a cursor belongs to (its filters and who asks)."""
    return hashlib.blake2s(search.encode(), digest_size=6).hexdigest()


def cursor_of(position: Position, search: str) -> str:
    """The opaque token that resumes `search` after `position`."""
    micros = (position.first_starts_at_utc - EPOCH) // MICROSECOND
    plain = f"{VERSION}.{micros}.{position.offering_id}.{search_digest(search)}"
    return base64.urlsafe_b64encode(plain.encode()).decode().rstrip("=")


class CursorRefused(InvalidInput):
    """A cursor that was altered, or belongs to another search (422 naming the query's `cursor`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(("cursor",), reason)

    def detail(self) -> Any:
        """Validation detail pointing at the query parameter."""
        return [{"loc": ["query", "cursor"], "msg": self.reason, "type": self.kind}]


def _refused() -> CursorRefused:
    return CursorRefused("not a cursor this search gave: use the next_cursor of the previous page")


def _decoded(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = base64.b64decode(padded, altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise _refused() from None
    return plain.split(".")


def position_of(cursor: str, search: str) -> Position:
    """The position a cursor names; 422 naming `cursor` if it was altered or is another search's."""
    parts = _decoded(cursor)
    if len(parts) != 4 or parts[0] != VERSION or parts[3] != search_digest(search):
        raise _refused()
    micros, offering_id = parts[1], parts[2]
    if not (micros.lstrip("-").isdigit() and offering_id.isdigit()):
        raise _refused()
    if not storable_id(int(offering_id)) or len(micros) > 17:
        raise _refused()
    instant = EPOCH + int(micros) * MICROSECOND
    if not FIRST_INSTANT <= instant < LAST_INSTANT:
        raise _refused()
    return Position(instant, int(offering_id))
