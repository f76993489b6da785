"""Educators' profiles come from their access tokens: the first request of a person signed in
by accounts creates the profile, so a just-verified educator can register at once."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from services.scheduler import domain
from services.scheduler.models import Educator
from shared.auth import Principal
from shared.errors import Forbidden


def ensure_educator(session: Session, principal: Principal) -> int:
    """The caller's educator id, their profile created from the token's claims when new."""
    educator_id = principal.educator_id
    if educator_id is None:
        raise Forbidden("only educators register")
    if session.get(Educator, educator_id) is None:
        _insert_profile(session, educator_id, principal)
    return educator_id


def _insert_profile(session: Session, educator_id: int, principal: Principal) -> None:
    if not principal.email:
        raise Forbidden("this access token names no address: sign in again")
    values = {
        "id": educator_id,
        "name": principal.name or principal.email.split("@")[0],
        "email": principal.email,
        "email_key": domain.email_key(principal.email),
        "timezone": principal.timezone,
        "locale": principal.locale or "en",
    }
    table = Educator.__table__  # type: ignore[attr-defined]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # Two first requests of one person race here; the loser's insert does nothing.
    session.execute(dialect.insert(table).values(**values).on_conflict_do_nothing())
    session.commit()
