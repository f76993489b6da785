"""Live calendar feeds: a person's bookings as one METHOD:PUBLISH calendar, read by a secret.

Each person has one live feed secret, random and resettable, that grants reading their feed and
nothing else (it is no access token, and no API takes it). It is looked up by its SHA-256. The
secret itself is kept too, so that `GET /feeds/me` can show the same URL again: encrypting it
instead would give the notifier a key to guard for a credential that opens one calendar only.
"""

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.notifier.models import Booking, FeedPublic, FeedSecret
from services.notifier.rendering import content as words
from services.notifier.rendering import ical, outgoing
from shared.columns import utcnow
from shared.db import is_sqlite
from shared.settings import get_settings

FEED_NAME = "Cohort trainings"
SECRET_BYTES = 32

feed_secret = FeedSecret.__table__  # type: ignore[attr-defined]


def secret_hash(secret: str) -> str:
    """The SHA-256 (hex) a feed secret is looked up by."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def feed_urls(secret: str) -> FeedPublic:
    """The https and webcal URLs of the feed a secret opens."""
    url = f"{get_settings().cohort_feeds_url.rstrip('/')}/calendars/{secret}.ics"
    webcal = urlunsplit(urlsplit(url)._replace(scheme="webcal"))
    return FeedPublic(url=url, webcal_url=webcal)


def _new_row(person_id: int) -> dict[str, Any]:
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return {
        "person_id": person_id,
        "secret": secret,
        "secret_sha256": secret_hash(secret),
        "created_at": utcnow(),
    }


def _insert(session: Session) -> Any:
    dialect_insert = sqlite_insert if is_sqlite(session.get_bind()) else pg_insert  # type: ignore[arg-type]
    return dialect_insert(feed_secret)


def get_feed(*, session: Session, person_id: int) -> FeedPublic:
    """The person's feed URLs, their secret made on first asking (a concurrent first ask
    keeps whichever secret committed first)."""
    session.execute(_insert(session).values(_new_row(person_id)).on_conflict_do_nothing())
    session.commit()
    row = session.get(FeedSecret, person_id, populate_existing=True)
    assert row is not None
    return feed_urls(row.secret)


def reset_feed(*, session: Session, person_id: int) -> FeedPublic:
    """Replace the person's feed secret: the old URL stops working at once."""
    row = _new_row(person_id)
    statement = (
        _insert(session)
        .values(row)
        .on_conflict_do_update(
            index_elements=["person_id"],
            set_={key: row[key] for key in ("secret", "secret_sha256", "created_at")},
        )
    )
    session.execute(statement)
    session.commit()
    return feed_urls(row["secret"])


def remove_feed(*, session: Session, person_id: int) -> None:
    """Forget the person's feed secret (in the caller's transaction)."""
    session.execute(delete(feed_secret).where(feed_secret.c.person_id == person_id))


def feed_owner(*, session: Session, secret: str) -> int | None:
    """The person whose live feed secret this is, or None."""
    query = select(FeedSecret.person_id).where(FeedSecret.secret_sha256 == secret_hash(secret))
    return session.exec(query).first()


def person_feed(*, session: Session, person_id: int) -> str:
    """Every meeting the person was ever booked on, as educator or facilitator, cancelled ones
    marked STATUS:CANCELLED, under the same UIDs and SEQUENCEs as their invites (PUBLISH carries
    no ATTENDEE)."""
    query = select(Booking).where(Booking.recipient_id == person_id)
    return _calendar(list(session.exec(query.order_by(*_IN_TIME_ORDER)).all()), FEED_NAME)


def registration_calendar(*, session: Session, person_id: int, registration_id: int) -> str | None:
    """The meetings one of the person's registrations booked, as the live feed shows them;
    None when the person holds no booking of that registration (another's, or none yet)."""
    query = select(Booking).where(
        Booking.recipient_id == person_id,
        Booking.recipient_kind == "educator",
        Booking.source == f"registration:{registration_id}",
    )
    held = list(session.exec(query.order_by(*_IN_TIME_ORDER)).all())
    if not held:
        return None
    # Named like its events: a sensitive program's name appears nowhere in the file.
    name = words.neutral_summary(held[0].title, any(booking.sensitive for booking in held))
    return _calendar(held, name)


_IN_TIME_ORDER = (col(Booking.starts_at), col(Booking.id))


def _calendar(held: list[Booking], name: str) -> str:
    now = utcnow()
    events = [outgoing.calendar_event(b, method="PUBLISH", dtstamp=now) for b in held]
    return ical.build_calendar("PUBLISH", events, calendar_name=name)
