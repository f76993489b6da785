"""Browser sessions, kept server-side in Redis; the cookie carries only a random id."""

import hashlib
import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

COOKIE = "cohort_session"
# A visitor who has not signed in holds only a CSRF token; it is kept for an hour.
ANONYMOUS_TTL = 3600
# A signed-in session is forgotten after this long without a visit (accounts may end it sooner).
SIGNED_IN_TTL = 8 * 3600
# An access token this close to its expiry is replaced before it is used.
REFRESH_MARGIN = timedelta(seconds=60)


def _key(session_id: str) -> str:
    # Only a hash of the cookie is stored, so reading Redis does not give anyone a session.
    return "portal:session:" + hashlib.sha256(session_id.encode()).hexdigest()


@dataclass
class BrowserSession:
    """One browser's session: its CSRF token and, once signed in, the person's credentials."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    next: str | None = None
    session_token: str | None = None
    access_token: str | None = None
    expires_at: str | None = None
    person: dict[str, Any] | None = None
    # The check-in codes a facilitator opened, by meeting: shown again until they expire.
    check_in_codes: dict[str, dict[str, str]] = field(default_factory=dict)
    is_new: bool = False

    @property
    def signed_in(self) -> bool:
        """Tell whether a person has signed in with this session."""
        return self.session_token is not None

    def needs_fresh_token(self, now: datetime | None = None) -> bool:
        """Tell whether the access token is missing or about to expire."""
        if self.access_token is None or self.expires_at is None:
            return True
        expires = datetime.fromisoformat(self.expires_at)
        return expires - (now or datetime.now(UTC)) < REFRESH_MARGIN

    def signed_out(self) -> None:
        """Forget the person's credentials; the session itself goes on (its CSRF token too)."""
        self.session_token = self.access_token = self.expires_at = None
        self.person = None
        self.check_in_codes = {}


async def load_session(redis: Redis, session_id: str | None) -> BrowserSession | None:
    """The session a cookie names, or None when there is none (unknown, expired, malformed)."""
    if not session_id or len(session_id) > 100:
        return None
    stored = await redis.get(_key(session_id))
    if stored is None:
        return None
    try:
        return BrowserSession(id=session_id, **json.loads(stored))
    except (ValueError, TypeError):
        # Written by an older portal with other fields: the browser starts a fresh session.
        return None


async def save_session(redis: Redis, session: BrowserSession) -> None:
    """Store the session, its lifetime starting again."""
    data = asdict(session)
    del data["id"], data["is_new"]
    ttl = SIGNED_IN_TTL if session.signed_in else ANONYMOUS_TTL
    await redis.set(_key(session.id), json.dumps(data), ex=ttl)


async def drop_session(redis: Redis, session: BrowserSession) -> None:
    """Forget the session entirely."""
    await redis.delete(_key(session.id))


async def new_session(redis: Redis, **values: Any) -> BrowserSession:
    """Start a session (a new id and CSRF token) and store it."""
    session = BrowserSession(is_new=True, **values)
    await save_session(redis, session)
    return session
